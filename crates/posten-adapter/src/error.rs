use signature_core::Capability;

/// What can go wrong in the Posten signering adapter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The job names no sender and the client has no default sender.
    #[error("no sender: set one on the job (broker use) or a default sender on the client")]
    SenderNotSpecified,
    /// The job uses something Posten signering cannot express.
    #[error("Posten signering does not support {0:?}")]
    Unsupported(Capability),
    /// Reading or writing the service's XML failed.
    #[error(transparent)]
    Xml(#[from] signature_model::Error),
    /// Building or signing the document bundle failed.
    #[error("document bundle: {0}")]
    Bundle(#[from] asice::Error),
}
