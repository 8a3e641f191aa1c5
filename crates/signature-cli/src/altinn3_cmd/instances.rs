//! `signering altinn3 instances create|show`.

use std::path::Path;

use altinn_adapter::v3::{
    Instance, InstanceOwner, InstanceRef, NewData, NewInstance, ProcessNext, ProcessState, TaskType,
};
use serde::Serialize;

use super::{app, instance, masked};
use crate::cli_altinn3::{CreateInstanceArgs, InstanceArgs};
use crate::config::Settings;
use crate::error::{CliError, Status, read_file};
use crate::mask::{mask_identity, mask_identity_numbers};
use crate::output::{emit_output, optional_part, timestamp};

/// A process, for both output forms.
#[derive(Debug, Serialize)]
pub(crate) struct ProcessOut {
    pub task: Option<String>,
    pub task_type: Option<String>,
    /// The actions the caller may perform at the task (from `GET …/process`).
    pub may: Vec<String>,
    pub awaits_your_signature: bool,
    pub ended: Option<String>,
    pub end_event: Option<String>,
}

impl From<&ProcessState> for ProcessOut {
    fn from(p: &ProcessState) -> Self {
        let task = p.current_task.as_ref();
        Self {
            task: task.map(|t| t.element_id.clone()),
            task_type: p.task_type().map(ToString::to_string),
            may: task
                .map(|t| {
                    t.actions
                        .iter()
                        .filter(|(_, allowed)| **allowed)
                        .map(|(action, _)| action.clone())
                        .collect()
                })
                .unwrap_or_default(),
            awaits_your_signature: p.awaits_signature(),
            ended: p.ended.map(timestamp),
            end_event: p.end_event.clone(),
        }
    }
}

impl ProcessOut {
    pub(crate) fn line(&self) -> String {
        match (&self.task, &self.ended) {
            (Some(task), _) => format!(
                "task {task} ({}){}{}",
                self.task_type.as_deref().unwrap_or("?"),
                if self.may.is_empty() {
                    String::new()
                } else {
                    format!("; you may {}", self.may.join(", "))
                },
                if self.awaits_your_signature {
                    "; waits for your signature"
                } else {
                    ""
                }
            ),
            (None, Some(ended)) => format!(
                "ended {ended} at {}",
                self.end_event.as_deref().unwrap_or("the end")
            ),
            (None, None) => "not started".to_owned(),
        }
    }
}

#[derive(Debug, Serialize)]
struct DataOut {
    id: String,
    data_type: String,
    content_type: Option<String>,
    filename: Option<String>,
    size: Option<u64>,
    locked: bool,
}

#[derive(Debug, Serialize)]
struct InstanceOut {
    instance: String,
    app: String,
    party_id: u64,
    owner_person: Option<String>,
    owner_organisation: Option<String>,
    archived: bool,
    created: Option<String>,
    last_changed: Option<String>,
    process: ProcessOut,
    data: Vec<DataOut>,
}

impl InstanceOut {
    fn new(found: &InstanceRef, instance: &Instance, process: &ProcessState) -> Self {
        let owner = &instance.instance_owner;
        Self {
            instance: found.to_string(),
            app: found.app.to_string(),
            party_id: found.id.party_id(),
            owner_person: owner.person_number.as_deref().map(mask_identity),
            owner_organisation: owner.organisation_number.clone(),
            archived: instance.is_archived(),
            created: instance.created.map(timestamp),
            last_changed: instance.last_changed.map(timestamp),
            process: ProcessOut::from(process),
            data: instance
                .data
                .iter()
                .map(|d| DataOut {
                    id: d.id.clone(),
                    data_type: d.data_type.clone(),
                    content_type: d.content_type.clone(),
                    filename: masked(d.filename.as_deref()),
                    size: d.size,
                    locked: d.locked,
                })
                .collect(),
        }
    }

    fn text(&self) -> String {
        let mut out = format!("Instance {}\n", self.instance);
        let owner = match (&self.owner_person, &self.owner_organisation) {
            (Some(person), _) => format!("person {person}"),
            (None, Some(org)) => format!("organisation {org}"),
            (None, None) => "-".to_owned(),
        };
        out.push_str(&format!("  owner: party {} ({owner})\n", self.party_id));
        out.push_str(&format!("  process: {}\n", self.process.line()));
        if self.archived {
            out.push_str("  archived\n");
        }
        for d in &self.data {
            out.push_str(&format!(
                "  data {} {} ({}, {} bytes){}{}\n",
                d.id,
                d.data_type,
                d.content_type.as_deref().unwrap_or("-"),
                d.size.unwrap_or(0),
                optional_part(" ", d.filename.as_deref(), ""),
                if d.locked { ", locked" } else { "" }
            ));
        }
        out
    }
}

/// The content type of a file, from its extension.
fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        Some("txt") => "text/plain",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// `TYPE:FILE[:CONTENT-TYPE]` → a data part (the file read now).
fn data_part(text: &str) -> Result<NewData, CliError> {
    let mut parts = text.splitn(3, ':');
    let (Some(data_type), Some(file)) = (parts.next(), parts.next()) else {
        return Err(CliError::Usage(format!(
            "--data takes DATATYPE:FILE[:CONTENT-TYPE], got {:?}",
            mask_identity_numbers(text)
        )));
    };
    if data_type.is_empty() || file.is_empty() {
        return Err(CliError::Usage(
            "--data takes DATATYPE:FILE[:CONTENT-TYPE]".to_owned(),
        ));
    }
    let path = Path::new(file);
    let content_type = parts.next().unwrap_or_else(|| content_type(path));
    let mut data = NewData::new(data_type, content_type, read_file(path)?);
    if let Some(name) = path.file_name() {
        data = data.filename(name.to_string_lossy());
    }
    Ok(data)
}

pub(crate) fn create(
    args: &CreateInstanceArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let app = app(&args.app)?;
    let owner = match (&args.party, &args.org, &args.person) {
        (Some(party), _, _) => InstanceOwner::PartyId(*party),
        (None, Some(org), _) => InstanceOwner::OrganisationNumber(org.trim().to_owned()),
        (None, None, Some(person)) => InstanceOwner::PersonNumber(person.trim().to_owned()),
        (None, None, None) => {
            return Err(CliError::Usage(
                "the owner: --party, --org or --person".to_owned(),
            ));
        }
    };
    // Read every file before connecting.
    let mut new = NewInstance::new(owner);
    for data in &args.data {
        new = new.data(data_part(data)?);
    }
    if let Some(due) = &args.due_before {
        new = new.due_before(due.trim());
    }
    let (found, instance, process) = super::call(settings, async |client| {
        let created = client.create_instance(&app, &new).await?;
        let found = InstanceRef {
            app: app.clone(),
            id: created.id.clone(),
        };
        let mut process = client.process(&app, &created.id).await?;
        // As the SignatureService does: leave a first data task, never a signing task.
        if !args.stay && process.task_type() == Some(&TaskType::Data) {
            process = client
                .process_next(&app, &created.id, &ProcessNext::new())
                .await?;
        }
        let instance = client.instance(&app, &created.id).await?;
        Ok::<_, altinn_adapter::Error>((found, instance, process))
    })?;
    let out = InstanceOut::new(&found, &instance, &process);
    emit_output(json, &out, |out| {
        format!(
            "Created {}\n  process: {}\n",
            out.instance,
            out.process.line()
        )
    })
}

pub(crate) fn show(
    args: &InstanceArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let found = instance(&args.instance)?;
    let (instance, process) = super::call(settings, async |client| {
        let instance = client.instance(&found.app, &found.id).await?;
        let process = client.process(&found.app, &found.id).await?;
        Ok::<_, altinn_adapter::Error>((instance, process))
    })?;
    let out = InstanceOut::new(&found, &instance, &process);
    emit_output(json, &out, InstanceOut::text)
}
