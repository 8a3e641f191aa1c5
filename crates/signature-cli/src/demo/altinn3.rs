//! The demo's Altinn 3 step: an instance created with a document, moved to its signing task,
//! found through Dialogporten as the live platform shows it, signed, its signing state read,
//! its signature record saved and the process completed.

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v3::{
    Action, ActionRequest, AppId, DialogQuery, DialogStatus, InstanceOwner, NewData, NewInstance,
    ProcessNext, TokenProvider,
};
use signature_core::ProxySetting;
use signature_emulator::altinn3::{Altinn3Emulator, DOCUMENT_DATA_TYPE, SIGNATURE_DATA_TYPE};

use super::{ALTINN3_APP, CONTRACT_PDF, Demo, SIGNER_A, STEP_TIMEOUT, fail, failed, timed};
use crate::error::CliError;

impl Demo {
    pub(super) async fn altinn3(&mut self) -> Result<(), CliError> {
        let step = "start Altinn 3 emulator";
        let emulator = Altinn3Emulator::builder()
            .app(ALTINN3_APP)
            .start()
            .await
            .map_err(failed(step))?;
        let party = emulator.add_person(SIGNER_A, "Kari Nordmann");
        self.step(step, emulator.base_url());

        let step = "altinn3: build client";
        let app = AppId::parse(ALTINN3_APP).map_err(failed(step))?;
        let client = altinn_adapter::v3::Client::builder(
            altinn_adapter::v3::Environment::custom(emulator.base_url()).map_err(failed(step))?,
        )
        .exchange(
            TokenProvider::IdPorten,
            BearerToken::new(emulator.issue_idporten_token(SIGNER_A)),
        )
        .timeout(STEP_TIMEOUT)
        .proxy(ProxySetting::Direct)
        .build()
        .map_err(failed(step))?;
        timed(step, client.altinn_token())
            .await?
            .map_err(failed(step))?;
        self.step(step, "ID-porten token exchanged for an Altinn token");

        let step = "altinn3: create instance";
        let new = NewInstance::new(InstanceOwner::PartyId(party))
            .data(NewData::new(
                "model",
                "application/xml",
                "<Skjema><Navn>Demo AS</Navn><Belop>12000</Belop></Skjema>",
            ))
            .data(
                NewData::new(DOCUMENT_DATA_TYPE, "application/pdf", CONTRACT_PDF)
                    .filename("contract.pdf"),
            );
        let instance = timed(step, client.create_instance(&app, &new))
            .await?
            .map_err(failed(step))?;
        let id = instance.id.clone();
        self.step(
            step,
            &format!("{app} instance {id}, {} data elements", instance.data.len()),
        );

        let step = "altinn3: move to signing";
        let process = timed(step, client.process_next(&app, &id, &ProcessNext::new()))
            .await?
            .map_err(failed(step))?;
        let task = process
            .current_task
            .as_ref()
            .ok_or_else(|| fail(step, "the process ended instead of signing"))?;
        self.step(
            step,
            &format!(
                "task {} ({})",
                task.element_id,
                task.task_type.as_ref().map_or("?", |t| t.as_str())
            ),
        );

        // As the live platform shows it: the dialog's go-to action is `read` whatever the
        // task, so each dialog is mapped to its instance and the instance's process decides.
        let step = "altinn3: find via Dialogporten";
        let query = DialogQuery::new()
            .service_resource(app.service_resource())
            .status(DialogStatus::InProgress);
        let waiting = timed(step, client.awaiting_signature(&query))
            .await?
            .map_err(failed(step))?;
        if let Some(skipped) = waiting.skipped.first() {
            return Err(fail(
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
            .ok_or_else(|| {
                fail(
                    step,
                    "the instance is not among the dialogs awaiting signature",
                )
            })?;
        self.step(
            step,
            &format!(
                "dialog {} -> instance {} (its process: {} may be signed; {} dialog(s) searched)",
                found.dialog.id,
                found.instance.id,
                found
                    .process
                    .current_task
                    .as_ref()
                    .map_or("?", |t| t.element_id.as_str()),
                waiting.dialogs_seen
            ),
        );

        let step = "altinn3: sign";
        timed(
            step,
            client.perform_action(&app, &id, &ActionRequest::sign()),
        )
        .await?
        .map_err(failed(step))?;
        self.step(step, "signed with POST .../actions {\"action\":\"sign\"}");

        let step = "altinn3: read signing state";
        let signing_task = found
            .process
            .current_task
            .as_ref()
            .map(|t| t.element_id.clone());
        let state = timed(
            step,
            client.signing_state(&app, &id, signing_task.as_deref()),
        )
        .await?
        .map_err(failed(step))?;
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
        if signed.is_empty() {
            return Err(fail(step, "no signee has signed"));
        }
        self.step(step, &format!("signed by {}", signed.join(", ")));

        let step = "altinn3: download signature";
        let elements = timed(step, client.data_elements(&app, &id))
            .await?
            .map_err(failed(step))?;
        let signature = elements
            .iter()
            .find(|d| d.data_type == SIGNATURE_DATA_TYPE)
            .ok_or_else(|| fail(step, "no signature data element"))?;
        let mut record = Vec::new();
        let written = timed(
            step,
            client.download_data(&app, &id, &signature.id, &mut record),
        )
        .await?
        .map_err(failed(step))?;
        let document = altinn_adapter::v3::SignDocument::parse(&record).map_err(failed(step))?;
        let path = self.write(
            &format!("altinn3-{}.signature.json", id.guid()),
            &record,
            step,
        )?;
        self.step(
            step,
            &format!(
                "{written} bytes, {} signed element(s) -> {}",
                document.data_element_signatures.len(),
                path.display()
            ),
        );

        // Signed already: the signing task is left without an action (which signs nothing),
        // then the confirmation task by confirming.
        let step = "altinn3: complete process";
        timed(step, client.process_next(&app, &id, &ProcessNext::new()))
            .await?
            .map_err(failed(step))?;
        let ended = timed(
            step,
            client.process_next(&app, &id, &ProcessNext::perform(Action::Confirm)),
        )
        .await?
        .map_err(failed(step))?;
        if !ended.is_ended() {
            return Err(fail(step, "the process did not end after confirming"));
        }
        self.step(
            step,
            &format!(
                "signing -> confirm -> {}",
                ended.end_event.as_deref().unwrap_or("end")
            ),
        );
        Ok(())
    }
}
