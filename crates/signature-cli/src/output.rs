//! Writing results: text for people, JSON for machines, both with identity numbers masked.

use std::io::Write as _;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;

/// One zip entry, for both output forms.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    pub name: String,
    pub size: u64,
    pub compressed_size: u64,
    pub stored: bool,
}

impl From<&asice::EntrySummary> for Entry {
    fn from(entry: &asice::EntrySummary) -> Self {
        Self {
            name: mask_identity_numbers(&entry.name),
            size: entry.size,
            compressed_size: entry.compressed_size,
            stored: entry.stored,
        }
    }
}

/// A certificate from the signature, for both output forms.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Certificate {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
}

impl From<&asice::CertificateSummary> for Certificate {
    fn from(cert: &asice::CertificateSummary) -> Self {
        Self {
            subject: certificate_name(&cert.subject),
            issuer: certificate_name(&cert.issuer),
            // A certificate serial, not personal data; masking would make it useless.
            serial: cert.serial.clone(),
            not_before: timestamp(cert.not_before),
            not_after: timestamp(cert.not_after),
        }
    }
}

/// A certificate name for output: hex string attributes decoded, identity numbers masked.
pub(crate) fn certificate_name(name: &str) -> String {
    mask_identity_numbers(&readable_name(name))
}

/// An RFC 2253 name with hex-encoded string attributes decoded for people:
/// `2.5.4.5=#0c09313233343536373835` becomes `serialNumber=123456785`. Values that are not
/// short, plain strings stay as they are.
pub(crate) fn readable_name(name: &str) -> String {
    name.split(',')
        .map(|part| readable_attribute(part).unwrap_or_else(|| part.to_owned()))
        .collect::<Vec<_>>()
        .join(",")
}

fn readable_attribute(part: &str) -> Option<String> {
    let (oid, value) = part.split_once("=#")?;
    if !oid.bytes().all(|b| b.is_ascii_digit() || b == b'.') || value.len() % 2 != 0 {
        return None;
    }
    let der = (0..value.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(value.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    // UTF8String, PrintableString or IA5String with a short-form length.
    let (&tag, rest) = der.split_first()?;
    let (&len, text) = rest.split_first()?;
    if !matches!(tag, 0x0c | 0x13 | 0x16) || usize::from(len) != text.len() || len >= 0x80 {
        return None;
    }
    let text = std::str::from_utf8(text).ok()?;
    if !text
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | ':' | '/'))
    {
        return None;
    }
    let label = match oid {
        "2.5.4.5" => "serialNumber",
        "2.5.4.97" => "organizationIdentifier",
        "2.5.4.4" => "surname",
        "2.5.4.42" => "givenName",
        other => other,
    };
    Some(format!("{label}={text}"))
}

/// RFC 3339, e.g. `2026-11-22T11:00:00Z`.
pub(crate) fn timestamp(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_else(|_| time.to_string())
}

/// The entry table of the text output, indented by `indent`.
pub(crate) fn entry_lines(entries: &[Entry], indent: &str) -> String {
    let width = entries
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for e in entries {
        let how = if e.stored {
            "stored".to_owned()
        } else {
            format!("deflated to {} bytes", e.compressed_size)
        };
        out.push_str(&format!(
            "{indent}{:<width$}  {:>9} bytes  {how}\n",
            e.name, e.size
        ));
    }
    out
}

/// Writes `text` to standard output. A closed pipe (`| head`) is not an error.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Write {
            path: "standard output".to_owned(),
            error,
        }),
        _ => Ok(()),
    }
}

/// Writes `value` as pretty JSON and a newline to standard output.
pub(crate) fn emit_json(value: &impl Serialize) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|error| CliError::Write {
        path: "standard output".to_owned(),
        error: error.into(),
    })?;
    text.push('\n');
    emit(&text)
}

/// An optional part of a line: `before`, the value and `after`, or nothing without a value.
pub(crate) fn optional_part(before: &str, value: Option<&str>, after: &str) -> String {
    value
        .map(|value| format!("{before}{value}{after}"))
        .unwrap_or_default()
}

/// A `  label: value` line for each row with a value, in order.
pub(crate) fn labelled_lines(rows: &[(&str, &Option<String>)]) -> String {
    rows.iter()
        .filter_map(|(label, value)| value.as_ref().map(|v| format!("  {label}: {v}\n")))
        .collect()
}

/// A command's result: `value` as JSON, or else the text `text` makes of it.
pub(crate) fn emit_output<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&T) -> String,
) -> Result<Status, CliError> {
    if json {
        emit_json(value)?;
    } else {
        emit(&text(value))?;
    }
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use super::readable_name;

    #[test]
    fn hex_string_attributes_are_decoded() {
        assert_eq!(
            readable_name("2.5.4.5=#0c09313233343536373835,O=Testvirksomhet AS,C=NO"),
            "serialNumber=123456785,O=Testvirksomhet AS,C=NO"
        );
        assert_eq!(
            readable_name("2.5.4.97=#130f4e54524e4f2d393834363631313835"),
            "organizationIdentifier=NTRNO-984661185"
        );
        // Not a string type, odd length, or a special character: left alone.
        for kept in [
            "2.5.4.5=#020109",
            "2.5.4.5=#0c0",
            "2.5.4.5=#0c022c41",
            "CN=a=#0c0141",
        ] {
            assert_eq!(readable_name(kept), kept);
        }
    }
}
