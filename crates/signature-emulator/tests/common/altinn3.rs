//! What the Altinn 3 client tests (altinn3_client.rs, altinn3_conformance.rs) start from: the
//! emulator, the person's party, a client logged in as them and the app, with the two calls
//! nearly every test makes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use altinn_adapter::v3::{
    AppId, Client, Instance, InstanceId, NewInstance, ProcessNext, ProcessState,
};
use signature_emulator::altinn3::Altinn3Emulator;

pub struct Setup {
    pub emulator: Altinn3Emulator,
    pub party: u64,
    pub client: Client,
    pub app: AppId,
}

impl Setup {
    /// A new instance of the app, as `new` describes it.
    pub async fn create(&self, new: &NewInstance) -> Instance {
        self.client.create_instance(&self.app, new).await.unwrap()
    }

    /// The process of instance `id` moved on by `next`.
    pub async fn next(&self, id: &InstanceId, next: &ProcessNext) -> ProcessState {
        self.client.process_next(&self.app, id, next).await.unwrap()
    }
}
