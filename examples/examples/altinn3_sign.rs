//! Altinn 3: a form is an app instance that moves through the app's process. Here the
//! process is data → signing → confirmation: create an instance with the form data and the
//! PDF to sign, move it to the signing task, sign, read the signature record, and confirm.
//! The PDF goes to a data type users may write (the emulator's `document`); the app refuses
//! uploads to its own types (`ref-data-as-pdf`, the signature type) with 403.
//!
//! The client exchanges the user's ID-porten token for an Altinn token (and caches it);
//! docs/altinn3.md has the API details.
//!
//! `cargo run -p signering-examples --example altinn3_sign`

use std::process::ExitCode;

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v3::{
    Action, AppId, Client, Environment, InstanceOwner, NewData, NewInstance, ProcessNext, TaskType,
    TokenProvider,
};
use signature_emulator::altinn3::{Altinn3Emulator, DOCUMENT_DATA_TYPE, SIGNATURE_DATA_TYPE};
use signering_examples::{CONTRACT_PDF, Result, SIGNER_A, ensure, exit_code};

const APP: &str = "ttd/signing-demo";

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    // The emulator stands in for Altinn 3 (Environment::tt02() or ::production()).
    let emulator = Altinn3Emulator::builder().app(APP).start().await?;
    let party = emulator.add_person(SIGNER_A, "Kari Nordmann");
    let id_porten_token = emulator.issue_idporten_token(SIGNER_A); // from your ID-porten login
    println!("Altinn 3 emulator: {}", emulator.base_url());

    let client = Client::builder(Environment::custom(emulator.base_url())?)
        .exchange(TokenProvider::IdPorten, BearerToken::new(id_porten_token))
        .build()?;
    let app = AppId::parse(APP)?;

    // Create the instance: the form data and the document to sign.
    let new = NewInstance::new(InstanceOwner::PartyId(party))
        .data(NewData::new(
            "model",
            "application/xml",
            "<Skjema><Navn>Example AS</Navn></Skjema>",
        ))
        .data(
            NewData::new(DOCUMENT_DATA_TYPE, "application/pdf", CONTRACT_PDF)
                .filename("agreement.pdf"),
        );
    let instance = client.create_instance(&app, &new).await?;
    println!(
        "created instance {} with {} data element(s)",
        instance.id,
        instance.data.len()
    );

    // Move from the data task to the signing task and see what is to be signed.
    let process = client
        .process_next(&app, &instance.id, &ProcessNext::new())
        .await?;
    ensure(
        process.awaits_signature(),
        "the instance is not at a signing task",
    )?;
    let to_sign = client
        .signing_data_elements(&app, &instance.id, None)
        .await?;
    println!("at the signing task; {} document(s) to sign", to_sign.len());

    // Sign: the app records the signature and moves on to the confirmation task.
    let process = client
        .process_next(&app, &instance.id, &ProcessNext::sign())
        .await?;
    ensure(
        process.task_type() == Some(&TaskType::Confirmation),
        "signing did not move the instance to confirmation",
    )?;
    let signed = client.instance(&app, &instance.id).await?;
    let signature = signed
        .data_of_type(SIGNATURE_DATA_TYPE)
        .next()
        .ok_or("no signature data element")?;
    let record = client
        .sign_document(&app, &instance.id, &signature.id)
        .await?;
    println!(
        "signed {} document(s); signature record {}",
        record.data_element_signatures.len(),
        signature.id
    );

    // Confirm: the process ends.
    let process = client
        .process_next(&app, &instance.id, &ProcessNext::perform(Action::Confirm))
        .await?;
    ensure(process.is_ended(), "the process did not end")?;
    println!("process ended");

    println!("Altinn 3 signing done");
    Ok(())
}
