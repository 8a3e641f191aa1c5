//! Signers: who signs, how they are notified, and in what capacity.

use std::fmt;

use crate::error::{TextField, ValidationError};
use crate::pin::PersonalIdentificationNumber;

/// Shortest and longest custom signer identifier, in characters (`signer-identifier`).
pub const CUSTOM_IDENTIFIER_LENGTH: (usize, usize) = (1, 80);
/// Highest signer order (`order` attribute, 0–9).
pub const MAX_SIGNER_ORDER: u8 = 9;

/// A sender-chosen identifier for a signer (direct flow), unique within a job, 1–80 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomIdentifier(String);

impl CustomIdentifier {
    /// Checks the length (1–80 characters).
    ///
    /// # Errors
    ///
    /// [`ValidationError::TextLength`] with [`TextField::CustomIdentifier`].
    pub fn parse(input: impl Into<String>) -> Result<Self, ValidationError> {
        let input = input.into();
        crate::document::check_length(
            TextField::CustomIdentifier,
            &input,
            CUSTOM_IDENTIFIER_LENGTH,
        )?;
        Ok(Self(input))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, checked only for the shape `local@domain` without whitespace.
///
/// The address is personal data: `Debug` shows only the domain.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Checks the shape `local@domain` (one `@`, both sides non-empty, no whitespace or
    /// control characters). Deliverability is the service's business.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidEmailAddress`]; the address is not included.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let well_formed = match input.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !input.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if well_formed {
            Ok(Self(input.to_owned()))
        } else {
            Err(ValidationError::InvalidEmailAddress)
        }
    }

    /// The full address, for the request to the service.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self
            .0
            .split_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or_default();
        write!(f, "EmailAddress(***@{domain})")
    }
}

/// A mobile number: an optional `+` followed by 3–15 digits (the E.164 maximum).
///
/// The number is personal data: `Debug` shows only its last two digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber(String);

impl MobileNumber {
    /// Checks the shape described on the type.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidMobileNumber`]; the number is not included.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let digits = input.strip_prefix('+').unwrap_or(input);
        if (3..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(input.to_owned()))
        } else {
            Err(ValidationError::InvalidMobileNumber)
        }
    }

    /// The full number, for the request to the service.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = &self.0[self.0.len().saturating_sub(2)..];
        write!(f, "MobileNumber(***{tail})")
    }
}

/// E-mail address and/or mobile number identifying a signer who has no identity number in
/// the job (portal flow only; not available to public-sector senders).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContactInformation {
    /// The e-mail address, if any.
    pub email: Option<EmailAddress>,
    /// The mobile number, if any.
    pub mobile: Option<MobileNumber>,
}

/// How a signer is identified.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignerIdentifier {
    /// By national identity number; the signer authenticates with it.
    PersonalIdentificationNumber(PersonalIdentificationNumber),
    /// By an identifier the sender chooses (direct flow only).
    CustomIdentifier(CustomIdentifier),
    /// By contact information only (portal flow only).
    ContactInformation(ContactInformation),
}

/// Which register entries to notify when the contact information is looked up in the
/// national contact register (kontakt- og reservasjonsregisteret); public-sector senders only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LookupNotifications {
    /// Notify by e-mail only.
    EmailOnly,
    /// Notify by e-mail and SMS.
    EmailAndSms,
}

/// How a signer learns about a job (portal flow).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Notifications {
    /// Notify at these addresses; at least one must be given.
    Explicit {
        /// Notify by e-mail here.
        email: Option<EmailAddress>,
        /// Notify by SMS here.
        sms: Option<MobileNumber>,
    },
    /// Look the addresses up in the national contact register.
    Lookup(LookupNotifications),
}

/// The kind of electronic signature a signer makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureType {
    /// Advanced electronic signature (avansert elektronisk signatur).
    AdvancedElectronicSignature,
    /// Authenticated electronic signature (autentisert elektronisk signatur).
    AuthenticatedElectronicSignature,
}

/// In whose capacity the signer signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnBehalfOf {
    /// On their own behalf (the service's `SELF`); signed documents may be forwarded to the
    /// signer's digital mailbox.
    Own,
    /// On behalf of another party, such as an employer (the service's `OTHER`); signed
    /// documents are not forwarded, and contact register lookup is not allowed.
    Other,
}

/// A validated signer. Build one with [`Signer::with_personal_identification_number`] and
/// its siblings, or hand the unbuilt [`SignerBuilder`] to
/// [`SigningJobBuilder::signer`](crate::SigningJobBuilder::signer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    identifier: SignerIdentifier,
    order: Option<u8>,
    signature_type: Option<SignatureType>,
    on_behalf_of: Option<OnBehalfOf>,
    notifications: Option<Notifications>,
}

impl Signer {
    /// A signer identified by national identity number. An invalid number is reported by
    /// [`SignerBuilder::build`].
    pub fn with_personal_identification_number(pin: &str) -> SignerBuilder {
        SignerBuilder::new(
            PersonalIdentificationNumber::parse(pin)
                .map(SignerIdentifier::PersonalIdentificationNumber),
        )
    }

    /// A signer identified by a sender-chosen identifier (direct flow only).
    pub fn with_custom_identifier(identifier: impl Into<String>) -> SignerBuilder {
        SignerBuilder::new(
            CustomIdentifier::parse(identifier).map(SignerIdentifier::CustomIdentifier),
        )
    }

    /// A signer identified by e-mail address, notified there (portal flow only).
    pub fn with_email(email: &str) -> SignerBuilder {
        Self::with_contact_information(EmailAddress::parse(email).map(Some), Ok(None))
    }

    /// A signer identified by mobile number, notified by SMS there (portal flow only).
    pub fn with_mobile_number(mobile: &str) -> SignerBuilder {
        Self::with_contact_information(Ok(None), MobileNumber::parse(mobile).map(Some))
    }

    /// A signer identified by e-mail address and mobile number, notified at both (portal flow only).
    pub fn with_email_and_mobile_number(email: &str, mobile: &str) -> SignerBuilder {
        Self::with_contact_information(
            EmailAddress::parse(email).map(Some),
            MobileNumber::parse(mobile).map(Some),
        )
    }

    /// A signer with an already validated identifier. Contact-information signers are
    /// notified at their contact addresses unless told otherwise.
    pub fn identified_by(identifier: SignerIdentifier) -> SignerBuilder {
        match identifier {
            SignerIdentifier::ContactInformation(contact) => {
                Self::with_contact_information(Ok(contact.email), Ok(contact.mobile))
            }
            other => SignerBuilder::new(Ok(other)),
        }
    }

    fn with_contact_information(
        email: Result<Option<EmailAddress>, ValidationError>,
        mobile: Result<Option<MobileNumber>, ValidationError>,
    ) -> SignerBuilder {
        let identifier = email.and_then(|email| {
            mobile.map(|mobile| {
                SignerIdentifier::ContactInformation(ContactInformation { email, mobile })
            })
        });
        // Someone known only by an address can only be reached at that address.
        let notifications = match &identifier {
            Ok(SignerIdentifier::ContactInformation(contact)) => {
                Some(Ok(Notifications::Explicit {
                    email: contact.email.clone(),
                    sms: contact.mobile.clone(),
                }))
            }
            _ => None,
        };
        SignerBuilder {
            notifications,
            ..SignerBuilder::new(identifier)
        }
    }

    /// How the signer is identified.
    pub fn identifier(&self) -> &SignerIdentifier {
        &self.identifier
    }

    /// Signing order (0–9, lower signs first), if set.
    pub fn order(&self) -> Option<u8> {
        self.order
    }

    /// Signature type, if set; otherwise the service decides.
    pub fn signature_type(&self) -> Option<SignatureType> {
        self.signature_type
    }

    /// Capacity in which the signer signs, if set; otherwise the service's default (own behalf).
    pub fn on_behalf_of(&self) -> Option<OnBehalfOf> {
        self.on_behalf_of
    }

    /// Notification settings, if any.
    pub fn notifications(&self) -> Option<&Notifications> {
        self.notifications.as_ref()
    }
}

/// Builds a [`Signer`]; errors in the inputs are kept until [`build`](Self::build).
///
/// ```
/// use signature_core::{Notifications, Signer, SignerIdentifier, ValidationError};
///
/// let signer = Signer::with_personal_identification_number("24068110048")
///     .notify_by_email("kari@example.com")
///     .notify_by_sms("+4799999999")
///     .order(1)
///     .build()?;
/// assert_eq!(signer.order(), Some(1));
/// assert!(matches!(signer.identifier(), SignerIdentifier::PersonalIdentificationNumber(_)));
/// assert!(matches!(signer.notifications(), Some(Notifications::Explicit { .. })));
///
/// // A wrong check digit is reported by build(), not by the constructor.
/// let wrong = Signer::with_personal_identification_number("24068110049").build();
/// assert!(matches!(wrong, Err(ValidationError::InvalidPersonalIdentificationNumber { .. })));
/// # Ok::<(), ValidationError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until it is built or handed to a job builder"]
pub struct SignerBuilder {
    identifier: Result<SignerIdentifier, ValidationError>,
    order: Option<u8>,
    signature_type: Option<SignatureType>,
    on_behalf_of: Option<OnBehalfOf>,
    notifications: Option<Result<Notifications, ValidationError>>,
}

impl SignerBuilder {
    fn new(identifier: Result<SignerIdentifier, ValidationError>) -> Self {
        Self {
            identifier,
            order: None,
            signature_type: None,
            on_behalf_of: None,
            notifications: None,
        }
    }

    /// Signing order, 0–9 (portal flow). Signers with a lower order sign first; equal
    /// orders sign in parallel. Each order group gets its own availability window.
    pub fn order(mut self, order: u8) -> Self {
        self.order = Some(order);
        self
    }

    /// The kind of signature.
    pub fn signature_type(mut self, signature_type: SignatureType) -> Self {
        self.signature_type = Some(signature_type);
        self
    }

    /// In whose capacity the signer signs.
    pub fn on_behalf_of(mut self, on_behalf_of: OnBehalfOf) -> Self {
        self.on_behalf_of = Some(on_behalf_of);
        self
    }

    /// Replaces the notification settings.
    pub fn notifications(mut self, notifications: Notifications) -> Self {
        self.notifications = Some(Ok(notifications));
        self
    }

    /// Notifies by e-mail at `email` (added to any explicit SMS already set; replaces lookup).
    pub fn notify_by_email(mut self, email: &str) -> Self {
        let email = EmailAddress::parse(email);
        self.notifications = Some(email.and_then(|email| {
            let sms = self.explicit_sms()?;
            Ok(Notifications::Explicit {
                email: Some(email),
                sms,
            })
        }));
        self
    }

    /// Notifies by SMS at `mobile` (added to any explicit e-mail already set; replaces lookup).
    pub fn notify_by_sms(mut self, mobile: &str) -> Self {
        let sms = MobileNumber::parse(mobile);
        self.notifications = Some(sms.and_then(|sms| {
            let email = self.explicit_email()?;
            Ok(Notifications::Explicit {
                email,
                sms: Some(sms),
            })
        }));
        self
    }

    /// Notifies at the addresses registered in the national contact register.
    pub fn notify_through_lookup(self, lookup: LookupNotifications) -> Self {
        self.notifications(Notifications::Lookup(lookup))
    }

    fn explicit_email(&self) -> Result<Option<EmailAddress>, ValidationError> {
        match &self.notifications {
            Some(Ok(Notifications::Explicit { email, .. })) => Ok(email.clone()),
            Some(Err(error)) => Err(error.clone()),
            _ => Ok(None),
        }
    }

    fn explicit_sms(&self) -> Result<Option<MobileNumber>, ValidationError> {
        match &self.notifications {
            Some(Ok(Notifications::Explicit { sms, .. })) => Ok(sms.clone()),
            Some(Err(error)) => Err(error.clone()),
            _ => Ok(None),
        }
    }

    /// Validates the signer on its own. Rules that depend on the job (flow, duplicates)
    /// are checked by [`SigningJobBuilder::build`](crate::SigningJobBuilder::build).
    ///
    /// # Errors
    ///
    /// The first broken rule: an invalid identifier or address,
    /// [`ValidationError::SignerOrderOutOfRange`],
    /// [`ValidationError::NotificationsWithoutRecipient`],
    /// [`ValidationError::LookupNotificationsOnBehalfOfOther`] or
    /// [`ValidationError::ContactSignerNeedsExplicitNotifications`].
    pub fn build(self) -> Result<Signer, ValidationError> {
        let identifier = self.identifier?;
        let notifications = self.notifications.transpose()?;
        if let Some(order) = self.order
            && order > MAX_SIGNER_ORDER
        {
            return Err(ValidationError::SignerOrderOutOfRange {
                order,
                max: MAX_SIGNER_ORDER,
            });
        }
        match &notifications {
            Some(Notifications::Explicit {
                email: None,
                sms: None,
            }) => return Err(ValidationError::NotificationsWithoutRecipient),
            Some(Notifications::Lookup(_)) if self.on_behalf_of == Some(OnBehalfOf::Other) => {
                return Err(ValidationError::LookupNotificationsOnBehalfOfOther);
            }
            _ => {}
        }
        if matches!(identifier, SignerIdentifier::ContactInformation(_))
            && !matches!(notifications, Some(Notifications::Explicit { .. }))
        {
            return Err(ValidationError::ContactSignerNeedsExplicitNotifications);
        }
        Ok(Signer {
            identifier,
            order: self.order,
            signature_type: self.signature_type,
            on_behalf_of: self.on_behalf_of,
            notifications,
        })
    }
}

impl From<Signer> for SignerBuilder {
    fn from(signer: Signer) -> Self {
        Self {
            identifier: Ok(signer.identifier),
            order: signer.order,
            signature_type: signer.signature_type,
            on_behalf_of: signer.on_behalf_of,
            notifications: signer.notifications.map(Ok),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const PIN: &str = "24068110048";

    #[test]
    fn pin_signer_with_all_settings() {
        let signer = Signer::with_personal_identification_number(PIN)
            .order(9)
            .signature_type(SignatureType::AdvancedElectronicSignature)
            .on_behalf_of(OnBehalfOf::Own)
            .notify_through_lookup(LookupNotifications::EmailAndSms)
            .build()
            .unwrap();
        match signer.identifier() {
            SignerIdentifier::PersonalIdentificationNumber(pin) => assert_eq!(pin.reveal(), PIN),
            other => panic!("{other:?}"),
        }
        assert_eq!(signer.order(), Some(9));
        assert_eq!(
            signer.signature_type(),
            Some(SignatureType::AdvancedElectronicSignature)
        );
        assert_eq!(signer.on_behalf_of(), Some(OnBehalfOf::Own));
        assert_eq!(
            signer.notifications(),
            Some(&Notifications::Lookup(LookupNotifications::EmailAndSms))
        );
        assert!(!format!("{signer:?}").contains(PIN));
    }

    #[test]
    fn invalid_pin_is_reported_at_build() {
        let error = Signer::with_personal_identification_number("24068110049")
            .build()
            .unwrap_err();
        assert!(matches!(
            error,
            ValidationError::InvalidPersonalIdentificationNumber { .. }
        ));
        let builder_debug = format!("{:?}", Signer::with_personal_identification_number(PIN));
        assert!(!builder_debug.contains(PIN));
    }

    #[test]
    fn order_above_nine_is_rejected() {
        assert_eq!(
            Signer::with_personal_identification_number(PIN)
                .order(10)
                .notify_by_email("a@example.com")
                .build(),
            Err(ValidationError::SignerOrderOutOfRange { order: 10, max: 9 })
        );
        assert!(
            Signer::with_personal_identification_number(PIN)
                .order(0)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn explicit_notifications_need_a_recipient() {
        let result = Signer::with_personal_identification_number(PIN)
            .notifications(Notifications::Explicit {
                email: None,
                sms: None,
            })
            .build();
        assert_eq!(result, Err(ValidationError::NotificationsWithoutRecipient));
    }

    #[test]
    fn explicit_email_and_sms_combine() {
        let signer = Signer::with_personal_identification_number(PIN)
            .notify_by_email("kari@example.com")
            .notify_by_sms("+4799999999")
            .build()
            .unwrap();
        match signer.notifications() {
            Some(Notifications::Explicit {
                email: Some(email),
                sms: Some(sms),
            }) => {
                assert_eq!(email.reveal(), "kari@example.com");
                assert_eq!(sms.reveal(), "+4799999999");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn on_behalf_of_other_cannot_use_lookup() {
        for lookup in [
            LookupNotifications::EmailOnly,
            LookupNotifications::EmailAndSms,
        ] {
            let result = Signer::with_personal_identification_number(PIN)
                .on_behalf_of(OnBehalfOf::Other)
                .notify_through_lookup(lookup)
                .build();
            assert_eq!(
                result,
                Err(ValidationError::LookupNotificationsOnBehalfOfOther)
            );
        }
        assert!(
            Signer::with_personal_identification_number(PIN)
                .on_behalf_of(OnBehalfOf::Other)
                .notify_by_email("a@example.com")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn contact_signers_are_notified_at_their_address_and_need_explicit_notifications() {
        let signer = Signer::with_email("kari@example.com").build().unwrap();
        assert!(matches!(
            signer.notifications(),
            Some(Notifications::Explicit {
                email: Some(_),
                sms: None
            })
        ));
        let signer = Signer::with_email_and_mobile_number("kari@example.com", "99999999")
            .build()
            .unwrap();
        assert!(matches!(
            signer.notifications(),
            Some(Notifications::Explicit {
                email: Some(_),
                sms: Some(_)
            })
        ));
        assert_eq!(
            Signer::with_mobile_number("99999999")
                .notify_through_lookup(LookupNotifications::EmailOnly)
                .build(),
            Err(ValidationError::ContactSignerNeedsExplicitNotifications)
        );
        let contact = ContactInformation {
            email: None,
            mobile: Some(MobileNumber::parse("99999999").unwrap()),
        };
        let signer = Signer::identified_by(SignerIdentifier::ContactInformation(contact))
            .build()
            .unwrap();
        assert!(matches!(
            signer.notifications(),
            Some(Notifications::Explicit {
                email: None,
                sms: Some(_)
            })
        ));
    }

    #[test]
    fn custom_identifier_length() {
        assert!(
            Signer::with_custom_identifier("x".repeat(80))
                .build()
                .is_ok()
        );
        assert_eq!(
            Signer::with_custom_identifier("").build(),
            Err(ValidationError::TextLength {
                field: TextField::CustomIdentifier,
                length: 0,
                min: 1,
                max: 80
            })
        );
        assert!(matches!(
            Signer::with_custom_identifier("ø".repeat(81)).build(),
            Err(ValidationError::TextLength { length: 81, .. })
        ));
    }

    #[test]
    fn email_shape() {
        for valid in ["a@b", "kari.nordmann@example.no", "æ@ø.no"] {
            assert!(EmailAddress::parse(valid).is_ok(), "{valid}");
        }
        for invalid in ["", "a", "@b", "a@", "a@@b", "a @b.no", "a@b@c", "a@b\n"] {
            assert_eq!(
                EmailAddress::parse(invalid),
                Err(ValidationError::InvalidEmailAddress),
                "{invalid:?}"
            );
        }
        assert_eq!(
            Signer::with_email("not-an-address").build(),
            Err(ValidationError::InvalidEmailAddress)
        );
        assert_eq!(
            Signer::with_personal_identification_number(PIN)
                .notify_by_email("bad")
                .notify_by_sms("99999999")
                .build(),
            Err(ValidationError::InvalidEmailAddress)
        );
    }

    #[test]
    fn mobile_shape() {
        for valid in ["99999999", "+4799999999", "112", "+123456789012345"] {
            assert!(MobileNumber::parse(valid).is_ok(), "{valid}");
        }
        for invalid in [
            "",
            "+",
            "12",
            "999 99 999",
            "+47-999",
            "1234567890123456",
            "++4799",
        ] {
            assert_eq!(
                MobileNumber::parse(invalid),
                Err(ValidationError::InvalidMobileNumber),
                "{invalid:?}"
            );
        }
        assert_eq!(
            Signer::with_personal_identification_number(PIN)
                .notify_by_sms("abc")
                .build(),
            Err(ValidationError::InvalidMobileNumber)
        );
    }

    #[test]
    fn contact_details_are_masked_in_debug() {
        let signer = Signer::with_email_and_mobile_number("kari@example.com", "+4791234567")
            .build()
            .unwrap();
        let debug = format!("{signer:?}");
        assert!(!debug.contains("kari"));
        assert!(!debug.contains("91234567"));
        assert!(debug.contains("***@example.com"));
        assert!(debug.contains("***67"));
    }

    #[test]
    fn built_signer_converts_back_into_a_builder() {
        let signer = Signer::with_personal_identification_number(PIN)
            .order(2)
            .notify_by_email("a@example.com")
            .build()
            .unwrap();
        let rebuilt = SignerBuilder::from(signer.clone()).build().unwrap();
        assert_eq!(rebuilt, signer);
    }
}
