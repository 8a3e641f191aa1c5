//! The service's error vocabulary: the `error-code` and `error-type` of its `error` document.
//!
//! Both are open: a code this version does not know is kept as text in `Unknown`, never
//! refused, since the service adds codes without notice.

signature_core::open_enum! {
    /// The `error-code` of an error answer from Posten signering.
    ///
    /// Every code the official documentation and clients name has a variant; any other is
    /// kept in [`ErrorCode::Unknown`]. Sources: the `error` element of the API's XSD
    /// (`common.xsd`, a free text), the official Java client's `ErrorCodes`, the official
    /// .NET client's error fixtures, and the troubleshooting guide of the service's
    /// documentation ("Debugging", <https://signering-docs.readthedocs.io>).
    ///
    /// ```
    /// use posten_adapter::ErrorCode;
    ///
    /// let code: ErrorCode = "BROKER_NOT_AUTHORIZED".parse().unwrap();
    /// assert_eq!(code, ErrorCode::BrokerNotAuthorized);
    /// assert_eq!(code.as_str(), "BROKER_NOT_AUTHORIZED");
    ///
    /// let new = ErrorCode::parse("SOMETHING_NEW");
    /// assert_eq!(new, ErrorCode::Unknown("SOMETHING_NEW".into()));
    /// assert_eq!(new.to_string(), "SOMETHING_NEW");
    /// ```
    pub enum ErrorCode {
        /// `NOT_AUTHORIZED`: the certificate is valid, but its organization has not been given
        /// access to the API (the service's troubleshooting guide). Ask Posten for access.
        NotAuthorized => "NOT_AUTHORIZED",
        /// `BROKER_NOT_AUTHORIZED`: the certificate's organization may not act for the sender in
        /// the URL (Java client `ErrorCodes`, .NET fixture, troubleshooting guide).
        BrokerNotAuthorized => "BROKER_NOT_AUTHORIZED",
        /// `FEATURE_NOT_AVAILABLE`: the organization's agreement does not include what the request
        /// uses. Named in the project's issue 12; no official document at hand describes it.
        FeatureNotAvailable => "FEATURE_NOT_AVAILABLE",
        /// `INVALID_STATUS_QUERY_TOKEN`: a direct job's status was asked with a token the
        /// service does not accept (Java client: HTTP 403 on the status call).
        InvalidStatusQueryToken => "INVALID_STATUS_QUERY_TOKEN",
        /// `SIGNING_CEREMONY_NOT_COMPLETED`: a direct job's status was asked before the signer
        /// finished (Java client: HTTP 404 on the status call).
        SigningCeremonyNotCompleted => "SIGNING_CEREMONY_NOT_COMPLETED",
        /// `SCHEMA_VALIDATION_ERROR`: the request XML or manifest does not fit the service's
        /// schema (.NET client fixture `ErrorResponse.xml`).
        SchemaValidationError => "SCHEMA_VALIDATION_ERROR",
        /// `ASICE_VALIDATION_FAILED`: the signed document bundle was refused (answer of the test
        /// service captured by the PHP client, 2018).
        AsiceValidationFailed => "ASICE_VALIDATION_FAILED",
        /// `ARCHIVED_DOCUMENT_NOT_FOUND`: no archived document with that id for that owner
        /// (.NET client's archive test).
        ArchivedDocumentNotFound => "ARCHIVED_DOCUMENT_NOT_FOUND",
    }
}

impl ErrorCode {
    /// What the code means, in a few words (used in [`crate::Error`]'s message).
    pub fn meaning(&self) -> &'static str {
        match self {
            Self::NotAuthorized => {
                "the client's organization has no access to the Posten signering API"
            }
            Self::BrokerNotAuthorized => {
                "the client's organization is not authorized to act for the sender"
            }
            Self::FeatureNotAvailable => {
                "the feature is not available to the client's organization"
            }
            Self::InvalidStatusQueryToken => "the status query token was not accepted",
            Self::SigningCeremonyNotCompleted => "the signing ceremony is not completed",
            Self::SchemaValidationError => "the service rejected the request as invalid",
            Self::AsiceValidationFailed => "the service rejected the document bundle",
            Self::ArchivedDocumentNotFound => "no archived document with that id",
            Self::Unknown(_) => "Posten signering refused the request",
        }
    }
}

signature_core::open_enum! {
    /// The `error-type` of an error answer: whose fault the service thinks it is. Another
    /// value is kept in `Unknown` (empty when the element was empty).
    pub enum ErrorType {
        /// `CLIENT`: the request was wrong (the only value seen in the official fixtures).
        Client => "CLIENT",
        /// `SERVER`: the service failed.
        Server => "SERVER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_and_unknown_text_is_kept() {
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
            assert_eq!(&ErrorCode::parse(&format!("  {code}\n")), code);
            assert_ne!(code.meaning(), ErrorCode::Unknown(String::new()).meaning());
        }
        assert_eq!(ErrorCode::KNOWN.len(), 8);
        let unknown = ErrorCode::parse(" JOB_COMPLETED ");
        assert_eq!(unknown, ErrorCode::Unknown("JOB_COMPLETED".into()));
        assert_eq!(unknown.as_str(), "JOB_COMPLETED");
    }

    #[test]
    fn error_types_are_open() {
        assert_eq!(ErrorType::parse("CLIENT"), ErrorType::Client);
        assert_eq!(ErrorType::parse(" SERVER "), ErrorType::Server);
        assert_eq!(ErrorType::parse("OTHER").as_str(), "OTHER");
    }
}
