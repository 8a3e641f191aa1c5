//! The command line, declared with clap's derive API. The doc comments are the `--help` text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// The exit codes, shown at the end of every `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success; for `verify`, the bundle is valid
  1  rejected: the bundle failed verification, or the input was read but is not acceptable
     (job rules, document type, wrong password, unusable key, not a bundle)
  2  usage or I/O error: bad arguments, a file that cannot be read or written, no password source";

/// Build, inspect and verify signed document bundles for Posten signering.
///
/// Personal identification numbers are never printed in full (`240681*****`).
#[derive(Debug, Parser)]
#[command(name = "signering", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Print the result as JSON on standard output (errors stay text on standard error).
    #[arg(long, global = true)]
    pub json: bool,

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
    /// Run the Posten signering emulator until Ctrl-C.
    ///
    /// The API listener speaks mutual TLS with client certificates from the emulator's own CA;
    /// the web listener serves the signing pages and the `/control` JSON API. With `--state`
    /// jobs and the CA are kept in SQLite, so a restart keeps them.
    #[command(after_help = EXIT_CODES_HELP)]
    Emulator(EmulatorArgs),
    /// Run the whole signing story against in-process emulators and save what it produces.
    ///
    /// Creates a direct job (one signer) and a portal job (two signers) with the real Posten
    /// client over mutual TLS on 127.0.0.1, signs them through the emulator, polls, downloads
    /// XAdES and PAdES, confirms; then submits an Altinn form to signing, signs it and saves
    /// the archived receipt. Prints a timeline; exits 0 only when every step succeeded.
    #[command(after_help = EXIT_CODES_HELP)]
    Demo(DemoArgs),
}

/// Arguments of `signering emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address of the mutual-TLS API listener, e.g. `127.0.0.1:8443` (port 0: any free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,

    /// Address of the plain-HTTP web listener (signing pages, `/control`). Default: 127.0.0.1
    /// with any free port.
    #[arg(long, value_name = "ADDR")]
    pub web_listen: Option<SocketAddr>,

    /// Keep jobs and the CA in `DIR/posten.sqlite` (created when missing) instead of memory.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,

    /// Write the CA certificate (`ca.pem`) and a client key store (`ORGNR.p12`) into DIR.
    #[arg(long, value_name = "DIR", requires = "password_env")]
    pub write_demo_files: Option<PathBuf>,

    /// Organization number of the client certificate written by --write-demo-files.
    #[arg(long, value_name = "ORGNR", default_value = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER)]
    pub org: String,

    /// Protect the key store written by --write-demo-files with the password in this
    /// environment variable.
    #[arg(long, value_name = "VAR", requires = "write_demo_files")]
    pub password_env: Option<String>,
}

/// Arguments of `signering demo`.
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
#[command(group(ArgGroup::new("key_source").required(true).args(["keystore", "key"])))]
pub struct BuildArgs {
    /// PKCS#12 key store (.p12) with the enterprise certificate and its private key.
    #[arg(long, value_name = "FILE.p12")]
    pub keystore: Option<PathBuf>,

    /// PEM private key (PKCS#8, PKCS#1, or encrypted PKCS#8), instead of --keystore.
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    pub key: Option<PathBuf>,

    /// PEM certificate chain belonging to --key (any order; extra certificates are dropped).
    #[arg(long, value_name = "CHAIN.pem", requires = "key")]
    pub cert: Option<PathBuf>,

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
