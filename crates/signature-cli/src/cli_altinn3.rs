//! `signering altinn3 …`: the argument definitions (the doc comments are the `--help` text).

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use crate::cli::EXIT_CODES_HELP;

/// How to reach Altinn 3 and log in; each overrides `signering.toml` (`[altinn3]`) and
/// `SIGNERING_ALTINN3_*`.
///
/// Log in with a token (`--token-file`: a person's ID-porten token, or an organisation's
/// Maskinporten token, exchanged for an Altinn token), or let signering ask Maskinporten
/// (`--client-id` with `--keystore` or a key on a PKCS#11 token (`--pkcs11-*`) for the
/// enterprise certificate, or `--key` and `--kid` for a key registered with the client), as the
/// organisation or, with `--system-user`, as a system user of a customer.
#[derive(Debug, Args, Default, Clone)]
#[command(
    next_help_heading = "Altinn 3 connection (override signering.toml and SIGNERING_ALTINN3_*)"
)]
pub struct Altinn3Flags {
    /// `production`, `tt02`, or the base URL of an emulator (`SIGNERING_ALTINN3_URL`,
    /// `altinn3.environment`).
    #[arg(long, value_name = "ENV")]
    pub altinn3_url: Option<String>,

    /// Read the token to exchange from this file (`SIGNERING_ALTINN3_TOKEN[_FILE]`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// What the token is: `id-porten` (a person; default), `maskinporten` (an organisation
    /// or a system user), or `altinn` (an Altinn token already exchanged)
    /// (`SIGNERING_ALTINN3_TOKEN_PROVIDER`).
    #[arg(long, value_enum, value_name = "KIND")]
    pub token_provider: Option<TokenKind>,

    /// Log in with Maskinporten as this client (`SIGNERING_MASKINPORTEN_CLIENT_ID`).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// The Maskinporten scopes, space-separated (default `altinn:instances.read
    /// altinn:instances.write`; add `digdir:dialogporten` for `awaiting`)
    /// (`SIGNERING_MASKINPORTEN_SCOPE`).
    #[arg(long, value_name = "SCOPES")]
    pub scope: Option<String>,

    /// Which Maskinporten: `test` (with tt02), `production`, or its issuer URL (an emulator)
    /// (`SIGNERING_MASKINPORTEN`). Default: the one paired with the Altinn environment.
    #[arg(long, value_name = "ENV")]
    pub maskinporten: Option<String>,

    /// PKCS#12 key store with the enterprise certificate, sent in the grant's `x5c`
    /// (`SIGNERING_ALTINN3_KEYSTORE`).
    #[arg(long, value_name = "FILE.p12", conflicts_with_all = ["key", "pkcs11_module"])]
    pub keystore: Option<PathBuf>,

    /// Read the key store password from this environment variable
    /// (`SIGNERING_ALTINN3_KEYSTORE_PASSWORD[_FILE]` hold it or its file).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,

    /// A PEM RSA key registered with the Maskinporten client, named by `--kid`
    /// (`SIGNERING_ALTINN3_KEY`).
    #[arg(
        long,
        value_name = "KEY.pem",
        requires = "kid",
        conflicts_with = "pkcs11_module"
    )]
    pub key: Option<PathBuf>,

    /// The registered key's id (`kid`) (`SIGNERING_ALTINN3_KID`).
    #[arg(long, value_name = "KID")]
    pub kid: Option<String>,

    /// Act as the system user of this customer organisation (9 digits)
    /// (`SIGNERING_ALTINN3_SYSTEM_USER`).
    #[arg(long, value_name = "ORGNR")]
    pub system_user: Option<String>,

    /// With `--pkcs11-module`: the token key's certificate chain (PEM), sent in the grant's
    /// `x5c`; without it, the certificates on the token with the key's label or id.
    #[arg(long, value_name = "CHAIN.pem", requires = "pkcs11_module")]
    pub cert: Option<PathBuf>,

    /// The enterprise certificate's key on a PKCS#11 token, instead of `--keystore`
    /// (`altinn3.pkcs11_*` in signering.toml).
    #[command(flatten)]
    pub pkcs11: crate::pkcs11_key::Pkcs11Flags,
}

/// What kind of token `--token-file` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenKind {
    /// A person's ID-porten access token.
    IdPorten,
    /// A Maskinporten token (an organisation or a system user).
    Maskinporten,
    /// An Altinn token, used as it is.
    Altinn,
}

/// `signering altinn3 ...`
#[derive(Debug, Subcommand)]
pub enum Altinn3Command {
    /// App instances: create one with its data, show one.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Instances(InstancesCommand),
    /// List the instances waiting for your signature, found through Dialogporten as the
    /// live platform shows them: each dialog mapped to its instance, the instance's process
    /// deciding (a signing task you may sign). Dialogs that cannot be read are listed as
    /// skipped.
    #[command(after_help = EXIT_CODES_HELP)]
    Awaiting(AwaitingArgs),
    /// Sign an instance at its signing task (`POST …/actions`), for yourself or with
    /// `--on-behalf-of` for an organisation (see `signing-state --organizations`).
    #[command(after_help = EXIT_CODES_HELP)]
    Sign(SignArgs),
    /// The signing state: the signees, whom they sign for, whether they were notified and
    /// when they signed.
    #[command(name = "signing-state", after_help = EXIT_CODES_HELP)]
    SigningState(SigningStateArgs),
    /// Download an instance's signed documents and signature records (or the data elements
    /// given) into a folder.
    #[command(after_help = EXIT_CODES_HELP)]
    Download(DownloadArgs),
    /// Move the process on to its end: a signing task once it is signed, a confirmation task
    /// by confirming.
    #[command(after_help = EXIT_CODES_HELP)]
    Complete(InstanceArgs),
}

/// `signering altinn3 instances ...`
#[derive(Debug, Subcommand)]
pub enum InstancesCommand {
    /// Create an instance of an app with its data; it is moved on from a first data task
    /// (never past a signing task) unless `--stay`.
    #[command(after_help = EXIT_CODES_HELP)]
    Create(CreateInstanceArgs),
    /// Show an instance: owner, process, the task and what you may do there, data elements.
    #[command(after_help = EXIT_CODES_HELP)]
    Show(InstanceArgs),
}

/// An instance and the connection.
#[derive(Debug, Args)]
pub struct InstanceArgs {
    /// The instance: `ORG/APP/PARTYID/GUID` (as `instances create` and `awaiting` print).
    #[arg(value_name = "INSTANCE")]
    pub instance: String,

    /// Connection settings.
    #[command(flatten)]
    pub altinn3: Altinn3Flags,
}

/// Arguments of `signering altinn3 instances create`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("owner").args(["party", "org", "person"]).required(true)))]
pub struct CreateInstanceArgs {
    /// The app: `ORG/APP`, e.g. `ttd/signing-demo`.
    #[arg(long, value_name = "ORG/APP")]
    pub app: String,

    /// The owner's party id.
    #[arg(long, value_name = "ID")]
    pub party: Option<u64>,

    /// The owner's organisation number.
    #[arg(long, value_name = "ORGNR")]
    pub org: Option<String>,

    /// The owner's identity number (11 digits).
    #[arg(long, value_name = "PIN")]
    pub person: Option<String>,

    /// A data element: `DATATYPE:FILE`, or `DATATYPE:FILE:CONTENT-TYPE` (else guessed from the
    /// extension); repeatable. A type users may write (the app refuses its own types, such as
    /// `ref-data-as-pdf`, with 403).
    #[arg(long = "data", value_name = "TYPE:FILE[:CT]")]
    pub data: Vec<String>,

    /// `dueBefore`, an RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub due_before: Option<String>,

    /// Leave the instance at its first task.
    #[arg(long)]
    pub stay: bool,

    /// Connection settings.
    #[command(flatten)]
    pub altinn3: Altinn3Flags,
}

/// Arguments of `signering altinn3 awaiting`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").args(["app", "party"]).required(true).multiple(true)))]
pub struct AwaitingArgs {
    /// Only this app (`ORG/APP`): its dialogs are searched by service resource.
    #[arg(long, value_name = "ORG/APP")]
    pub app: Vec<String>,

    /// Only this party (`urn:altinn:person:identifier-no:…`,
    /// `urn:altinn:organization:identifier-no:…`); repeatable.
    #[arg(long, value_name = "URN")]
    pub party: Vec<String>,

    /// Dialog status to search (repeatable; default `InProgress`, the status of a signing task).
    #[arg(long, value_name = "STATUS")]
    pub status: Vec<String>,

    /// Connection settings.
    #[command(flatten)]
    pub altinn3: Altinn3Flags,
}

/// Arguments of `signering altinn3 sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Sign on behalf of this organisation (its number; `onBehalfOf`).
    #[arg(long, value_name = "ORGNR")]
    pub on_behalf_of: Option<String>,

    /// Sign and move the process on in one step (`PUT …/process/next` with `sign`), for
    /// the last signee.
    #[arg(long)]
    pub and_move_on: bool,

    /// The instance and connection.
    #[command(flatten)]
    pub target: InstanceArgs,
}

/// Arguments of `signering altinn3 signing-state`.
#[derive(Debug, Args)]
pub struct SigningStateArgs {
    /// The signing task (`taskId`), also after the process left it. Default: the current task.
    #[arg(long, value_name = "TASK")]
    pub task: Option<String>,

    /// Also list the organisations you may sign for in this task.
    #[arg(long)]
    pub organizations: bool,

    /// The instance and connection.
    #[command(flatten)]
    pub target: InstanceArgs,
}

/// Arguments of `signering altinn3 download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The folder to write into (created when missing).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Only these data elements (by id); repeatable. Default: the documents the signing task
    /// signs and every signature record.
    #[arg(long = "data", value_name = "ID")]
    pub data: Vec<String>,

    /// The data type signature records are stored under.
    #[arg(long, value_name = "TYPE", default_value = altinn_adapter::v3::DEFAULT_SIGNATURE_DATA_TYPE)]
    pub signature_type: String,

    /// The instance and connection.
    #[command(flatten)]
    pub target: InstanceArgs,
}
