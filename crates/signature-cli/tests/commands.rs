//! The `signering` binary as a user runs it, against the in-process Posten emulator: job create
//! (flags, TOML file, batch with resume and Ctrl-C), job status, poll --follow with --download
//! and --confirm, download, confirm, cancel, delete, archive get. `--json` output is parsed back.
//! Altinn messages, configuration and bad input are in commands_config.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;
use support::commands::*;

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
    early.assert_error(3, "24 hours");
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
    let created = posten.create_portal_job("Leie", "contract.pdf");
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

#[test]
fn direct_job_from_flags_then_status_by_token() {
    let posten = Posten::start();
    let create = [
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
    ];
    let out = posten.run(create).ok().clean();
    assert!(out.stdout.starts_with("Created direct job "), "{out:?}");
    assert!(
        out.stdout
            .contains("signer 1 240681*****: redirect URL http"),
        "{out:?}"
    );
    let created = posten.run(["--json"].into_iter().chain(create)).ok().json();
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
    wrong.assert_error(3, "status query token was not accepted");
}

#[test]
fn cancel_a_portal_job_and_cancelling_again_is_a_service_error() {
    let posten = Posten::start();
    let created = posten.create_portal_job("Avbrytes", "terms.txt");
    let cancel = str_of(&created, "cancellation_url").to_owned();
    let out = posten.run(["cancel", &cancel]).ok();
    assert_eq!(out.stdout, "Cancelled the job.\n");
    let id = str_of(&created, "job_id");
    assert_ne!(posten.job(id).status, "IN_PROGRESS");
    let again = posten.run(["cancel", &cancel]);
    again.assert_error(3, "cannot be cancelled");
}

/// A fault on the emulator's portal job creates, the requests the batch tests interfere with.
fn portal_creates(fault: Fault) -> FaultRule {
    FaultRule::new(fault)
        .method("POST")
        .path_contains("/portal/signature-jobs")
}

/// `--json job create --batch jobs.jsonl`, `concurrency` jobs at a time.
fn batch_create_json(concurrency: &str) -> [&str; 7] {
    [
        "--json",
        "job",
        "create",
        "--batch",
        "jobs.jsonl",
        "--concurrency",
        concurrency,
    ]
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
    posten
        .emulator
        .control()
        .inject(portal_creates(Fault::Status { status: 503 }).times(2));
    let first = posten.run(batch_create_json("3")).clean();
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
    let references = posten.references_of_jobs(8);
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
    posten
        .emulator
        .control()
        .inject(portal_creates(Fault::Delay { millis: 250 }));
    let mut command = Command::new(env!("CARGO_BIN_EXE_signering"));
    command
        .args(batch_create_json("2"))
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
    first.assert_error(5, "interrupted");
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
    let references = posten.references_of_jobs(8);
    assert!(!references.contains_key(&None), "{references:?}");
    assert_eq!(references.len(), 8, "{references:?}");
}
