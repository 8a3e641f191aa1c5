//! `signering doctor`: why will a connection fail? The checks are posten-adapter's
//! (`posten_adapter::doctor`); this module gathers the inputs and sets the exit code, and
//! `doctor_report` prints the result.

use std::path::PathBuf;

use asice::{LoadOptions, SigningKey};
use posten_adapter::doctor::{self, ClientCertificateReport, ConnectionReport, ServerChainReport};
use posten_adapter::{Client, Environment, ServerTrust};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use signature_core::OrganizationNumber;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::DoctorArgs;
use crate::config::Settings;
use crate::connect;
use crate::doctor_report::{Report, print};
use crate::error::{CliError, Status, posten_status, read_file};

/// Where the enterprise certificate comes from.
#[derive(Debug)]
enum KeySource {
    /// A PKCS#12 key store (`--keystore`, or `posten.keystore` in the settings).
    Pkcs12,
    /// PEM files: the certificate chain, and the key if given.
    Pem { cert: PathBuf, key: Option<PathBuf> },
    /// A key on a PKCS#11 token (`--pkcs11-*`, `posten.pkcs11_*`), its chain from `cert` or
    /// from the token. The key signs there; its value is never read.
    Pkcs11 { cert: Option<PathBuf> },
}

/// What was loaded from a [`KeySource`]: the certificates, and the key when there is one.
struct Loaded {
    what: String,
    chain: Vec<Vec<u8>>,
    key: Option<SigningKey>,
}

pub(crate) fn run(args: &DoctorArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    let at = match &args.at {
        Some(text) => OffsetDateTime::parse(text.trim(), &Rfc3339)
            .map_err(|e| CliError::Usage(format!("--at {text:?}: not an RFC 3339 time ({e})")))?,
        None => OffsetDateTime::now_utc(),
    };
    let environment = connect::environment_if_set(settings)?;
    let url = args
        .url
        .as_deref()
        .map(|url| Environment::custom(url).map_err(|e| CliError::Usage(format!("--url: {e}"))))
        .transpose()?;
    let source = match (&args.cert, &args.key) {
        _ if settings.pkcs11.is_set() => Some(KeySource::Pkcs11 {
            cert: args.cert.clone().or_else(|| settings.pkcs11_cert.clone()),
        }),
        (Some(cert), key) => Some(KeySource::Pem {
            cert: cert.clone(),
            key: key.clone(),
        }),
        (None, _) if settings.keystore.is_some() => Some(KeySource::Pkcs12),
        (None, _) => None,
    };
    if source.is_none() && args.server_chain.is_none() {
        return Err(CliError::Usage(
            "nothing to check: give a key store (--keystore FILE.p12 with --password-env VAR, \
             or --key KEY.pem --cert CERT.pem) and/or --server-chain FILE.pem"
                .to_owned(),
        ));
    }
    let roots = connect::trust_root_pems(settings)?;

    let loaded = source.map(|s| load(&s, settings)).transpose()?;
    let skipped_online =
        skipped_online(args, loaded.as_ref(), url.as_ref().or(environment.as_ref()));
    let (certificate, key) = match loaded {
        Some(Loaded { what, chain, key }) => (
            Some((
                what,
                doctor::check_client_certificate(&chain, at, environment.as_ref())
                    .map_err(CliError::Posten)?,
            )),
            key,
        ),
        None => (None, None),
    };

    let server_chain = match &args.server_chain {
        Some(path) => {
            let environment = environment.as_ref().ok_or_else(|| {
                CliError::Usage(
                    "--server-chain needs --environment (production, test or qa): the chain is \
                     checked against that environment's trust anchors"
                        .to_owned(),
                )
            })?;
            let trust = roots
                .iter()
                .fold(ServerTrust::for_environment(environment), |t, pem| {
                    t.add_roots_pem(pem)
                });
            let pem = read_file(path)?;
            Some((
                path.display().to_string(),
                doctor::check_server_chain(&trust, &pem, at),
            ))
        }
        None => None,
    };

    let target = url.clone().or_else(|| environment.clone());
    let connection = match (key, &target) {
        (Some(key), Some(target)) if !args.offline && args.server_chain.is_none() => {
            let organization = organization(settings, certificate.as_ref().map(|c| &c.1))?;
            let mut builder =
                Client::builder(target.clone(), key).user_agent_suffix("signering-cli doctor");
            if url.is_some() {
                builder = builder
                    .built_in_trust(environment.as_ref().and_then(Environment::trust_anchors));
            }
            for pem in &roots {
                builder = builder.trust_roots_pem(pem);
            }
            builder = connect::with_proxy(builder, settings)?;
            let report =
                crate::runtime()?.block_on(doctor::check_connection(builder, &organization));
            Some(report)
        }
        _ => None,
    };

    let report = Report {
        at,
        environment: environment.as_ref(),
        certificate: certificate.as_ref().map(|(what, r)| (what.as_str(), r)),
        server_chain: server_chain.as_ref().map(|(what, r)| (what.as_str(), r)),
        connection: connection.as_ref(),
        skipped_online,
    };
    print(&report, json)?;
    Ok(status(
        certificate.as_ref().map(|c| &c.1),
        server_chain.as_ref().map(|c| &c.1),
        connection.as_ref(),
    ))
}

/// Why no online check ran, when it did not.
fn skipped_online(
    args: &DoctorArgs,
    loaded: Option<&Loaded>,
    target: Option<&Environment>,
) -> Option<&'static str> {
    if args.server_chain.is_some() {
        None
    } else if args.offline {
        Some("--offline")
    } else if loaded.is_some_and(|l| l.key.is_none()) {
        Some("no private key (give --key with --cert)")
    } else if target.is_none() {
        Some("no environment (give --environment production|test|qa, or --url)")
    } else {
        None
    }
}

/// The exit status: certificate and server-chain problems first (they explain a failing
/// connection), then the connection's own outcome.
fn status(
    certificate: Option<&ClientCertificateReport>,
    server_chain: Option<&ServerChainReport>,
    connection: Option<&ConnectionReport>,
) -> Status {
    if certificate.is_some_and(|c| !c.is_usable()) || server_chain.is_some_and(|s| !s.is_accepted())
    {
        return Status::Rejected;
    }
    match connection.map(|c| &c.outcome) {
        Some(Err(error)) => posten_status(error),
        Some(Ok(_)) if connection.is_some_and(|c| !c.is_ok()) => Status::Service,
        _ => Status::Success,
    }
}

/// The organization whose "who am I" is asked: the configured sender, else the
/// certificate's own.
fn organization(
    settings: &Settings,
    certificate: Option<&ClientCertificateReport>,
) -> Result<OrganizationNumber, CliError> {
    if let Some(sender) = connect::sender(settings)? {
        return Ok(sender);
    }
    let number = certificate
        .and_then(|c| c.certificate.organization_number.clone())
        .ok_or_else(|| {
            CliError::Usage(
                "the certificate names no organization number; give --sender ORGNR for the \
                 online check"
                    .to_owned(),
            )
        })?;
    OrganizationNumber::parse(&number)
        .map_err(|e| CliError::Usage(format!("the certificate's organization number: {e}")))
}

/// Loads certificates (and the key) without refusing an expired certificate: the doctor
/// reports it instead.
fn load(source: &KeySource, settings: &Settings) -> Result<Loaded, CliError> {
    let options = LoadOptions {
        allow_invalid_dates: true,
        ..LoadOptions::default()
    };
    match source {
        KeySource::Pkcs11 { cert } => {
            let token = settings.pkcs11.pkcs11_token.clone().unwrap_or_default();
            let key = settings
                .pkcs11
                .load(cert.as_ref(), &options)
                .map_err(|e| {
                    CliError::Config(format!(
                        "{e}\nhint: list the token and its objects with `pkcs11-tool --module \
                         MODULE --list-token-slots` and `--list-objects --login`; see \
                         docs/hsm-keys.md"
                    ))
                })?
                .ok_or_else(|| CliError::Usage("--pkcs11-module is missing".to_owned()))?;
            Ok(Loaded {
                what: format!("the key {} on token {token:?}", key.subject()),
                chain: key.certificate_chain().map(<[u8]>::to_vec).collect(),
                key: Some(key),
            })
        }
        KeySource::Pkcs12 => {
            let what = settings
                .keystore
                .as_ref()
                .map(|k| k.value.display().to_string())
                .unwrap_or_default();
            let key = connect::signing_key(settings, &options)?;
            Ok(Loaded {
                what,
                chain: key.certificate_chain().map(<[u8]>::to_vec).collect(),
                key: Some(key),
            })
        }
        KeySource::Pem { cert, key } => {
            let chain_pem = read_file(cert)?;
            let chain = CertificateDer::pem_slice_iter(&chain_pem)
                .map(|c| c.map(|c| c.as_ref().to_vec()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| CliError::Usage(format!("--cert {}: {e}", cert.display())))?;
            let Some(key_path) = key else {
                return Ok(Loaded {
                    what: cert.display().to_string(),
                    chain,
                    key: None,
                });
            };
            let key_pem = zeroize::Zeroizing::new(read_file(key_path)?);
            let password = settings
                .keystore_password
                .as_ref()
                .map(|p| p.value.read("the key's password"))
                .transpose()?;
            let key = SigningKey::from_pem(
                &key_pem,
                &chain_pem,
                password.as_ref().map(|p| p.as_str()),
                &options,
            )
            .map_err(CliError::Key)?;
            Ok(Loaded {
                what: cert.display().to_string(),
                // The key's own order: its certificate first.
                chain: key.certificate_chain().map(<[u8]>::to_vec).collect(),
                key: Some(key),
            })
        }
    }
}
