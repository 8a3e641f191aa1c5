//! A string that must never be shown: passwords, tokens, API keys, cookies.

use std::fmt;

/// A secret string. `Debug` prints `***`, there is no `Display`, and the value is read only
/// through the deliberately named [`expose`](Self::expose).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, to put on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Replaces every run of exactly 11 digits (the length of a Norwegian identity number) with
/// asterisks, for server texts that may echo one back.
pub(crate) fn mask_identity_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() == 11 {
            out.push_str("***********");
        } else {
            out.push_str(digits);
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
    fn debug_hides_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn identity_numbers_are_masked_but_other_numbers_kept() {
        assert_eq!(
            mask_identity_numbers("24068110048 is not a valid organization number"),
            "*********** is not a valid organization number"
        );
        assert_eq!(
            mask_identity_numbers("org 910000000, ref 123456789012"),
            "org 910000000, ref 123456789012"
        );
        assert_eq!(mask_identity_numbers("x24068110048"), "x***********");
    }
}
