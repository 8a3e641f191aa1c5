use signature_core::{
    AuthenticationLevel, Capability, ContactInformation, Document, IdentifierInSignedDocuments,
    LookupNotifications, Notifications, OnBehalfOf, OrganizationNumber, SignatureType, Signer,
    SignerIdentifier, SigningJob,
};
use signature_model::posten;

use super::bundle_file_names;
use crate::Error;

/// The direct-flow `manifest.xml`: signers, sender, texts, documents and job settings.
///
/// Fails with [`Error::Unsupported`] for what the direct flow cannot carry (signers known only
/// by contact information); `SigningJob` validation already rejects that for direct jobs.
pub fn direct_manifest(
    job: &SigningJob,
    sender: &OrganizationNumber,
) -> Result<posten::DirectSignatureJobManifest, Error> {
    let signer = job
        .signers()
        .iter()
        .map(direct_signer)
        .collect::<Result<_, _>>()?;
    Ok(posten::DirectSignatureJobManifest {
        signer,
        sender: sender_of(sender),
        direct_manifest_content:
            posten::DirectSignatureJobManifestDirectManifestContentType::DirectJobTextsAndDocuments(
                posten::DirectSignatureJobManifestDirectJobTextsAndDocumentsType {
                    title: job.title().to_owned(),
                    description: job.description().map(str::to_owned),
                    documents: job_documents(job),
                },
            ),
        required_authentication: job.authentication_level().map(security_level),
        identifier_in_signed_documents: job
            .identifier_in_signed_documents()
            .map(signer_identification),
    })
}

/// The portal-flow `manifest.xml`: signers with order and notifications, sender, texts,
/// documents, availability and job settings.
pub fn portal_manifest(
    job: &SigningJob,
    sender: &OrganizationNumber,
) -> Result<posten::PortalSignatureJobManifest, Error> {
    let signer = job
        .signers()
        .iter()
        .map(portal_signer)
        .collect::<Result<_, _>>()?;
    let availability = job.availability();
    let availability = (!availability.is_default()).then(|| posten::AvailabilityType {
        activation_time: availability.activation_time.map(Into::into),
        available_seconds: availability
            .available_for
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
    });
    Ok(posten::PortalSignatureJobManifest {
        signers: posten::PortalSignersType { signer },
        sender: sender_of(sender),
        portal_manifest_content:
            posten::PortalSignatureJobManifestPortalManifestContentType::PortalJobTextsAndDocuments(
                posten::PortalSignatureJobManifestPortalJobTextsAndDocumentsType {
                    title: job.title().to_owned(),
                    nonsensitive_title: job.non_sensitive_title().map(str::to_owned),
                    description: job.description().map(str::to_owned),
                    documents: job_documents(job),
                },
            ),
        required_authentication: job.authentication_level().map(security_level),
        availability,
        identifier_in_signed_documents: job
            .identifier_in_signed_documents()
            .map(signer_identification),
    })
}

fn direct_signer(signer: &Signer) -> Result<posten::DirectSignerType, Error> {
    use posten::DirectSignerDirectSignerIdentityType as Identity;
    let identity = match signer.identifier() {
        SignerIdentifier::PersonalIdentificationNumber(pin) => {
            Identity::PersonalIdentificationNumber(pin.reveal().to_owned())
        }
        SignerIdentifier::CustomIdentifier(id) => {
            Identity::SignerIdentifier(id.as_str().to_owned())
        }
        _ => return Err(Error::Unsupported(Capability::ContactInformationSigners)),
    };
    Ok(posten::DirectSignerType {
        direct_signer_identity: identity,
        signature_type: signer.signature_type().map(signature_kind),
        on_behalf_of: signer.on_behalf_of().map(on_behalf_of),
    })
}

fn portal_signer(signer: &Signer) -> Result<posten::PortalSignerType, Error> {
    use posten::PortalSignerPortalSignerIdentityType as Identity;
    let identity = match signer.identifier() {
        SignerIdentifier::PersonalIdentificationNumber(pin) => {
            Identity::PersonalIdentificationNumber(pin.reveal().to_owned())
        }
        SignerIdentifier::ContactInformation(_) => {
            Identity::IdentifiedByContactInformation(posten::FlagType)
        }
        _ => return Err(Error::Unsupported(Capability::CustomIdentifierSigners)),
    };
    Ok(posten::PortalSignerType {
        order: signer.order().map(i32::from),
        portal_signer_identity: identity,
        signature_type: signer.signature_type().map(signature_kind),
        portal_signer_notification: portal_notification(signer)?,
        on_behalf_of: signer.on_behalf_of().map(on_behalf_of),
    })
}

/// The signer's notification setting; a contact-information signer without explicit
/// notifications is notified at the contact information that identifies it.
fn portal_notification(
    signer: &Signer,
) -> Result<posten::PortalSignerPortalSignerNotificationType, Error> {
    use posten::PortalSignerPortalSignerNotificationType as Notification;
    match (signer.notifications(), signer.identifier()) {
        (Some(Notifications::Lookup(lookup)), _) => Ok(Notification::NotificationsUsingLookup(
            posten::LookupNotificationsType {
                email: posten::FlagType,
                sms: matches!(lookup, LookupNotifications::EmailAndSms).then_some(posten::FlagType),
            },
        )),
        (Some(Notifications::Explicit { email, sms }), _) => contact_notifications(
            email.as_ref().map(|e| e.reveal()),
            sms.as_ref().map(|s| s.reveal()),
        )
        .map(Notification::Notifications),
        (None, SignerIdentifier::ContactInformation(ContactInformation { email, mobile })) => {
            contact_notifications(
                email.as_ref().map(|e| e.reveal()),
                mobile.as_ref().map(|m| m.reveal()),
            )
            .map(Notification::Notifications)
        }
        // Portal signers must be notified somehow; validation requires it, so this is a
        // job the portal flow cannot carry.
        _ => Err(Error::Unsupported(Capability::ExplicitNotifications)),
    }
}

fn contact_notifications(
    email: Option<&str>,
    sms: Option<&str>,
) -> Result<posten::ContactNotificationsType, Error> {
    use posten::ContactNotificationsType as Contact;
    let sms = sms.map(|number| posten::MobileNumberType {
        number: number.to_owned(),
    });
    match (email, sms) {
        (Some(address), sms) => Ok(Contact::EmailWithOptionalSms(
            posten::ContactNotificationsEmailWithOptionalSmsType {
                email: posten::EmailAddressType {
                    address: address.to_owned(),
                },
                sms,
            },
        )),
        (None, Some(sms)) => Ok(Contact::Sms(sms)),
        (None, None) => Err(Error::Unsupported(Capability::ExplicitNotifications)),
    }
}

/// The manifest's `documents`, the same in both flows: each document's title, its file name
/// in the bundle and its media type.
fn job_documents(job: &SigningJob) -> posten::JobDocumentsType {
    posten::JobDocumentsType {
        document: job
            .documents()
            .iter()
            .zip(bundle_file_names(job))
            .map(|(document, href)| job_document(document, href))
            .collect(),
    }
}

fn job_document(document: &Document, href: String) -> posten::JobDocumentType {
    posten::JobDocumentType {
        href,
        mime: document.media_type().as_str().to_owned(),
        title: document.title().to_owned(),
    }
}

fn sender_of(sender: &OrganizationNumber) -> posten::SenderType {
    posten::SenderType {
        organization_number: sender.as_str().to_owned(),
    }
}

fn security_level(level: AuthenticationLevel) -> posten::SecurityLevelType {
    match level {
        AuthenticationLevel::Three => posten::SecurityLevelType::_3,
        _ => posten::SecurityLevelType::_4,
    }
}

fn signer_identification(
    identifier: IdentifierInSignedDocuments,
) -> posten::SignerIdentificationType {
    match identifier {
        IdentifierInSignedDocuments::PersonalIdentificationNumberAndName => {
            posten::SignerIdentificationType::PersonalIdentificationNumberAndName
        }
        IdentifierInSignedDocuments::DateOfBirthAndName => {
            posten::SignerIdentificationType::DateOfBirthAndName
        }
        _ => posten::SignerIdentificationType::Name,
    }
}

fn signature_kind(kind: SignatureType) -> posten::SignatureKindType {
    match kind {
        SignatureType::AdvancedElectronicSignature => {
            posten::SignatureKindType::AdvancedElectronicSignature
        }
        _ => posten::SignatureKindType::AuthenticatedElectronicSignature,
    }
}

fn on_behalf_of(value: OnBehalfOf) -> posten::OnBehalfOfType {
    match value {
        OnBehalfOf::Own => posten::OnBehalfOfType::Self_,
        _ => posten::OnBehalfOfType::Other,
    }
}
