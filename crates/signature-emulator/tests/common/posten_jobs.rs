//! The direct-flow job that both Posten helper modules (`posten_client.rs`, for the
//! adapter's client, and `posten_emulator.rs`, for raw requests) hand their tests.

use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, Signer, SigningJob, StatusRetrievalMethod,
};

/// One PDF for one signer in the direct flow, sent back to `exit` and reporting as
/// `retrieval` says; from `sender` when given, else from the client's default sender.
pub fn direct_job(
    sender: Option<&str>,
    exit: ExitUrls,
    retrieval: StatusRetrievalMethod,
) -> SigningJob {
    let mut builder = SigningJob::builder("Direkte avtale");
    if let Some(sender) = sender {
        builder = builder.sender(sender);
    }
    builder
        .flow(Flow::Direct(
            DirectFlow::new(exit).status_retrieval(retrieval),
        ))
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 direct".to_vec(),
        ))
        .signer(Signer::with_personal_identification_number("01017010170"))
        .build()
        .unwrap()
}
