//! Tolerant reading of Altinn's HAL+JSON.
//!
//! Altinn writes resource fields in PascalCase and link fields in lower case, has changed
//! casing between versions (`FormID` vs `FormId`), adds fields over time, and in plain JSON
//! mode turns `_links` into an array of `{Rel, Href, …}`. So fields are looked up by name
//! ignoring ASCII case, unknown fields are ignored, and both link shapes are read.

use serde_json::{Map, Value};

/// A JSON object read leniently.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(value: &'a Value) -> Self {
        Self {
            map: value.as_object(),
        }
    }

    pub(crate) fn is_object(&self) -> bool {
        self.map.is_some()
    }

    /// The field `name`, matched exactly first, then ignoring ASCII case.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        let map = self.map?;
        map.get(name).or_else(|| {
            map.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value)
        })
    }

    /// The first of `names` that is present and not null.
    pub(crate) fn any(&self, names: &[&str]) -> Option<&'a Value> {
        names
            .iter()
            .find_map(|name| self.get(name).filter(|value| !value.is_null()))
    }

    pub(crate) fn obj(&self, name: &str) -> Obj<'a> {
        self.get(name).map(Obj::new).unwrap_or_default()
    }

    /// A string, also accepting a number (Altinn sends some ids either way).
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        value_string(self.get(name)?)
    }

    /// An integer, also accepting a string of digits.
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        value_int(self.get(name)?)
    }

    /// A boolean, also accepting `"true"`/`"false"`.
    pub(crate) fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub(crate) fn ints(&self, name: &str) -> Vec<i64> {
        match self.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(value_int).collect(),
            _ => Vec::new(),
        }
    }

    /// The resources embedded under `key` (`_embedded.<key>`), or the items of a bare array
    /// (the plain-JSON list shape).
    pub(crate) fn embedded(value: &'a Value, key: &str) -> Vec<Obj<'a>> {
        if let Value::Array(items) = value {
            return items.iter().map(Obj::new).collect();
        }
        match Obj::new(value).obj("_embedded").get(key) {
            Some(Value::Array(items)) => items.iter().map(Obj::new).collect(),
            Some(single @ Value::Object(_)) => vec![Obj::new(single)],
            _ => Vec::new(),
        }
    }

    /// The links with relation `rel`, from a HAL `_links` object (single link or array) or
    /// from a plain-JSON `_links` array of `{Rel, Href, …}`.
    pub(crate) fn links(&self, rel: &str) -> Vec<Link> {
        match self.get("_links") {
            Some(Value::Object(_)) => match self.obj("_links").get(rel) {
                Some(Value::Array(items)) => items.iter().filter_map(Link::from_value).collect(),
                Some(single) => Link::from_value(single).into_iter().collect(),
                None => Vec::new(),
            },
            Some(Value::Array(items)) => items
                .iter()
                .filter(|item| {
                    Obj::new(item)
                        .string("Rel")
                        .is_some_and(|r| r.eq_ignore_ascii_case(rel))
                })
                .filter_map(Link::from_value)
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn link(&self, rel: &str) -> Option<Link> {
        self.links(rel).into_iter().next()
    }
}

/// A resource the message API returns, read from one HAL object and listed from
/// `_embedded.<EMBEDDED>` (or a bare array).
pub(crate) trait Resource: Sized {
    /// The key a list answer embeds the resources under.
    const EMBEDDED: &'static str;

    /// Reads one resource; `None` when the object lacks what identifies it.
    fn from_obj(obj: &Obj<'_>) -> Option<Self>;

    /// The resources of a list answer; objects without an id are skipped.
    fn list(value: &Value) -> Vec<Self> {
        Obj::embedded(value, Self::EMBEDDED)
            .iter()
            .filter_map(Self::from_obj)
            .collect()
    }
}

fn value_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn value_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A HAL link with the extra attributes Altinn puts on attachment and print links.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Link {
    /// The target.
    pub href: String,
    /// `name` (`Title` in plain JSON).
    pub name: Option<String>,
    /// `fileName` (`FileNameWithExtension` in plain JSON).
    pub file_name: Option<String>,
    /// `mime-type`.
    pub mime_type: Option<String>,
    /// Whether the download is encrypted.
    pub encrypted: Option<bool>,
    /// Whether the signing selection of the item is locked.
    pub signing_locked: Option<bool>,
    /// Whether the service owner wants the item signed.
    pub signed_by_default: Option<bool>,
    /// The size in bytes, when known (Altinn's `-1` for unknown becomes `None`).
    pub file_size: Option<u64>,
    /// Whether `href` is a URI template.
    pub templated: bool,
}

impl Link {
    fn from_value(value: &Value) -> Option<Self> {
        let obj = Obj::new(value);
        let href = value_string(obj.get("href")?)?;
        Some(Self {
            href,
            name: obj.any(&["name", "Title"]).and_then(value_string),
            file_name: obj
                .any(&["fileName", "FileNameWithExtension"])
                .and_then(value_string),
            mime_type: obj.any(&["mime-type", "MimeType"]).and_then(value_string),
            encrypted: obj.bool("encrypted"),
            signing_locked: obj.bool("signinglocked"),
            signed_by_default: obj.bool("signedbydefault"),
            file_size: obj
                .int("filesize")
                .and_then(|size| u64::try_from(size).ok()),
            templated: obj.bool("isTemplated").or(obj.bool("templated")) == Some(true),
        })
    }

    /// The last path segment of `href` (Altinn's form and attachment ids).
    pub fn last_segment(&self) -> Option<&str> {
        last_segment(&self.href)
    }
}

/// The last path segment of a URL or path, without query or fragment; `None` when empty.
pub(crate) fn last_segment(url: &str) -> Option<&str> {
    url.split(['?', '#'])
        .next()?
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_ignore_case_and_accept_numbers_as_strings() {
        let value =
            json!({"FormID": 7, "serviceedition": "64", "SigningLocked": "true", "Extra": {}});
        let obj = Obj::new(&value);
        assert_eq!(obj.int("FormId"), Some(7));
        assert_eq!(obj.string("FormId").as_deref(), Some("7"));
        assert_eq!(obj.int("ServiceEdition"), Some(64));
        assert_eq!(obj.bool("signinglocked"), Some(true));
        assert_eq!(obj.string("Missing"), None);
    }

    #[test]
    fn links_in_hal_and_plain_json_shapes() {
        let hal = json!({"_links": {
            "self": {"href": "https://x/api/my/messages/a1"},
            "attachment": [
                {"href": "https://x/api/my/messages/a1/attachments/11", "name": "Vedlegg",
                 "fileName": "v.pdf", "encrypted": false, "signinglocked": true,
                 "signedbydefault": true, "filesize": -1}
            ]
        }});
        let obj = Obj::new(&hal);
        let attachment = obj.link("attachment").unwrap();
        assert_eq!(attachment.last_segment(), Some("11"));
        assert_eq!(attachment.file_size, None);
        assert_eq!(attachment.signing_locked, Some(true));
        assert_eq!(obj.link("self").unwrap().last_segment(), Some("a1"));

        let plain = json!({"_links": [
            {"Rel": "attachment", "Href": "https://x/a/12", "Title": "T",
             "FileNameWithExtension": "t.xml", "MimeType": "application/xml", "FileSize": 10}
        ]});
        let link = Obj::new(&plain).link("attachment").unwrap();
        assert_eq!(link.href, "https://x/a/12");
        assert_eq!(link.name.as_deref(), Some("T"));
        assert_eq!(link.file_name.as_deref(), Some("t.xml"));
        assert_eq!(link.mime_type.as_deref(), Some("application/xml"));
        assert_eq!(link.file_size, Some(10));
        assert!(Obj::new(&plain).link("self").is_none());
    }

    #[test]
    fn embedded_lists_or_bare_arrays() {
        let hal = json!({"_embedded": {"messages": [{"MessageId": "a1"}, {"MessageId": "a2"}]}});
        assert_eq!(Obj::embedded(&hal, "messages").len(), 2);
        let bare = json!([{"MessageId": "a1"}]);
        assert_eq!(Obj::embedded(&bare, "messages").len(), 1);
        assert!(Obj::embedded(&json!({}), "messages").is_empty());
    }
}
