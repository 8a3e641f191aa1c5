//! `signering job create` (flags or a TOML/JSON job file) and `signering job status`, and
//! the JSON shapes of a created job and a status change shared with `poll` and `batch`.

use std::path::{Path, PathBuf};

use altinn_adapter::v3::InstanceOwner;
use serde::{Deserialize, Serialize};
use signature_core::{
    ArtifactRef, Capability, DirectFlow, ExitUrls, Flow, JobId, JobLimits, JobRef,
    LookupNotifications, Signer, SignerIdentifier, SigningJob, SigningJobBuilder, StatusChange,
    StatusQueryToken, StatusUrl, ValidationError,
};
use time::OffsetDateTime;

use crate::altinn3_job::Altinn3JobSpec;
use crate::cli::{CreateArgs, FlowArg, NotifyArg, StatusArgs};
use crate::config::{SecretSource, Settings};
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;
use crate::output::{emit_output, labelled_lines, optional_part, timestamp};
use crate::service::{ProviderArg, Service};
use crate::style::status_word;

/// A job as written in a job file (TOML or JSON) or on one line of a batch file. An
/// `Option` field left out (or `null` in JSON) is `None` without `#[serde(default)]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JobSpec {
    /// Title shown to the signers.
    pub title: String,
    /// The sender's reference; also the batch key.
    pub reference: Option<String>,
    /// Longer text shown to the signers.
    pub description: Option<String>,
    /// Sender organization number, when not the configured one (broker use).
    pub sender: Option<String>,
    /// `portal` (default) or `direct`.
    #[serde(default)]
    pub flow: FlowSpec,
    /// Signers' personal identification numbers.
    #[serde(default)]
    pub signers: Vec<String>,
    /// Document paths, relative to the file.
    pub documents: Vec<PathBuf>,
    /// Portal: `email` (default) or `email-and-sms`.
    pub notify: Option<NotifySpec>,
    /// Direct: one exit URL for completion, rejection and error…
    pub exit_url: Option<String>,
    /// …or the three separately.
    pub completion_url: Option<String>,
    pub rejection_url: Option<String>,
    pub error_url: Option<String>,
    /// What an Altinn 3 job needs besides the title and documents.
    pub altinn3: Option<Altinn3JobSpec>,
}

/// The flow in a job file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FlowSpec {
    #[default]
    Portal,
    Direct,
}

/// Notifications in a job file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum NotifySpec {
    Email,
    EmailAndSms,
}

impl JobSpec {
    /// From the flags of `job create`.
    fn from_args(args: &CreateArgs) -> Self {
        Self {
            title: args.title.clone().unwrap_or_default(),
            reference: args.reference.clone(),
            description: None,
            sender: None,
            flow: match args.flow {
                Some(FlowArg::Direct) => FlowSpec::Direct,
                Some(FlowArg::Portal) | None => FlowSpec::Portal,
            },
            signers: args.signers.clone(),
            documents: args.documents.clone(),
            notify: args.notify.map(|n| match n {
                NotifyArg::Email => NotifySpec::Email,
                NotifyArg::EmailAndSms => NotifySpec::EmailAndSms,
            }),
            exit_url: args.exit_url.clone(),
            completion_url: None,
            rejection_url: None,
            error_url: None,
            altinn3: None,
        }
    }

    /// Reads a `.toml` or `.json` job file.
    pub(crate) fn read_file(path: &Path) -> Result<Self, CliError> {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::read(path, e))?;
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let spec = if is_toml {
            toml::from_str(&text).map_err(|e| e.message().trim_end().to_owned())
        } else {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        };
        spec.map_err(|message| {
            CliError::Job(format!(
                "job file {}: {}",
                path.display(),
                mask_identity_numbers(&message)
            ))
        })
    }

    /// Validates the spec, reads its documents (relative to `base`) and builds the job for
    /// `provider`: an Altinn 3 job from the `[altinn3]` section.
    pub(crate) fn to_job(
        &self,
        base: &Path,
        provider: ProviderArg,
    ) -> Result<SigningJob, CliError> {
        match (provider, &self.altinn3) {
            (ProviderArg::Posten, None) => self.posten_job(base),
            (ProviderArg::Altinn3, Some(altinn3)) => self.altinn3_job(altinn3, base),
            (ProviderArg::Posten, Some(_)) => Err(CliError::Usage(
                "the job has an [altinn3] section: create it with --provider altinn3".to_owned(),
            )),
            (ProviderArg::Altinn3, None) => Err(CliError::Usage(
                "an Altinn 3 job needs the [altinn3] section of a job file (--file): the app, \
                 the instance owner and the form"
                    .to_owned(),
            )),
        }
    }

    /// Whom an Altinn 3 job's instance is created for, if the spec is an Altinn 3 job.
    pub(crate) fn altinn3_owner(&self) -> Result<Option<InstanceOwner>, CliError> {
        self.altinn3.as_ref().map(Altinn3JobSpec::owner).transpose()
    }

    /// The document paths, relative ones taken from `base`.
    fn document_paths(&self, base: &Path) -> Vec<PathBuf> {
        self.documents
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    base.join(p)
                }
            })
            .collect()
    }

    /// An Altinn 3 form job. Settings Altinn 3 cannot carry (signers, a sender, a
    /// description) are left to the service's capability check; the Posten flow settings
    /// would be dropped silently, so they are refused here.
    fn altinn3_job(&self, altinn3: &Altinn3JobSpec, base: &Path) -> Result<SigningJob, CliError> {
        let urls = [&self.completion_url, &self.rejection_url, &self.error_url];
        let any_url = self.exit_url.is_some() || urls.iter().any(|u| u.is_some());
        if self.flow != FlowSpec::Portal || self.notify.is_some() || any_url {
            return Err(CliError::Usage(
                "flow, notify and the exit URLs belong to Posten signering jobs, not to an \
                 Altinn 3 job"
                    .to_owned(),
            ));
        }
        if !self.signers.is_empty() {
            return Err(CliError::Job(
                "an Altinn 3 job names no signers: whoever holds the right to sign the \
                 instance signs it"
                    .to_owned(),
            ));
        }
        let paths = self.document_paths(base);
        let builder = self.builder(&paths)?.form(altinn3.form(base)?);
        build(builder, &altinn_adapter::FORM_JOB_LIMITS, &paths)
    }

    /// The job's title, documents (read from `paths`), reference, description and sender.
    fn builder(&self, paths: &[PathBuf]) -> Result<SigningJobBuilder, CliError> {
        let documents = crate::build::read_documents(paths)?;
        let mut builder = SigningJob::builder(self.title.as_str()).documents(documents);
        if let Some(reference) = &self.reference {
            builder = builder.reference(reference.as_str());
        }
        if let Some(description) = &self.description {
            builder = builder.description(description.as_str());
        }
        if let Some(sender) = &self.sender {
            builder = builder.sender(sender.as_str());
        }
        Ok(builder)
    }

    /// A Posten signering job.
    fn posten_job(&self, base: &Path) -> Result<SigningJob, CliError> {
        let urls = [&self.completion_url, &self.rejection_url, &self.error_url];
        let any_url = self.exit_url.is_some() || urls.iter().any(|u| u.is_some());
        match self.flow {
            FlowSpec::Portal if any_url => {
                return Err(CliError::Usage(
                    "exit URLs belong to the direct flow; set flow = \"direct\" (--flow direct) \
                     or leave them out"
                        .to_owned(),
                ));
            }
            FlowSpec::Direct if self.notify.is_some() => {
                return Err(CliError::Usage(
                    "notify belongs to the portal flow; direct-flow signers are redirected by \
                     your web site"
                        .to_owned(),
                ));
            }
            _ => {}
        }
        if self.documents.is_empty() || self.signers.is_empty() {
            return Err(CliError::Usage(
                "a job needs at least one document (--document) and one signer (--signer)"
                    .to_owned(),
            ));
        }
        let paths = self.document_paths(base);
        let lookup = match self.notify {
            None | Some(NotifySpec::Email) => LookupNotifications::EmailOnly,
            Some(NotifySpec::EmailAndSms) => LookupNotifications::EmailAndSms,
        };
        let direct = self.flow == FlowSpec::Direct;
        let mut builder = add_signers(self.builder(&paths)?, &self.signers, direct, lookup);
        if direct {
            let urls = [
                &self.exit_url,
                &self.completion_url,
                &self.rejection_url,
                &self.error_url,
            ];
            let urls = exit_urls(urls).ok_or_else(|| {
                CliError::Usage(
                    "the direct flow needs an exit URL (--exit-url, or exit_url / all of \
                     completion_url, rejection_url and error_url in a job file)"
                        .to_owned(),
                )
            })?;
            builder = builder.flow(Flow::Direct(DirectFlow::new(urls)));
        }
        build(builder, &posten_adapter::LIMITS, &paths)
    }
}

/// Adds Posten signers by identity number: notified through the contact register
/// (`lookup`) in the portal flow; in the direct flow the sender's web site redirects them.
pub(crate) fn add_signers(
    mut builder: SigningJobBuilder,
    pins: &[String],
    direct: bool,
    lookup: LookupNotifications,
) -> SigningJobBuilder {
    for pin in pins {
        let signer = Signer::with_personal_identification_number(pin.trim());
        builder = if direct {
            builder.signer(signer)
        } else {
            builder.signer(signer.notify_through_lookup(lookup))
        };
    }
    builder
}

/// The direct flow's exit URLs from the one for every outcome, or else the completion,
/// rejection and error URLs (in that order) when all three are given.
pub(crate) fn exit_urls(
    [single, completion, rejection, error]: [&Option<String>; 4],
) -> Option<ExitUrls> {
    match (single, completion, rejection, error) {
        (Some(url), ..) => Some(ExitUrls::single(url.as_str())),
        (None, Some(c), Some(r), Some(e)) => {
            Some(ExitUrls::new(c.as_str(), r.as_str(), e.as_str()))
        }
        _ => None,
    }
}

/// The job, checked against the rules and the service's `limits` here, before the key store
/// is opened or a call is made.
fn build(
    builder: SigningJobBuilder,
    limits: &JobLimits,
    paths: &[PathBuf],
) -> Result<SigningJob, CliError> {
    builder
        .build()
        .and_then(|job| job.check_limits(limits).map(|()| job))
        .map_err(|error| CliError::Job(describe(&error, paths, &Labels::JOB_FILE)))
}

/// What a validation message calls a signer and a document: the job file's words, or the
/// command line's options.
pub(crate) struct Labels {
    pub(crate) signer: &'static str,
    pub(crate) document: &'static str,
}

impl Labels {
    pub(crate) const JOB_FILE: Self = Self {
        signer: "signer",
        document: "document",
    };
    pub(crate) const COMMAND_LINE: Self = Self {
        signer: "--signer number",
        document: "--document",
    };
}

/// A validation error with the signer or document it is about, counted from 1 and named by
/// `labels` (`signer 2` in a job file, `--signer number 2` on the command line). Core
/// messages never contain the identity number itself.
pub(crate) fn describe(error: &ValidationError, documents: &[PathBuf], labels: &Labels) -> String {
    let Labels { signer, document } = labels;
    match error {
        ValidationError::Signer { index, reason } => format!("{signer} {}: {reason}", index + 1),
        ValidationError::DuplicateSigner { index, first_index } => format!(
            "{signer} {} is the same person as {signer} {}",
            index + 1,
            first_index + 1
        ),
        ValidationError::Document { index, reason } => match documents.get(*index) {
            Some(path) => format!("{document} {}: {reason}", path.display()),
            None => error.to_string(),
        },
        other => other.to_string(),
    }
}

/// A signer identifier for output: identity numbers show only their date digits.
pub(crate) fn signer_label(signer: Option<&SignerIdentifier>) -> Option<String> {
    signer.map(|s| match s {
        SignerIdentifier::PersonalIdentificationNumber(pin) => pin.to_string(),
        SignerIdentifier::CustomIdentifier(id) => mask_identity_numbers(id.as_str()),
        _ => "(contact information)".to_owned(),
    })
}

/// A created job, for both output forms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CreatedJob {
    pub job_id: String,
    pub reference: Option<String>,
    pub flow: FlowSpec,
    pub status_url: Option<String>,
    pub cancellation_url: Option<String>,
    pub signers: Vec<CreatedSignerOut>,
}

/// A created job's signer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CreatedSignerOut {
    pub signer: Option<String>,
    pub redirect_url: Option<String>,
    pub signer_url: Option<String>,
}

impl CreatedJob {
    pub(crate) fn new(created: &JobRef, flow: FlowSpec) -> Self {
        Self {
            job_id: created.id.to_string(),
            reference: created.reference.as_deref().map(mask_identity_numbers),
            flow,
            status_url: created.status_url.as_ref().map(|u| u.to_string()),
            cancellation_url: created.cancellation.as_ref().map(|u| u.to_string()),
            signers: created
                .signers
                .iter()
                .map(|s| CreatedSignerOut {
                    signer: signer_label(s.identifier.as_ref()),
                    redirect_url: s.redirect_url.as_ref().map(|u| u.as_str().to_owned()),
                    signer_url: s.signer_url.as_ref().map(|u| u.as_str().to_owned()),
                })
                .collect(),
        }
    }

    fn human(&self) -> String {
        let flow = match self.flow {
            FlowSpec::Portal => "portal",
            FlowSpec::Direct => "direct",
        };
        let mut out = format!("Created {flow} job {}", self.job_id);
        out.push_str(&optional_part(
            " (reference ",
            self.reference.as_deref(),
            ")",
        ));
        out.push('\n');
        for (n, signer) in self.signers.iter().enumerate() {
            if let Some(url) = &signer.redirect_url {
                out.push_str(&format!(
                    "  signer {} {}: redirect URL {url}\n",
                    n + 1,
                    signer.signer.as_deref().unwrap_or("")
                ));
            }
        }
        out.push_str(&labelled_lines(&[
            ("status URL", &self.status_url),
            ("cancellation URL", &self.cancellation_url),
        ]));
        out
    }
}

/// A status change, for both output forms (one JSON line in `poll`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChangeOut {
    pub job_id: String,
    pub reference: Option<String>,
    pub status: String,
    pub signers: Vec<SignerStateOut>,
    pub pades_url: Option<String>,
    pub confirmation_url: Option<String>,
    pub cancellation_url: Option<String>,
    pub delete_documents_url: Option<String>,
    pub next_permitted_poll_time: Option<String>,
    /// The provider's signature records (Altinn 3), for `download`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signature_record_urls: Vec<String>,
    /// Files written by `poll --download`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub downloaded: Vec<String>,
}

/// One signer in a [`ChangeOut`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SignerStateOut {
    pub signer: Option<String>,
    pub status: String,
    pub since: Option<String>,
    pub xades_url: Option<String>,
}

impl ChangeOut {
    pub(crate) fn new(change: &StatusChange) -> Self {
        Self {
            job_id: change.job_id.to_string(),
            reference: change.reference.as_deref().map(mask_identity_numbers),
            status: change.status.to_string(),
            signers: change
                .signers
                .iter()
                .map(|s| SignerStateOut {
                    signer: signer_label(s.signer.as_ref()),
                    status: s.status.to_string(),
                    since: s.since.map(timestamp),
                    xades_url: s.xades.as_ref().map(|a| a.url().to_owned()),
                })
                .collect(),
            pades_url: change.pades().map(|a| a.url().to_owned()),
            confirmation_url: change.confirmation.as_ref().map(|h| h.to_string()),
            cancellation_url: change.cancellation.as_ref().map(|h| h.to_string()),
            delete_documents_url: change.delete_documents.as_ref().map(|h| h.to_string()),
            next_permitted_poll_time: change.next_permitted_poll_time.map(timestamp),
            signature_record_urls: change
                .job_artifacts
                .iter()
                .filter(|a| matches!(a, ArtifactRef::SignatureRecord { .. }))
                .map(|a| a.url().to_owned())
                .collect(),
            downloaded: Vec::new(),
        }
    }

    pub(crate) fn human(&self) -> String {
        let signers: Vec<String> = self
            .signers
            .iter()
            .map(|s| {
                format!(
                    "{}{}",
                    optional_part("", s.signer.as_deref(), " "),
                    status_word(&s.status)
                )
            })
            .collect();
        let mut out = format!(
            "job {}: {} [{}]\n",
            self.job_id,
            status_word(&self.status),
            signers.join(", ")
        );
        out.push_str(&labelled_lines(&[
            ("PAdES URL", &self.pades_url),
            ("confirmation URL", &self.confirmation_url),
            ("cancellation URL", &self.cancellation_url),
            ("delete documents URL", &self.delete_documents_url),
        ]));
        for (n, s) in self.signers.iter().enumerate() {
            if let Some(url) = &s.xades_url {
                out.push_str(&format!("  XAdES of signer {} URL: {url}\n", n + 1));
            }
        }
        for url in &self.signature_record_urls {
            out.push_str(&format!("  signature record URL: {url}\n"));
        }
        out
    }
}

/// `signering job create` for one job (flags or --file); batches go to [`crate::batch`].
pub(crate) fn create(
    args: &CreateArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let (spec, base) = match &args.file {
        Some(path) => (
            JobSpec::read_file(path)?,
            path.parent().unwrap_or(Path::new("")).to_owned(),
        ),
        None => (JobSpec::from_args(args), PathBuf::new()),
    };
    // Everything local is checked before the key store is opened or a call is made.
    let provider = args.provider.provider;
    let job = spec.to_job(&base, provider)?;
    let service = Service::connect(provider, settings, spec.altinn3_owner()?)?;
    let runtime = crate::runtime()?;
    let created = runtime.block_on(service.service.create_job(&job))?;
    let out = CreatedJob::new(&created, spec.flow);
    emit_output(json, &out, |out| mask_identity_numbers(&out.human()))
}

/// `signering job status`: by job id where the service reads a job's status
/// ([`Capability::StatusByJobId`]), else a direct job's by its status URL and token
/// ([`Capability::StatusByToken`]).
pub(crate) fn status(
    args: &StatusArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    // The token is read before the key store is opened, as every local input is.
    let token = match (&args.job, &args.token_env, &args.token_file) {
        (Some(_), ..) => None,
        (None, Some(name), _) => Some(SecretSource::Env(name.clone())),
        (None, None, Some(path)) => Some(SecretSource::File(path.clone())),
        (None, None, None) => {
            return Err(CliError::Usage(
                "give --token-env VAR or --token-file FILE".to_owned(),
            ));
        }
    }
    .map(|source| source.read("the status query token"))
    .transpose()?
    .map(|token| StatusQueryToken::new(token.as_str()));
    let service = Service::connect(args.provider.provider, settings, None)?;
    let runtime = crate::runtime()?;
    let change = match (&args.job, &args.status_url, &token) {
        (Some(job), ..) => {
            service.ensure(Capability::StatusByJobId)?;
            runtime.block_on(service.service.job_status(&JobId::new(job.trim())))?
        }
        (None, Some(url), Some(token)) => {
            service.ensure(Capability::StatusByToken)?;
            runtime.block_on(service.service.status(&StatusUrl::new(url), token))?
        }
        _ => {
            return Err(CliError::Usage(
                "give a job id (--job) or a direct job's --status-url and its token".to_owned(),
            ));
        }
    };
    let out = ChangeOut::new(&change);
    emit_output(json, &out, |out| mask_identity_numbers(&out.human()))
}

/// The current time as RFC 3339, for journals and summaries.
pub(crate) fn now() -> String {
    timestamp(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every optional field of a job file and its `[altinn3]` section may be left out, or be
    /// `null` in JSON, and is then `None`.
    #[test]
    fn optional_fields_may_be_missing_or_null() {
        let altinn3 = r#""altinn3": {"app": "o/a", "form": "f.xml", "form_data_type": "m""#;
        let nulls = r#""party": null, "org": null, "person": null, "document_data_type": null"#;
        let optional = [
            "reference",
            "description",
            "sender",
            "notify",
            "exit_url",
            "completion_url",
            "rejection_url",
            "error_url",
        ];
        let null_fields: Vec<String> = optional.iter().map(|k| format!(r#""{k}": null"#)).collect();
        let texts = [
            format!(r#"{{"title": "T", "documents": [], {altinn3}}}}}"#),
            format!(
                r#"{{"title": "T", "documents": [], {}, {altinn3}, {nulls}}}}}"#,
                null_fields.join(", ")
            ),
        ];
        let mut specs: Vec<JobSpec> = texts
            .iter()
            .map(|text| serde_json::from_str(text).unwrap())
            .collect();
        let toml = "title = \"T\"\ndocuments = []\n[altinn3]\napp = \"o/a\"\nform = \"f.xml\"\n\
                    form_data_type = \"m\"\n";
        specs.push(toml::from_str(toml).unwrap());
        for spec in specs {
            let JobSpec {
                reference,
                description,
                sender,
                notify,
                exit_url,
                completion_url,
                rejection_url,
                error_url,
                altinn3,
                ..
            } = spec;
            let urls = [exit_url, completion_url, rejection_url, error_url];
            assert!(urls.iter().all(Option::is_none));
            assert!(reference.is_none() && description.is_none() && sender.is_none());
            assert!(notify.is_none());
            let altinn3 = altinn3.unwrap();
            assert!(altinn3.party.is_none() && altinn3.org.is_none() && altinn3.person.is_none());
            assert!(altinn3.document_data_type.is_none());
        }
        // Without the section, `altinn3` is `None` too.
        let spec: JobSpec = serde_json::from_str(r#"{"title": "T", "documents": []}"#).unwrap();
        assert!(spec.altinn3.is_none());
    }
}
