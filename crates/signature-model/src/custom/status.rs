//! Posten's job and signer statuses as the wire model reads and writes them. Both are open:
//! values this version does not know are kept in `Unknown`, never rejected, because the
//! service documents that it adds new ones.
//!
//! `signature-core` has its own neutral `JobStatus` and `SignerStatus` (made with its
//! `open_enum!`), and `posten-adapter` maps these onto them. The model keeps its own small
//! macro because it is the lowest layer and depends on no other crate of the workspace; it
//! adds what the generated code needs (quick-xml's byte (de)serializers).

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use xsd_parser_types::quick_xml::{DeserializeBytesFromStr, SerializeBytesToString};

/// Defines an open status enum whose known variants map to the service's SCREAMING_SNAKE names.
macro_rules! open_status {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
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

        impl FromStr for $name {
            type Err = Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Lets the generated (de)serializers read and write the type as element text.
        impl DeserializeBytesFromStr for $name {}
        impl SerializeBytesToString for $name {}
    };
}

open_status! {
    /// The status of a whole job.
    pub enum JobStatus {
        /// Not all signers have finished.
        InProgress => "IN_PROGRESS",
        /// Every signer signed.
        CompletedSuccessfully => "COMPLETED_SUCCESSFULLY",
        /// The job ended without every signature (rejected, expired, cancelled, failed).
        Failed => "FAILED",
    }
}

impl JobStatus {
    /// Whether the job has ended and will not change again.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::CompletedSuccessfully | Self::Failed)
    }
}

open_status! {
    /// The status of one signer within a job.
    pub enum SignerStatus {
        /// Has not signed yet, or the job is not yet available.
        Waiting => "WAITING",
        /// Signed.
        Signed => "SIGNED",
        /// Rejected the job.
        Rejected => "REJECTED",
        /// Did not sign before the job expired.
        Expired => "EXPIRED",
        /// An error ended the signing ceremony (direct flow).
        Failed => "FAILED",
        /// The job reached a state where this signer's status no longer matters (for
        /// example another signer rejected).
        NotApplicable => "NOT_APPLICABLE",
        /// The signer's name could not be looked up, so documents identifying signers by
        /// name could not be made.
        SignersNameNotAvailable => "SIGNERS_NAME_NOT_AVAILABLE",
        /// The sender cancelled the job (portal flow).
        Cancelled => "CANCELLED",
        /// The signer has reserved against digital communication from the public sector
        /// (portal flow, public-sector senders).
        Reserved => "RESERVED",
        /// No contact information was given or found (portal flow).
        ContactInformationMissing => "CONTACT_INFORMATION_MISSING",
        /// Entered a wrong security code too many times (portal flow, contact-information signers).
        Blocked => "BLOCKED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_status_round_trips() {
        let table = [
            ("IN_PROGRESS", JobStatus::InProgress),
            ("COMPLETED_SUCCESSFULLY", JobStatus::CompletedSuccessfully),
            ("FAILED", JobStatus::Failed),
        ];
        assert_eq!(table.len(), JobStatus::KNOWN.len());
        for (wire, status) in table {
            assert_eq!(wire.parse::<JobStatus>(), Ok(status.clone()));
            assert_eq!(status.to_string(), wire);
            assert!(!status.is_unknown());
        }
        assert!(JobStatus::Failed.is_final());
        assert!(JobStatus::CompletedSuccessfully.is_final());
        assert!(!JobStatus::InProgress.is_final());
    }

    #[test]
    fn signer_status_round_trips() {
        let table = [
            ("WAITING", SignerStatus::Waiting),
            ("SIGNED", SignerStatus::Signed),
            ("REJECTED", SignerStatus::Rejected),
            ("EXPIRED", SignerStatus::Expired),
            ("FAILED", SignerStatus::Failed),
            ("NOT_APPLICABLE", SignerStatus::NotApplicable),
            (
                "SIGNERS_NAME_NOT_AVAILABLE",
                SignerStatus::SignersNameNotAvailable,
            ),
            ("CANCELLED", SignerStatus::Cancelled),
            ("RESERVED", SignerStatus::Reserved),
            (
                "CONTACT_INFORMATION_MISSING",
                SignerStatus::ContactInformationMissing,
            ),
            ("BLOCKED", SignerStatus::Blocked),
        ];
        assert_eq!(table.len(), SignerStatus::KNOWN.len());
        for (wire, status) in table {
            assert_eq!(wire.parse::<SignerStatus>(), Ok(status.clone()));
            assert_eq!(status.to_string(), wire);
        }
        for status in SignerStatus::KNOWN {
            assert_eq!(SignerStatus::parse(status.as_str()), *status);
        }
    }

    #[test]
    fn unknown_values_are_kept_not_rejected() {
        let status: SignerStatus = "PARTIALLY_SIGNED".parse().unwrap();
        assert_eq!(status, SignerStatus::Unknown("PARTIALLY_SIGNED".to_owned()));
        assert!(status.is_unknown());
        assert_eq!(status.to_string(), "PARTIALLY_SIGNED");
        // Case matters: the service's names are upper case.
        assert_eq!(
            SignerStatus::from("signed"),
            SignerStatus::Unknown("signed".to_owned())
        );
        assert_eq!(
            JobStatus::parse("NO_CHANGES"),
            JobStatus::Unknown("NO_CHANGES".to_owned())
        );
        assert_eq!(JobStatus::parse(""), JobStatus::Unknown(String::new()));
        // Whitespace around values (as in some service examples) is ignored.
        assert_eq!(SignerStatus::parse("\n  SIGNED \n"), SignerStatus::Signed);
        assert_eq!(
            JobStatus::parse(" NEW "),
            JobStatus::Unknown("NEW".to_owned())
        );
    }
}
