//! Keeping personal identification numbers out of text that leaves the library: server
//! messages, error texts and log lines that may echo a number back.

/// Masks every run of eleven or more ASCII digits in free text. A run of exactly eleven (the
/// length of a personal identification number) keeps its six date digits, the way
/// [`PersonalIdentificationNumber`](crate::PersonalIdentificationNumber) shows itself; a longer
/// run is masked completely. Shorter runs, such as nine-digit organization numbers, are kept.
///
/// ```
/// use signature_core::mask_identity_numbers;
/// assert_eq!(
///     mask_identity_numbers("signer 24068110048 of 984661185, ref 123456789012"),
///     "signer 240681***** of 984661185, ref ************"
/// );
/// ```
pub fn mask_identity_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        match digits.len() {
            0..=10 => out.push_str(digits),
            11 => {
                out.push_str(&digits[..6]);
                out.push_str("*****");
            }
            n => out.extend(std::iter::repeat_n('*', n)),
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Whether `text` holds what [`mask_identity_numbers`] masks: a run of eleven or more ASCII
/// digits. For checks that a text about to leave a program (a log line, an error message)
/// shows no identity number.
///
/// ```
/// use signature_core::{mask_identity_numbers, shows_identity_number};
/// let line = "signer 24068110048 of 984661185";
/// assert!(shows_identity_number(line));
/// assert!(!shows_identity_number(&mask_identity_numbers(line)));
/// ```
pub fn shows_identity_number(text: &str) -> bool {
    let mut run = 0;
    text.chars().any(|c| {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        run >= 11
    })
}

#[cfg(test)]
mod tests {
    use super::{mask_identity_numbers, shows_identity_number};

    #[test]
    fn masks_runs_of_eleven_or_more_digits() {
        assert_eq!(mask_identity_numbers("24068110048"), "240681*****");
        assert_eq!(mask_identity_numbers("a24068110048b"), "a240681*****b");
        assert_eq!(mask_identity_numbers("123456789012"), "************");
        assert_eq!(
            mask_identity_numbers("984661185 and 1234567890"),
            "984661185 and 1234567890"
        );
        assert_eq!(
            mask_identity_numbers("æøå 24068110048, 24068110048"),
            "æøå 240681*****, 240681*****"
        );
        assert_eq!(mask_identity_numbers(""), "");
    }

    #[test]
    fn shows_exactly_what_the_masker_masks() {
        for (text, shown) in [
            ("24068110048", true),
            ("a123456789012b", true),
            ("984661185 and 1234567890", false),
            ("2406811004 8", false),
            ("", false),
            ("signer 24068110048 signed", true),
            ("240681***** 123456785 2024-01-15", false),
        ] {
            assert_eq!(shows_identity_number(text), shown, "{text:?}");
            assert!(
                !shows_identity_number(&mask_identity_numbers(text)),
                "{text:?}"
            );
        }
    }
}
