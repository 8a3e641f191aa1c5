//! Keeping personal identification numbers out of everything the command prints.

/// Masks an identity value from a manifest: an eleven-digit number keeps its six date digits
/// (`240681*****`), as `signature_core::PersonalIdentificationNumber` shows itself; anything
/// else is masked completely, because a malformed number is still personal data.
pub(crate) fn mask_identity(value: &str) -> String {
    let value = value.trim();
    if value.len() == 11 && value.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}*****", &value[..6])
    } else {
        "*".repeat(value.chars().count().max(1))
    }
}

/// Masks every run of eleven or more ASCII digits in free text (titles, file names, certificate
/// names, error messages): a run of exactly eleven keeps its first six digits, a longer run is
/// masked completely. Shorter runs (organization numbers have nine digits) are kept.
pub(crate) fn mask_identity_numbers(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_keeps_only_the_date_digits() {
        assert_eq!(mask_identity("24068110048"), "240681*****");
        assert_eq!(mask_identity(" 24068110048 "), "240681*****");
        assert_eq!(mask_identity("2406811004"), "**********");
        assert_eq!(mask_identity(""), "*");
    }

    #[test]
    fn free_text_masks_long_digit_runs_only() {
        assert_eq!(
            mask_identity_numbers("signer 24068110048 for 984661185"),
            "signer 240681***** for 984661185"
        );
        assert_eq!(mask_identity_numbers("x240681100481y"), "x************y");
        assert_eq!(mask_identity_numbers("24068110048"), "240681*****");
        assert_eq!(mask_identity_numbers("Søknad 2024"), "Søknad 2024");
        assert_eq!(mask_identity_numbers(""), "");
    }
}
