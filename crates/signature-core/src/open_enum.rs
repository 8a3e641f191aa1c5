//! One pattern for the statuses and codes a service may extend.

/// Defines an open enum: the known values as variants, each with the name the service uses,
/// and `Unknown(String)` for any other value, which is kept as received (trimmed), never
/// rejected. Every status and code a service documents as extensible follows this pattern.
///
/// The enum gets `KNOWN`, `as_str`, `parse` (never fails; surrounding whitespace ignored,
/// case kept), `is_unknown`, `FromStr` (with `Infallible`), `From<&str>` and `Display`.
///
/// ```
/// signature_core::open_enum! {
///     /// A colour a service may add to.
///     pub enum Colour {
///         /// Red.
///         Red => "RED",
///         /// Green.
///         Green => "GREEN",
///     }
/// }
///
/// assert_eq!(Colour::parse(" RED "), Colour::Red);
/// assert_eq!(Colour::parse("BLUE"), Colour::Unknown("BLUE".into()));
/// assert_eq!(Colour::Green.to_string(), "GREEN");
/// assert_eq!(Colour::KNOWN.len(), 2);
/// ```
///
/// # Options, aliases and per-variant meaning
///
/// A first line `#![open_enum(...)]` switches options on:
///
/// - `ignore_case`: `parse` compares without regard to case (Unicode lower case), for
///   services whose values vary in case;
/// - `serde`: `Deserialize` through `parse` (so unknown values never fail) and `Serialize`
///   as `as_str`. Needs this crate's `serde` feature.
///
/// A variant may list further names after `|` that `parse` also accepts (for example the
/// same status in another language); the first name is the one `as_str` gives.
///
/// Meaning beyond the name (a description, whether a status is final, a mapping to another
/// enum) goes in an ordinary `impl` block with a `match` over the variants, which must then
/// say what `Unknown` means too.
///
/// ```
/// signature_core::open_enum! {
///     #![open_enum(ignore_case)]
///     /// A message status in two languages.
///     pub enum Status {
///         /// Read.
///         Read => "Lest" | "Read",
///         /// Opened.
///         Opened => "Åpnet" | "Opened",
///     }
/// }
///
/// impl Status {
///     /// Whether the recipient has seen the message.
///     pub fn is_seen(&self) -> bool {
///         match self {
///             Self::Read | Self::Opened => true,
///             Self::Unknown(_) => false,
///         }
///     }
/// }
///
/// assert_eq!(Status::parse("ÅPNET"), Status::Opened);
/// assert_eq!(Status::parse("read").as_str(), "Lest");
/// assert!(!Status::parse("Slettet").is_seen());
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        #![open_enum($($option:ident),* $(,)?)]
        $($rest:tt)+
    ) => {
        $crate::open_enum!(@check [$($option)*]);
        $crate::open_enum!(@define [$($option)*] $($rest)+);
    };

    (@check []) => {};
    (@check [ignore_case $($rest:ident)*]) => { $crate::open_enum!(@check [$($rest)*]); };
    (@check [serde $($rest:ident)*]) => { $crate::open_enum!(@check [$($rest)*]); };
    (@check [$other:ident $($rest:ident)*]) => {
        ::core::compile_error!(::core::concat!(
            "open_enum!: unknown option `", ::core::stringify!($other),
            "` (known: ignore_case, serde)"
        ));
    };

    (@ignore_case []) => { false };
    (@ignore_case [ignore_case $($rest:ident)*]) => { true };
    (@ignore_case [$other:ident $($rest:ident)*]) => {
        $crate::open_enum!(@ignore_case [$($rest)*])
    };

    (@serde $name:ident []) => {};
    (@serde $name:ident [serde $($rest:ident)*]) => { $crate::__open_enum_serde!($name); };
    (@serde $name:ident [$other:ident $($rest:ident)*]) => {
        $crate::open_enum!(@serde $name [$($rest)*]);
    };

    (
        @define [$($option:ident)*]
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $wire:literal $(| $alias:literal)*, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this version does not know, as received (trimmed).
            Unknown(String),
        }

        impl $name {
            /// Every known value, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The service's name for this value (`Unknown` gives back what was received).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(value) => value,
                }
            }

            /// Parses a value; never fails. Surrounding whitespace is ignored.
            pub fn parse(value: &str) -> Self {
                let value = value.trim();
                let same = |name: &str| {
                    $crate::__private::same_name(
                        value,
                        name,
                        $crate::open_enum!(@ignore_case [$($option)*]),
                    )
                };
                $(
                    if same($wire) $(|| same($alias))* {
                        return Self::$variant;
                    }
                )+
                Self::Unknown(value.to_owned())
            }

            /// Whether the value is one this version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::open_enum!(@serde $name [$($option)*]);
    };

    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($body:tt)+ }
    ) => {
        $crate::open_enum!(@define [] $(#[$meta])* $vis enum $name { $($body)+ });
    };
}

/// serde for an [`open_enum!`] with the `serde` option.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum_serde {
    ($name:ident) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                let text: ::std::string::String =
                    $crate::__private::serde::Deserialize::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

/// Without the `serde` feature, asking for serde is a compile error that says what to do.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum_serde {
    ($name:ident) => {
        ::core::compile_error!(
            "open_enum!: the `serde` option needs signering-core's `serde` feature"
        );
    };
}

/// Support for [`open_enum!`]'s expansion; not part of the API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "serde")]
    pub use serde;

    /// Whether `value` is `name`, exactly or (with `ignore_case`) in any case.
    pub fn same_name(value: &str, name: &str, ignore_case: bool) -> bool {
        if ignore_case {
            value
                .chars()
                .flat_map(char::to_lowercase)
                .eq(name.chars().flat_map(char::to_lowercase))
        } else {
            value == name
        }
    }
}

#[cfg(test)]
#[allow(dead_code)] // the test enums need only some of what the macro gives
mod tests {
    crate::open_enum! {
        #![open_enum(ignore_case)]
        /// A test enum with aliases.
        enum Kind {
            /// One.
            One => "One" | "En",
            /// Two.
            Two => "Two",
        }
    }

    crate::open_enum! {
        /// A test enum without options.
        enum Exact {
            /// A.
            A => "A",
        }
    }

    #[test]
    fn ignore_case_and_aliases() {
        assert_eq!(Kind::parse(" en "), Kind::One);
        assert_eq!(Kind::parse("TWO"), Kind::Two);
        assert_eq!(Kind::parse("one").as_str(), "One");
        assert_eq!(Kind::parse(" Three "), Kind::Unknown("Three".into()));
        assert_eq!(Exact::parse("a"), Exact::Unknown("a".into()));
        assert_eq!(Exact::parse(" A"), Exact::A);
    }

    #[test]
    fn case_folding_is_unicode() {
        assert!(super::__private::same_name("ÅPNET", "Åpnet", true));
        assert!(!super::__private::same_name("ÅPNET", "Åpnet", false));
    }
}
