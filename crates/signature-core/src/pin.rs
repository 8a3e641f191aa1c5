//! Norwegian personal identification numbers (fødselsnummer, D-number, synthetic test numbers).

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

use crate::error::{PinProblem, ValidationError};

const FIRST_CHECK_WEIGHTS: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const SECOND_CHECK_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// Added to the day of a D-number (assigned to people without a birth number).
const D_NUMBER_DAY_OFFSET: u8 = 40;
/// Added to the month of synthetic test numbers in Skatteetaten's test environment ("Tenor").
const TENOR_MONTH_OFFSET: u8 = 80;
/// Added to the month of older synthetic test numbers and H-numbers.
const SYNTHETIC_MONTH_OFFSET: u8 = 40;

/// A validated Norwegian personal identification number (11 digits).
///
/// Accepts ordinary birth numbers, D-numbers (day + 40) and synthetic test numbers
/// (month + 40, or month + 80 as issued by Tenor). Both mod-11 check digits and the
/// date part are verified.
///
/// The number is personal data: [`Debug`](fmt::Debug) and [`Display`](fmt::Display)
/// show only the six date digits followed by `*****`. Use
/// [`reveal`](Self::reveal) where the full number is genuinely needed, such as when an
/// adapter writes the request sent to the signing service.
///
/// ```
/// use signature_core::PersonalIdentificationNumber;
///
/// let pin: PersonalIdentificationNumber = "24068110048".parse()?;
/// assert_eq!(pin.to_string(), "240681*****");
/// assert_eq!(format!("{pin:?}"), "PersonalIdentificationNumber(240681*****)");
/// assert_eq!(pin.reveal(), "24068110048");
/// # Ok::<(), signature_core::ValidationError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonalIdentificationNumber {
    digits: String,
    birth_date: Date,
}

/// What kind of number a [`PersonalIdentificationNumber`] is, derived from its date part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PinKind {
    /// An ordinary birth number (fødselsnummer).
    BirthNumber,
    /// A D-number: the day of month has 40 added.
    DNumber,
    /// A synthetic test number: the month has 40 or 80 added.
    Synthetic,
    /// A synthetic test number that is also a D-number.
    SyntheticDNumber,
}

impl PersonalIdentificationNumber {
    /// Validates `input` and wraps it.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidPersonalIdentificationNumber`] naming the problem; the
    /// error never contains the input.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let invalid = |problem| ValidationError::InvalidPersonalIdentificationNumber { problem };
        let length = input.chars().count();
        if length != 11 {
            return Err(invalid(PinProblem::WrongLength { length }));
        }
        let digits = ascii_digits(input).ok_or(invalid(PinProblem::NotOnlyDigits))?;
        let birth_date = birth_date_of(&digits).ok_or(invalid(PinProblem::ImpossibleDate))?;
        let first = mod11_check_digit(&digits[..9], &FIRST_CHECK_WEIGHTS);
        let second = first.and_then(|first_digit| {
            let mut with_first = [0u32; 10];
            with_first[..9].copy_from_slice(&digits[..9]);
            with_first[9] = first_digit;
            mod11_check_digit(&with_first, &SECOND_CHECK_WEIGHTS)
        });
        if first != Some(digits[9]) || second != Some(digits[10]) {
            return Err(invalid(PinProblem::WrongCheckDigits));
        }
        Ok(Self {
            digits: input.to_owned(),
            birth_date,
        })
    }

    /// The full 11-digit number.
    ///
    /// Named to stand out in review: call it only where the number must leave the
    /// process (the request to the signing service), never for logging.
    pub fn reveal(&self) -> &str {
        &self.digits
    }

    /// The six date digits (`DDMMYY`, offsets included), which is all that
    /// `Display` and `Debug` show.
    pub fn date_digits(&self) -> &str {
        &self.digits[..6]
    }

    /// Whether this is a birth number, D-number or synthetic test number.
    pub fn kind(&self) -> PinKind {
        let bytes = self.digits.as_bytes();
        let day = two_digits(bytes[0], bytes[1]);
        let month = two_digits(bytes[2], bytes[3]);
        match (day > D_NUMBER_DAY_OFFSET, month > SYNTHETIC_MONTH_OFFSET) {
            (false, false) => PinKind::BirthNumber,
            (true, false) => PinKind::DNumber,
            (false, true) => PinKind::Synthetic,
            (true, true) => PinKind::SyntheticDNumber,
        }
    }

    /// The birth date encoded in the number, with D-number and synthetic offsets removed
    /// and the century derived from the individual number.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }
}

impl FromStr for PersonalIdentificationNumber {
    type Err = ValidationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl TryFrom<&str> for PersonalIdentificationNumber {
    type Error = ValidationError;

    fn try_from(input: &str) -> Result<Self, Self::Error> {
        Self::parse(input)
    }
}

impl TryFrom<String> for PersonalIdentificationNumber {
    type Error = ValidationError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        Self::parse(&input)
    }
}

impl fmt::Display for PersonalIdentificationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}*****", self.date_digits())
    }
}

impl fmt::Debug for PersonalIdentificationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonalIdentificationNumber({self})")
    }
}

/// Whether `text` contains a run of exactly 11 ASCII digits that is a valid personal
/// identification number.
pub(crate) fn contains_identity_number(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() == 11 && PersonalIdentificationNumber::parse(run).is_ok())
}

/// The numeric value of each character, or `None` if any is not an ASCII digit.
pub(crate) fn ascii_digits(input: &str) -> Option<Vec<u32>> {
    input
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_digit(10)
            } else {
                None
            }
        })
        .collect()
}

/// The mod-11 check digit used by both personal and organization numbers; `None` when
/// the remainder is 1, because no single digit can then satisfy the check.
pub(crate) fn mod11_check_digit(digits: &[u32], weights: &[u32]) -> Option<u32> {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    match sum % 11 {
        0 => Some(0),
        1 => None,
        remainder => Some(11 - remainder),
    }
}

fn two_digits(tens: u8, ones: u8) -> u8 {
    (tens - b'0') * 10 + (ones - b'0')
}

fn birth_date_of(digits: &[u32]) -> Option<Date> {
    let number = |range: std::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0u32, |accumulated, digit| accumulated * 10 + digit)
    };
    let mut day = number(0..2);
    let mut month = number(2..4);
    let two_digit_year = number(4..6);
    let individual = number(6..9);

    if day > u32::from(D_NUMBER_DAY_OFFSET) {
        day -= u32::from(D_NUMBER_DAY_OFFSET);
    }
    if month > u32::from(TENOR_MONTH_OFFSET) {
        month -= u32::from(TENOR_MONTH_OFFSET);
    } else if month > u32::from(SYNTHETIC_MONTH_OFFSET) {
        month -= u32::from(SYNTHETIC_MONTH_OFFSET);
    }

    let year = century_of(individual, two_digit_year) + two_digit_year;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// Skatteetaten's century rules for the individual number (digits 7–9).
///
/// Combinations outside the published ranges (individual 500–749 with year 40–53, 750–899
/// with year 40–99) are not rejected, because synthetic numbers do not always follow them;
/// the 1900s are assumed then, which only matters for 29 February.
fn century_of(individual: u32, two_digit_year: u32) -> u32 {
    match (individual, two_digit_year) {
        (0..=499, _) => 1900,
        (500..=749, 54..=99) => 1800,
        (500..=999, 0..=39) => 2000,
        (900..=999, 40..=99) => 1900,
        _ => 1900,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn problem_of(input: &str) -> Option<PinProblem> {
        match PersonalIdentificationNumber::parse(input) {
            Ok(_) => None,
            Err(ValidationError::InvalidPersonalIdentificationNumber { problem }) => Some(problem),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn accepts_valid_numbers() {
        // (number, kind, birth date) — check digits computed independently with the
        // published weights.
        let table = [
            ("24068110048", PinKind::BirthNumber, (1981, 6, 24)),
            ("24068110129", PinKind::BirthNumber, (1981, 6, 24)),
            ("31129910065", PinKind::BirthNumber, (1999, 12, 31)),
            // Individual 500–999 with year 00–39 → 2000s, and 2000 is a leap year.
            ("29020050088", PinKind::BirthNumber, (2000, 2, 29)),
            ("29020410181", PinKind::BirthNumber, (1904, 2, 29)),
            // First check digit from remainder 0.
            ("12121210000", PinKind::BirthNumber, (1912, 12, 12)),
            ("01018010603", PinKind::BirthNumber, (1980, 1, 1)),
            // Second check digit from remainder 0.
            ("24068110390", PinKind::BirthNumber, (1981, 6, 24)),
            // D-number: day + 40.
            ("64068110031", PinKind::DNumber, (1981, 6, 24)),
            ("55108010087", PinKind::DNumber, (1980, 10, 15)),
            // Synthetic: month + 40.
            ("24468110020", PinKind::Synthetic, (1981, 6, 24)),
            // Synthetic (Tenor): month + 80.
            ("24868110003", PinKind::Synthetic, (1981, 6, 24)),
            // Tenor D-number: day + 40 and month + 80.
            ("64868110188", PinKind::SyntheticDNumber, (1981, 6, 24)),
        ];
        for (input, kind, (year, month, day)) in table {
            let pin = PersonalIdentificationNumber::parse(input)
                .unwrap_or_else(|e| panic!("{input} rejected: {e}"));
            assert_eq!(pin.reveal(), input);
            assert_eq!(pin.kind(), kind, "{input}");
            let expected =
                Date::from_calendar_date(year, Month::try_from(month).unwrap(), day).unwrap();
            assert_eq!(pin.birth_date(), expected, "{input}");
        }
    }

    #[test]
    fn rejects_invalid_numbers_with_the_right_problem() {
        let table = [
            ("", PinProblem::WrongLength { length: 0 }),
            ("2406811004", PinProblem::WrongLength { length: 10 }),
            ("240681100481", PinProblem::WrongLength { length: 12 }),
            ("2406811004æ", PinProblem::NotOnlyDigits),
            ("24068110 48", PinProblem::NotOnlyDigits),
            ("2406811004a", PinProblem::NotOnlyDigits),
            ("+2406811004", PinProblem::NotOnlyDigits),
            // Non-ASCII digits (Arabic-Indic) are not digits for this purpose.
            ("٢٤٠٦٨١١٠٠٤٨", PinProblem::NotOnlyDigits),
            // Wrong check digits: one flipped digit each.
            ("24068110049", PinProblem::WrongCheckDigits),
            ("24068110038", PinProblem::WrongCheckDigits),
            ("24068110148", PinProblem::WrongCheckDigits),
            // First check digit's remainder is 1: no digit can be valid.
            ("24068110800", PinProblem::WrongCheckDigits),
            // Second check digit's remainder is 1.
            ("24068110200", PinProblem::WrongCheckDigits),
            // Impossible dates, each with otherwise valid check digits.
            ("32018110090", PinProblem::ImpossibleDate),
            ("24138110016", PinProblem::ImpossibleDate),
            ("00018110180", PinProblem::ImpossibleDate),
            ("24008110189", PinProblem::ImpossibleDate),
            ("31048110021", PinProblem::ImpossibleDate),
            ("30028110002", PinProblem::ImpossibleDate),
            ("29020110048", PinProblem::ImpossibleDate),
            // 1900 is not a leap year (individual 000–499 → 1900s).
            ("29020010027", PinProblem::ImpossibleDate),
            // D-number with day 72 − 40 = 32.
            ("72018110084", PinProblem::ImpossibleDate),
            // Tenor month 93 − 80 = 13.
            ("24938110081", PinProblem::ImpossibleDate),
        ];
        for (input, expected) in table {
            assert_eq!(problem_of(input), Some(expected), "{input:?}");
        }
    }

    #[test]
    fn check_digit_remainder_one_is_never_valid() {
        // First nine digits whose first checksum leaves remainder 1.
        let digits = ascii_digits("240681108").unwrap();
        assert_eq!(mod11_check_digit(&digits, &FIRST_CHECK_WEIGHTS), None);
        for tail in 0..100 {
            let candidate = format!("240681108{tail:02}");
            assert_eq!(
                problem_of(&candidate),
                Some(PinProblem::WrongCheckDigits),
                "{candidate}"
            );
        }
    }

    #[test]
    fn debug_and_display_mask_the_individual_part() {
        let pin = PersonalIdentificationNumber::parse("24068110048").unwrap();
        assert_eq!(pin.to_string(), "240681*****");
        let debug = format!("{pin:?}");
        assert_eq!(debug, "PersonalIdentificationNumber(240681*****)");
        assert!(!debug.contains("10048"));
        assert!(!format!("{pin:#?}").contains("24068110048"));
        assert_eq!(pin.date_digits(), "240681");
    }

    #[test]
    fn errors_never_contain_the_input() {
        for input in ["24068110049", "32018110090", "2406811004a", "240681100"] {
            let error = PersonalIdentificationNumber::parse(input).unwrap_err();
            assert!(!error.to_string().contains(input));
            assert!(!format!("{error:?}").contains(input));
        }
    }

    #[test]
    fn finds_identity_numbers_inside_text() {
        assert!(contains_identity_number("case 24068110048"));
        assert!(contains_identity_number("24068110048-x"));
        assert!(!contains_identity_number("case 24068110049"));
        assert!(!contains_identity_number("order 240681100481"));
        assert!(!contains_identity_number("no digits"));
    }

    #[test]
    fn parses_through_from_str_and_try_from() {
        let from_str: PersonalIdentificationNumber = "24068110048".parse().unwrap();
        let from_ref = PersonalIdentificationNumber::try_from("24068110048").unwrap();
        let from_owned =
            PersonalIdentificationNumber::try_from(String::from("24068110048")).unwrap();
        assert_eq!(from_str, from_ref);
        assert_eq!(from_ref, from_owned);
        assert!(PersonalIdentificationNumber::try_from("24068110049").is_err());
    }
}
