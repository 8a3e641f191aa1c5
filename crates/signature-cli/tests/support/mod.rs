//! Running the `signering` binary as a user would, for the integration tests: in a folder,
//! without standard input, colours, or outside `SIGNERING_*` settings and proxy variables.
//! `cli` and `commands` hold the fixtures of the cli*.rs and commands*.rs tests, `altinn3`
//! those of the Altinn 3 ones.

#![allow(dead_code, unused_imports)] // shared by several test files, each using a part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

pub mod altinn3;
pub mod cli;
pub mod commands;

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use signature_emulator::posten::RunningEmulator;

/// What a run printed and its exit code.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
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
    /// The output of a finished command; a process ended by a signal or printing other than
    /// UTF-8 fails the test.
    pub fn of(mut command: Command) -> Self {
        let output = command.output().expect("run signering");
        Self {
            code: output.status.code().expect("exit code, not a signal"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    }

    /// Standard output and standard error together.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    pub fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// Exit code 0.
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "{self:?}");
        self
    }

    /// Exit code `code` and standard error containing `message`.
    pub fn assert_error(&self, code: i32, message: &str) {
        assert_eq!(self.code, code, "{self:?}");
        assert!(self.stderr.contains(message), "{self:?}");
    }

    /// Exit code `code` and standard output containing each of `expected`.
    pub fn assert_prints(&self, code: i32, expected: &[&str]) {
        assert_eq!(self.code, code, "{self:?}");
        for text in expected {
            assert!(self.stdout.contains(text), "{text}: {self:?}");
        }
    }

    /// Nothing printed contains any of `secrets` (identity numbers, passwords).
    pub fn assert_without(&self, secrets: &[&str]) {
        let all = self.all();
        for secret in secrets {
            assert!(!all.contains(secret), "output contains {secret}: {self:?}");
        }
    }

    /// [`Output::assert_without`], passing the output on.
    pub fn without(self, secrets: &[&str]) -> Self {
        self.assert_without(secrets);
        self
    }
}

/// The string `key` of each element of the array `value`.
pub fn strs_of<'a>(value: &'a Value, key: &str) -> Vec<&'a str> {
    let array = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"));
    array.iter().map(|e| e[key].as_str().unwrap()).collect()
}

/// The binary with no standard input (as in CI), no colours, and none of the `SIGNERING_*`
/// settings or proxy variables of the environment the tests run in.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signering"));
    command.stdin(Stdio::null()).env("NO_COLOR", "1");
    for (name, _) in std::env::vars() {
        if name.starts_with("SIGNERING_") || name.to_ascii_lowercase().ends_with("_proxy") {
            command.env_remove(name);
        }
    }
    command
}

/// `signering ARGS` in `dir` with only the variables in `envs` (plus `NO_COLOR`).
pub fn signering<I, S>(dir: &Path, args: I, envs: &[(&str, &str)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = command();
    command.args(args).current_dir(dir);
    command.envs(envs.iter().copied());
    Output::of(command)
}

/// One runtime hosts every in-process emulator of the test binary.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// `--json altinn3 instances create --app APP` for `owner` (`["--party", ID]` or
/// `["--org", NUMBER]`), with `--data` before each of `data`.
pub fn altinn3_create<'a>(app: &'a str, owner: [&'a str; 2], data: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--json", "altinn3", "instances", "create", "--app", app];
    args.extend(owner);
    for data in data {
        args.extend(["--data", *data]);
    }
    args
}

/// A runtime of one worker for a test that shuts its emulator down itself.
pub fn own_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// The emulator's demo key store (for `sender`, under `password`) and CA written to `dir`,
/// and a `signering.toml` there whose `[posten]` table points at them, reads the password
/// from `password_var`, and ends with the lines `extra`.
pub fn write_posten_folder(
    emulator: &RunningEmulator,
    dir: &Path,
    sender: &str,
    (password_var, password): (&str, &str),
    extra: &str,
) {
    let (ca, p12) = emulator.write_demo_files(dir, sender, password).unwrap();
    std::fs::write(
        dir.join("signering.toml"),
        format!(
            "[posten]\nenvironment = \"{}\"\nkeystore = \"{}\"\n\
             keystore_password_env = \"{password_var}\"\ntrust_roots = [\"{}\"]\n\
             sender = \"{sender}\"\n{extra}",
            emulator.base_url,
            p12.file_name().unwrap().to_string_lossy(),
            ca.file_name().unwrap().to_string_lossy(),
        ),
    )
    .unwrap();
}

/// A started process, killed and reaped however the test ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` with standard output piped and reads its lines until one contains
/// "Ctrl-C" (the emulator command's ready line) or 60 seconds pass: the process, the lines,
/// and whether the ready line came.
pub fn start_until_ready(mut command: Command) -> (Running, Vec<String>, bool) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.iter().any(|l: &String| l.contains("Ctrl-C")) {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => seen.push(line),
            Err(_) => return (running, seen, false),
        }
    }
    (running, seen, true)
}
