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

pub(crate) use signature_core::mask_identity_numbers;

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
}
