//! Table tests of both check-digit calculations. Every number below was computed outside this
//! code from the published weights (first check digit 3 7 6 1 8 9 4 5 2, second 5 4 3 2 7 6 5 4
//! 3 2) and the remainder named beside it; Skatteetaten's own examples are marked as such.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use super::*;

fn problem_of(input: &str) -> Option<PinProblem> {
    match PersonalIdentificationNumber::parse(input) {
        Ok(_) => None,
        Err(ValidationError::InvalidPersonalIdentificationNumber { problem }) => Some(problem),
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

fn date(year: i32, month: u8, day: u8) -> Date {
    Date::from_calendar_date(year, Month::try_from(month).unwrap(), day).unwrap()
}

#[test]
fn accepts_numbers_of_todays_calculation() {
    // (number, kind, birth date): the first weighted sum leaves remainder 0.
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
        // Skatteetaten's examples of numbers issued in 2032 whose sum leaves 0.
        ("02013299997", PinKind::BirthNumber, (2032, 1, 2)),
        ("30108299920", PinKind::BirthNumber, (1982, 10, 30)),
    ];
    for (input, kind, (year, month, day)) in table {
        let pin = PersonalIdentificationNumber::parse(input)
            .unwrap_or_else(|e| panic!("{input} rejected: {e}"));
        assert_eq!(pin.reveal(), input);
        assert_eq!(pin.kind(), kind, "{input}");
        assert_eq!(
            pin.check_digit_scheme(),
            CheckDigitScheme::Classic,
            "{input}"
        );
        assert_eq!(pin.birth_date(), Some(date(year, month, day)), "{input}");
    }
}

#[test]
fn accepts_numbers_of_the_2032_calculation() {
    // (number, kind, remainder of the first weighted sum)
    let table = [
        // Skatteetaten's example "person 2 born 30.10.1982".
        ("30108299939", PinKind::BirthNumber, 1),
        ("30108299947", PinKind::BirthNumber, 2),
        ("30108299955", PinKind::BirthNumber, 3),
        // Skatteetaten's example of the next number for 02.01.2032.
        ("02013299903", PinKind::BirthNumber, 2),
        ("02013299911", PinKind::BirthNumber, 3),
        ("24068110056", PinKind::BirthNumber, 1),
        ("24068110064", PinKind::BirthNumber, 2),
        ("24068110072", PinKind::BirthNumber, 3),
        // Today's calculation has no digit for this prefix (its check digit would be 10).
        ("24068110803", PinKind::BirthNumber, 1),
        ("24068110811", PinKind::BirthNumber, 2),
        // D-numbers.
        ("64068110058", PinKind::DNumber, 2),
        ("64068110066", PinKind::DNumber, 3),
        // Synthetic, month + 40.
        ("24468110039", PinKind::Synthetic, 1),
        ("24468110047", PinKind::Synthetic, 2),
        ("24468110055", PinKind::Synthetic, 3),
        // Tenor, month + 80.
        ("24868110011", PinKind::Synthetic, 1),
        ("24868110038", PinKind::Synthetic, 3),
        // Tenor D-numbers.
        ("64868110005", PinKind::SyntheticDNumber, 1),
        ("64868110013", PinKind::SyntheticDNumber, 2),
        ("64868110021", PinKind::SyntheticDNumber, 3),
        // 29 February of year 00 with an individual number below 500: only 2000 has it.
        ("29020010035", PinKind::BirthNumber, 1),
    ];
    for (input, kind, remainder_of_sum) in table {
        let digits = ascii_digits(input).unwrap();
        assert_eq!(
            remainder(&digits[..10], &FIRST_CHECK_WEIGHTS),
            remainder_of_sum
        );
        let pin = PersonalIdentificationNumber::parse(input)
            .unwrap_or_else(|e| panic!("{input} rejected: {e}"));
        assert_eq!(pin.kind(), kind, "{input}");
        assert_eq!(
            pin.check_digit_scheme(),
            CheckDigitScheme::From2032,
            "{input}"
        );
        // The individual number no longer tells the century.
        assert_eq!(pin.birth_date(), None, "{input}");
    }
}

#[test]
fn a_classic_number_whose_date_needs_the_2032_rules_has_no_birth_date() {
    // Today's calculation, but 29.02. with individual 100 → 1900, which has no 29 February:
    // valid only as a number issued under the 2032 rules (born 29.02.2000).
    let pin = PersonalIdentificationNumber::parse("29020010027").unwrap();
    assert_eq!(pin.check_digit_scheme(), CheckDigitScheme::Classic);
    assert_eq!(pin.birth_date(), None);
}

#[test]
fn refuses_numbers_valid_under_neither_calculation() {
    let table = [
        // First sum leaves remainder 4: beyond what 2032 accepts.
        "30108299963",
        "24068110080",
        "64068110074",
        "24868110046",
        // Remainders 1–3 of the first sum, but the second check digit is wrong.
        "30108299930",
        "24068110057",
        // Right first check digit, wrong second.
        "24068110049",
        "24068110200",
    ];
    for input in table {
        assert_eq!(
            problem_of(input),
            Some(PinProblem::WrongCheckDigits),
            "{input}"
        );
        let error = PersonalIdentificationNumber::parse(input).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid personal identification number: the check digits do not match"
        );
    }
}

#[test]
fn todays_calculation_is_exactly_the_classic_scheme() {
    // For every tail of a few prefixes: Classic iff today's algorithm gives both digits;
    // From2032 only where today's algorithm refuses.
    for prefix in [
        "240681100",
        "240681108",
        "301082999",
        "648681100",
        "010180106",
    ] {
        let nine = ascii_digits(prefix).unwrap();
        let first = mod11_check_digit(&nine, &FIRST_CHECK_WEIGHTS[..9]);
        for tail in 0..100u32 {
            let candidate = format!("{prefix}{tail:02}");
            let todays = first.and_then(|k1| {
                let mut ten = nine.clone();
                ten.push(k1);
                mod11_check_digit(&ten, &SECOND_CHECK_WEIGHTS[..10]).map(|k2| k1 * 10 + k2)
            }) == Some(tail);
            match PersonalIdentificationNumber::parse(&candidate) {
                Ok(pin) if todays => {
                    assert_eq!(pin.check_digit_scheme(), CheckDigitScheme::Classic)
                }
                Ok(pin) => assert_eq!(
                    pin.check_digit_scheme(),
                    CheckDigitScheme::From2032,
                    "{candidate}"
                ),
                Err(_) => assert!(!todays, "{candidate} is valid today"),
            }
        }
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
        // First sum leaves 1 and the second check digit does not fit.
        ("24068110800", PinProblem::WrongCheckDigits),
        // Second sum leaves 1.
        ("24068110200", PinProblem::WrongCheckDigits),
        // Impossible dates, each with otherwise valid check digits.
        ("32018110090", PinProblem::ImpossibleDate),
        ("24138110016", PinProblem::ImpossibleDate),
        ("00018110180", PinProblem::ImpossibleDate),
        ("24008110189", PinProblem::ImpossibleDate),
        ("31048110021", PinProblem::ImpossibleDate),
        ("30028110002", PinProblem::ImpossibleDate),
        // 29 February 2001 exists in no century.
        ("29020110048", PinProblem::ImpossibleDate),
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
fn a_2032_number_shows_its_date_digits_only_and_claims_nothing_more() {
    let pin = PersonalIdentificationNumber::parse("30108299939").unwrap();
    assert_eq!(pin.to_string(), "301082*****");
    // The same shape as today's: no century, no gender, no full number.
    assert_eq!(
        format!("{pin:?}"),
        "PersonalIdentificationNumber(301082*****)"
    );
    assert!(!format!("{pin:#?}").contains("99939"));
}

#[test]
fn errors_never_contain_the_input() {
    for input in [
        "24068110049",
        "32018110090",
        "2406811004a",
        "240681100",
        "30108299963",
    ] {
        let error = PersonalIdentificationNumber::parse(input).unwrap_err();
        assert!(!error.to_string().contains(input));
        assert!(!format!("{error:?}").contains(input));
    }
}

#[test]
fn finds_identity_numbers_of_both_calculations_inside_text() {
    assert!(contains_identity_number("case 24068110048"));
    assert!(contains_identity_number("24068110048-x"));
    assert!(contains_identity_number("case 30108299939"));
    assert!(!contains_identity_number("case 24068110049"));
    assert!(!contains_identity_number("order 240681100481"));
    assert!(!contains_identity_number("no digits"));
}

#[test]
fn parses_through_from_str_and_try_from() {
    let from_str: PersonalIdentificationNumber = "24068110048".parse().unwrap();
    let from_ref = PersonalIdentificationNumber::try_from("24068110048").unwrap();
    let from_owned = PersonalIdentificationNumber::try_from(String::from("24068110048")).unwrap();
    assert_eq!(from_str, from_ref);
    assert_eq!(from_ref, from_owned);
    assert!(PersonalIdentificationNumber::try_from("24068110049").is_err());
}
