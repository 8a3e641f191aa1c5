use signature_core::{DirectFlow, SigningJob, StatusRetrievalMethod};
use signature_model::posten;

/// The direct job request: reference, exit URLs, status retrieval method and polling queue.
pub fn direct_request(job: &SigningJob, flow: &DirectFlow) -> posten::DirectSignatureJobRequest {
    let status_retrieval_method = match flow.status_retrieval {
        // The service's default; leaving it out keeps the request minimal.
        StatusRetrievalMethod::WaitForCallback => None,
        _ => Some(posten::StatusRetrievalType::Polling),
    };
    posten::DirectSignatureJobRequest {
        reference: job.reference().map(str::to_owned),
        exit_urls: posten::ExitUrlsType {
            completion_url: flow.exit_urls.completion.clone(),
            rejection_url: flow.exit_urls.rejection.clone(),
            error_url: flow.exit_urls.error.clone(),
        },
        status_retrieval_method,
        polling_queue: job.polling_queue().map(|q| q.as_str().to_owned()),
    }
}

/// The portal job request: reference and polling queue.
pub fn portal_request(job: &SigningJob) -> posten::PortalSignatureJobRequest {
    posten::PortalSignatureJobRequest {
        reference: job.reference().map(str::to_owned),
        polling_queue: job.polling_queue().map(|q| q.as_str().to_owned()),
    }
}
