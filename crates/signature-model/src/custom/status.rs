use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use xsd_parser_types::quick_xml::{DeserializeBytesFromStr, SerializeBytesToString};

/// Declares an open status enum: known wire values map to variants, anything else is kept in
/// `Unknown` so a value the service adds later never makes a response unreadable.
macro_rules! open_status {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept verbatim (trimmed).
            Unknown(String),
        }

        impl $name {
            /// The value as the service writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(value) => value,
                }
            }
        }

        impl FromStr for $name {
            type Err = Infallible;

            fn from_str(value: &str) -> Result<Self, Infallible> {
                let value = value.trim();
                Ok(match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl DeserializeBytesFromStr for $name {}
        impl SerializeBytesToString for $name {}
    };
}

open_status! {
    /// The state of a whole signature job.
    ///
    /// ```
    /// use signature_model::custom::JobStatus;
    /// assert_eq!("FAILED".parse::<JobStatus>().unwrap(), JobStatus::Failed);
    /// assert_eq!("PARTIALLY_DONE".parse::<JobStatus>().unwrap(), JobStatus::Unknown("PARTIALLY_DONE".into()));
    /// ```
    JobStatus {
        /// At least one signer has not acted yet.
        InProgress => "IN_PROGRESS",
        /// Every signer has signed.
        CompletedSuccessfully => "COMPLETED_SUCCESSFULLY",
        /// Every signer has acted, and at least one did not sign.
        Failed => "FAILED",
    }
}

open_status! {
    /// The state of one signer, as the service reports it.
    SignerStatus {
        /// Not signed yet (or the job is not yet available to this signer).
        Waiting => "WAITING",
        /// Signed.
        Signed => "SIGNED",
        /// Declined to sign.
        Rejected => "REJECTED",
        /// Did not sign before the job expired.
        Expired => "EXPIRED",
        /// The signing ceremony failed (direct flow).
        Failed => "FAILED",
        /// The job ended in a way that makes this signature irrelevant.
        NotApplicable => "NOT_APPLICABLE",
        /// The signer's name could not be looked up.
        SignersNameNotAvailable => "SIGNERS_NAME_NOT_AVAILABLE",
        /// The sender cancelled the job (portal flow).
        Cancelled => "CANCELLED",
        /// The signer has reserved against digital communication (portal flow).
        Reserved => "RESERVED",
        /// No contact information was found for the signer (portal flow).
        ContactInformationMissing => "CONTACT_INFORMATION_MISSING",
        /// Too many wrong security codes (portal flow, contact-information signers).
        Blocked => "BLOCKED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip() {
        for wire in ["IN_PROGRESS", "COMPLETED_SUCCESSFULLY", "FAILED"] {
            let status: JobStatus = wire.parse().unwrap();
            assert!(!matches!(status, JobStatus::Unknown(_)), "{wire}");
            assert_eq!(status.to_string(), wire);
        }
        for wire in [
            "WAITING",
            "SIGNED",
            "REJECTED",
            "EXPIRED",
            "FAILED",
            "NOT_APPLICABLE",
            "SIGNERS_NAME_NOT_AVAILABLE",
            "CANCELLED",
            "RESERVED",
            "CONTACT_INFORMATION_MISSING",
            "BLOCKED",
        ] {
            let status: SignerStatus = wire.parse().unwrap();
            assert!(!matches!(status, SignerStatus::Unknown(_)), "{wire}");
            assert_eq!(status.to_string(), wire);
        }
    }

    #[test]
    fn unknown_values_are_kept_trimmed() {
        let status: SignerStatus = "  SIGNED_WITH_BANKID \n".parse().unwrap();
        assert_eq!(status, SignerStatus::Unknown("SIGNED_WITH_BANKID".into()));
        assert_eq!(status.as_str(), "SIGNED_WITH_BANKID");
    }
}
