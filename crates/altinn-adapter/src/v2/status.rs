//! Message statuses: Altinn's localised strings, and their provider-neutral meaning.

use signature_core::JobStatus;

signature_core::open_enum! {
    #![open_enum(ignore_case)]
    /// A message's status. Altinn localises it by the request's language; every language
    /// this crate knows is recognised (ignoring case), and anything else is kept in
    /// `Unknown`. `as_str` gives the Norwegian (bokmål) name.
    pub enum MessageStatus {
        /// A form being filled in (`Utfylling`, `Completion`).
        Filling => "Utfylling" | "Completion",
        /// A form waiting for signatures (`Signering`, `Signing`).
        Signing => "Signering" | "Signing",
        /// A form that was signed, submitted and archived (`Sendt og arkivert`, `Sent and archived`).
        SentAndArchived => "Sendt og arkivert" | "Sent and archived",
        /// Correspondence not yet read (`Ulest`, `Unread`).
        Unread => "Ulest" | "Unread",
        /// Correspondence read (`Lest`, `Read`).
        Read => "Lest" | "Read",
        /// Correspondence opened (`Åpnet`, `Opna`, `Opened`).
        Opened => "Åpnet" | "Opna" | "Opened",
        /// Archived correspondence (`Arkivert`, `Archived`).
        Archived => "Arkivert" | "Archived",
        /// In the trash bin (`Slettet`, `Sletta`, `Deleted`).
        Deleted => "Slettet" | "Sletta" | "Deleted",
        /// `Active` (seen in the API help; `Aktiv`).
        Active => "Active" | "Aktiv",
    }
}

impl MessageStatus {
    /// Whether the message sits in the archive (a final state).
    pub fn is_archived(&self) -> bool {
        matches!(self, Self::SentAndArchived | Self::Archived)
    }

    /// The provider-neutral job status: filling and signing are in progress, archived
    /// forms completed, deleted ones failed; anything else is passed on as unknown.
    pub fn job_status(&self) -> JobStatus {
        match self {
            Self::Filling | Self::Signing => JobStatus::InProgress,
            Self::SentAndArchived | Self::Archived => JobStatus::CompletedSuccessfully,
            Self::Deleted => JobStatus::Failed,
            Self::Unread | Self::Read | Self::Opened | Self::Active => {
                JobStatus::Unknown(self.as_str().to_owned())
            }
            Self::Unknown(text) => JobStatus::Unknown(text.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_in_every_language() {
        for (text, status) in [
            ("Utfylling", MessageStatus::Filling),
            ("Completion", MessageStatus::Filling),
            ("Signering", MessageStatus::Signing),
            ("Signing", MessageStatus::Signing),
            ("Sendt og arkivert", MessageStatus::SentAndArchived),
            ("Sent and archived", MessageStatus::SentAndArchived),
            ("Ulest", MessageStatus::Unread),
            ("Unread", MessageStatus::Unread),
            ("Lest", MessageStatus::Read),
            ("Åpnet", MessageStatus::Opened),
            ("Opened", MessageStatus::Opened),
            ("Arkivert", MessageStatus::Archived),
            ("Slettet", MessageStatus::Deleted),
            (" signering ", MessageStatus::Signing),
        ] {
            assert_eq!(MessageStatus::parse(text), status, "{text}");
        }
        assert_eq!(
            MessageStatus::parse("Til behandling"),
            MessageStatus::Unknown("Til behandling".to_owned())
        );
    }

    #[test]
    fn neutral_statuses() {
        assert_eq!(MessageStatus::Signing.job_status(), JobStatus::InProgress);
        assert_eq!(MessageStatus::Filling.job_status(), JobStatus::InProgress);
        assert_eq!(
            MessageStatus::parse("Sent and archived").job_status(),
            JobStatus::CompletedSuccessfully
        );
        assert_eq!(MessageStatus::Deleted.job_status(), JobStatus::Failed);
        assert!(MessageStatus::Unread.job_status().is_unknown());
        assert!(MessageStatus::Archived.is_archived());
    }
}
