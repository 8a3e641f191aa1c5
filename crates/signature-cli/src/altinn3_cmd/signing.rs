//! `signering altinn3 awaiting|sign|signing-state|download|complete`.

use std::path::{Path, PathBuf};

use altinn_adapter::v3::{
    Action, ActionRequest, DataElement, DialogQuery, DialogStatus, ProcessNext, TaskType,
};
use serde::Serialize;

use super::instances::ProcessOut;
use super::{SigneeOut, app, instance, masked};
use crate::cli_altinn3::{AwaitingArgs, DownloadArgs, InstanceArgs, SignArgs, SigningStateArgs};
use crate::config::Settings;
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;
use crate::output::{emit_output, optional_part};

/// The most tasks `complete` walks before giving up (a process that loops).
const MAX_STEPS: usize = 20;

#[derive(Debug, Serialize)]
struct WaitingOut {
    instance: String,
    dialog_id: String,
    title: Option<String>,
    task: Option<String>,
}

#[derive(Debug, Serialize)]
struct SkippedOut {
    dialog_id: String,
    instance: Option<String>,
    error: String,
}

#[derive(Debug, Serialize)]
struct AwaitingOut {
    awaiting: Vec<WaitingOut>,
    skipped: Vec<SkippedOut>,
    dialogs_seen: usize,
}

pub(crate) fn awaiting(
    args: &AwaitingArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let mut query = DialogQuery::new();
    for text in &args.app {
        query = query.service_resource(app(text)?.service_resource());
    }
    for party in &args.party {
        query = query.party(party.trim());
    }
    if args.status.is_empty() {
        query = query.status(DialogStatus::InProgress);
    }
    for status in &args.status {
        query = query.status(DialogStatus::parse(status.trim()));
    }
    let found = super::call(settings, async |client| {
        client.awaiting_signature(&query).await
    })?;
    let out = AwaitingOut {
        awaiting: found
            .awaiting
            .iter()
            .map(|w| WaitingOut {
                instance: w.instance.to_string(),
                dialog_id: w.dialog.id.clone(),
                title: masked(w.dialog.title()),
                task: w
                    .process
                    .current_task
                    .as_ref()
                    .map(|t| t.element_id.clone()),
            })
            .collect(),
        skipped: found
            .skipped
            .iter()
            .map(|s| SkippedOut {
                dialog_id: s.dialog_id.clone(),
                instance: s.instance.as_ref().map(ToString::to_string),
                error: mask_identity_numbers(&s.error.to_string()),
            })
            .collect(),
        dialogs_seen: found.dialogs_seen,
    };
    emit_output(json, &out, |out| {
        let mut text = format!(
            "{} instance(s) wait for your signature ({} dialog(s) searched)\n",
            out.awaiting.len(),
            out.dialogs_seen
        );
        for w in &out.awaiting {
            text.push_str(&format!(
                "{}  {}  task {}\n",
                w.instance,
                w.title.as_deref().unwrap_or("(untitled)"),
                w.task.as_deref().unwrap_or("-")
            ));
        }
        for s in &out.skipped {
            text.push_str(&format!(
                "skipped dialog {}{}: {}\n",
                s.dialog_id,
                optional_part(" (", s.instance.as_deref(), ")"),
                s.error
            ));
        }
        text
    })
}

#[derive(Debug, Serialize)]
struct SignedOut {
    instance: String,
    on_behalf_of: Option<String>,
    process: ProcessOut,
    signees: Vec<SigneeOut>,
}

pub(crate) fn sign(args: &SignArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    let found = instance(&args.target.instance)?;
    let org = args.on_behalf_of.as_deref().map(str::trim);
    if let Some(org) = org
        && !(org.len() == 9 && org.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(CliError::Usage(
            "--on-behalf-of takes an organisation number (9 digits)".to_owned(),
        ));
    }
    let (process, signees) = super::call(settings, async |client| {
        let task = client
            .process(&found.app, &found.id)
            .await?
            .current_task
            .map(|t| t.element_id);
        if args.and_move_on {
            let mut next = ProcessNext::sign();
            if let Some(org) = org {
                next = next.on_behalf_of(org);
            }
            client.process_next(&found.app, &found.id, &next).await?;
        } else {
            let mut request = ActionRequest::sign();
            if let Some(org) = org {
                request = request.on_behalf_of(org);
            }
            client
                .perform_action(&found.app, &found.id, &request)
                .await?;
        }
        let process = client.process(&found.app, &found.id).await?;
        // The signed task's state, also when the process moved on.
        let state = match &task {
            Some(task) => client
                .signing_state(&found.app, &found.id, Some(task))
                .await
                .map(|s| s.signees)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Ok::<_, altinn_adapter::Error>((process, state))
    })?;
    let out = SignedOut {
        instance: found.to_string(),
        on_behalf_of: org.map(str::to_owned),
        process: ProcessOut::from(&process),
        signees: signees.iter().map(SigneeOut::from).collect(),
    };
    emit_output(json, &out, |out| {
        let mut text = format!(
            "Signed {}{}\n  process: {}\n",
            out.instance,
            optional_part(" on behalf of ", out.on_behalf_of.as_deref(), ""),
            out.process.line()
        );
        text.extend(out.signees.iter().map(SigneeOut::line));
        text
    })
}

#[derive(Debug, Serialize)]
struct OrganizationOut {
    org_number: String,
    org_name: String,
    party_id: u64,
}

#[derive(Debug, Serialize)]
struct StateOut {
    instance: String,
    task: Option<String>,
    signees: Vec<SigneeOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organizations: Option<Vec<OrganizationOut>>,
}

pub(crate) fn signing_state(
    args: &SigningStateArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let found = instance(&args.target.instance)?;
    let task = args.task.as_deref().map(str::trim);
    let (state, organizations) = super::call(settings, async |client| {
        let state = client.signing_state(&found.app, &found.id, task).await?;
        let organizations = if args.organizations {
            Some(
                client
                    .signing_organizations(&found.app, &found.id, task)
                    .await?,
            )
        } else {
            None
        };
        Ok::<_, altinn_adapter::Error>((state, organizations))
    })?;
    let out = StateOut {
        instance: found.to_string(),
        task: task.map(str::to_owned),
        signees: state.signees.iter().map(SigneeOut::from).collect(),
        organizations: organizations.map(|orgs| {
            orgs.iter()
                .map(|o| OrganizationOut {
                    org_number: o.org_number.clone(),
                    org_name: mask_identity_numbers(&o.org_name),
                    party_id: o.party_id,
                })
                .collect()
        }),
    };
    emit_output(json, &out, |out| {
        let mut text = format!(
            "Signing state of {}{}: {} signee(s)\n",
            out.instance,
            optional_part(" (task ", out.task.as_deref(), ")"),
            out.signees.len()
        );
        text.extend(out.signees.iter().map(SigneeOut::line));
        if let Some(orgs) = &out.organizations {
            text.push_str(&format!(
                "You may sign for {} organisation(s):\n",
                orgs.len()
            ));
            for org in orgs {
                text.push_str(&format!(
                    "  {} {} (party {})\n",
                    org.org_number, org.org_name, org.party_id
                ));
            }
        }
        text
    })
}

#[derive(Debug, Serialize)]
struct FileOut {
    data_id: String,
    data_type: String,
    path: String,
    bytes: u64,
}

/// A file name for a data element: its data type, id and an extension from its file name or
/// content type; no path separators from the service.
fn file_name(element: &DataElement) -> String {
    let extension = element
        .filename
        .as_deref()
        .and_then(|f| Path::new(f).extension())
        .and_then(|e| e.to_str())
        .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_owned)
        .or_else(|| {
            Some(
                match element.content_type.as_deref() {
                    Some("application/pdf") => "pdf",
                    Some("application/json") => "json",
                    Some("application/xml" | "text/xml") => "xml",
                    Some("text/plain") => "txt",
                    _ => "bin",
                }
                .to_owned(),
            )
        })
        .unwrap_or_default();
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "{}-{}.{extension}",
        safe(&element.data_type),
        safe(&element.id)
    )
}

pub(crate) fn download(
    args: &DownloadArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let found = instance(&args.target.instance)?;
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::write(&args.out, e))?;
    let files = super::call(settings, async |client| {
        let instance = client.instance(&found.app, &found.id).await?;
        let mut chosen: Vec<DataElement> = if args.data.is_empty() {
            let mut documents = match client
                .signing_data_elements(&found.app, &found.id, None)
                .await
            {
                Ok(documents) => documents,
                // Past the signing task: what is locked was signed.
                Err(altinn_adapter::Error::Service(problem)) if problem.status == 400 => {
                    instance.data.iter().filter(|d| d.locked).cloned().collect()
                }
                Err(error) => return Err(CliError::from(error)),
            };
            documents.extend(instance.data_of_type(&args.signature_type).cloned());
            documents
        } else {
            let mut chosen = Vec::new();
            for id in &args.data {
                let element = instance
                    .data
                    .iter()
                    .find(|d| d.id.eq_ignore_ascii_case(id.trim()))
                    .ok_or_else(|| {
                        CliError::Usage(format!("the instance has no data element {id:?}"))
                    })?;
                chosen.push(element.clone());
            }
            chosen
        };
        chosen.dedup_by(|a, b| a.id == b.id);
        let mut files = Vec::new();
        for element in &chosen {
            let path = args.out.join(file_name(element));
            let part = PathBuf::from(format!("{}.part", path.display()));
            let mut sink = tokio::fs::File::create(&part)
                .await
                .map_err(|e| CliError::write(&part, e))?;
            let bytes = client
                .download_data(&found.app, &found.id, &element.id, &mut sink)
                .await?;
            tokio::io::AsyncWriteExt::flush(&mut sink)
                .await
                .map_err(|e| CliError::write(&part, e))?;
            drop(sink);
            std::fs::rename(&part, &path).map_err(|e| CliError::write(&path, e))?;
            files.push(FileOut {
                data_id: element.id.clone(),
                data_type: element.data_type.clone(),
                path: path.display().to_string(),
                bytes,
            });
        }
        Ok(files)
    })?;
    #[derive(Serialize)]
    struct Out<'a> {
        instance: String,
        files: &'a [FileOut],
    }
    let out = Out {
        instance: found.to_string(),
        files: &files,
    };
    emit_output(json, &out, |out| {
        let mut text = format!("{} file(s) from {}\n", out.files.len(), out.instance);
        for f in out.files {
            text.push_str(&format!(
                "  {} ({} bytes) -> {}\n",
                f.data_type, f.bytes, f.path
            ));
        }
        text
    })
}

#[derive(Debug, Serialize)]
struct CompletedOut {
    instance: String,
    steps: Vec<String>,
    process: ProcessOut,
}

pub(crate) fn complete(
    args: &InstanceArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let found = instance(&args.instance)?;
    let (steps, process) = super::call(settings, async |client| {
        let mut steps = Vec::new();
        let mut process = client.process(&found.app, &found.id).await?;
        while let Some(task) = process.current_task.clone() {
            if steps.len() >= MAX_STEPS {
                return Err(CliError::Usage(format!(
                    "the process did not end after {MAX_STEPS} tasks"
                )));
            }
            // Each task is left with its own action: a signing task without one (it moves on
            // only when its signatures are there; signing here would add one), a
            // confirmation task by confirming.
            let next = match &task.task_type {
                Some(TaskType::Confirmation) => ProcessNext::perform(Action::Confirm),
                Some(TaskType::Data | TaskType::Signing) | None => ProcessNext::new(),
                Some(other) => {
                    return Err(CliError::Usage(format!(
                        "the process is at task {} of type {other}, which `complete` does not \
                         finish (payment, feedback and the like are done in the app)",
                        task.element_id
                    )));
                }
            };
            process = client.process_next(&found.app, &found.id, &next).await?;
            steps.push(format!(
                "{} ({}) -> {}",
                task.element_id,
                task.task_type.as_ref().map_or("?", |t| t.as_str()),
                process.current_task.as_ref().map_or_else(
                    || process
                        .end_event
                        .clone()
                        .unwrap_or_else(|| "end".to_owned()),
                    |t| t.element_id.clone()
                )
            ));
        }
        Ok((steps, process))
    })?;
    let out = CompletedOut {
        instance: found.to_string(),
        steps,
        process: ProcessOut::from(&process),
    };
    emit_output(json, &out, |out| {
        let mut text = format!("Completed {}\n", out.instance);
        for step in &out.steps {
            text.push_str(&format!("  {step}\n"));
        }
        text.push_str(&format!("  process: {}\n", out.process.line()));
        text
    })
}
