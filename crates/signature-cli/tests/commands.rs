//! The `signering` binary as a user runs it, against the in-process Posten and Altinn
//! emulators: job create (flags, TOML file, batch with resume), job status, poll --follow
//! with --download and --confirm, download, confirm, cancel, delete, archive get, the Altinn
//! message commands, configuration precedence, and bad input. `--json` output is parsed back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use signature_emulator::altinn::{AltinnEmulator, FormTaskSeed};
use signature_emulator::posten::{Fault, FaultRule, PostenEmulator, RunningEmulator};

const SENDER: &str = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER;
const PIN_A: &str = "24068110048";
const PIN_B: &str = "01017010170";
const PASSWORD_VAR: &str = "SIGNERING_TEST_P12_PASSWORD";
const PASSWORD: &str = "kommando-test passord";
const EXIT_URL: &str = "https://sender.example/exit";
const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// One runtime hosts every emulator of the test binary.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Output {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    fn ok(self) -> Self {
        assert_eq!(self.code, 0, "{self:?}");
        self
    }

    /// Nothing printed has a full identity number or the key store password.
    fn clean(self) -> Self {
        let all = format!("{}{}", self.stdout, self.stderr);
        for secret in [PIN_A, PIN_B, PASSWORD] {
            assert!(!all.contains(secret), "output contains {secret}: {self:?}");
        }
        self
    }
}

/// Runs `signering` in `dir` with a clean environment (no `SIGNERING_*` from outside),
/// no standard input, and the extra variables given.
fn run_in<I, S>(dir: &Path, args: I, envs: &[(&str, &str)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_signering"));
    command.args(args).current_dir(dir).stdin(Stdio::null());
    for (name, _) in std::env::vars() {
        if name.starts_with("SIGNERING_") {
            command.env_remove(name);
        }
    }
    command.env("NO_COLOR", "1");
    for (name, value) in envs {
        command.env(name, value);
    }
    let output = command.output().expect("run signering");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A Posten emulator with a client key store and CA in a temporary folder, and a
/// `signering.toml` there that points at it.
struct Posten {
    emulator: RunningEmulator,
    dir: tempfile::TempDir,
}

impl Posten {
    fn start() -> Self {
        let emulator = runtime()
            .block_on(
                PostenEmulator::builder()
                    .client(SENDER)
                    .poll_interval(Duration::from_millis(50))
                    .start(),
            )
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (ca, p12) = emulator
            .write_demo_files(dir.path(), SENDER, PASSWORD)
            .unwrap();
        std::fs::write(
            dir.path().join("signering.toml"),
            format!(
                "# written by the test\n[posten]\nenvironment = \"{}\"\nkeystore = \"{}\"\n\
                 keystore_password_env = \"{PASSWORD_VAR}\"\ntrust_roots = [\"{}\"]\n\
                 sender = \"{SENDER}\"\n",
                emulator.base_url,
                p12.file_name().unwrap().to_string_lossy(),
                ca.file_name().unwrap().to_string_lossy(),
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("contract.pdf"), PDF).unwrap();
        std::fs::write(dir.path().join("terms.txt"), b"Terms: none.\n").unwrap();
        Self { emulator, dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_in(self.path(), args, &[(PASSWORD_VAR, PASSWORD)])
    }

    fn job(&self, id: &str) -> signature_emulator::posten::JobSnapshot {
        runtime()
            .block_on(self.emulator.control().job(id.parse().unwrap()))
            .unwrap()
    }

    fn sign(&self, id: &str, signer: i64) {
        runtime()
            .block_on(self.emulator.control().sign(id.parse().unwrap(), signer))
            .unwrap();
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key} in {value}"))
}

#[test]
fn portal_job_from_a_toml_file_then_poll_download_confirm_download_archive_delete() {
    let posten = Posten::start();
    std::fs::write(
        posten.path().join("job.toml"),
        format!(
            "title = \"Aksjonæravtale\"\nreference = \"toml-1\"\n\
             signers = [\"{PIN_A}\", \"{PIN_B}\"]\ndocuments = [\"contract.pdf\", \"terms.txt\"]\n\
             notify = \"email-and-sms\"\n"
        ),
    )
    .unwrap();
    let created = posten
        .run(["--json", "job", "create", "--file", "job.toml"])
        .ok()
        .clean()
        .json();
    let id = str_of(&created, "job_id").to_owned();
    assert_eq!(created["flow"], "portal");
    assert!(str_of(&created, "cancellation_url").contains("/cancel"));
    let snapshot = posten.job(&id);
    assert_eq!(snapshot.reference.as_deref(), Some("toml-1"));
    assert_eq!(snapshot.signers.len(), 2);

    posten.sign(&id, 1);
    posten.sign(&id, 2);
    let changes = posten.job(&id).status_changes;
    assert!(changes >= 1);
    let out = posten
        .run([
            "poll",
            "--follow",
            "--download",
            "signed",
            "--confirm",
            "--max-changes",
            &changes.to_string(),
        ])
        .ok()
        .clean();
    let lines = out.lines();
    assert_eq!(lines.len() as i64, changes, "{out:?}");
    let last = lines.last().unwrap();
    assert_eq!(str_of(last, "job_id"), id);
    assert_eq!(last["status"], "COMPLETED_SUCCESSFULLY");
    assert_eq!(last["signers"][0]["signer"], "240681*****");
    let downloaded: Vec<&str> = last["downloaded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(downloaded.len(), 3, "{last}");
    let pades = posten.path().join(format!("signed/{id}.pades.pdf"));
    assert!(std::fs::read(&pades).unwrap().starts_with(b"%PDF"));
    let xades = std::fs::read_to_string(
        posten
            .path()
            .join(format!("signed/{id}-signer-2.xades.xml")),
    )
    .unwrap();
    assert!(xades.contains("Signature"), "{xades}");
    let snapshot = posten.job(&id);
    assert_eq!(snapshot.confirmed_changes, snapshot.status_changes);

    // download by URL, human output.
    let url = str_of(last, "pades_url");
    let out = posten.run(["download", url, "--out", "again.pdf"]).ok();
    assert!(out.stdout.starts_with("Wrote again.pdf ("), "{out:?}");
    assert_eq!(
        std::fs::read(posten.path().join("again.pdf")).unwrap(),
        std::fs::read(&pades).unwrap()
    );
    assert!(!posten.path().join("again.pdf.part").exists());

    // archive get by the archive id.
    let archive_id = snapshot.archive_id.clone().expect("archived");
    let got = posten
        .run([
            "--json",
            "archive",
            "get",
            &archive_id,
            "--out",
            "archived.pdf",
        ])
        .ok()
        .json();
    assert!(got["bytes"].as_u64().unwrap() > 0);
    assert!(
        std::fs::read(posten.path().join("archived.pdf"))
            .unwrap()
            .starts_with(b"%PDF")
    );
    let missing = posten.run(["archive", "get", "no-such-id", "--out", "x.pdf"]);
    assert_eq!(missing.code, 3, "{missing:?}");
    assert!(!posten.path().join("x.pdf").exists() && !posten.path().join("x.pdf.part").exists());

    // delete the documents: refused for 24 hours after completion, as the service does
    // (signers may still download), allowed after that.
    let delete = str_of(last, "delete_documents_url");
    let early = posten.run(["delete", delete]);
    assert_eq!(early.code, 3, "{early:?}");
    assert!(early.stderr.contains("24 hours"), "{early:?}");
    runtime()
        .block_on(
            posten
                .emulator
                .control()
                .advance_clock(Duration::from_secs(24 * 3600)),
        )
        .unwrap();
    let out = posten.run(["--json", "delete", delete]).ok().json();
    assert_eq!(out["ok"], true);
    assert!(posten.job(&id).documents_deleted);
}

#[test]
fn poll_without_confirm_then_confirm_by_url() {
    let posten = Posten::start();
    let created = posten
        .run([
            "--json",
            "job",
            "create",
            "--title",
            "Leie",
            "--signer",
            PIN_A,
            "--document",
            "contract.pdf",
        ])
        .ok()
        .json();
    let id = str_of(&created, "job_id").to_owned();
    posten.sign(&id, 1);
    // Without --follow, poll drains the queue and stops; nothing is confirmed.
    let out = posten.run(["poll"]).ok().clean();
    let lines = out.lines();
    assert!(!lines.is_empty(), "{out:?}");
    let last = lines.last().unwrap();
    assert_eq!(last["status"], "COMPLETED_SUCCESSFULLY");
    assert_eq!(posten.job(&id).confirmed_changes, 0);
    let confirm = str_of(last, "confirmation_url");
    let out = posten.run(["confirm", confirm]).ok();
    assert_eq!(out.stdout, "Confirmed the status change.\n");
    assert!(posten.job(&id).confirmed_changes >= 1);
}

/// Walks the emulator's signing page like a browser; returns the status query token.
fn sign_on_page(posten: &Posten, redirect: &str) -> String {
    runtime().block_on(async {
        let web = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let html = web
            .get(redirect)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let action = html
            .split("action=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .find(|a| a.ends_with("/sign"))
            .unwrap()
            .to_owned();
        let url = url::Url::parse(&posten.emulator.web_base_url)
            .unwrap()
            .join(&action)
            .unwrap();
        let answer = web.post(url).send().await.unwrap();
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(EXIT_URL), "{location}");
        url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "status_query_token")
            .unwrap()
            .1
            .into_owned()
    })
}

#[test]
fn direct_job_from_flags_then_status_by_token() {
    let posten = Posten::start();
    let out = posten
        .run([
            "job",
            "create",
            "--flow",
            "direct",
            "--exit-url",
            EXIT_URL,
            "--title",
            "Direkte",
            "--signer",
            PIN_A,
            "--document",
            "contract.pdf",
        ])
        .ok()
        .clean();
    assert!(out.stdout.starts_with("Created direct job "), "{out:?}");
    assert!(
        out.stdout
            .contains("signer 1 240681*****: redirect URL http"),
        "{out:?}"
    );
    let created = posten
        .run([
            "--json",
            "job",
            "create",
            "--flow",
            "direct",
            "--exit-url",
            EXIT_URL,
            "--title",
            "Direkte",
            "--signer",
            PIN_A,
            "--document",
            "contract.pdf",
        ])
        .ok()
        .json();
    let redirect = str_of(&created["signers"][0], "redirect_url").to_owned();
    let status_url = str_of(&created, "status_url").to_owned();
    let token = sign_on_page(&posten, &redirect);

    let status = run_in(
        posten.path(),
        [
            "--json",
            "job",
            "status",
            "--status-url",
            &status_url,
            "--token-env",
            "TOKEN",
        ],
        &[(PASSWORD_VAR, PASSWORD), ("TOKEN", &token)],
    )
    .ok()
    .clean();
    assert!(!status.stdout.contains(&token));
    let status = status.json();
    assert_eq!(status["status"], "COMPLETED_SUCCESSFULLY");
    assert_eq!(status["signers"][0]["status"], "SIGNED");

    std::fs::write(posten.path().join("token"), "not-the-token\n").unwrap();
    let wrong = posten.run([
        "job",
        "status",
        "--status-url",
        &status_url,
        "--token-file",
        "token",
    ]);
    assert_eq!(wrong.code, 3, "{wrong:?}");
    assert!(
        wrong.stderr.contains("status query token was not accepted"),
        "{wrong:?}"
    );
}

#[test]
fn cancel_a_portal_job_and_cancelling_again_is_a_service_error() {
    let posten = Posten::start();
    let created = posten
        .run([
            "--json",
            "job",
            "create",
            "--title",
            "Avbrytes",
            "--signer",
            PIN_A,
            "--document",
            "terms.txt",
        ])
        .ok()
        .json();
    let cancel = str_of(&created, "cancellation_url").to_owned();
    let out = posten.run(["cancel", &cancel]).ok();
    assert_eq!(out.stdout, "Cancelled the job.\n");
    let id = str_of(&created, "job_id");
    assert_ne!(posten.job(id).status, "IN_PROGRESS");
    let again = posten.run(["cancel", &cancel]);
    assert_eq!(again.code, 3, "{again:?}");
    assert!(again.stderr.contains("cannot be cancelled"), "{again:?}");
}

#[test]
fn batch_resumes_after_an_interruption_without_duplicates() {
    let posten = Posten::start();
    let mut lines = Vec::new();
    for n in 1..=6 {
        lines.push(format!(
            r#"{{"title":"Batch {n}","reference":"batch-{n}","signers":["{PIN_A}"],"documents":["contract.pdf"]}}"#
        ));
    }
    // One line without a reference (key: its line number) and one broken line.
    lines.push(format!(
        r#"{{"title":"Batch 7","signers":["{PIN_B}"],"documents":["terms.txt"]}}"#
    ));
    lines.push(r#"{"title": "no signers"#.to_owned());
    std::fs::write(posten.path().join("jobs.jsonl"), lines.join("\n") + "\n").unwrap();

    // The "interruption": the service fails two of the creates.
    posten.emulator.control().inject(
        FaultRule::new(Fault::Status { status: 503 })
            .method("POST")
            .path_contains("/portal/signature-jobs")
            .times(2),
    );
    let first = posten
        .run([
            "--json",
            "job",
            "create",
            "--batch",
            "jobs.jsonl",
            "--concurrency",
            "3",
        ])
        .clean();
    assert_eq!(first.code, 5, "{first:?}");
    assert!(
        !first.stderr.contains('\u{1b}') && !first.stderr.contains('\r'),
        "no progress bar or colours when stderr is not a terminal: {first:?}"
    );
    let summary = first.json();
    assert_eq!(summary["created"].as_array().unwrap().len(), 5, "{summary}");
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0);
    let failed = summary["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 3, "{summary}");
    assert!(
        failed
            .iter()
            .any(|f| f["line"] == 8 && str_of(f, "reason").starts_with("not a job"))
    );
    assert_eq!(
        failed.iter().filter(|f| f["exit_code"] == 3).count(),
        2,
        "{summary}"
    );
    // A run killed in the middle of a journal write leaves a torn line.
    let journal = posten.path().join("jobs.jsonl.journal");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    // A `sending` line before each create; a `created_at` line for each created job.
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("\"created_at\""))
            .count(),
        5
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("\"sending_at\""))
            .count(),
        7
    );
    text.push_str("{\"key\":\"batch-");
    std::fs::write(&journal, text).unwrap();

    let second = posten
        .run(["job", "create", "--batch", "jobs.jsonl"])
        .clean();
    assert_eq!(second.code, 5, "only the broken line fails: {second:?}");
    assert!(second.stdout.contains("2 created, 5 skipped"), "{second:?}");
    assert!(
        second.stderr.contains("is not a journal entry"),
        "{second:?}"
    );
    assert!(second.stdout.contains("failed   line    8"), "{second:?}");

    // Fix the broken line; the third run creates only it.
    let mut fixed = lines.clone();
    fixed[7] = format!(
        r#"{{"title":"Batch 8","reference":"batch-8","signers":["{PIN_A}"],"documents":["terms.txt"]}}"#
    );
    std::fs::write(posten.path().join("jobs.jsonl"), fixed.join("\n") + "\n").unwrap();
    let third = posten
        .run(["--json", "job", "create", "--batch", "jobs.jsonl"])
        .ok()
        .json();
    assert_eq!(third["created"].as_array().unwrap().len(), 1);
    assert_eq!(third["skipped"].as_array().unwrap().len(), 7);

    // The emulator holds each job exactly once: ids 1..=8, nothing after.
    let mut references = BTreeMap::new();
    for id in 1..=8 {
        let job = posten.job(&id.to_string());
        *references
            .entry(job.reference.unwrap_or_else(|| "line-7".to_owned()))
            .or_insert(0) += 1;
    }
    assert!(
        runtime()
            .block_on(posten.emulator.control().job(9))
            .is_err()
    );
    assert_eq!(references.len(), 8, "{references:?}");
    assert!(references.values().all(|&n| n == 1));
    let journal_keys: Vec<String> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("created_at").is_some())
        .map(|v| v["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(journal_keys.len(), 8, "{journal_keys:?}");
}

#[test]
fn altinn_messages_submit_list_show_signing_text_and_sign() {
    let emulator = runtime()
        .block_on(AltinnEmulator::builder().api_key("cli-test-key").start())
        .unwrap();
    let token = emulator.issue_token(4);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api-key"), "cli-test-key\n").unwrap();
    std::fs::write(
        dir.path().join("form.xml"),
        "<Skjema><Navn>Test AS</Navn></Skjema>",
    )
    .unwrap();
    let envs = [
        ("SIGNERING_ALTINN_URL", emulator.base_url()),
        ("SIGNERING_ALTINN_API_KEY_FILE", "api-key"),
        ("SIGNERING_ALTINN_TOKEN", token.as_str()),
    ];
    let run = |args: &[&str]| run_in(dir.path(), args, &envs);

    let submitted = run(&[
        "--json",
        "altinn",
        "messages",
        "submit",
        "--service-code",
        "4711",
        "--service-edition",
        "1",
        "--main-form",
        "5703:34554:form.xml",
    ])
    .ok()
    .json();
    let id = str_of(&submitted, "id").to_owned();

    let list = run(&[
        "--json",
        "altinn",
        "messages",
        "list",
        "--filter",
        "Status eq 'Signering'",
    ])
    .ok()
    .json();
    let found = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .expect("the submitted message is listed");
    assert_eq!(found["status"], "Signing");
    assert_eq!(found["service_code"], "4711");
    let human = run(&["altinn", "messages", "list"]).ok();
    assert!(human.stdout.contains(&id), "{human:?}");

    let shown = run(&["--json", "altinn", "messages", "show", &id])
        .ok()
        .json();
    assert_eq!(shown["forms"][0]["data_format_id"], "5703");
    let text = run(&["altinn", "messages", "signing-text", &id]).ok();
    assert!(!text.stdout.trim().is_empty(), "{text:?}");
    assert!(!text.stdout.contains(&token) && !text.stderr.contains(&token));

    let signed = run(&["--json", "altinn", "messages", "sign", &id])
        .ok()
        .json();
    assert_eq!(signed["archived"], true, "{signed}");
    assert!(str_of(&signed, "archived_id").starts_with('b'));

    // Partial signature: the locked main form must be included.
    let partial = emulator.add_form_task(
        "my",
        FormTaskSeed::new("4711", 1)
            .main_form("5703", "34554", "<a/>")
            .form(false, "5704", "1", "<b/>", false, false),
    );
    let shown = run(&["--json", "altinn", "messages", "show", &partial])
        .ok()
        .json();
    let main = shown["forms"][0]["id"].as_i64().unwrap().to_string();
    let sub = shown["forms"][1]["id"].as_i64().unwrap().to_string();
    let refused = run(&["altinn", "messages", "sign", &partial, "--form", &sub]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("locks as signed"), "{refused:?}");
    let signed = run(&[
        "--json", "altinn", "messages", "sign", &partial, "--form", &main,
    ])
    .ok()
    .json();
    assert_eq!(signed["partial"], true);

    // A wrong API key is the service's refusal.
    std::fs::write(dir.path().join("api-key"), "wrong\n").unwrap();
    let refused = run(&["altinn", "messages", "list"]);
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stderr.starts_with("signering: error: Altinn: "),
        "{refused:?}"
    );
}

#[test]
fn configuration_precedence_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("signering.toml"),
        "[posten]\nsender = \"111111111\"\nrate_limit = 3\nkeystore = \"k.p12\"\n\
         keystore_password_env = \"MY_PASSWORD\"\n[altinn]\nenvironment = \"tt02\"\n",
    )
    .unwrap();
    let show = |envs: &[(&str, &str)], flags: &[&str]| {
        let mut args = vec!["--json", "config", "show"];
        args.extend_from_slice(flags);
        let out = run_in(dir.path(), &args, envs).ok();
        let json = out.json();
        let settings: BTreeMap<String, (Value, Value)> = json["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    str_of(s, "key").to_owned(),
                    (s["value"].clone(), s["source"].clone()),
                )
            })
            .collect();
        (out, settings)
    };
    let (_, file_only) = show(&[], &[]);
    assert_eq!(file_only["posten.sender"].0, "111111111");
    assert!(
        file_only["posten.sender"]
            .1
            .as_str()
            .unwrap()
            .starts_with("file ")
    );
    assert_eq!(file_only["posten.rate_limit"].0, "3");
    assert!(
        file_only["posten.keystore"]
            .0
            .as_str()
            .unwrap()
            .ends_with("k.p12")
    );
    assert_eq!(file_only["posten.environment"].0, Value::Null);

    let env = [
        ("SIGNERING_SENDER", "222222222"),
        ("SIGNERING_ENVIRONMENT", "test"),
        ("SIGNERING_KEYSTORE_PASSWORD", "top secret value"),
    ];
    let (out, with_env) = show(&env, &[]);
    assert_eq!(with_env["posten.sender"].0, "222222222");
    assert_eq!(with_env["posten.sender"].1, "env SIGNERING_SENDER");
    assert_eq!(with_env["posten.environment"].0, "test");
    assert_eq!(
        with_env["posten.rate_limit"].0, "3",
        "the file still fills the gaps"
    );
    assert_eq!(
        with_env["posten.keystore_password"].1,
        "env SIGNERING_KEYSTORE_PASSWORD"
    );
    assert!(!out.stdout.contains("top secret value"), "{out:?}");

    let (out, with_flags) = show(&env, &["--sender", "333333333", "--password-file", "pw"]);
    assert_eq!(with_flags["posten.sender"].0, "333333333");
    assert_eq!(with_flags["posten.sender"].1, "flag --sender");
    assert_eq!(
        with_flags["posten.keystore_password"].1,
        "flag --password-file"
    );
    assert!(!out.stdout.contains("top secret value"));

    // --config names another file; human output lists the sources.
    std::fs::write(
        dir.path().join("other.toml"),
        "[posten]\nsender = \"444444444\"\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        ["--config", "other.toml", "config", "show"],
        &[],
    )
    .ok();
    assert!(
        out.stdout.contains("444444444  [file other.toml]"),
        "{out:?}"
    );
}

#[test]
fn bad_input_gives_a_clear_message_and_a_non_zero_exit() {
    let posten = Posten::start();
    let create = |extra: &[&str]| {
        let mut args = vec!["job", "create", "--title", "T"];
        args.extend_from_slice(extra);
        posten.run(&args).clean()
    };
    // Missing document file.
    let out = create(&["--signer", PIN_A, "--document", "missing.pdf"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("cannot read missing.pdf"), "{out:?}");
    // Bad identity number (check digits wrong).
    let out = create(&["--signer", "24068110049", "--document", "contract.pdf"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("invalid signing job: signer 1"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("24068110049"));
    // Wrong key store password.
    let out = run_in(
        posten.path(),
        [
            "job",
            "create",
            "--title",
            "T",
            "--signer",
            PIN_A,
            "--document",
            "contract.pdf",
        ],
        &[(PASSWORD_VAR, "wrong password")],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("cannot use the signing key"), "{out:?}");
    // No password source and no terminal.
    let out = run_in(posten.path(), ["poll"], &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains(PASSWORD_VAR), "{out:?}");
    // Unknown configuration key, and a secret written into the file.
    std::fs::write(posten.path().join("typo.toml"), "[posten]\nsendr = \"1\"\n").unwrap();
    let out = posten.run(["--config", "typo.toml", "poll"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("unknown field `sendr`"), "{out:?}");
    std::fs::write(
        posten.path().join("secret.toml"),
        "[posten]\nkeystore_password = \"hunter2\"\n",
    )
    .unwrap();
    let out = posten.run(["--config", "secret.toml", "poll"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("secrets are never values"), "{out:?}");
    assert!(!out.stderr.contains("hunter2"));
    // A job file with an unknown field.
    std::fs::write(
        posten.path().join("bad.json"),
        r#"{"title":"T","signers":[],"documents":[],"colour":"red"}"#,
    )
    .unwrap();
    let out = posten.run(["job", "create", "--file", "bad.json"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("unknown field `colour`"), "{out:?}");
    // Nothing listening: exit 4.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let out = posten.run([
        "--json",
        "poll",
        "--environment",
        &format!("https://127.0.0.1:{port}/api"),
    ]);
    assert_eq!(out.code, 4, "{out:?}");
    assert!(
        out.stderr.contains("could not reach Posten signering"),
        "{out:?}"
    );
    // A bad SIGNERING_LOG filter.
    let out = run_in(
        posten.path(),
        ["config", "show"],
        &[("SIGNERING_LOG", "a=b=c")],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("SIGNERING_LOG"), "{out:?}");
}

#[test]
fn logging_is_off_by_default_and_on_with_signering_log() {
    let posten = Posten::start();
    let args = ["poll"];
    let quiet = posten.run(args).ok();
    assert_eq!(quiet.stderr, "", "{quiet:?}");
    let logged = run_in(
        posten.path(),
        args,
        &[(PASSWORD_VAR, PASSWORD), ("SIGNERING_LOG", "trace")],
    )
    .ok()
    .clean();
    assert!(logged.stderr.contains("posten_adapter"), "{logged:?}");
    assert!(
        !logged.stderr.contains('\u{1b}'),
        "no colours when not a terminal"
    );
}

#[test]
fn completions_and_help() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run_in(dir.path(), ["completions", shell], &[]).ok();
        assert!(out.stdout.contains("signering"), "{shell}: {out:?}");
        assert!(out.stdout.contains("archive"), "{shell}");
    }
    let out = run_in(dir.path(), ["--help"], &[]).ok();
    for word in [
        "job",
        "poll",
        "download",
        "confirm",
        "cancel",
        "delete",
        "archive",
        "altinn",
        "completions",
        "Exit codes:",
        "  4  ",
    ] {
        assert!(out.stdout.contains(word), "--help lacks {word}: {out:?}");
    }
}

/// Ctrl-C in the middle of a batch: the jobs in flight finish and reach the journal, nothing
/// new starts, and the rerun creates exactly the rest.
#[cfg(unix)]
#[test]
fn batch_interrupted_by_ctrl_c_finishes_in_flight_jobs_and_resumes() {
    let posten = Posten::start();
    let lines: Vec<String> = (1..=8)
        .map(|n| {
            format!(
                r#"{{"title":"Avbrutt {n}","reference":"int-{n}","signers":["{PIN_A}"],"documents":["contract.pdf"]}}"#
            )
        })
        .collect();
    std::fs::write(posten.path().join("jobs.jsonl"), lines.join("\n")).unwrap();
    // Slow creates, so that the run is surely in the middle when it is interrupted.
    posten.emulator.control().inject(
        FaultRule::new(Fault::Delay { millis: 250 })
            .method("POST")
            .path_contains("/portal/signature-jobs"),
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_signering"));
    command
        .args([
            "--json",
            "job",
            "create",
            "--batch",
            "jobs.jsonl",
            "--concurrency",
            "2",
        ])
        .current_dir(posten.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env(PASSWORD_VAR, PASSWORD);
    let child = command.spawn().unwrap();
    let journal = posten.path().join("jobs.jsonl.journal");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 2 {
        assert!(std::time::Instant::now() < deadline, "no journal lines");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The shell's built-in `kill`, so no procps is needed.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let first = Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
    .clean();
    assert_eq!(first.code, 5, "{first:?}");
    assert!(first.stderr.contains("interrupted"), "{first:?}");
    let summary = first.json();
    assert_eq!(summary["interrupted"], true);
    let created = summary["created"].as_array().unwrap().len();
    let not_started = summary["not_started"].as_array().unwrap().len();
    assert_eq!(created + not_started, 8, "{summary}");
    assert!(not_started > 0 && created >= 2, "{summary}");
    assert_eq!(
        std::fs::read_to_string(&journal)
            .unwrap()
            .lines()
            .filter(|l| l.contains("\"created_at\""))
            .count(),
        created,
        "every created job is in the journal"
    );

    posten.emulator.control().clear_faults();
    let second = posten
        .run(["--json", "job", "create", "--batch", "jobs.jsonl"])
        .ok()
        .json();
    assert_eq!(second["created"].as_array().unwrap().len(), not_started);
    assert_eq!(second["skipped"].as_array().unwrap().len(), created);
    let mut references = BTreeMap::new();
    for id in 1..=8 {
        *references
            .entry(posten.job(&id.to_string()).reference.unwrap())
            .or_insert(0) += 1;
    }
    assert!(
        runtime()
            .block_on(posten.emulator.control().job(9))
            .is_err()
    );
    assert_eq!(references.len(), 8, "{references:?}");
}
