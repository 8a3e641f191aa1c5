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
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $wire:literal, )+
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

            /// The service's name for this status (`Unknown` gives back what was received).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(value) => value,
                }
            }

            /// Parses a status name; never fails. Surrounding whitespace is ignored, case is not.
            pub fn parse(value: &str) -> Self {
                match value.trim() {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
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
    };
}
