//! The `[altinn3]` section of a job file: what an Altinn 3 job needs besides the title and
//! the documents, namely the app, the instance's owner and the app's data model.
//!
//! ```toml
//! title = "Employment contract"
//! documents = ["contract.pdf"]
//!
//! [altinn3]
//! app = "ttd/signing-demo"      # ORG/APP
//! party = 50001                 # the owner: party, org or person (one of them)
//! form = "form.xml"             # the data model's XML, relative to the job file
//! form_data_type = "model"      # its data type in the app
//! document_data_type = "document" # the data type the documents are stored under
//! ```

use std::path::{Path, PathBuf};

use altinn_adapter::v3::InstanceOwner;
use serde::Deserialize;
use signature_core::{FormPart, ServiceForm};

use crate::error::CliError;

/// `[altinn3]` in a job file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Altinn3JobSpec {
    /// The app, `ORG/APP`.
    pub app: String,
    /// The owner's party id…
    pub party: Option<u64>,
    /// …or organisation number…
    pub org: Option<String>,
    /// …or identity number.
    pub person: Option<String>,
    /// The data model's XML file, relative to the job file.
    pub form: PathBuf,
    /// The data model's data type.
    pub form_data_type: String,
    /// The data type the job's documents are stored under (needed when it has documents).
    pub document_data_type: Option<String>,
}

impl Altinn3JobSpec {
    /// Whom the instance is created for: exactly one of `party`, `org` and `person`.
    pub(crate) fn owner(&self) -> Result<InstanceOwner, CliError> {
        match (&self.party, &self.org, &self.person) {
            (Some(party), None, None) => Ok(InstanceOwner::PartyId(*party)),
            (None, Some(org), None) => Ok(InstanceOwner::OrganisationNumber(org.trim().into())),
            (None, None, Some(person)) => Ok(InstanceOwner::PersonNumber(person.trim().into())),
            _ => Err(CliError::Usage(
                "[altinn3] in the job file names the instance owner with exactly one of party, \
                 org and person"
                    .to_owned(),
            )),
        }
    }

    /// The form the Altinn 3 service stores: the app as service code, the data model as the
    /// main part (Altinn 3 reads neither the edition nor the version, so both are 1), and
    /// the documents' data type.
    pub(crate) fn form(&self, base: &Path) -> Result<ServiceForm, CliError> {
        let path = if self.form.is_absolute() {
            self.form.clone()
        } else {
            base.join(&self.form)
        };
        let xml = std::fs::read_to_string(&path).map_err(|e| CliError::read(&path, e))?;
        let mut form = ServiceForm::new(self.app.trim(), 1).part(FormPart::main(
            self.form_data_type.trim(),
            "1",
            xml,
        ));
        if let Some(data_type) = &self.document_data_type {
            form = form.attachment_type(data_type.trim());
        }
        Ok(form)
    }
}
