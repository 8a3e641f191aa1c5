//! `signering emulator`: the Posten signering emulator as a long-running process.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};

use signature_emulator::posten::PostenEmulator;

use crate::cli::EmulatorArgs;
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;
use crate::password;

/// The SQLite file inside `--state DIR`.
pub(crate) const STATE_FILE: &str = "posten.sqlite";

pub(crate) fn run(args: &EmulatorArgs) -> Result<Status, CliError> {
    // Read the password before anything is started, so a missing variable fails fast.
    let demo_password = match (&args.write_demo_files, &args.password_env) {
        (Some(_), Some(variable)) => Some(password::obtain(Some(variable), "the key store")?),
        (Some(_), None) => {
            return Err(CliError::Usage(
                "--write-demo-files needs --password-env VAR for the key store password".to_owned(),
            ));
        }
        _ => None,
    };
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let mut builder = PostenEmulator::builder().bind(args.listen);
        builder = builder
            .web_bind(
                args.web_listen
                    .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            )
            .client(args.org.as_str());
        let state_file = match &args.state {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| CliError::write(dir, e))?;
                let file = dir.join(STATE_FILE);
                builder = builder.database(&file);
                Some(file)
            }
            None => None,
        };
        let emulator = builder
            .start()
            .await
            .map_err(|e| CliError::Emulator(e.to_string()))?;

        let mut lines = vec![
            format!("Posten emulator API (mutual TLS): {}", emulator.base_url),
            format!(
                "Posten emulator web (signing pages, /control): {}",
                emulator.web_base_url
            ),
            match &state_file {
                Some(file) => format!("State: {} (kept across restarts)", file.display()),
                None => "State: in memory (lost on exit; use --state DIR to keep it)".to_owned(),
            },
        ];
        if let (Some(dir), Some(password)) = (&args.write_demo_files, &demo_password) {
            std::fs::create_dir_all(dir).map_err(|e| CliError::write(dir, e))?;
            let (ca, p12) = emulator
                .write_demo_files(dir, &args.org, password)
                .map_err(|e| CliError::Emulator(format!("cannot write the demo files: {e}")))?;
            lines.push(format!("CA certificate (PEM): {}", ca.display()));
            lines.push(format!(
                "Client key store for {} (PKCS#12, password from ${}): {}",
                args.org,
                args.password_env.as_deref().unwrap_or_default(),
                p12.display()
            ));
        }
        lines.push("Press Ctrl-C to stop.".to_owned());
        let text = mask_identity_numbers(&lines.join("\n"));
        let mut stdout = std::io::stdout();
        // The URLs are the point of this output; a closed stdout is no reason to stop serving.
        drop(writeln!(stdout, "{text}"));
        drop(stdout.flush());

        let stopped = tokio::signal::ctrl_c().await;
        emulator.shutdown().await;
        stopped.map_err(|e| CliError::Emulator(format!("cannot wait for Ctrl-C: {e}")))?;
        drop(writeln!(std::io::stdout(), "Emulator stopped."));
        Ok(Status::Success)
    })
}
