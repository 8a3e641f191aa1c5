//! Job and signer statuses. They are defined once, in `signature-model` (the service's wire
//! values are the neutral vocabulary), and re-exported here. Both are open: values this
//! version does not know are kept in `Unknown`, never rejected.

pub use signature_model::custom::{JobStatus, SignerStatus};
