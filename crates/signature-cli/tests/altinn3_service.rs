//! The provider-neutral commands against the Altinn 3 emulator (`--provider altinn3`): a job
//! created from a job file's `[altinn3]` section becomes an app instance with its data;
//! `job status` reads it by id; once signed and completed, `download` and `poll --download`
//! fetch its signature record; what Altinn 3 cannot do is refused by its capabilities.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use serde_json::Value;
use support::Output;
use support::altinn3::{APP, DOCUMENT_DATA_TYPE, PDF, Setup, setup};

/// A job file for an instance owned by the set-up's person, with `extra` lines at the top.
fn write_job(s: &Setup, name: &str, extra: &str) {
    std::fs::write(
        s.dir.path().join(name),
        format!(
            "title = \"Arbeidsavtale\"\nreference = \"a3-1\"\ndocuments = [\"avtale.pdf\"]\n{extra}\n\
             [altinn3]\napp = \"{APP}\"\nparty = {}\nform = \"form.xml\"\n\
             form_data_type = \"model\"\ndocument_data_type = \"{DOCUMENT_DATA_TYPE}\"\n",
            s.party
        ),
    )
    .unwrap();
}

/// `--json job create --provider altinn3 --file FILE`.
fn create(s: &Setup, file: &str) -> Output {
    s.run_neutral(&["--json", "job", "create"], &["--file", file])
        .clean()
}

fn status(s: &Setup, job: &str) -> Value {
    s.run_neutral(&["--json", "job", "status"], &["--job", job])
        .ok()
        .clean()
        .json()
}

#[test]
fn create_status_poll_and_download_through_the_service() {
    let s = setup();
    write_job(&s, "job.toml", "");
    let created = create(&s, "job.toml").ok().json();
    let job = created["job_id"].as_str().unwrap().to_owned();
    assert!(job.starts_with(&format!("{APP}/{}/", s.party)), "{created}");
    // The instance holds the form and the document, and waits at the signing task.
    let shown = s
        .run(&["--json", "altinn3", "instances", "show", &job])
        .ok()
        .clean()
        .json();
    assert_eq!(shown["process"]["task_type"], "signing", "{shown}");
    let data = shown["data"].as_array().unwrap();
    let types = support::strs_of(&shown["data"], "data_type");
    assert_eq!(types.len(), 2, "{shown}");
    assert!(types.contains(&"model") && types.contains(&DOCUMENT_DATA_TYPE));

    let waiting = status(&s, &job);
    assert_eq!(waiting["job_id"], job.as_str());
    assert_eq!(waiting["status"], "IN_PROGRESS");
    assert!(waiting.get("signature_record_urls").is_none(), "{waiting}");
    // Without --follow, poll prints the job's current status once.
    let polled = s.run_neutral(&["poll"], &["--job", &job]).ok().clean();
    let lines = polled.lines();
    assert_eq!(lines.len(), 1, "{polled:?}");
    assert_eq!(lines[0]["status"], "IN_PROGRESS");

    s.run(&["altinn3", "sign", &job]).ok().clean();
    s.run(&["altinn3", "complete", &job]).ok().clean();
    let done = status(&s, &job);
    assert_eq!(done["status"], "COMPLETED_SUCCESSFULLY", "{done}");
    assert_eq!(done["signers"][0]["status"], "SIGNED", "{done}");
    let records = done["signature_record_urls"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{done}");
    let human = s
        .run_neutral(&["job", "status"], &["--job", &job])
        .ok()
        .clean();
    assert!(human.stdout.contains("signature record URL"), "{human:?}");

    // The record names the signed document by its data element.
    let downloaded = s
        .run_neutral(
            &["--json", "download"],
            &[records[0].as_str().unwrap(), "--out", "record.json"],
        )
        .ok()
        .clean()
        .json();
    let bytes = std::fs::read(s.dir.path().join("record.json")).unwrap();
    assert_eq!(downloaded["bytes"], bytes.len());
    let record: Value = serde_json::from_slice(&bytes).unwrap();
    let document_id = data
        .iter()
        .find(|d| d["data_type"] == DOCUMENT_DATA_TYPE)
        .map(|d| d["id"].clone())
        .unwrap();
    let signed: Vec<&Value> = record["dataElementSignatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["dataElementId"])
        .collect();
    assert!(signed.contains(&&document_id), "{record} {document_id}");

    // Following an ended job: one line, its record saved, then done.
    let polled = s
        .run_neutral(
            &["poll"],
            &["--job", &job, "--follow", "--download", "signed"],
        )
        .ok()
        .clean();
    let lines = polled.lines();
    assert_eq!(lines.len(), 1, "{polled:?}");
    assert_eq!(lines[0]["status"], "COMPLETED_SUCCESSFULLY");
    let saved = lines[0]["downloaded"].as_array().unwrap();
    assert_eq!(saved.len(), 1, "{polled:?}");
    let saved = s.dir.path().join(saved[0].as_str().unwrap());
    assert!(saved.ends_with(format!("{}-signature-1.json", job.replace('/', "_"))));
    assert_eq!(std::fs::read(saved).unwrap(), bytes);
    assert_eq!(
        std::fs::read(s.dir.path().join("avtale.pdf")).unwrap(),
        PDF,
        "the document is only read"
    );
}

#[test]
fn what_altinn_3_cannot_do_is_refused() {
    let s = setup();
    // Signers cannot be addressed in Altinn 3: refused before anything is sent.
    write_job(
        &s,
        "signers.toml",
        &format!("signers = [\"{}\"]", support::altinn3::PIN),
    );
    let signers = create(&s, "signers.toml");
    signers.assert_error(1, "names no signers");
    // A description is a setting the service does not carry: its capabilities refuse it.
    write_job(&s, "described.toml", "description = \"Les nøye\"");
    let described = create(&s, "described.toml");
    described.assert_error(1, "a description");
    // A Posten job file (no [altinn3]) for Altinn 3, and an Altinn 3 one for Posten.
    std::fs::write(
        s.dir.path().join("posten.toml"),
        "title = \"T\"\nsigners = [\"24068110048\"]\ndocuments = [\"avtale.pdf\"]\n",
    )
    .unwrap();
    let posten = create(&s, "posten.toml");
    posten.assert_error(2, "[altinn3]");
    write_job(&s, "job.toml", "");
    let wrong = s.run(&["job", "create", "--file", "job.toml"]).clean();
    wrong.assert_error(2, "--provider altinn3");
    // No status queue: poll needs the jobs, and a direct job's token status is Posten's.
    let no_jobs = s.run_neutral(&["poll"], &[]).clean();
    no_jobs.assert_error(2, "--job");
    let by_token = s
        .run_neutral(
            &["job", "status"],
            &[
                "--status-url",
                "http://127.0.0.1:1/status",
                "--token-env",
                "SIGNERING_ALTINN3_TOKEN",
            ],
        )
        .clean();
    by_token.assert_error(1, "status query token is not supported");
    // An unknown job: the service's 404, exit 3.
    let missing = format!("{APP}/{}/00000000-0000-4000-8000-000000000000", s.party);
    let unknown = s
        .run_neutral(&["job", "status"], &["--job", &missing])
        .clean();
    unknown.assert_error(3, "Altinn: ");
}
