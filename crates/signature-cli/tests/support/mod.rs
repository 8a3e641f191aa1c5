//! Running the `signering` binary as a user would, for the integration tests: in a folder,
//! without standard input, colours, or outside `SIGNERING_*` settings and proxy variables.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // shared by several test files

use std::path::Path;
use std::process::{Command, Stdio};

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

/// `signering ARGS` in `dir` with only the variables in `envs` (plus `NO_COLOR`).
pub fn signering(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signering"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1");
    for (name, _) in std::env::vars() {
        if name.starts_with("SIGNERING_") || name.to_ascii_lowercase().ends_with("_proxy") {
            command.env_remove(name);
        }
    }
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
