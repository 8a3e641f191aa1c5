//! Altinn 3: a form is an app instance that moves through the app's process. Here the
//! process is data → signing → confirmation, and the instance is found the way a user's
//! inbox shows it: through Dialogporten.

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v3::{
    Action, ActionRequest, AppId, Client, DialogQuery, DialogStatus, Environment, InstanceOwner,
    NewData, NewInstance, ProcessNext, SignDocument, TokenProvider,
};
use signature_core::ProxySetting;
use signature_emulator::altinn3::{Altinn3Emulator, DOCUMENT_DATA_TYPE, SIGNATURE_DATA_TYPE};

use super::{At, FlowError, Progress, STEP_TIMEOUT, call, check, keep};
use crate::{CONTRACT_PDF, SIGNER_A};

/// The app the flow signs in; start the emulator with [`Altinn3Emulator::builder`]`.app(APP)`.
pub const APP: &str = "ttd/signing-demo";

/// The signer's name, as the emulator's population register knows [`SIGNER_A`].
pub const SIGNER_NAME: &str = "Kari Nordmann";

/// Signs a document in an Altinn 3 app against `emulator` (started with [`APP`]):
///
/// 1. log in: the client exchanges the user's ID-porten token for an Altinn token (and
///    caches it); docs/altinn3.md has the API details;
/// 2. create an instance with the form data and the PDF to sign. The PDF goes to a data
///    type users may write (the emulator's `document`); the app refuses uploads to its own
///    types (`ref-data-as-pdf`, the signature type) with 403;
/// 3. move it from the data task to the signing task;
/// 4. find it as the live platform shows it: Dialogporten's go-to action is `read` whatever
///    the task, so each dialog is mapped to its instance and the instance's process decides
///    whether it awaits a signature;
/// 5. sign with the `sign` action, read the signing state, and download the signature data
///    element (`altinn3-GUID.signature.json`);
/// 6. complete the process: leave the signing task, then confirm.
///
/// # Errors
///
/// The first step that fails, or an answer other than the ones described.
pub async fn run(emulator: &Altinn3Emulator, progress: &mut dyn Progress) -> Result<(), FlowError> {
    // 1. The client, logged in.
    let step = "altinn3: build client";
    let party = emulator.add_person(SIGNER_A, SIGNER_NAME);
    let id_porten_token = emulator.issue_idporten_token(SIGNER_A); // from your ID-porten login
    let app = AppId::parse(APP).at(step)?;
    // The emulator stands in for Altinn 3 (Environment::tt02() or ::production()).
    let client = Client::builder(Environment::custom(emulator.base_url()).at(step)?)
        .exchange(TokenProvider::IdPorten, BearerToken::new(id_porten_token))
        .timeout(STEP_TIMEOUT)
        // The emulator runs in this process: not through a proxy from HTTPS_PROXY.
        .proxy(ProxySetting::Direct)
        .build()
        .at(step)?;
    call(step, client.altinn_token()).await?;
    progress.step(step, "ID-porten token exchanged for an Altinn token");

    // 2. The instance: the form data and the document to sign.
    let step = "altinn3: create instance";
    let new = NewInstance::new(InstanceOwner::PartyId(party))
        .data(NewData::new(
            "model",
            "application/xml",
            "<Skjema><Navn>Example AS</Navn><Belop>12000</Belop></Skjema>",
        ))
        .data(
            NewData::new(DOCUMENT_DATA_TYPE, "application/pdf", CONTRACT_PDF)
                .filename("contract.pdf"),
        );
    let instance = call(step, client.create_instance(&app, &new)).await?;
    let id = instance.id.clone();
    progress.step(
        step,
        &format!("{app} instance {id}, {} data elements", instance.data.len()),
    );

    // 3. On to the signing task, and what is to be signed there.
    let step = "altinn3: move to signing";
    let process = call(step, client.process_next(&app, &id, &ProcessNext::new())).await?;
    check(
        process.awaits_signature(),
        step,
        "the instance is not at a signing task",
    )?;
    let task = process
        .current_task
        .as_ref()
        .ok_or("the process ended instead of signing")
        .at(step)?;
    let to_sign = call(step, client.signing_data_elements(&app, &id, None)).await?;
    progress.step(
        step,
        &format!(
            "task {} ({}), {} document(s) to sign",
            task.element_id,
            task.task_type.as_ref().map_or("?", |t| t.as_str()),
            to_sign.len()
        ),
    );

    // 4. Found through Dialogporten.
    let step = "altinn3: find via Dialogporten";
    let query = DialogQuery::new()
        .service_resource(app.service_resource())
        .status(DialogStatus::InProgress);
    let waiting = call(step, client.awaiting_signature(&query)).await?;
    if let Some(skipped) = waiting.skipped.first() {
        return Err(FlowError::new(
            step,
            format!(
                "dialog {} could not be read: {}",
                skipped.dialog_id, skipped.error
            ),
        ));
    }
    let found = waiting
        .awaiting
        .iter()
        .find(|w| w.instance.id == id)
        .ok_or("the instance is not among the dialogs awaiting signature")
        .at(step)?;
    let signing_task = found
        .process
        .current_task
        .as_ref()
        .map(|t| t.element_id.clone());
    progress.step(
        step,
        &format!(
            "dialog {} -> instance {} (its process: {} may be signed; {} dialog(s) searched)",
            found.dialog.id,
            found.instance.id,
            signing_task.as_deref().unwrap_or("?"),
            waiting.dialogs_seen
        ),
    );

    // 5. Sign, see who has signed, and keep the signature record.
    let step = "altinn3: sign";
    call(
        step,
        client.perform_action(&app, &id, &ActionRequest::sign()),
    )
    .await?;
    progress.step(step, "signed with POST .../actions {\"action\":\"sign\"}");

    let step = "altinn3: read signing state";
    let state = call(
        step,
        client.signing_state(&app, &id, signing_task.as_deref()),
    )
    .await?;
    let signed: Vec<String> = state
        .signees
        .iter()
        .filter(|s| s.has_signed())
        .map(|s| {
            format!(
                "{} at {}",
                s.name.as_deref().unwrap_or("(organisation)"),
                s.signed_time
                    .and_then(|t| t
                        .format(&time::format_description::well_known::Rfc3339)
                        .ok())
                    .unwrap_or_default()
            )
        })
        .collect();
    check(!signed.is_empty(), step, "no signee has signed")?;
    progress.step(step, &format!("signed by {}", signed.join(", ")));

    let step = "altinn3: download signature";
    let elements = call(step, client.data_elements(&app, &id)).await?;
    let signature = elements
        .iter()
        .find(|d| d.data_type == SIGNATURE_DATA_TYPE)
        .ok_or("no signature data element")
        .at(step)?;
    let mut record = Vec::new();
    call(
        step,
        client.download_data(&app, &id, &signature.id, &mut record),
    )
    .await?;
    let document = SignDocument::parse(&record).at(step)?;
    keep(
        progress,
        step,
        &format!("altinn3-{}.signature.json", id.guid()),
        &record,
        &format!(
            ", {} signed element(s)",
            document.data_element_signatures.len()
        ),
    )?;

    // 6. Signed already: the signing task is left without an action (which signs nothing),
    //    then the confirmation task by confirming.
    let step = "altinn3: complete process";
    call(step, client.process_next(&app, &id, &ProcessNext::new())).await?;
    let ended = call(
        step,
        client.process_next(&app, &id, &ProcessNext::perform(Action::Confirm)),
    )
    .await?;
    check(
        ended.is_ended(),
        step,
        "the process did not end after confirming",
    )?;
    progress.step(
        step,
        &format!(
            "signing -> confirm -> {}",
            ended.end_event.as_deref().unwrap_or("end")
        ),
    );
    Ok(())
}
