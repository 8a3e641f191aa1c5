//! The machine-readable code of an Altinn error answer, where the answer has one.

signature_core::open_enum! {
    /// The code of an error answer (the `code` of an [`ApiProblem`](crate::ApiProblem)).
    ///
    /// Altinn 3 answers errors with RFC 7807 ProblemDetails (`type`, `title`, `status`,
    /// `detail`, `instance`; the `ProblemDetails` schema of the app API's OpenAPI document,
    /// `../shared/reference/altinn3/app-lib-dotnet_app-api.swagger.verified.json`), which has
    /// no code. The one code it sends is the `error.code` of an app's `UserActionResponse`
    /// (the `ActionError` schema: `code`, `message`, `metadata`) from `POST …/actions`; the
    /// codes with a variant are the ones app-lib's actions controller and signing action
    /// answer (`../shared/docs/altinn3-audit.md`, endpoint 8). Altinn 2's newer endpoints
    /// answer `{"ErrorCode": 12345, "ErrorMessage": "…"}` (`../shared/docs/altinn-rest-api.md`);
    /// those numeric codes are kept as text in `Unknown` (`"12345"`). Any other code is kept
    /// as received, never refused.
    ///
    /// ```
    /// use altinn_adapter::ErrorCode;
    ///
    /// assert_eq!(ErrorCode::parse("ActionNotFound"), ErrorCode::ActionNotFound);
    /// assert_eq!(ErrorCode::parse("40010").as_str(), "40010");
    /// ```
    pub enum ErrorCode {
        /// `ActionNotFound`: the app has no handler for the action (HTTP 404).
        ActionNotFound => "ActionNotFound",
        /// `NoUserId`: the signing action needs a person or a system user (HTTP 401).
        NoUserId => "NoUserId",
        /// `UnauthorizedOnBehalfOf`: the caller may not sign for the organisation in
        /// `onBehalfOf`.
        UnauthorizedOnBehalfOf => "UnauthorizedOnBehalfOf",
        /// `SignDataElementsFailed`: the app could not store the signature.
        SignDataElementsFailed => "SignDataElementsFailed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_open() {
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
        }
        assert_eq!(
            ErrorCode::parse(" Else "),
            ErrorCode::Unknown("Else".into())
        );
    }
}
