//! The conversions from text that every validated text newtype of this crate offers.

/// Implements `FromStr`, `TryFrom<&str>` and `TryFrom<String>` for `$name`, each checking
/// the text with `$name::$parse(&str) -> Result<$name, ValidationError>`, so the three ways
/// to write a conversion always validate alike. With `Display`, also shows the value as its
/// `as_str()` (not for a value that must be masked, such as an identity number). A macro,
/// because they are trait impls.
macro_rules! from_text {
    ($name:ident, $parse:ident, Display) => {
        $crate::from_text::from_text!($name, $parse);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    ($name:ident, $parse:ident) => {
        impl ::std::str::FromStr for $name {
            type Err = $crate::ValidationError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::$parse(input)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::ValidationError;

            fn try_from(input: &str) -> Result<Self, Self::Error> {
                Self::$parse(input)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::ValidationError;

            fn try_from(input: String) -> Result<Self, Self::Error> {
                Self::$parse(&input)
            }
        }
    };
}

pub(crate) use from_text;
