//! Norwegian personal identification numbers (fødselsnummer, D-number, synthetic test numbers),
//! under both check-digit calculations: today's and the one for numbers issued from 2032.

use std::fmt;

use time::{Date, Month};

use crate::error::{PinProblem, ValidationError};

/// Weights of the first check digit's sum: the nine digits, then the check digit itself.
const FIRST_CHECK_WEIGHTS: [u32; 10] = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1];
/// Weights of the second check digit's sum: the ten digits, then the check digit itself.
const SECOND_CHECK_WEIGHTS: [u32; 11] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
/// Remainders of the first sum that the calculation for numbers issued from 2032 accepts
/// (today's calculation accepts only 0).
const REMAINDERS_FROM_2032: std::ops::RangeInclusive<u32> = 0..=3;

/// Added to the day of a D-number (assigned to people without a birth number).
const D_NUMBER_DAY_OFFSET: u8 = 40;
/// Added to the month of synthetic test numbers in Skatteetaten's test environment ("Tenor").
const TENOR_MONTH_OFFSET: u8 = 80;
/// Added to the month of older synthetic test numbers and H-numbers.
const SYNTHETIC_MONTH_OFFSET: u8 = 40;

/// A validated Norwegian personal identification number (11 digits).
///
/// Accepts ordinary birth numbers, D-numbers (day + 40) and synthetic test numbers
/// (month + 40, or month + 80 as issued by Tenor), valid under either check-digit
/// calculation ([`CheckDigitScheme`]); the date part must be a calendar date.
///
/// # Numbers issued from 2032
///
/// Skatteetaten issues numbers under new rules from 2032-01-01, and systems must accept both
/// kinds already ("Nytt fødselsnummer fra 2032", Folkeregisteret's API documentation,
/// <https://skatteetaten.github.io/folkeregisteret-api-dokumentasjon/nytt-fodselsnummer-fra-2032/>,
/// and <https://www.skatteetaten.no/deling/opplysninger/folkeregisteropplysninger/pid/>):
///
/// - the first check digit's weighted sum (weights 3 7 6 1 8 9 4 5 2, and 1 for the check digit
///   itself) may leave the remainder 0, 1, 2 or 3 modulo 11 instead of only 0; a check digit
///   of 10 is still impossible; the second check digit is calculated as before;
/// - the individual number (digits 7–9) no longer tells the century, so the birth date is to be
///   taken from Folkeregisteret ([`birth_date`](Self::birth_date) is `None` where the number
///   cannot tell it);
/// - the numbers are gender-neutral. This type never derives a gender, and its masked forms
///   show only the six date digits.
///
/// # Masking
///
/// The number is personal data: [`Debug`](fmt::Debug) and [`Display`](fmt::Display)
/// show only the six date digits followed by `*****`. Use
/// [`reveal`](Self::reveal) where the full number is genuinely needed, such as when an
/// adapter writes the request sent to the signing service.
///
/// ```
/// use signature_core::{CheckDigitScheme, PersonalIdentificationNumber};
///
/// let pin: PersonalIdentificationNumber = "24068110048".parse()?;
/// assert_eq!(pin.to_string(), "240681*****");
/// assert_eq!(format!("{pin:?}"), "PersonalIdentificationNumber(240681*****)");
/// assert_eq!(pin.reveal(), "24068110048");
/// assert_eq!(pin.check_digit_scheme(), CheckDigitScheme::Classic);
///
/// // Skatteetaten's example of a number under the 2032 calculation (remainder 1).
/// let new: PersonalIdentificationNumber = "30108299939".parse()?;
/// assert_eq!(new.check_digit_scheme(), CheckDigitScheme::From2032);
/// assert_eq!(new.birth_date(), None); // the century is no longer in the number
/// # Ok::<(), signature_core::ValidationError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonalIdentificationNumber {
    digits: String,
    scheme: CheckDigitScheme,
    birth_date: Option<Date>,
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

/// Which check-digit calculation a [`PersonalIdentificationNumber`] satisfies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckDigitScheme {
    /// Today's calculation: the first weighted sum leaves remainder 0. Every number issued
    /// before 2032 is of this kind, and so are some issued later (the 2032 calculation accepts
    /// remainder 0 too), so even here the individual number's century is only a presumption.
    Classic,
    /// Only the calculation for numbers issued from 2032-01-01: the first weighted sum leaves
    /// remainder 1, 2 or 3. Such a number tells neither century nor gender.
    From2032,
}

impl PersonalIdentificationNumber {
    /// Validates `input` and wraps it.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidPersonalIdentificationNumber`] naming the problem; the
    /// error never contains the input. A number valid under neither check-digit calculation
    /// is [`PinProblem::WrongCheckDigits`].
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let invalid = |problem| ValidationError::InvalidPersonalIdentificationNumber { problem };
        let length = input.chars().count();
        if length != 11 {
            return Err(invalid(PinProblem::WrongLength { length }));
        }
        let digits = ascii_digits(input).ok_or(invalid(PinProblem::NotOnlyDigits))?;
        let date = DatePart::of(&digits);
        if !date.exists_in_some_century() {
            return Err(invalid(PinProblem::ImpossibleDate));
        }
        let scheme = check_digit_scheme(&digits).ok_or(invalid(PinProblem::WrongCheckDigits))?;
        let birth_date = match scheme {
            CheckDigitScheme::Classic => date.with_classic_century(),
            CheckDigitScheme::From2032 => None,
        };
        Ok(Self {
            digits: input.to_owned(),
            scheme,
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

    /// Which check-digit calculation the number satisfies.
    pub fn check_digit_scheme(&self) -> CheckDigitScheme {
        self.scheme
    }

    /// The birth date as the number tells it under today's rules: D-number and synthetic
    /// offsets removed, the century derived from the individual number.
    ///
    /// `None` for a number that satisfies only the 2032 calculation (its individual number
    /// tells no century), and for one whose date exists only in a century today's rules do
    /// not give it (so it must have been issued under the 2032 rules). From 2032 even a
    /// [`CheckDigitScheme::Classic`] number may have been issued under the new rules: where
    /// the birth date matters, take it from Folkeregisteret, as Skatteetaten advises.
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }
}

crate::from_text::from_text!(PersonalIdentificationNumber, parse);

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

/// The mod-11 check digit of today's calculation, used by organization numbers (and, in
/// the tests, to build identity numbers); `None` when the remainder is 1, because no single
/// digit can then satisfy the check.
pub(crate) fn mod11_check_digit(digits: &[u32], weights: &[u32]) -> Option<u32> {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    match sum % 11 {
        0 => Some(0),
        1 => None,
        remainder => Some(11 - remainder),
    }
}

/// The weighted sum of `digits` modulo 11.
fn remainder(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11
}

/// Which calculation the 11 `digits` satisfy, if any: the second sum (over all eleven digits)
/// must leave 0 in both; the first (over the first ten) 0 today, 0–3 from 2032.
fn check_digit_scheme(digits: &[u32]) -> Option<CheckDigitScheme> {
    if remainder(digits, &SECOND_CHECK_WEIGHTS) != 0 {
        return None;
    }
    match remainder(&digits[..10], &FIRST_CHECK_WEIGHTS) {
        0 => Some(CheckDigitScheme::Classic),
        r if REMAINDERS_FROM_2032.contains(&r) => Some(CheckDigitScheme::From2032),
        _ => None,
    }
}

fn two_digits(tens: u8, ones: u8) -> u8 {
    (tens - b'0') * 10 + (ones - b'0')
}

/// The date digits with D-number and synthetic offsets removed, and the individual number.
struct DatePart {
    day: u32,
    month: u32,
    two_digit_year: u32,
    individual: u32,
}

impl DatePart {
    fn of(digits: &[u32]) -> Self {
        let number = |range: std::ops::Range<usize>| {
            digits[range]
                .iter()
                .fold(0u32, |accumulated, digit| accumulated * 10 + digit)
        };
        let mut day = number(0..2);
        let mut month = number(2..4);
        if day > u32::from(D_NUMBER_DAY_OFFSET) {
            day -= u32::from(D_NUMBER_DAY_OFFSET);
        }
        if month > u32::from(TENOR_MONTH_OFFSET) {
            month -= u32::from(TENOR_MONTH_OFFSET);
        } else if month > u32::from(SYNTHETIC_MONTH_OFFSET) {
            month -= u32::from(SYNTHETIC_MONTH_OFFSET);
        }
        Self {
            day,
            month,
            two_digit_year: number(4..6),
            individual: number(6..9),
        }
    }

    fn in_year(&self, year: u32) -> Option<Date> {
        let month = Month::try_from(u8::try_from(self.month).ok()?).ok()?;
        Date::from_calendar_date(
            i32::try_from(year).ok()?,
            month,
            u8::try_from(self.day).ok()?,
        )
        .ok()
    }

    /// Whether the date exists in any century. Numbers issued from 2032 do not tell the
    /// century, so this is the test both calculations share; the centuries differ only for
    /// 29 February of year 00, which exists in 2000.
    fn exists_in_some_century(&self) -> bool {
        self.in_year(2000 + self.two_digit_year).is_some()
    }

    /// The date in the century today's rules derive from the individual number, if it exists.
    fn with_classic_century(&self) -> Option<Date> {
        self.in_year(classic_century(self.individual, self.two_digit_year) + self.two_digit_year)
    }
}

/// Skatteetaten's century rules for the individual number (digits 7–9) of numbers issued
/// before 2032.
///
/// Combinations outside the published ranges (individual 500–749 with year 40–53, 750–899
/// with year 40–99) are not rejected, because synthetic numbers do not always follow them;
/// the 1900s are assumed then, which only matters for 29 February.
fn classic_century(individual: u32, two_digit_year: u32) -> u32 {
    match (individual, two_digit_year) {
        (0..=499, _) => 1900,
        (500..=749, 54..=99) => 1800,
        (500..=999, 0..=39) => 2000,
        (900..=999, 40..=99) => 1900,
        _ => 1900,
    }
}

#[cfg(test)]
#[path = "pin_tests.rs"]
mod tests;
