//! Norwegian organization numbers (organisasjonsnummer).

use crate::error::{OrganizationNumberProblem, ValidationError};
use crate::pin::{ascii_digits, mod11_check_digit};

const CHECK_WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];

/// A validated 9-digit Norwegian organization number, as registered in Enhetsregisteret.
///
/// Used for the sender of a job when a broker sends on behalf of another organization.
/// Organization numbers are public, so this type displays them in full.
///
/// ```
/// use signature_core::OrganizationNumber;
///
/// let posten: OrganizationNumber = "984661185".parse()?;
/// assert_eq!(posten.as_str(), "984661185");
/// assert!("984661186".parse::<OrganizationNumber>().is_err());
/// # Ok::<(), signature_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganizationNumber(String);

impl OrganizationNumber {
    /// Validates length, digits and the mod-11 check digit (weights 3,2,7,6,5,4,3,2).
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidOrganizationNumber`] naming the problem.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let invalid = |problem| ValidationError::InvalidOrganizationNumber { problem };
        let length = input.chars().count();
        if length != 9 {
            return Err(invalid(OrganizationNumberProblem::WrongLength { length }));
        }
        let digits =
            ascii_digits(input).ok_or(invalid(OrganizationNumberProblem::NotOnlyDigits))?;
        if mod11_check_digit(&digits[..8], &CHECK_WEIGHTS) != Some(digits[8]) {
            return Err(invalid(OrganizationNumberProblem::WrongCheckDigit));
        }
        Ok(Self(input.to_owned()))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::from_text::from_text!(OrganizationNumber, parse, Display);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn organization_number_table() {
        use OrganizationNumberProblem::*;
        let table: [(&str, Option<OrganizationNumberProblem>); 14] = [
            // Posten Norge / Posten Bring AS, the service's own number.
            ("984661185", None),
            ("123456785", None),
            ("974160161", None),
            ("923456783", None),
            // Check digit from remainder 0.
            ("100000040", None),
            ("984661186", Some(WrongCheckDigit)),
            ("123456789", Some(WrongCheckDigit)),
            // Remainder 1: no valid check digit exists.
            ("100000130", Some(WrongCheckDigit)),
            ("100000131", Some(WrongCheckDigit)),
            ("98466118", Some(WrongLength { length: 8 })),
            ("9846611850", Some(WrongLength { length: 10 })),
            ("", Some(WrongLength { length: 0 })),
            ("98466118x", Some(NotOnlyDigits)),
            ("984 66118", Some(NotOnlyDigits)),
        ];
        for (input, expected) in table {
            let result = OrganizationNumber::parse(input);
            match expected {
                None => assert_eq!(result.map(|n| n.to_string()).as_deref(), Ok(input)),
                Some(problem) => assert_eq!(
                    result,
                    Err(ValidationError::InvalidOrganizationNumber { problem }),
                    "{input:?}"
                ),
            }
        }
    }

    #[test]
    fn remainder_one_has_no_valid_check_digit() {
        for last in 0..10 {
            let candidate = format!("10000013{last}");
            assert!(
                OrganizationNumber::parse(&candidate).is_err(),
                "{candidate}"
            );
        }
    }
}
