//! `SigningJobBuilder::build` (and the signer builders) on structured arbitrary input:
//! titles, documents, signers with any identifier and notification, flows, queues,
//! availability.
//!
//! Checked: no panic; a built job holds what it was given within its own limits; a signer's
//! `Debug` never shows its personal identification number, and no validation error shows an
//! eleven-digit run.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use signature_core::{
    AuthenticationLevel, DirectFlow, Document, ExitUrls, Flow, IdentifierInSignedDocuments, JobLimits,
    LookupNotifications, MediaType, OnBehalfOf, SignatureType, Signer, SignerBuilder, SignerIdentifier,
    SigningJob, StatusRetrievalMethod, shows_identity_number,
};

#[derive(Debug, Arbitrary)]
enum Identifier {
    Pin(String),
    Custom(String),
    Email(String),
    Mobile(String),
    EmailAndMobile(String, String),
}

#[derive(Debug, Arbitrary)]
struct SignerInput {
    identifier: Identifier,
    order: Option<u8>,
    advanced: Option<bool>,
    on_behalf_of_other: Option<bool>,
    email: Option<String>,
    sms: Option<String>,
    lookup: Option<bool>,
}

#[derive(Debug, Arbitrary)]
struct DocumentInput {
    title: String,
    file_name: String,
    pdf: bool,
    content: Vec<u8>,
}

#[derive(Debug, Arbitrary)]
struct JobInput {
    title: String,
    description: Option<String>,
    non_sensitive_title: Option<String>,
    reference: Option<String>,
    documents: Vec<DocumentInput>,
    signers: Vec<SignerInput>,
    level_four: Option<bool>,
    available_seconds: Option<u32>,
    identifier_in_documents: Option<u8>,
    sender: Option<String>,
    direct: Option<(String, bool)>,
    polling_queue: Option<String>,
    max_total_size: Option<u16>,
}

fn signer(input: &SignerInput) -> SignerBuilder {
    let mut builder = match &input.identifier {
        Identifier::Pin(pin) => Signer::with_personal_identification_number(pin),
        Identifier::Custom(id) => Signer::with_custom_identifier(id.clone()),
        Identifier::Email(email) => Signer::with_email(email),
        Identifier::Mobile(mobile) => Signer::with_mobile_number(mobile),
        Identifier::EmailAndMobile(email, mobile) => {
            Signer::with_email_and_mobile_number(email, mobile)
        }
    };
    if let Some(order) = input.order {
        builder = builder.order(order);
    }
    if let Some(advanced) = input.advanced {
        builder = builder.signature_type(if advanced {
            SignatureType::AdvancedElectronicSignature
        } else {
            SignatureType::AuthenticatedElectronicSignature
        });
    }
    if let Some(other) = input.on_behalf_of_other {
        builder = builder.on_behalf_of(if other { OnBehalfOf::Other } else { OnBehalfOf::Own });
    }
    if let Some(email) = &input.email {
        builder = builder.notify_by_email(email);
    }
    if let Some(sms) = &input.sms {
        builder = builder.notify_by_sms(sms);
    }
    if let Some(both) = input.lookup {
        builder = builder.notify_through_lookup(if both {
            LookupNotifications::EmailAndSms
        } else {
            LookupNotifications::EmailOnly
        });
    }
    builder
}

fuzz_target!(|input: JobInput| {
    let mut builder = SigningJob::builder(input.title.clone());
    if let Some(text) = &input.description {
        builder = builder.description(text.clone());
    }
    if let Some(text) = &input.non_sensitive_title {
        builder = builder.non_sensitive_title(text.clone());
    }
    if let Some(text) = &input.reference {
        builder = builder.reference(text.clone());
    }
    for document in &input.documents {
        let media_type = if document.pdf { MediaType::Pdf } else { MediaType::PlainText };
        builder = builder.document(Document::new(
            document.title.clone(),
            document.file_name.clone(),
            media_type,
            document.content.clone(),
        ));
    }
    for input in &input.signers {
        builder = builder.signer(signer(input));
    }
    if let Some(four) = input.level_four {
        builder = builder.authentication_level(if four {
            AuthenticationLevel::Four
        } else {
            AuthenticationLevel::Three
        });
    }
    if let Some(seconds) = input.available_seconds {
        builder = builder.available_for(Duration::from_secs(u64::from(seconds)));
    }
    if let Some(choice) = input.identifier_in_documents {
        builder = builder.identifier_in_signed_documents(match choice % 3 {
            0 => IdentifierInSignedDocuments::PersonalIdentificationNumberAndName,
            1 => IdentifierInSignedDocuments::DateOfBirthAndName,
            _ => IdentifierInSignedDocuments::Name,
        });
    }
    if let Some(sender) = &input.sender {
        builder = builder.sender(sender.as_str());
    }
    if let Some((url, polling)) = &input.direct {
        let mut flow = DirectFlow::new(ExitUrls::single(url.clone()));
        if *polling {
            flow = flow.status_retrieval(StatusRetrievalMethod::Polling);
        }
        builder = builder.flow(Flow::Direct(flow));
    }
    if let Some(queue) = &input.polling_queue {
        builder = builder.polling_queue(queue.as_str());
    }
    // A service's limits are checked after building, as an adapter does when it prepares a job.
    let max_total_size = input.max_total_size.map_or(10 * 1024 * 1024, u64::from);
    let limits = JobLimits::new((0, 20), (0, 10), max_total_size);
    match builder
        .build()
        .and_then(|job| job.check_limits(&limits).map(|()| job))
    {
        Ok(job) => {
            assert_eq!(job.title(), input.title);
            assert_eq!(job.documents().len(), input.documents.len());
            assert_eq!(job.signers().len(), input.signers.len());
            if let Some(max) = input.max_total_size {
                assert!(job.total_document_size() <= u64::from(max));
            }
            let _ = job.required_capabilities();
            for signer in job.signers() {
                if let SignerIdentifier::PersonalIdentificationNumber(pin) = signer.identifier() {
                    let shown = format!("{signer:?}");
                    assert!(!shown.contains(pin.reveal()), "Debug shows a PIN: {shown}");
                }
            }
        }
        Err(error) => {
            let shown = format!("{error} {error:?}");
            assert!(!shows_identity_number(&shown), "validation error shows: {shown}");
        }
    }
});
