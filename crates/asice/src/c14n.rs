//! Inclusive Canonical XML 1.0 (without comments): the escaping rules our writer uses, and the
//! canonical form of a parsed subtree in its document context, which the verifier recomputes.

use crate::xmltree::{Attr, Element, Located, Node, Scope, XML_NS};

/// Escapes character data as C14N does: `&`, `<`, `>` and carriage return.
pub(crate) fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Escapes an attribute value as C14N does: `&`, `<`, `"` and the whitespace characters that a
/// parser would otherwise normalize away.
pub(crate) fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Canonical bytes of the located element's subtree, as a verifier dereferencing it by Id sees
/// them: every namespace declaration in scope at the apex is rendered there, plus inherited
/// `xml:*` attributes.
pub(crate) fn canonicalize(located: &Located<'_>) -> String {
    let mut out = String::new();
    write_element(
        located.element,
        &located.outer_scope,
        &Scope::new(),
        &located.inherited_xml_attrs,
        &mut out,
    );
    out
}

fn write_element(
    el: &Element,
    outer: &Scope,
    rendered: &Scope,
    extra_attrs: &[Attr],
    out: &mut String,
) {
    let scope = el.scope(outer);
    out.push('<');
    out.push_str(&el.qname);
    // Default namespace first, then prefixes in lexical order (the BTreeMap order).
    if !scope.contains_key("") && rendered.get("").is_some_and(|u| !u.is_empty()) {
        out.push_str(" xmlns=\"\"");
    }
    for (prefix, uri) in &scope {
        if rendered.get(prefix) == Some(uri) {
            continue;
        }
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attr(uri, out);
        out.push('"');
    }
    let mut attrs: Vec<&Attr> = el.attrs.iter().collect();
    for a in extra_attrs {
        if a.ns == XML_NS
            && !el
                .attrs
                .iter()
                .any(|b| b.ns == XML_NS && b.local == a.local)
        {
            attrs.push(a);
        }
    }
    attrs.sort_by(|a, b| (&a.ns, &a.local).cmp(&(&b.ns, &b.local)));
    for a in attrs {
        out.push(' ');
        out.push_str(&a.qname);
        out.push_str("=\"");
        escape_attr(&a.value, out);
        out.push('"');
    }
    out.push('>');
    for child in &el.children {
        match child {
            Node::Element(c) => write_element(c, &scope, &scope, &[], out),
            Node::Text(t) => escape_text(t, out),
        }
    }
    out.push_str("</");
    out.push_str(&el.qname);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmltree::{locate, parse};

    fn c14n_of(xml: &str, local: &str) -> String {
        let root = parse(xml.as_bytes()).unwrap();
        let found = locate(&root, &|e| e.local == local).unwrap();
        canonicalize(&found)
    }

    #[test]
    fn apex_gets_inherited_namespaces_and_children_do_not_repeat_them() {
        let xml = r#"<?xml version="1.0"?>
<a xmlns="urn:a" xmlns:p="urn:p"><b  z="1"   a="2" p:y="3"
   xml:lang="no"><c/><p:d xmlns:p="urn:p">t</p:d></b></a>"#;
        assert_eq!(
            c14n_of(xml, "b"),
            r#"<b xmlns="urn:a" xmlns:p="urn:p" a="2" z="1" xml:lang="no" p:y="3"><c></c><p:d>t</p:d></b>"#
        );
    }

    #[test]
    fn escapes_and_normalizes() {
        let xml =
            "<r><e a=\"x&#9;y\n&quot;&lt;&gt;\">&amp;&lt;&gt;\"'\r\n&#13;<![CDATA[<&]]></e></r>";
        assert_eq!(
            c14n_of(xml, "e"),
            "<e a=\"x&#x9;y &quot;&lt;>\">&amp;&lt;&gt;\"'\n&#xD;&lt;&amp;</e>"
        );
    }

    #[test]
    fn undeclared_default_namespace_is_rendered_as_empty() {
        let xml = r#"<r xmlns="urn:r"><s><t xmlns=""><u/></t></s></r>"#;
        assert_eq!(
            c14n_of(xml, "s"),
            r#"<s xmlns="urn:r"><t xmlns=""><u></u></t></s>"#
        );
        assert_eq!(c14n_of(xml, "t"), r#"<t><u></u></t>"#);
    }

    #[test]
    fn inherited_xml_attributes_move_to_apex() {
        let xml = r#"<r xml:space="preserve"><s xml:lang="en"><t/></s></r>"#;
        assert_eq!(
            c14n_of(xml, "t"),
            r#"<t xml:lang="en" xml:space="preserve"></t>"#
        );
    }

    #[test]
    fn refuses_doctype() {
        assert!(parse(b"<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;</r>").is_err());
        assert!(parse(b"<r>&x;</r>").is_err());
    }
}
