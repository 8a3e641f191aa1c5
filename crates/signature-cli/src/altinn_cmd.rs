//! `signering altinn messages list|show|signing-text|sign|submit` (Altinn 2 REST API).

use std::path::Path;

use altinn_adapter::v2::{
    Client as AltinnClient, FormTask, Message, MessageId, MessageQuery, MessageStatus,
    NewAttachment, NewForm, SignatureSelection, SignatureSpec, Who,
};
use serde::Serialize;
use signature_core::OrganizationNumber;

use crate::cli::{
    AltinnTarget, MessageArgs, MessagesCommand, MessagesListArgs, SignArgs, SubmitArgs,
};
use crate::config::Settings;
use crate::error::{CliError, Status, read_file};
use crate::mask::mask_identity_numbers;
use crate::output::{emit_output, labelled_lines, optional_part};
use crate::style::status_word;

/// `my`, a nine-digit organization number, or a reportee id.
fn who(text: &str) -> Result<Who, CliError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("my") {
        return Ok(Who::My);
    }
    if text.len() == 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        return OrganizationNumber::parse(text)
            .map(Who::Organization)
            .map_err(|e| CliError::Usage(format!("--who: {e}")));
    }
    if text.starts_with('r') && text.len() > 1 && text[1..].bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Who::reportee(text));
    }
    Err(CliError::Usage(
        "--who must be `my`, an organization number (9 digits) or a reportee id (r…); \
         identity numbers are not accepted here"
            .to_owned(),
    ))
}

fn status_name(status: &MessageStatus) -> String {
    match status {
        MessageStatus::Filling => "Filling".to_owned(),
        MessageStatus::Signing => "Signing".to_owned(),
        MessageStatus::SentAndArchived => "SentAndArchived".to_owned(),
        MessageStatus::Unread => "Unread".to_owned(),
        MessageStatus::Read => "Read".to_owned(),
        MessageStatus::Opened => "Opened".to_owned(),
        MessageStatus::Archived => "Archived".to_owned(),
        MessageStatus::Deleted => "Deleted".to_owned(),
        MessageStatus::Active => "Active".to_owned(),
        MessageStatus::Unknown(text) => text.clone(),
        other => format!("{other:?}"),
    }
}

/// A message, for both output forms.
#[derive(Debug, Serialize)]
struct MessageOut {
    id: String,
    subject: Option<String>,
    status: String,
    service_owner: Option<String>,
    service_code: Option<String>,
    service_edition: Option<i64>,
    created: Option<String>,
    last_changed: Option<String>,
    due: Option<String>,
    archive_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forms: Option<Vec<FormOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<Vec<AttachmentOut>>,
}

#[derive(Debug, Serialize)]
struct FormOut {
    id: i64,
    name: Option<String>,
    data_format_id: Option<String>,
    data_format_version: Option<String>,
    signing_locked: bool,
    signed_by_default: bool,
}

#[derive(Debug, Serialize)]
struct AttachmentOut {
    id: i64,
    file_name: Option<String>,
    attachment_type: Option<String>,
    file_size: Option<u64>,
    signing_locked: bool,
    signed_by_default: bool,
}

fn mask(text: &Option<String>) -> Option<String> {
    text.as_deref().map(mask_identity_numbers)
}

impl MessageOut {
    fn new(m: &Message) -> Self {
        Self {
            id: m.id.to_string(),
            subject: mask(&m.subject),
            status: status_name(&m.status),
            service_owner: mask(&m.service_owner),
            service_code: m.service_code.clone(),
            service_edition: m.service_edition,
            created: m.created_date.clone(),
            last_changed: m.last_changed.clone(),
            due: m.due_date.clone(),
            archive_reference: m.archive_reference.clone(),
            forms: None,
            attachments: None,
        }
    }

    fn row(&self) -> String {
        format!(
            "{:<12} {:<16} {:>6}/{:<3} {}  {}\n",
            self.id,
            status_word(&self.status),
            self.service_code.as_deref().unwrap_or("-"),
            self.service_edition
                .map(|e| e.to_string())
                .unwrap_or_default(),
            self.last_changed.as_deref().unwrap_or("-"),
            self.subject.as_deref().unwrap_or("(no subject)")
        )
    }
}

fn connect(target: &AltinnTarget, settings: &Settings) -> Result<(AltinnClient, Who), CliError> {
    let who = who(&target.who)?;
    Ok((crate::connect::altinn(settings)?, who))
}

/// The client, the party and the message id of a command on one message.
fn open_message(
    args: &MessageArgs,
    settings: &Settings,
) -> Result<(AltinnClient, Who, MessageId), CliError> {
    let (client, who) = connect(&args.target, settings)?;
    Ok((client, who, MessageId::new(args.id.trim())))
}

pub(crate) fn run(
    command: &MessagesCommand,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    match command {
        MessagesCommand::List(args) => list(args, settings, json),
        MessagesCommand::Show(args) => show(args, settings, json),
        MessagesCommand::SigningText(args) => signing_text(args, settings, json),
        MessagesCommand::Sign(args) => sign(args, settings, json),
        MessagesCommand::Submit(args) => submit(args, settings, json),
    }
}

fn list(args: &MessagesListArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    let (client, who) = connect(&args.target, settings)?;
    let mut query = MessageQuery::new();
    if let Some(filter) = &args.filter {
        query = query.filter(filter.as_str());
    }
    if let Some(top) = args.top {
        query = query.top(top);
    }
    let runtime = crate::runtime()?;
    let list = runtime.block_on(client.messages(&who, &query))?;
    let messages: Vec<MessageOut> = list.messages.iter().map(MessageOut::new).collect();
    #[derive(Serialize)]
    struct ListOut<'a> {
        messages: &'a [MessageOut],
        limit_reached: bool,
    }
    let list = ListOut {
        messages: &messages,
        limit_reached: list.limit_reached,
    };
    emit_output(json, &list, |list| {
        let mut out = format!(
            "{} message(s) in {}\n",
            list.messages.len(),
            args.target.who
        );
        for m in list.messages {
            out.push_str(&m.row());
        }
        if list.limit_reached {
            out.push_str(
                "Altinn reached its database limit: the list may be incomplete; narrow it with \
                 --filter.\n",
            );
        }
        out
    })
}

fn show(args: &MessageArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    let (client, who, id) = open_message(args, settings)?;
    let runtime = crate::runtime()?;
    let (message, forms, attachments) = runtime.block_on(async {
        let message = client.message(&who, &id).await?;
        let forms = client.forms(&who, &id).await?;
        let attachments = client.attachments(&who, &id).await?;
        Ok::<_, altinn_adapter::Error>((message, forms, attachments))
    })?;
    let mut out = MessageOut::new(&message);
    out.forms = Some(
        forms
            .iter()
            .map(|f| FormOut {
                id: f.id,
                name: mask(&f.name),
                data_format_id: f.data_format_id.clone(),
                data_format_version: f.data_format_version.clone(),
                signing_locked: f.signing_locked,
                signed_by_default: f.signed_by_default,
            })
            .collect(),
    );
    out.attachments = Some(
        attachments
            .iter()
            .map(|a| AttachmentOut {
                id: a.id,
                file_name: mask(&a.file_name),
                attachment_type: a.attachment_type.clone(),
                file_size: a.file_size,
                signing_locked: a.signing_locked,
                signed_by_default: a.signed_by_default,
            })
            .collect(),
    );
    emit_output(json, &out, |out| {
        let mut text = format!(
            "Message {}: {}\n  status: {}\n  service: {} edition {}{}\n",
            out.id,
            out.subject.as_deref().unwrap_or("(no subject)"),
            status_word(&out.status),
            out.service_code.as_deref().unwrap_or("-"),
            out.service_edition
                .map(|e| e.to_string())
                .unwrap_or_default(),
            optional_part(" (", out.service_owner.as_deref(), ")"),
        );
        text.push_str(&labelled_lines(&[
            ("created", &out.created),
            ("last changed", &out.last_changed),
            ("due", &out.due),
            ("archive reference", &out.archive_reference),
        ]));
        for f in out.forms.iter().flatten() {
            text.push_str(&format!(
                "  form {}: {} ({} v{}){}\n",
                f.id,
                f.name.as_deref().unwrap_or("-"),
                f.data_format_id.as_deref().unwrap_or("-"),
                f.data_format_version.as_deref().unwrap_or("-"),
                if f.signing_locked {
                    ", signing locked"
                } else {
                    ""
                }
            ));
        }
        for a in out.attachments.iter().flatten() {
            text.push_str(&format!(
                "  attachment {}: {} ({} bytes){}\n",
                a.id,
                a.file_name.as_deref().unwrap_or("-"),
                a.file_size.unwrap_or(0),
                if a.signing_locked {
                    ", signing locked"
                } else {
                    ""
                }
            ));
        }
        text
    })
}

fn signing_text(args: &MessageArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    let (client, who, id) = open_message(args, settings)?;
    let runtime = crate::runtime()?;
    let text = runtime.block_on(client.signing_text(&who, &id))?;
    #[derive(Serialize)]
    struct TextOut<'a> {
        id: &'a str,
        text: String,
    }
    let out = TextOut {
        id: id.as_str(),
        text: mask_identity_numbers(&text.text),
    };
    emit_output(json, &out, |out| format!("{}\n", out.text))
}

fn sign(args: &SignArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    let (client, who, id) = open_message(&args.message, settings)?;
    let selection = if args.forms.is_empty() && args.attachments.is_empty() {
        SignatureSelection::Whole
    } else {
        SignatureSelection::Partial(SignatureSpec {
            form_ids: args.forms.clone(),
            attachment_ids: args.attachments.clone(),
        })
    };
    let runtime = crate::runtime()?;
    let signed = runtime.block_on(client.sign(&who, &id, &selection))?;
    #[derive(Serialize)]
    struct SignedOut {
        id: String,
        archived: bool,
        archived_id: Option<String>,
        partial: bool,
    }
    let out = SignedOut {
        id: id.to_string(),
        archived: signed.is_archived(),
        archived_id: signed.archived.message_id.as_ref().map(|m| m.to_string()),
        partial: matches!(selection, SignatureSelection::Partial(_)),
    };
    emit_output(json, &out, |out| match (out.archived, &out.archived_id) {
        (true, Some(archived)) => format!("Signed {}; archived as {archived}\n", out.id),
        _ => format!(
            "Signed {}; it waits for more signatures or processing\n",
            out.id
        ),
    })
}

/// `ID:VERSION:FILE` → the three parts (the file may contain `:`).
fn form_parts(text: &str, flag: &str) -> Result<(String, String, String), CliError> {
    let mut parts = text.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(id), Some(version), Some(file)) if !id.is_empty() && !version.is_empty() => {
            let xml = read_file(Path::new(file))?;
            let xml = String::from_utf8(xml).map_err(|_| {
                CliError::Usage(format!("{flag} {file}: the form data is not UTF-8 XML"))
            })?;
            Ok((id.to_owned(), version.to_owned(), xml))
        }
        _ => Err(CliError::Usage(format!(
            "{flag} takes DATAFORMATID:VERSION:FILE.xml, got {text:?}"
        ))),
    }
}

fn submit(args: &SubmitArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    // Read every file before connecting.
    let (id, version, xml) = form_parts(&args.main_form, "--main-form")?;
    let mut task = FormTask::new(args.service_code.as_str(), args.service_edition)
        .form(NewForm::main(id, version, xml));
    for sub in &args.sub_forms {
        let (id, version, xml) = form_parts(sub, "--sub-form")?;
        task = task.form(NewForm::sub(id, version, xml));
    }
    for attachment in &args.attachments {
        let Some((kind, file)) = attachment.split_once(':') else {
            return Err(CliError::Usage(format!(
                "--attachment takes TYPE:FILE, got {attachment:?}"
            )));
        };
        let path = Path::new(file);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        task = task.attachment(NewAttachment::new(name, kind, read_file(path)?));
    }
    let (client, who) = connect(&args.target, settings)?;
    let runtime = crate::runtime()?;
    let submitted = runtime.block_on(client.submit_to_signing(&who, &task))?;
    #[derive(Serialize)]
    struct SubmittedOut {
        id: String,
        location: String,
    }
    let out = SubmittedOut {
        id: submitted.message_id.to_string(),
        location: submitted.location.clone(),
    };
    emit_output(json, &out, |out| {
        format!("Submitted to signing as message {}\n", out.id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_accepts_my_org_and_reportee_but_not_a_pin() {
        assert_eq!(who("my").unwrap(), Who::My);
        assert!(matches!(who("984661185").unwrap(), Who::Organization(_)));
        assert_eq!(who("r50170460").unwrap(), Who::Reportee("r50170460".into()));
        let error = who("24068110048").unwrap_err().to_string();
        assert!(!error.contains("24068110048"), "{error}");
    }
}
