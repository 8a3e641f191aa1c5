//! `signering demo`: the whole signing story against in-process emulators, with the real
//! clients over real (mutual) TLS on 127.0.0.1.
//!
//! Posten: a direct job (one signer, signed on the emulator's signing page like a browser
//! would, status fetched with the token from the exit URL) and a portal job (two signers,
//! signed through the control API, status changes polled); XAdES per signer and PAdES are
//! downloaded into the output directory and the changes confirmed. Altinn 2 (retired on
//! 2026-06-19; its emulator is where this project started): a form set is submitted to
//! signing, its signing text read, signed, and the archived receipt printed to PDF. Altinn 3: an app instance is created with a document, moved to its signing task,
//! found through a Dialogporten search, signed, its signing state read and its signature
//! data element downloaded.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v2::{FormTask, NewForm, PrintOptions, SignatureSelection, Who};
use asice::{BuildOptions, LoadOptions, SigningKey, SystemClock};
use posten_adapter::{Client, Environment, PreparedJob};
use signature_core::ProxySetting;
use signature_core::{
    ArtifactRef, DirectFlow, Document, ExitUrls, Flow, FlowKind, JobRef, JobStatus,
    LookupNotifications, OrganizationNumber, PollResult, Signer, SignerIdentifier, SigningJob,
    StatusChange, StatusQueryToken, StatusQueue,
};
use signature_emulator::altinn::AltinnEmulator;
use signature_emulator::posten::{PostenEmulator, RunningEmulator};

mod altinn3;

use crate::cli::DemoArgs;
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;

/// The demo sender: the emulator's default client organization.
const SENDER: &str = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER;
/// Synthetic identity numbers (valid check digits, not real people).
const SIGNER_A: &str = "24068110048";
const SIGNER_B: &str = "01017010170";
const EXIT_URL: &str = "https://demo.signering.example/exit";
const ALTINN_API_KEY: &str = "signering-demo";
/// The Altinn 3 app the demo signs in.
const ALTINN3_APP: &str = "ttd/signing-demo";
/// How long any one wait (a poll loop, an HTTP call) may take before the demo gives up.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// A tiny PDF shown as the document to sign.
const CONTRACT_PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub(crate) fn run(args: &DemoArgs) -> Result<Status, CliError> {
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::write(&args.out, e))?;
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let mut demo = Demo::new(&args.out);
        demo.say(&format!(
            "signering demo: emulators on 127.0.0.1, files in {}",
            args.out.display()
        ));
        let result = demo.run().await;
        match &result {
            Ok(()) => demo.say(&format!(
                "Done in {} ms: {} files written to {}",
                demo.started.elapsed().as_millis(),
                demo.files.len(),
                args.out.display()
            )),
            Err(_) => demo.say("Demo stopped at the failed step."),
        }
        result.map(|()| Status::Success)
    })
}

struct Demo {
    out: PathBuf,
    started: Instant,
    files: Vec<PathBuf>,
}

/// Maps any displayable error to a failed step.
fn failed<E: std::fmt::Display>(step: &str) -> impl FnOnce(E) -> CliError + '_ {
    move |error| CliError::Demo {
        step: step.to_owned(),
        message: error.to_string(),
    }
}

fn fail(step: &str, message: impl Into<String>) -> CliError {
    CliError::Demo {
        step: step.to_owned(),
        message: message.into(),
    }
}

impl Demo {
    fn new(out: &Path) -> Self {
        Self {
            out: out.to_owned(),
            started: Instant::now(),
            files: Vec::new(),
        }
    }

    /// Prints a line, identity numbers masked.
    fn say(&self, text: &str) {
        let text = mask_identity_numbers(text);
        // A closed standard output must not fail the demo itself.
        drop(writeln!(std::io::stdout(), "{text}"));
    }

    /// One timeline entry: elapsed milliseconds, step, result.
    fn step(&self, step: &str, result: &str) {
        self.say(&format!(
            "{:>7} ms  {:<34} {}",
            self.started.elapsed().as_millis(),
            step,
            result
        ));
    }

    fn write(&mut self, name: &str, bytes: &[u8], step: &str) -> Result<PathBuf, CliError> {
        let path = self.out.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| fail(step, format!("cannot write {}: {e}", path.display())))?;
        self.files.push(path.clone());
        Ok(path)
    }

    async fn run(&mut self) -> Result<(), CliError> {
        // ---- Posten
        let step = "start Posten emulator";
        // Both rate limits off: the demo makes a dozen calls in a few milliseconds, which the
        // service's 10 calls/s (and the client's limiter, kept on by default below it) would
        // stretch to over a second of waiting. Users' tests keep them on.
        let emulator = PostenEmulator::builder()
            .client(SENDER)
            .poll_interval(Duration::from_millis(200))
            .without_rate_limit()
            .start()
            .await
            .map_err(failed(step))?;
        self.step(
            step,
            &format!(
                "API {} , web {} (rate limits off for the demo)",
                emulator.base_url, emulator.web_base_url
            ),
        );
        let outcome = self.posten(&emulator).await;
        emulator.shutdown_with(Duration::from_secs(2)).await;
        outcome?;

        // ---- Altinn
        self.altinn().await?;

        // ---- Altinn 3
        self.altinn3().await
    }

    async fn posten(&mut self, emulator: &RunningEmulator) -> Result<(), CliError> {
        let step = "load client certificate";
        let identity = emulator.client(SENDER).map_err(failed(step))?;
        // One key for the TLS client, one to sign the bundle prepared here (keys are not Clone).
        let load = || {
            SigningKey::from_pem(
                identity.private_key_pem().as_bytes(),
                identity.chain_pem().as_bytes(),
                None,
                &LoadOptions::default(),
            )
        };
        let key = load().map_err(failed(step))?;
        let tls_key = load().map_err(failed(step))?;
        let ca = self.write("emulator-ca.pem", emulator.ca_pem.as_bytes(), step)?;
        self.step(
            step,
            &format!("organization {SENDER}, CA written to {}", ca.display()),
        );
        let sender = OrganizationNumber::parse(SENDER).map_err(failed(step))?;
        let step = "build Posten client";
        let client = Client::builder(
            Environment::custom(&emulator.base_url).map_err(failed(step))?,
            tls_key,
        )
        .trust_roots_pem(emulator.ca_pem.as_bytes())
        .default_sender(sender.clone())
        .rate_limit(None)
        // The emulators run in this process on 127.0.0.1: never through HTTPS_PROXY.
        .proxy(ProxySetting::Direct)
        .build()
        .map_err(failed(step))?;

        self.direct(emulator, &client, &key, &sender).await?;
        self.portal(emulator, &client).await
    }

    async fn direct(
        &mut self,
        emulator: &RunningEmulator,
        client: &Client,
        key: &SigningKey,
        sender: &OrganizationNumber,
    ) -> Result<(), CliError> {
        let step = "direct: create job";
        let job = SigningJob::builder("Demo: rental agreement (direct)")
            .reference("signering-demo-direct")
            .sender(SENDER)
            .flow(Flow::Direct(DirectFlow::new(ExitUrls::single(EXIT_URL))))
            .document(Document::pdf(
                "Rental agreement",
                "rental.pdf",
                CONTRACT_PDF.to_vec(),
            ))
            .signer(Signer::with_personal_identification_number(SIGNER_A))
            .build()
            .map_err(failed(step))?;
        // Prepare the signed bundle ourselves, so the exact bytes sent can be kept.
        let prepared = PreparedJob::new(
            &job,
            Some(sender),
            key,
            &SystemClock,
            &BuildOptions::default(),
        )
        .map_err(failed(step))?;
        let created = timed(
            step,
            client.create_prepared(sender, FlowKind::Direct, &prepared),
        )
        .await?
        .map_err(failed(step))?;
        let id = created.id.to_string();
        self.write(&format!("direct-{id}.asice"), &prepared.bundle, step)?;
        self.step(
            step,
            &format!("job {id}, 1 signer, bundle {} bytes", prepared.bundle.len()),
        );

        let step = "direct: sign on the signing page";
        let token = sign_on_page(emulator, &created)
            .await
            .map_err(|m| fail(step, m))?;
        self.step(step, "signed; status_query_token from the exit URL");

        let step = "direct: status by token";
        let status_url = created
            .status_url
            .as_ref()
            .ok_or_else(|| fail(step, "the create answer has no status URL"))?;
        let change = timed(step, client.direct_status(status_url, &token))
            .await?
            .map_err(failed(step))?;
        self.step(step, &describe(&change));
        if change.status != JobStatus::CompletedSuccessfully {
            return Err(fail(
                step,
                format!("expected COMPLETED_SUCCESSFULLY, got {}", change.status),
            ));
        }
        self.download_all(client, &change, &format!("direct-{id}"), "direct")
            .await?;
        self.confirm(client, &change, "direct: confirm").await
    }

    async fn portal(
        &mut self,
        emulator: &RunningEmulator,
        client: &Client,
    ) -> Result<(), CliError> {
        let step = "portal: create job";
        let job = SigningJob::builder("Demo: shareholder agreement (portal)")
            .reference("signering-demo-portal")
            .sender(SENDER)
            .document(Document::pdf(
                "Shareholder agreement",
                "shareholders.pdf",
                CONTRACT_PDF.to_vec(),
            ))
            .signer(
                Signer::with_personal_identification_number(SIGNER_A)
                    .notify_through_lookup(LookupNotifications::EmailOnly),
            )
            .signer(
                Signer::with_personal_identification_number(SIGNER_B)
                    .notify_through_lookup(LookupNotifications::EmailOnly),
            )
            .build()
            .map_err(failed(step))?;
        let created = timed(step, client.create_job(&job))
            .await?
            .map_err(failed(step))?;
        let id = created.id.to_string();
        self.step(step, &format!("job {id}, 2 signers"));

        let job_id: i64 = id
            .parse()
            .map_err(|_| fail(step, format!("unexpected job id {id:?}")))?;
        for signer in 1..=2 {
            let step = format!("portal: signer {signer} signs");
            let outcome = emulator
                .control()
                .sign(job_id, signer)
                .await
                .map_err(failed(&step))?;
            self.step(
                &step,
                &format!(
                    "signer {}, job {}",
                    outcome.signer_status, outcome.job_status
                ),
            );
        }

        let step = "portal: poll status changes";
        let deadline = Instant::now() + STEP_TIMEOUT;
        let queue = StatusQueue::new(FlowKind::Portal);
        let last = loop {
            if Instant::now() > deadline {
                return Err(fail(
                    step,
                    format!("no final status within {} s", STEP_TIMEOUT.as_secs()),
                ));
            }
            match timed(step, client.poll(&queue)).await? {
                Ok(PollResult::Change(change)) => {
                    self.step(step, &describe(&change));
                    if change.job_id.as_str() != id {
                        // Another job's change (none expected in the demo): confirm it and go on.
                        self.confirm(client, &change, "portal: confirm other job")
                            .await?;
                    } else if change.status.is_final() {
                        break *change;
                    } else {
                        self.confirm(client, &change, "portal: confirm").await?;
                    }
                }
                Ok(PollResult::NoChanges {
                    next_permitted_poll_time,
                }) => {
                    tokio::time::sleep(wait_until(next_permitted_poll_time)).await;
                }
                Ok(_) | Err(posten_adapter::Error::TooEagerPolling { .. }) => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(error) => return Err(failed(step)(error)),
            }
        };
        if last.status != JobStatus::CompletedSuccessfully {
            return Err(fail(
                step,
                format!("expected COMPLETED_SUCCESSFULLY, got {}", last.status),
            ));
        }
        self.download_all(client, &last, &format!("portal-{id}"), "portal")
            .await?;
        self.confirm(client, &last, "portal: confirm").await
    }

    /// Downloads every signer's XAdES (`PREFIX-signer-N.xades.xml`) and the PAdES
    /// (`PREFIX.pades.pdf`).
    async fn download_all(
        &mut self,
        client: &Client,
        change: &StatusChange,
        prefix: &str,
        flow: &str,
    ) -> Result<(), CliError> {
        let mut xades = 0;
        for artifact in change.artifacts() {
            let (name, step) = match artifact {
                ArtifactRef::Xades { .. } => {
                    xades += 1;
                    (
                        format!("{prefix}-signer-{xades}.xades.xml"),
                        format!("{flow}: download XAdES {xades}"),
                    )
                }
                ArtifactRef::Pades { .. } => (
                    format!("{prefix}.pades.pdf"),
                    format!("{flow}: download PAdES"),
                ),
                _ => continue,
            };
            let mut bytes = Vec::new();
            let written = timed(&step, client.download(artifact, &mut bytes))
                .await?
                .map_err(failed(&step))?;
            let path = self.write(&name, &bytes, &step)?;
            self.step(&step, &format!("{written} bytes -> {}", path.display()));
        }
        if xades == 0 || change.pades().is_none() {
            return Err(fail(
                &format!("{flow}: downloads"),
                format!(
                    "expected XAdES and PAdES links, got {xades} XAdES and {} PAdES",
                    usize::from(change.pades().is_some())
                ),
            ));
        }
        Ok(())
    }

    async fn confirm(
        &self,
        client: &Client,
        change: &StatusChange,
        step: &str,
    ) -> Result<(), CliError> {
        match &change.confirmation {
            Some(handle) => {
                timed(step, client.confirm(handle))
                    .await?
                    .map_err(failed(step))?;
                self.step(step, &format!("job {} confirmed", change.job_id));
            }
            None => self.step(step, "nothing to confirm"),
        }
        Ok(())
    }

    async fn altinn(&mut self) -> Result<(), CliError> {
        let step = "start Altinn emulator";
        let emulator = AltinnEmulator::builder()
            .api_key(ALTINN_API_KEY)
            .start()
            .await
            .map_err(failed(step))?;
        self.step(step, emulator.base_url());
        let step = "altinn: build client";
        let client = altinn_adapter::v2::Client::builder(
            altinn_adapter::v2::Environment::custom(emulator.base_url()).map_err(failed(step))?,
            ALTINN_API_KEY,
        )
        .auth(BearerToken::new(emulator.issue_token(4)))
        .proxy(ProxySetting::Direct)
        .build()
        .map_err(failed(step))?;

        let step = "altinn: submit form to signing";
        let task = FormTask::new("4711", 1).form(NewForm::main(
            "5703",
            "34554",
            "<Skjema><Navn>Demo AS</Navn><Belop>12000</Belop></Skjema>",
        ));
        let submitted = timed(step, client.submit_to_signing(&Who::My, &task))
            .await?
            .map_err(failed(step))?;
        self.step(step, &format!("message {}", submitted.message_id));

        let step = "altinn: read signing text";
        let text = timed(step, client.signing_text(&Who::My, &submitted.message_id))
            .await?
            .map_err(failed(step))?;
        self.step(step, &format!("\"{}\"", text.text));

        let step = "altinn: sign";
        let signed = timed(
            step,
            client.sign(&Who::My, &submitted.message_id, &SignatureSelection::Whole),
        )
        .await?
        .map_err(failed(step))?;
        let archived = signed
            .archived
            .message_id
            .clone()
            .filter(|_| signed.is_archived())
            .ok_or_else(|| fail(step, "the signed message was not archived"))?;
        self.step(step, &format!("archived as {archived}"));

        let step = "altinn: fetch archived receipt";
        let mut pdf = Vec::new();
        let written = timed(
            step,
            client.print(&Who::My, &archived, &PrintOptions::default(), &mut pdf),
        )
        .await?
        .map_err(failed(step))?;
        if !pdf.starts_with(b"%PDF") {
            return Err(fail(step, "the receipt is not a PDF"));
        }
        let path = self.write(&format!("altinn-{archived}.receipt.pdf"), &pdf, step)?;
        self.step(step, &format!("{written} bytes -> {}", path.display()));
        Ok(())
    }
}

/// Walks the signing page as a browser would: GET the redirect URL, POST its sign form,
/// and take the `status_query_token` from the redirect to the exit URL.
async fn sign_on_page(
    emulator: &RunningEmulator,
    created: &JobRef,
) -> Result<StatusQueryToken, String> {
    let redirect = created
        .signers
        .first()
        .and_then(|s| s.redirect_url.as_ref())
        .ok_or("the create answer has no redirect URL")?;
    let web = reqwest::Client::builder()
        .no_proxy() // the emulator's signing pages on 127.0.0.1, in this process
        .redirect(reqwest::redirect::Policy::none())
        .timeout(STEP_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let page = web
        .get(redirect.as_str())
        .send()
        .await
        .map_err(|e| format!("GET signing page: {e}"))?;
    if !page.status().is_success() {
        return Err(format!("GET signing page: HTTP {}", page.status()));
    }
    let html = page
        .text()
        .await
        .map_err(|e| format!("reading the signing page: {e}"))?;
    let action = sign_action(&html).ok_or("the signing page has no sign form")?;
    let action_url = url::Url::parse(&emulator.web_base_url)
        .and_then(|base| base.join(action))
        .map_err(|e| format!("sign form action {action:?}: {e}"))?;
    let answer = web
        .post(action_url)
        .send()
        .await
        .map_err(|e| format!("POST sign form: {e}"))?;
    if !answer.status().is_redirection() {
        return Err(format!(
            "POST sign form: expected a redirect, got HTTP {}",
            answer.status()
        ));
    }
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("the sign answer has no Location")?;
    let exit = url::Url::parse(location).map_err(|e| format!("exit URL: {e}"))?;
    if !exit.as_str().starts_with(EXIT_URL) {
        return Err("the signer was not sent back to the exit URL".to_owned());
    }
    exit.query_pairs()
        .find(|(name, _)| name == "status_query_token")
        .map(|(_, token)| StatusQueryToken::new(token.into_owned()))
        .ok_or_else(|| "the exit URL has no status_query_token".to_owned())
}

/// The `action` of the form whose button signs (the form action ending in `/sign`).
fn sign_action(html: &str) -> Option<&str> {
    html.split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/sign"))
}

/// Status and signers of a change, identity numbers shown by the PIN type's Display.
fn describe(change: &StatusChange) -> String {
    let signers: Vec<String> = change
        .signers
        .iter()
        .map(|s| match &s.signer {
            Some(SignerIdentifier::PersonalIdentificationNumber(pin)) => {
                format!("{pin} {}", s.status)
            }
            _ => s.status.to_string(),
        })
        .collect();
    format!(
        "job {}: {} [{}]",
        change.job_id,
        change.status,
        signers.join(", ")
    )
}

/// How long until the permitted poll time (at least 50 ms, at most 2 s).
fn wait_until(next: Option<time::OffsetDateTime>) -> Duration {
    let wait = next
        .map(|at| at - time::OffsetDateTime::now_utc())
        .and_then(|d| Duration::try_from(d).ok())
        .unwrap_or(Duration::from_millis(200));
    wait.clamp(Duration::from_millis(50), Duration::from_secs(2))
}

/// Bounds a call with [`STEP_TIMEOUT`].
async fn timed<F: std::future::Future>(step: &str, future: F) -> Result<F::Output, CliError> {
    tokio::time::timeout(STEP_TIMEOUT, future)
        .await
        .map_err(|_| {
            fail(
                step,
                format!("no answer within {} s", STEP_TIMEOUT.as_secs()),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sign_form_among_others() {
        let html = r#"<form action="/s/abc/reject"><form action="/s/abc/sign">"#;
        assert_eq!(sign_action(html), Some("/s/abc/sign"));
        assert_eq!(sign_action("<p>no form</p>"), None);
    }
}
