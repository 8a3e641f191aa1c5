//! `signering emulator`: the Posten signering, Altinn 2 and Altinn 3 emulators as a
//! long-running process.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use signature_emulator::altinn::AltinnEmulator;
use signature_emulator::altinn3::{Altinn3Emulator, ClientKey};
use signature_emulator::posten::{PostenEmulator, RunningEmulator};

use crate::cli_emulator::EmulatorArgs;
use crate::error::{CliError, Status};
use crate::mask::{mask_identity, mask_identity_numbers};
use crate::password;

/// The SQLite file inside `--state DIR`.
pub(crate) const STATE_FILE: &str = "posten.sqlite";
/// The Altinn 3 app served unless `--altinn3-app` is given.
const DEFAULT_APP: &str = "ttd/signing-demo";

/// The Maskinporten client of the emulator's vendor system (for `--altinn3-system-user`).
const VENDOR_CLIENT_ID: &str = "signering-emulator";
/// The key id of its key.
const VENDOR_KID: &str = "signering-emulator-key";
/// The vendor organisation (a synthetic number).
const VENDOR_ORG: &str = "999999999";
/// Every right a system user gets in the emulator's apps.
const SYSTEM_USER_RIGHTS: [&str; 5] = ["read", "write", "instantiate", "sign", "confirm"];

fn nine_digits(number: &str) -> bool {
    number.len() == 9 && number.bytes().all(|b| b.is_ascii_digit())
}

/// `ID` or `ID:NAME`.
fn id_and_name<'a>(text: &'a str, default: &'a str) -> (&'a str, &'a str) {
    match text.split_once(':') {
        Some((id, name)) if !name.trim().is_empty() => (id.trim(), name.trim()),
        _ => (text.trim(), default),
    }
}

fn write_token(dir: &Path, name: &str, token: &str) -> Result<std::path::PathBuf, CliError> {
    let path = dir.join(name);
    std::fs::write(&path, format!("{token}\n")).map_err(|e| CliError::write(&path, e))?;
    Ok(path)
}

pub(crate) fn run(args: &EmulatorArgs) -> Result<Status, CliError> {
    for person in &args.altinn3_persons {
        let (pin, _) = id_and_name(person, "");
        if !(pin.len() == 11 && pin.bytes().all(|b| b.is_ascii_digit())) {
            return Err(CliError::Usage(
                "--altinn3-person takes an identity number (11 digits), optionally :NAME"
                    .to_owned(),
            ));
        }
    }
    for (flag, orgs) in [
        ("--altinn3-org", &args.altinn3_orgs),
        ("--altinn3-system-user", &args.altinn3_system_users),
    ] {
        if orgs.iter().any(|org| !nine_digits(id_and_name(org, "").0)) {
            return Err(CliError::Usage(format!(
                "{flag} takes an organisation number (9 digits), optionally :NAME"
            )));
        }
    }
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
    if let Some(dir) = &args.write_tokens {
        std::fs::create_dir_all(dir).map_err(|e| CliError::write(dir, e))?;
    }
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let mut lines = Vec::new();
        let posten = match args.listen {
            Some(listen) => Some(
                posten(
                    args,
                    listen,
                    demo_password.as_deref().map(String::as_str),
                    &mut lines,
                )
                .await?,
            ),
            None => None,
        };
        let _altinn = match args.altinn_listen {
            Some(address) => Some(altinn2(args, address, &mut lines).await?),
            None => None,
        };
        let _altinn3 = match args.altinn3_listen {
            Some(address) => Some(altinn3(args, address, &mut lines).await?),
            None => None,
        };
        lines.push("Press Ctrl-C to stop.".to_owned());
        let text = mask_identity_numbers(&lines.join("\n"));
        let mut stdout = std::io::stdout();
        // The URLs are the point of this output; a closed stdout is no reason to stop serving.
        drop(writeln!(stdout, "{text}"));
        drop(stdout.flush());

        let stopped = tokio::signal::ctrl_c().await;
        if let Some(emulator) = posten {
            emulator.shutdown().await;
        }
        stopped.map_err(|e| CliError::Emulator(format!("cannot wait for Ctrl-C: {e}")))?;
        drop(writeln!(std::io::stdout(), "Emulator stopped."));
        Ok(Status::Success)
    })
}

async fn posten(
    args: &EmulatorArgs,
    listen: SocketAddr,
    demo_password: Option<&str>,
    lines: &mut Vec<String>,
) -> Result<RunningEmulator, CliError> {
    let mut builder = PostenEmulator::builder().bind(listen);
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
    lines.push(format!(
        "Posten emulator API (mutual TLS): {}",
        emulator.base_url
    ));
    lines.push(format!(
        "Posten emulator web (signing pages, /control): {}",
        emulator.web_base_url
    ));
    lines.push(match &state_file {
        Some(file) => format!("State: {} (kept across restarts)", file.display()),
        None => "State: in memory (lost on exit; use --state DIR to keep it)".to_owned(),
    });
    if let (Some(dir), Some(password)) = (&args.write_demo_files, demo_password) {
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
    Ok(emulator)
}

async fn altinn2(
    args: &EmulatorArgs,
    address: SocketAddr,
    lines: &mut Vec<String>,
) -> Result<AltinnEmulator, CliError> {
    let emulator = AltinnEmulator::builder()
        .bind(address)
        .api_key(args.altinn_api_key.as_str())
        .start()
        .await
        .map_err(|e| CliError::Emulator(format!("the Altinn 2 emulator: {e}")))?;
    lines.push(format!(
        "Altinn 2 emulator (retired platform; API key {:?}): {}",
        args.altinn_api_key,
        emulator.base_url()
    ));
    if let Some(dir) = &args.write_tokens {
        let path = write_token(dir, "altinn2.token", &emulator.issue_token(4))?;
        lines.push(format!("  bearer token (level 4): {}", path.display()));
    }
    Ok(emulator)
}

async fn altinn3(
    args: &EmulatorArgs,
    address: SocketAddr,
    lines: &mut Vec<String>,
) -> Result<Altinn3Emulator, CliError> {
    let mut builder = Altinn3Emulator::builder().bind(address);
    let apps: Vec<&str> = if args.altinn3_apps.is_empty() {
        vec![DEFAULT_APP]
    } else {
        args.altinn3_apps.iter().map(String::as_str).collect()
    };
    for app in &apps {
        builder = builder.app(*app);
    }
    let emulator = builder
        .start()
        .await
        .map_err(|e| CliError::Emulator(format!("the Altinn 3 emulator: {e}")))?;
    lines.push(format!(
        "Altinn 3 emulator (apps, platform, Storage, Dialogporten): {}  apps: {}",
        emulator.base_url(),
        apps.join(", ")
    ));
    for (n, person) in args.altinn3_persons.iter().enumerate() {
        let (pin, name) = id_and_name(person, "Test Person");
        let party = emulator.add_person(pin, name);
        let mut line = format!("  person {} ({name}): party {party}", mask_identity(pin));
        if let Some(dir) = &args.write_tokens {
            let token = emulator.issue_idporten_token(pin);
            let path = write_token(dir, &format!("altinn3-person-{}.token", n + 1), &token)?;
            line.push_str(&format!(", ID-porten token {}", path.display()));
        }
        lines.push(line);
    }
    for (n, org) in args.altinn3_orgs.iter().enumerate() {
        let (number, name) = id_and_name(org, "Test Organisation");
        let party = emulator.add_organisation(number, name);
        let mut line = format!("  organisation {number} ({name}): party {party}");
        if let Some(dir) = &args.write_tokens {
            let token = emulator.issue_maskinporten_token(number);
            let path = write_token(dir, &format!("altinn3-org-{}.token", n + 1), &token)?;
            line.push_str(&format!(", Maskinporten token {}", path.display()));
        }
        lines.push(line);
    }
    if let (false, Some(dir)) = (args.altinn3_system_users.is_empty(), &args.write_tokens) {
        system_users(&emulator, args, &apps, dir, lines)?;
    }
    Ok(emulator)
}

/// The vendor system's Maskinporten client (its key written to `dir`) and a system user
/// with every right in `apps` for each `--altinn3-system-user`.
fn system_users(
    emulator: &Altinn3Emulator,
    args: &EmulatorArgs,
    apps: &[&str],
    dir: &Path,
    lines: &mut Vec<String>,
) -> Result<(), CliError> {
    let (key, pem) = ClientKey::generate(VENDOR_KID)
        .map_err(|e| CliError::Emulator(format!("the vendor client's key: {e}")))?;
    let key_file = write_token(dir, "altinn3-client-key.pem", pem.trim_end())?;
    emulator.add_organisation(VENDOR_ORG, "Emulator Vendor AS");
    if !emulator.add_maskinporten_client(VENDOR_CLIENT_ID, VENDOR_ORG, key) {
        return Err(CliError::Emulator(
            "the vendor's Maskinporten client could not be registered".to_owned(),
        ));
    }
    lines.push(format!(
        "  Maskinporten {} client {VENDOR_CLIENT_ID} (kid {VENDOR_KID}), key {}",
        emulator.maskinporten_issuer(),
        key_file.display()
    ));
    for org in &args.altinn3_system_users {
        let (number, name) = id_and_name(org, "Test Organisation");
        if !args
            .altinn3_orgs
            .iter()
            .any(|o| id_and_name(o, "").0 == number)
        {
            emulator.add_organisation(number, name);
        }
        let id = emulator
            .add_system_user(number, VENDOR_CLIENT_ID)
            .ok_or_else(|| CliError::Emulator(format!("no system user for {number}")))?;
        for app in apps {
            emulator.grant_system_user(&id, app, &SYSTEM_USER_RIGHTS);
        }
        lines.push(format!(
            "  system user {id} of {number}: --client-id {VENDOR_CLIENT_ID} --key {} --kid \
             {VENDOR_KID} --maskinporten {} --system-user {number}",
            key_file.display(),
            emulator.maskinporten_issuer()
        ));
    }
    Ok(())
}
