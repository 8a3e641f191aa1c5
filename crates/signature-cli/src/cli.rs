//! The command line, declared with clap's derive API. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

pub use crate::poll::PollArgs;
pub use crate::service::{ProviderArg, ProviderFlag};

/// The exit codes, shown at the end of every `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success; for `verify`, the bundle is valid
  1  rejected: the bundle failed verification, or the input was read but is not acceptable
     (job rules, document type, wrong password, unusable key, not a bundle)
  2  usage or I/O error: bad arguments, a file that cannot be read or written, no password source,
     a bad configuration file, variable or flag value
  3  the service answered with an error (refused, not found, not authorized, cannot cancel, 5xx)
  4  the service could not be reached: connection refused, timeout, TLS or certificate failure
  5  a batch finished but some of its jobs failed or it was interrupted (the summary lists them);
     `poll --exec`: a handler failed (its change was left unconfirmed)";

/// The exit codes of `signering doctor`.
pub const DOCTOR_EXIT_CODES_HELP: &str = "\
Exit codes:
  0  every check passed (warnings may be printed)
  1  a check found a problem: the certificate is expired, not yet valid, unusable, from a CA
     the environment does not trust, or the server chain is refused
  2  usage or I/O error: bad arguments, unreadable files, no password source, bad settings
  3  the online check reached the service, which refused the call (e.g. not authorized)
  4  the online check could not connect: network, proxy, TLS handshake or certificate";

/// The first paragraph of `signering --help`. The lean build (`--no-default-features`) has no
/// emulators and no demo, so its help does not offer them.
macro_rules! summary {
    () => {
        concat!(
            "Posten signering and Altinn signing from the command line: create, follow, \
             download, confirm, cancel and delete signing jobs; read, sign and submit Altinn \
             messages; build, inspect and verify signed document bundles",
            emulator_summary!(),
            "."
        )
    };
}
#[cfg(feature = "emulator")]
macro_rules! emulator_summary {
    () => {
        "; run the emulators and the demo"
    };
}
#[cfg(not(feature = "emulator"))]
macro_rules! emulator_summary {
    () => {
        ""
    };
}

/// The `signering` command line. Its `--help` text is in the `command` attribute, where the
/// first paragraph (`summary!`) depends on the `emulator` feature.
#[derive(Debug, Parser)]
#[command(
    name = "signering",
    version,
    about = summary!(),
    long_about = concat!(
        summary!(),
        "\n\n",
        "Settings come from `signering.toml` (current directory or --config), `SIGNERING_*` \
         environment variables and flags, in increasing precedence (`signering config show`). \
         Secrets come from environment variables or files only. `SIGNERING_LOG=debug` \
         (EnvFilter syntax) logs to standard error. Personal identification numbers are never \
         printed in full (`240681*****`)."
    ),
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// Print the result as JSON on standard output (errors stay text on standard error).
    #[arg(long, global = true)]
    pub json: bool,

    /// Read settings from this TOML file instead of `./signering.toml` (also
    /// `SIGNERING_CONFIG`).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Reach Posten and Altinn through this HTTP proxy (`http://host:port`), or `none` for
    /// direct connections (`SIGNERING_PROXY`, `proxy` in signering.toml). Without it,
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` apply, as for curl. Credentials
    /// belong in `SIGNERING_PROXY` or `HTTPS_PROXY`, not in the flag.
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Signed document bundles (ASiC-E with a XAdES signature): build, inspect, verify.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Bundle(BundleCommand),
    /// Run the emulators until Ctrl-C: Posten signering (`--listen`), Altinn 2
    /// (`--altinn-listen`) and Altinn 3 (`--altinn3-listen`), any of them.
    ///
    /// Posten's API listener speaks mutual TLS with client certificates from the emulator's
    /// own CA; the web listener serves the signing pages and the `/control` JSON API. With
    /// `--state` jobs and the CA are kept in SQLite, so a restart keeps them. The Altinn
    /// emulators serve plain HTTP on 127.0.0.1; `--write-tokens` writes tokens to log in with.
    #[cfg(feature = "emulator")]
    #[command(after_help = EXIT_CODES_HELP)]
    Emulator(crate::cli_emulator::EmulatorArgs),
    /// Run the whole signing story against in-process emulators and save what it produces.
    ///
    /// Creates a direct job (one signer) and a portal job (two signers) with the real Posten
    /// client over mutual TLS on 127.0.0.1, signs them through the emulator, polls, downloads
    /// XAdES and PAdES, confirms; then submits an Altinn 2 form to signing (the retired
    /// platform's emulator), signs it and saves the archived receipt; then creates an Altinn 3
    /// instance, finds it through Dialogporten as the live platform shows it, signs it and
    /// saves its signature record. Prints a timeline; exits 0 only when every step succeeded.
    #[cfg(feature = "emulator")]
    #[command(after_help = EXIT_CODES_HELP)]
    Demo(DemoArgs),
    /// Signing jobs: create (one, from a file, or a batch), read a job's status; Posten
    /// signering, or Altinn 3 with `--provider altinn3`.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Job(JobCommand),
    /// Take status changes from a Posten queue (or, with `--provider altinn3`, the status of
    /// the `--job`s given), one JSON line each; optionally download the signed documents and
    /// confirm.
    #[command(after_help = EXIT_CODES_HELP)]
    Poll(PollArgs),
    /// Download a XAdES or PAdES (Altinn 3: a signature record) by the URL a status change
    /// gave.
    #[command(after_help = EXIT_CODES_HELP)]
    Download(DownloadArgs),
    /// Confirm a status change by its confirmation URL (it is then not delivered again).
    #[command(after_help = EXIT_CODES_HELP)]
    Confirm(HandleArgs),
    /// Cancel a portal job by its cancellation URL.
    #[command(after_help = EXIT_CODES_HELP)]
    Cancel(HandleArgs),
    /// Delete a finished job's documents at Posten by the delete-documents URL.
    #[command(after_help = EXIT_CODES_HELP)]
    Delete(HandleArgs),
    /// The long-term archive: fetch an archived job's PAdES.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Archive(ArchiveCommand),
    /// Altinn 2 form tasks: list, show, read the signing text, sign, submit to signing.
    ///
    /// Altinn 2 was switched off on 2026-06-19; these commands are kept because its API is
    /// where this project started, and they run against `signering emulator`'s Altinn 2
    /// emulator. Use `signering altinn3` for the live platform.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Altinn(AltinnCommand),
    /// Altinn 3, the live platform: create and show app instances, find what waits for your
    /// signature, sign (also on behalf of an organisation), read the signing state, download
    /// the signed documents and signature records, complete the process.
    ///
    /// Log in with a token (`--token-file`: ID-porten, Maskinporten or Altinn), or with
    /// Maskinporten (`--client-id` and `--keystore` or `--key`/`--kid`), optionally as a system
    /// user (`--system-user ORGNR`).
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Altinn3(crate::cli_altinn3::Altinn3Command),
    /// Tell why a connection to Posten signering will fail, before it does.
    ///
    /// With a key store (--keystore, or --key/--cert PEM): the certificate's organization and
    /// SEID version, issuer and whether it is a test or production CA, validity and days left,
    /// the digitalSignature key usage, whether the chain to a trust anchor is complete, and
    /// which environment it fits. With --environment as well: connects (TLS handshake, the
    /// server's organization) and calls the service's "who am I", GET /api/{organization};
    /// --offline skips that. With --server-chain: checks a captured server chain (e.g. from
    /// `openssl s_client -showcerts`) with exactly the client's verifier, offline.
    #[command(after_help = DOCTOR_EXIT_CODES_HELP)]
    Doctor(DoctorArgs),
    /// Show the effective settings and where each came from.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Config(ConfigCommand),
    /// Print a shell completion script, e.g. `signering completions bash > signering.bash`.
    #[command(after_help = EXIT_CODES_HELP)]
    Completions(CompletionsArgs),
}

/// How to reach Posten signering; each overrides `signering.toml` and `SIGNERING_*`.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Posten connection (override signering.toml and SIGNERING_*)")]
pub struct PostenFlags {
    /// `production`, `test`, `qa`, or an https root URL such as an emulator's
    /// (`SIGNERING_ENVIRONMENT`, `posten.environment`). Each Posten environment trusts its
    /// built-in CA certificates; a URL trusts only `--trust-roots`.
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,

    /// PKCS#12 key store with the enterprise certificate (`SIGNERING_KEYSTORE`).
    #[arg(long, value_name = "FILE.p12")]
    pub keystore: Option<PathBuf>,

    /// Read the key store password from this environment variable (there is no flag that
    /// takes the password itself; `SIGNERING_KEYSTORE_PASSWORD` holds it directly).
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,

    /// Read the key store password from the first line of this file
    /// (`SIGNERING_KEYSTORE_PASSWORD_FILE`).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// PEM file of CA certificates that issued the server's certificate, added to the
    /// environment's built-in ones; repeatable (`SIGNERING_TRUST_ROOTS`, paths separated like
    /// PATH).
    #[arg(long = "trust-roots", value_name = "CA.pem")]
    pub trust_roots: Vec<PathBuf>,

    /// Sender organization number: the default job sender and queue owner
    /// (`SIGNERING_SENDER`).
    #[arg(long, value_name = "ORGNR")]
    pub sender: Option<String>,

    /// Named polling queue for created jobs and polls (`SIGNERING_POLLING_QUEUE`).
    #[arg(long, value_name = "NAME")]
    pub polling_queue: Option<String>,

    /// Client-side limit of calls per second (`SIGNERING_RATE_LIMIT`; default 8, below the
    /// service's 10).
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,

    /// The enterprise key on a PKCS#11 token instead of the key store.
    #[command(flatten)]
    pub pkcs11: crate::pkcs11_key::Pkcs11Flags,
}

/// How to reach Altinn; each overrides `signering.toml` and `SIGNERING_ALTINN_*`.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Altinn connection (override signering.toml and SIGNERING_ALTINN_*)")]
pub struct AltinnFlags {
    /// `production`, `tt02`, or a base URL such as an emulator's (`SIGNERING_ALTINN_URL`).
    #[arg(long, value_name = "URL")]
    pub altinn_url: Option<String>,

    /// Read the API key from this file (`SIGNERING_ALTINN_API_KEY[_FILE]`).
    #[arg(long, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,

    /// Read the ID-porten bearer token from this file (`SIGNERING_ALTINN_TOKEN[_FILE]`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// `signering job ...`
#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Create a job from flags, from a TOML/JSON job file (--file), or many from a JSON Lines
    /// file (--batch).
    ///
    /// Prints the job id; for the direct flow also each signer's redirect URL and the status
    /// URL; for the portal flow the cancellation URL. Documents are read from their paths
    /// (`.pdf` or `.txt`). A batch runs jobs concurrently within the rate limit and records
    /// each created job in a journal, so running it again skips what was created.
    #[command(after_help = EXIT_CODES_HELP)]
    Create(Box<CreateArgs>),
    /// Fetch a job's status: by its id (`--job`, Altinn 3), or a direct job's with the status
    /// URL and the token from the exit URL (Posten).
    #[command(after_help = EXIT_CODES_HELP)]
    Status(Box<StatusArgs>),
}

/// Arguments of `signering job create`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").args(["file", "batch", "title"]).required(true)))]
pub struct CreateArgs {
    /// Read the job from this TOML (`.toml`) or JSON file; document paths in it are relative
    /// to the file.
    #[arg(long, value_name = "JOB.toml", conflicts_with_all = ["batch", "title"])]
    pub file: Option<PathBuf>,

    /// Create one job per line of this JSON Lines file (same fields as a JSON job file).
    #[arg(long, value_name = "JOBS.jsonl", conflicts_with = "title")]
    pub batch: Option<PathBuf>,

    /// Batch: the journal of created jobs (default: the input file name + `.journal`).
    #[arg(long, value_name = "FILE", requires = "batch")]
    pub journal: Option<PathBuf>,

    /// Batch: how many jobs are sent at the same time (default 4; the rate limit still
    /// applies to every call).
    #[arg(long, value_name = "N", requires = "batch")]
    pub concurrency: Option<usize>,

    /// Batch: do not create again the jobs an earlier run was sending when it stopped (Posten
    /// may hold them already and offers no lookup); list them as `uncertain` instead.
    #[arg(long, requires = "batch")]
    pub skip_uncertain: bool,

    /// Job title shown to the signers (1–80 characters).
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,

    /// Your reference for the job, returned in status changes.
    #[arg(long, value_name = "REF", requires = "title")]
    pub reference: Option<String>,

    /// Personal identification number (11 digits) of a signer; repeat for more.
    #[arg(long = "signer", value_name = "PIN", requires = "title")]
    pub signers: Vec<String>,

    /// A document to sign (`.pdf` or `.txt`); repeat for more.
    #[arg(long = "document", value_name = "FILE", requires = "title")]
    pub documents: Vec<PathBuf>,

    /// `portal` (signers notified, sign in Posten's portal) or `direct` (needs --exit-url).
    #[arg(long, value_enum, requires = "title")]
    pub flow: Option<FlowArg>,

    /// Portal flow: notify signers by `email` (default) or `email-and-sms`.
    #[arg(long, value_enum, value_name = "HOW", requires = "title")]
    pub notify: Option<NotifyArg>,

    /// Direct flow: where the signer returns after signing, rejecting or an error.
    #[arg(long, value_name = "URL", requires = "title")]
    pub exit_url: Option<String>,

    /// The signing service.
    #[command(flatten)]
    pub provider: ProviderFlag,

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// Arguments of `signering job status`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").args(["status_url", "job"]).required(true)))]
pub struct StatusArgs {
    /// The status URL printed by `job create` for a direct job.
    #[arg(long, value_name = "URL")]
    pub status_url: Option<String>,

    /// The environment variable holding the `status_query_token` from the exit URL.
    #[arg(
        long,
        value_name = "VAR",
        required_unless_present_any = ["token_file", "job"],
        requires = "status_url"
    )]
    pub token_env: Option<String>,

    /// A file holding the `status_query_token` from the exit URL.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "token_env",
        requires = "status_url"
    )]
    pub token_file: Option<PathBuf>,

    /// The job's id as `job create` printed it, for a service that reads a job's status by
    /// its id (Altinn 3: `ORG/APP/PARTYID/GUID`).
    #[arg(long, value_name = "ID", conflicts_with = "status_url")]
    pub job: Option<String>,

    /// The signing service.
    #[command(flatten)]
    pub provider: ProviderFlag,

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// Arguments of `signering doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// PEM private key of the enterprise certificate (with --cert), instead of --keystore.
    /// An encrypted key takes its password from --password-env/--password-file.
    #[arg(
        long,
        value_name = "KEY.pem",
        requires = "cert",
        conflicts_with = "keystore"
    )]
    pub key: Option<PathBuf>,

    /// PEM certificate chain of the enterprise certificate, instead of --keystore. Without
    /// --key only the certificate is checked (no online check).
    #[arg(long, value_name = "CERT.pem", conflicts_with = "keystore")]
    pub cert: Option<PathBuf>,

    /// A captured server chain (PEM, leaf first) to check offline against --environment.
    #[arg(long, value_name = "FILE.pem")]
    pub server_chain: Option<PathBuf>,

    /// Check validity at this time instead of now (RFC 3339, e.g. 2020-01-01T00:00:00Z).
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,

    /// Connect to this root URL instead of the environment's (e.g. an emulator), keeping the
    /// environment's built-in trust anchors.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Do not connect: check only the certificate (and --server-chain).
    #[arg(long)]
    pub offline: bool,

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// Arguments of `signering download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The XAdES or PAdES URL from a status change (Altinn 3: a signature record's).
    #[arg(value_name = "URL")]
    pub url: String,

    /// Where to write it (written to FILE.part first, renamed when complete).
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,

    /// The signing service.
    #[command(flatten)]
    pub provider: ProviderFlag,

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// Arguments of `confirm`, `cancel` and `delete`.
#[derive(Debug, Args)]
pub struct HandleArgs {
    /// The URL from the status change or the create answer.
    #[arg(value_name = "URL")]
    pub url: String,

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// `signering archive ...`
#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Download an archived job's PAdES by its archive document id.
    #[command(after_help = EXIT_CODES_HELP)]
    Get(ArchiveGetArgs),
}

/// Arguments of `signering archive get`.
#[derive(Debug, Args)]
pub struct ArchiveGetArgs {
    /// The archived document's id.
    #[arg(value_name = "ID")]
    pub id: String,

    /// The archive's owner organization (default: the sender).
    #[arg(long, value_name = "ORGNR")]
    pub owner: Option<String>,

    /// Where to write the PDF.
    #[arg(long, short, value_name = "FILE.pdf")]
    pub out: PathBuf,

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// `signering altinn ...`
#[derive(Debug, Subcommand)]
pub enum AltinnCommand {
    /// Messages in a message box.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Messages(MessagesCommand),
}

/// `signering altinn messages ...`
#[derive(Debug, Subcommand)]
pub enum MessagesCommand {
    /// List messages, optionally filtered (OData `$filter`).
    #[command(after_help = EXIT_CODES_HELP)]
    List(MessagesListArgs),
    /// Show one message with its forms and attachments.
    #[command(after_help = EXIT_CODES_HELP)]
    Show(MessageArgs),
    /// Print the text the signer confirms by signing.
    #[command(after_help = EXIT_CODES_HELP)]
    SigningText(MessageArgs),
    /// Sign a message at its signing step: the whole form set, or the --form and
    /// --attachment ids given.
    #[command(after_help = EXIT_CODES_HELP)]
    Sign(SignArgs),
    /// Create a form task from XML files and send it to signing.
    #[command(after_help = EXIT_CODES_HELP)]
    Submit(SubmitArgs),
}

/// Whose message box and how to reach Altinn.
#[derive(Debug, Args)]
pub struct AltinnTarget {
    /// Whose message box: `my`, an organization number, or a reportee id (`r…`).
    #[arg(long, value_name = "WHO", default_value = "my")]
    pub who: String,

    /// Connection settings.
    #[command(flatten)]
    pub altinn: AltinnFlags,
}

/// Arguments of `signering altinn messages list`.
#[derive(Debug, Args)]
pub struct MessagesListArgs {
    /// OData filter, e.g. `Status eq 'Signering'`.
    #[arg(long, value_name = "ODATA")]
    pub filter: Option<String>,

    /// At most this many messages.
    #[arg(long, value_name = "N")]
    pub top: Option<u32>,

    /// Connection settings and message box.
    #[command(flatten)]
    pub target: AltinnTarget,
}

/// Arguments naming one message.
#[derive(Debug, Args)]
pub struct MessageArgs {
    /// The message id (`a…`, or `b…` when archived).
    #[arg(value_name = "ID")]
    pub id: String,

    /// Connection settings and message box.
    #[command(flatten)]
    pub target: AltinnTarget,
}

/// Arguments of `signering altinn messages sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Sign only this form (by FormId); repeatable. With neither --form nor --attachment the
    /// whole form set is signed.
    #[arg(long = "form", value_name = "ID")]
    pub forms: Vec<i64>,

    /// Sign only this attachment (by id); repeatable.
    #[arg(long = "attachment", value_name = "ID")]
    pub attachments: Vec<i64>,

    /// The message.
    #[command(flatten)]
    pub message: MessageArgs,
}

/// Arguments of `signering altinn messages submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The service code, e.g. `4711`.
    #[arg(long, value_name = "CODE")]
    pub service_code: String,

    /// The service edition.
    #[arg(long, value_name = "N")]
    pub service_edition: i64,

    /// The main form: `DATAFORMATID:VERSION:FILE.xml`.
    #[arg(long, value_name = "ID:VERSION:FILE")]
    pub main_form: String,

    /// A sub-form: `DATAFORMATID:VERSION:FILE.xml`; repeatable.
    #[arg(long = "sub-form", value_name = "ID:VERSION:FILE")]
    pub sub_forms: Vec<String>,

    /// An attachment: `TYPE:FILE`; repeatable.
    #[arg(long = "attachment", value_name = "TYPE:FILE")]
    pub attachments: Vec<String>,

    /// Connection settings and message box.
    #[command(flatten)]
    pub target: AltinnTarget,
}

/// `signering config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every setting, its value (secrets only say where they come from) and its source.
    #[command(after_help = EXIT_CODES_HELP)]
    Show(ConfigShowArgs),
}

/// Arguments of `signering config show`.
#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// Posten flags to include in the merge.
    #[command(flatten)]
    pub posten: PostenFlags,

    /// Altinn flags to include in the merge.
    #[command(flatten)]
    pub altinn: AltinnFlags,
}

/// Arguments of `signering completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `signering demo`.
#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to save the bundle, XAdES, PAdES and receipt files (created when missing).
    #[arg(long, value_name = "DIR", default_value = "signering-demo")]
    pub out: PathBuf,
}

/// `signering bundle ...`
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Validate a signing job and write its signed document bundle.
    ///
    /// The job is checked against every rule of the signing service (title length, 1–20
    /// documents, 1–10 signers, identity and organization numbers, total size) before the key
    /// is loaded. The bundle holds the documents, the job's `manifest.xml` and
    /// `META-INF/signatures.xml`, signed with the enterprise certificate.
    #[command(after_help = EXIT_CODES_HELP)]
    Build(Box<BuildArgs>),
    /// List what a bundle holds, without verifying anything.
    ///
    /// Shows the entries, the manifest (flow, title, sender, signers, documents), the claimed
    /// signing time and the certificates. Use `verify` to check the signature.
    #[command(after_help = EXIT_CODES_HELP)]
    Inspect(InspectArgs),
    /// Check a bundle's signature, every file digest and the manifest.
    ///
    /// Exit 0 when the bundle is valid, 1 with the reasons when it is not. Without `--trust`
    /// the certificate chain is not checked, and the output says so.
    #[command(after_help = EXIT_CODES_HELP)]
    Verify(VerifyArgs),
}

/// Arguments of `signering bundle build`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key_source").required(true).args(["keystore", "key", "pkcs11_module"])))]
pub struct BuildArgs {
    /// PKCS#12 key store (.p12) with the enterprise certificate and its private key.
    #[arg(long, value_name = "FILE.p12")]
    pub keystore: Option<PathBuf>,

    /// PEM private key (PKCS#8, PKCS#1, or encrypted PKCS#8), instead of --keystore.
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    pub key: Option<PathBuf>,

    /// PEM certificate chain belonging to --key or to the token's key (any order; extra
    /// certificates are dropped). With --pkcs11-module and without --cert, the chain comes
    /// from the token's certificate objects.
    #[arg(long, value_name = "CHAIN.pem")]
    pub cert: Option<PathBuf>,

    /// The key on a PKCS#11 token.
    #[command(flatten)]
    pub pkcs11: crate::pkcs11_key::Pkcs11Flags,

    /// Take the key store or encrypted key's password from this environment variable.
    ///
    /// Without it, signering prompts on the terminal without echo, and refuses to prompt when
    /// standard input is not a terminal. There is deliberately no flag that takes the password
    /// itself, because command lines end up in shell histories and process lists.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,

    /// Organization number (9 digits) of the sender, written into the manifest.
    #[arg(long, value_name = "ORGNR")]
    pub sender: String,

    /// Job title shown to the signers (1–80 characters).
    #[arg(long, value_name = "TITLE")]
    pub title: String,

    /// Personal identification number (11 digits) of a signer; repeat for more signers (1–10).
    #[arg(long = "signer", value_name = "PIN", required = true)]
    pub signers: Vec<String>,

    /// A document to sign, `.pdf` (application/pdf) or `.txt` (text/plain); repeat for more
    /// (1–20). Its title is the file name without the extension.
    #[arg(long = "document", value_name = "FILE", required = true)]
    pub documents: Vec<PathBuf>,

    /// Signing flow: `portal` (signers are notified and sign in Posten's portal) or `direct`
    /// (your web site redirects the signer; needs exit URLs).
    #[arg(long, value_enum, default_value_t = FlowArg::Portal)]
    pub flow: FlowArg,

    /// Portal flow: how signers are notified, at the addresses in the national contact
    /// register (kontakt- og reservasjonsregisteret). Default: `email`.
    #[arg(long, value_enum, value_name = "HOW")]
    pub notify: Option<NotifyArg>,

    /// Direct flow: where the signer returns after signing, rejecting or an error.
    #[arg(long, value_name = "URL", conflicts_with_all = ["completion_url", "rejection_url", "error_url"])]
    pub exit_url: Option<String>,

    /// Direct flow: where the signer returns after signing (with --rejection-url and --error-url).
    #[arg(long, value_name = "URL")]
    pub completion_url: Option<String>,

    /// Direct flow: where the signer returns after rejecting.
    #[arg(long, value_name = "URL")]
    pub rejection_url: Option<String>,

    /// Direct flow: where the signer returns after an error.
    #[arg(long, value_name = "URL")]
    pub error_url: Option<String>,

    /// Where to write the signed bundle.
    #[arg(long, value_name = "FILE.asice")]
    pub out: PathBuf,

    /// Also write the job request XML (the other part of the create call) to this file.
    #[arg(long, value_name = "FILE")]
    pub request_out: Option<PathBuf>,
}

/// The signing flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// Signers are notified and sign in the provider's portal.
    Portal,
    /// Signers are redirected from the sender's web site and return to its exit URLs.
    Direct,
}

/// Portal-flow notifications through the contact register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotifyArg {
    /// E-mail only.
    Email,
    /// E-mail and SMS.
    EmailAndSms,
}

/// Arguments of `signering bundle inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The bundle (.asice) to list.
    #[arg(value_name = "FILE.asice")]
    pub file: PathBuf,
}

/// Arguments of `signering bundle verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle (.asice) to verify.
    #[arg(value_name = "FILE.asice")]
    pub file: PathBuf,

    /// PEM file of trusted root certificates; repeatable. The signing certificate's chain must
    /// lead to one of them and be valid now. Without it the chain is not checked.
    #[arg(long, value_name = "ROOT.pem")]
    pub trust: Vec<PathBuf>,
}
