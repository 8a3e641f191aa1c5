//! `signering emulator`: the argument definitions (the doc comments are the `--help` text).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args};

/// Arguments of `signering emulator`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").args(["listen", "altinn_listen", "altinn3_listen"]).required(true).multiple(true)))]
// The Altinn 3 emulator's apps, persons and organisations need that emulator: one rule for
// all three (`--altinn3-system-user` states its own, which also needs `--write-tokens`).
#[command(group(ArgGroup::new("altinn3_seed").args(["altinn3_apps", "altinn3_persons", "altinn3_orgs"]).multiple(true).requires("altinn3_listen")))]
pub struct EmulatorArgs {
    /// Posten signering: address of the mutual-TLS API listener, e.g. `127.0.0.1:8443` (port
    /// 0: any free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Also serve the Altinn 2 emulator (the retired platform's REST API) on this address,
    /// e.g. `127.0.0.1:8081` (port 0: any free port; the URL is printed).
    #[arg(long, value_name = "ADDR")]
    pub altinn_listen: Option<SocketAddr>,

    /// The API key the Altinn 2 emulator requires.
    #[arg(
        long,
        value_name = "KEY",
        default_value = "signering-emulator",
        requires = "altinn_listen"
    )]
    pub altinn_api_key: String,

    /// Also serve the Altinn 3 emulator (token exchange, Maskinporten, apps, Storage,
    /// Dialogporten) on this address, e.g. `127.0.0.1:8082` (port 0: any free port).
    #[arg(long, value_name = "ADDR")]
    pub altinn3_listen: Option<SocketAddr>,

    /// An Altinn 3 app to serve (`ORG/APP`); repeatable (default `ttd/signing-demo`).
    #[arg(long = "altinn3-app", value_name = "ORG/APP")]
    pub altinn3_apps: Vec<String>,

    /// A person in the Altinn 3 emulator: `PIN` or `PIN:NAME`; repeatable. Their ID-porten
    /// tokens are written by `--write-tokens`.
    #[arg(long = "altinn3-person", value_name = "PIN[:NAME]")]
    pub altinn3_persons: Vec<String>,

    /// An organisation in the Altinn 3 emulator: `ORGNR` or `ORGNR:NAME`; repeatable. Its
    /// Maskinporten tokens are written by `--write-tokens`.
    #[arg(long = "altinn3-org", value_name = "ORGNR[:NAME]")]
    pub altinn3_orgs: Vec<String>,

    /// A system user of an organisation (`ORGNR` or `ORGNR:NAME`, registered if new) for the
    /// emulator's vendor system, with every right in the apps; repeatable. Needs
    /// `--write-tokens`, where the vendor client's key is written (`altinn3-client-key.pem`)
    /// for `signering altinn3 --client-id … --key … --kid … --system-user ORGNR`.
    #[arg(
        long = "altinn3-system-user",
        value_name = "ORGNR[:NAME]",
        requires_all = ["altinn3_listen", "write_tokens"]
    )]
    pub altinn3_system_users: Vec<String>,

    /// Write tokens for the Altinn emulators into DIR (`altinn2.token`,
    /// `altinn3-person-N.token`, `altinn3-org-N.token`) for `--token-file`, and the
    /// Altinn 3 vendor client's key for `--altinn3-system-user`.
    #[arg(long, value_name = "DIR")]
    pub write_tokens: Option<PathBuf>,

    /// Address of the plain-HTTP web listener (signing pages, `/control`). Default: 127.0.0.1
    /// with any free port.
    #[arg(long, value_name = "ADDR", requires = "listen")]
    pub web_listen: Option<SocketAddr>,

    /// Keep jobs and the CA in `DIR/posten.sqlite` (created when missing) instead of memory.
    #[arg(long, value_name = "DIR", requires = "listen")]
    pub state: Option<PathBuf>,

    /// Write the CA certificate (`ca.pem`) and a client key store (`ORGNR.p12`) into DIR.
    #[arg(long, value_name = "DIR", requires_all = ["password_env", "listen"])]
    pub write_demo_files: Option<PathBuf>,

    /// Organization number of the client certificate written by --write-demo-files.
    #[arg(long, value_name = "ORGNR", default_value = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER)]
    pub org: String,

    /// Protect the key store written by --write-demo-files with the password in this
    /// environment variable.
    #[arg(long, value_name = "VAR", requires = "write_demo_files")]
    pub password_env: Option<String>,
}
