//! Builds a sample portal job and a sample direct job, and prints the XML Posten signering
//! receives for each: the job request (first part of the create call) and `manifest.xml`
//! (inside the signed document bundle).
//!
//! ```text
//! cargo run -p posten-adapter --example sample_job
//! ```

use std::time::Duration;

use posten_adapter::wire::SerializedJob;
use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, LookupNotifications, OrganizationNumber, Signer,
    SigningJob,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sender = OrganizationNumber::parse("984661185")?;
    let contract = b"%PDF-1.7\n% a real job carries a real PDF here\n".to_vec();

    let portal = SigningJob::builder("Employment contract")
        .description("Please sign your employment contract.")
        .reference("hr-2026-117")
        .document(Document::pdf("Contract", "contract.pdf", contract.clone()))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .order(1)
                .notify_through_lookup(LookupNotifications::EmailAndSms),
        )
        .signer(Signer::with_email("hr-manager@example.com").order(2))
        .available_for(Duration::from_secs(14 * 24 * 3600))
        .build()?;

    let direct = SigningJob::builder("Loan agreement")
        .document(Document::pdf("Loan agreement", "loan.pdf", contract))
        .signer(Signer::with_personal_identification_number("15038510190"))
        .flow(Flow::Direct(DirectFlow::new(ExitUrls::new(
            "https://bank.example/signed",
            "https://bank.example/rejected",
            "https://bank.example/error",
        ))))
        .build()?;

    for (name, job) in [("portal", &portal), ("direct", &direct)] {
        let wire = SerializedJob::new(job, Some(&sender))?;
        println!(
            "===== {name} job: request =====\n{}",
            String::from_utf8(wire.request_xml)?
        );
        println!(
            "===== {name} job: manifest.xml =====\n{}",
            String::from_utf8(wire.manifest_xml)?
        );
    }
    Ok(())
}
