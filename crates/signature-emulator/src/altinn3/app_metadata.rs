//! The emulated app's data types, as its `applicationmetadata.json` declares them, and who
//! may write them.
//!
//! Facts from app-lib (Altinn/app-lib-dotnet at 1363997d, v8.12.7):
//! `src/Altinn.App.Core/Helpers/AllowedContributorsHelper.cs` (`IsValidContributor`: an
//! absent or empty `allowedContributors`, or the deprecated `allowedContributers` read
//! first, admits everyone; otherwise only a service owner named by an `org:` or `orgno:`
//! entry, so `["app:owned"]` admits no caller of the API at all, not even the service
//! owner; `EnsureDataTypeIsAppOwned` wants exactly `["app:owned"]` on a signing task's
//! signature type), and `src/Altinn.App.Core/Internal/Data/DataElementAccessChecker.cs`
//! (`GetMutationProblem`, shared by create, update and delete; `ref-data-as-pdf`,
//! `PdfService.PdfElementType`, is refused by its id whatever its metadata says).

use serde_json::{Value, json};

/// One data type of the app's metadata.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DataTypeSpec {
    pub(crate) id: &'static str,
    pub(crate) content_types: &'static [&'static str],
    /// `allowedContributors`; `None` when absent (everyone may write).
    pub(crate) allowed_contributors: Option<&'static [&'static str]>,
    /// `appLogic.classRef` for a form model.
    pub(crate) class_ref: Option<&'static str>,
    pub(crate) task_id: Option<&'static str>,
    /// 0: no limit (app-lib checks `MaxCount > 0`).
    pub(crate) max_count: usize,
    pub(crate) min_count: usize,
}

impl DataTypeSpec {
    /// `AllowedContributorsHelper.IsValidContributor` for the emulator's callers, none of
    /// whom is a service owner (an organisation's Maskinporten token has no `urn:altinn:org`
    /// claim): only a type without `allowedContributors` admits them.
    pub(crate) fn admits_api_writers(&self) -> bool {
        self.allowed_contributors.is_none_or(<[&str]>::is_empty)
    }

    fn json(&self) -> Value {
        let mut value = json!({
            "id": self.id,
            "allowedContentTypes": self.content_types,
            "maxCount": self.max_count,
            "minCount": self.min_count,
            "enablePdfCreation": false,
            "enableFileScan": false,
            "validationErrorOnPendingFileScan": false,
        });
        if let Some(contributors) = self.allowed_contributors {
            value["allowedContributors"] = json!(contributors);
        }
        if let Some(class_ref) = self.class_ref {
            value["appLogic"] = json!({"classRef": class_ref});
        }
        if let Some(task) = self.task_id {
            value["taskId"] = json!(task);
        }
        value
    }
}

/// The data types every emulated app declares: the form model and the documents to sign
/// (uploaded by the user), the PDF the app renders and the signatures it writes (app-owned).
pub(crate) const DATA_TYPES: [DataTypeSpec; 4] = [
    DataTypeSpec {
        id: super::MODEL_DATA_TYPE,
        content_types: &["application/xml"],
        allowed_contributors: None,
        class_ref: Some("Signering.Emulator.Model"),
        task_id: Some("Task_1"),
        max_count: 1,
        min_count: 0,
    },
    DataTypeSpec {
        id: super::DOCUMENT_DATA_TYPE,
        content_types: &["application/pdf"],
        allowed_contributors: None,
        class_ref: None,
        task_id: Some("Task_1"),
        max_count: 0,
        min_count: 0,
    },
    // As real apps declare it (app-lib's test apps): no `allowedContributors`; the
    // access checker refuses it by id.
    DataTypeSpec {
        id: super::GENERATED_PDF_DATA_TYPE,
        content_types: &["application/pdf"],
        allowed_contributors: None,
        class_ref: None,
        task_id: None,
        max_count: 0,
        min_count: 0,
    },
    // A signing task's signature type must be `["app:owned"]` (EnsureDataTypeIsAppOwned).
    DataTypeSpec {
        id: super::SIGNATURE_DATA_TYPE,
        content_types: &["application/json"],
        allowed_contributors: Some(&["app:owned"]),
        class_ref: None,
        task_id: Some("Task_2"),
        max_count: 0,
        min_count: 0,
    },
];

/// The data types the signing task signs (`dataTypesToSign`).
pub(crate) const DATA_TYPES_TO_SIGN: [&str; 2] =
    [super::DOCUMENT_DATA_TYPE, super::GENERATED_PDF_DATA_TYPE];

/// A data type by id.
pub(crate) fn data_type(id: &str) -> Option<&'static DataTypeSpec> {
    DATA_TYPES.iter().find(|t| t.id == id)
}

/// `GET {org}/{app}/api/v1/applicationmetadata` (`ApplicationMetadata` of the app OpenAPI).
pub(crate) fn application_metadata(app_id: &str) -> Value {
    let (org, app) = app_id.split_once('/').unwrap_or((app_id, ""));
    json!({
        "id": app_id,
        "org": org,
        "title": {"nb": app},
        "dataTypes": DATA_TYPES.iter().map(DataTypeSpec::json).collect::<Vec<_>>(),
        "partyTypesAllowed": {"bankruptcyEstate": false, "organisation": false,
                              "person": false, "subUnit": false},
        "autoDeleteOnProcessEnd": false,
        "disallowUserInstantiation": false,
        "altinnNugetVersion": "8.12.7.0",
    })
}
