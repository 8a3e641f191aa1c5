//! Job and signer statuses, the neutral vocabulary every adapter maps its service's
//! statuses onto. Both are open: values this version does not know are kept in `Unknown`,
//! never rejected, because the services add new ones. The names (`as_str`, `Display`) are
//! the ones Posten signering uses on the wire, which the other adapters reuse for display.

crate::open_enum! {
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

crate::open_enum! {
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
