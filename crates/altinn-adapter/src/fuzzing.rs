//! Entry points for the fuzz targets in `fuzz/` (not a public API: hidden from the docs and
//! free to change). They run the same parsing the clients run on an answer body, so the
//! fuzzers exercise the real code instead of a copy.

/// Reads `body` the way the Altinn 2 client reads each HAL+JSON answer (message list, one
/// message, forms, one form, attachments, reportees, an error body, a signing text, the
/// `Location` of an archived item) and returns how many items were found, so nothing is
/// optimized away.
#[cfg(feature = "altinn2")]
pub fn parse_answer(body: &[u8]) -> usize {
    use crate::v2::hal::{Obj, Resource};
    use crate::v2::messages::Archived;
    use crate::v2::model::{Attachment, Form, Message, Reportee, SigningText};

    let mut found = 0;
    if let Ok(text) = std::str::from_utf8(body) {
        let signing = SigningText::parse(text.to_owned());
        found += signing.text.len();
        let (code, message) = crate::response::error_body(text);
        found += usize::from(code.is_some()) + message.map_or(0, |m| m.len());
        let archived = Archived::from_location(Some(text.to_owned()));
        found += usize::from(archived.message_id.is_some());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return found;
    };
    found += Message::list(&value).len();
    found += Form::list(&value).len();
    found += Attachment::list(&value).len();
    found += Reportee::list(&value).len();
    let obj = Obj::new(&value);
    found += usize::from(Message::from_obj(&obj).is_some());
    found += usize::from(Form::from_obj(&obj).is_some());
    found += obj.links("self").len();
    found
}

/// Reads `body` the way the Altinn 3 client reads its answers (process state, instance,
/// Storage instance page, data element, signing state, signing organisations, signature
/// data element, dialog, dialog page, dialog lookup, action result, ProblemDetails error,
/// the exchanged token's expiry, instance ids and app URLs) and returns how many items
/// were found.
pub fn parse_altinn3_answer(body: &[u8]) -> usize {
    use crate::v3::model::{
        ActionResult, AuthorizedOrganization, DataElement, Dialog, DialogLookup, DialogPage,
        Instance, InstanceId, InstancePage, InstanceRef, ProcessState, SignDocument, SigningState,
    };
    fn ok<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
        crate::v3::client::from_json(body, "fuzz").ok()
    }

    let mut found = usize::from(SignDocument::parse(body).is_ok());
    if let Ok(text) = std::str::from_utf8(body) {
        let problem = crate::v3::problem::parse(400, text);
        found += problem.to_string().len();
        found += usize::from(crate::auth::jwt_expiry(text).is_some());
        found += usize::from(InstanceId::parse(text).is_ok());
        found += usize::from(InstanceRef::from_app_url(text).is_some());
        found += usize::from(InstanceRef::parse(text).is_ok());
    }
    if let Some(process) = ok::<ProcessState>(body) {
        found += usize::from(process.is_ended()) + usize::from(process.awaits_signature());
    }
    found += usize::from(ok::<Instance>(body).is_some());
    found += ok::<InstancePage>(body).map_or(0, |page| page.instances.len());
    found += usize::from(ok::<DataElement>(body).is_some());
    found += ok::<SigningState>(body).map_or(0, |state| state.signees.len());
    found += ok::<Vec<AuthorizedOrganization>>(body).map_or(0, |orgs| orgs.len());
    if let Some(dialog) = ok::<Dialog>(body) {
        found += 1 + usize::from(dialog.instance().is_some());
    }
    found += ok::<DialogPage>(body).map_or(0, |page| page.items.len());
    found += usize::from(ok::<DialogLookup>(body).is_some());
    if let Some(action) = ok::<ActionResult>(body) {
        found +=
            usize::from(action.instance.is_some()) + usize::from(action.redirect_url.is_some());
    }
    found
}
