//! A small, bounded XML tree for `signatures.xml`: enough structure to find the signature's
//! parts and to canonicalize subtrees, with raw prefixes and namespace declarations kept
//! because inclusive C14N renders them.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};

pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 200_000;

/// prefix ("" for the default namespace) → namespace URI, for the declarations in effect.
pub(crate) type Scope = BTreeMap<String, String>;

#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub(crate) qname: String,
    pub(crate) ns: String,
    pub(crate) local: String,
    pub(crate) value: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub(crate) qname: String,
    pub(crate) ns: String,
    pub(crate) local: String,
    /// Declarations written on this element; an empty URI undeclares the default namespace.
    pub(crate) decls: Vec<(String, String)>,
    pub(crate) attrs: Vec<Attr>,
    pub(crate) children: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub(crate) fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    pub(crate) fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_empty() && a.local == local)
            .map(|a| a.value.as_str())
    }

    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub(crate) fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, local))
    }

    pub(crate) fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }

    /// The scope this element's own declarations produce on top of `outer`.
    pub(crate) fn scope(&self, outer: &Scope) -> Scope {
        let mut scope = outer.clone();
        for (prefix, uri) in &self.decls {
            if uri.is_empty() {
                scope.remove(prefix);
            } else {
                scope.insert(prefix.clone(), uri.clone());
            }
        }
        scope
    }
}

/// A found element with what it inherits from its ancestors.
#[derive(Debug)]
pub(crate) struct Located<'a> {
    pub(crate) element: &'a Element,
    /// Namespace declarations in effect at the parent.
    pub(crate) outer_scope: Scope,
    /// `xml:*` attributes of ancestors (nearest wins), which inclusive C14N copies onto the apex.
    pub(crate) inherited_xml_attrs: Vec<Attr>,
}

/// Depth-first search for the first element matching `pred`.
pub(crate) fn locate<'a>(
    root: &'a Element,
    pred: &dyn Fn(&Element) -> bool,
) -> Option<Located<'a>> {
    fn walk<'a>(
        el: &'a Element,
        outer: &Scope,
        xml_attrs: &[Attr],
        pred: &dyn Fn(&Element) -> bool,
    ) -> Option<Located<'a>> {
        if pred(el) {
            return Some(Located {
                element: el,
                outer_scope: outer.clone(),
                inherited_xml_attrs: xml_attrs.to_vec(),
            });
        }
        let scope = el.scope(outer);
        let mut attrs: Vec<Attr> = xml_attrs
            .iter()
            .filter(|a| {
                !el.attrs
                    .iter()
                    .any(|b| b.ns == XML_NS && b.local == a.local)
            })
            .cloned()
            .collect();
        attrs.extend(el.attrs.iter().filter(|a| a.ns == XML_NS).cloned());
        el.elements().find_map(|c| walk(c, &scope, &attrs, pred))
    }
    walk(root, &Scope::new(), &[], pred)
}

/// Parses a whole document into its root element. DOCTYPEs are refused (no entity expansion,
/// no external resources); comments are dropped, as C14N without comments does.
pub(crate) fn parse(xml: &[u8]) -> Result<Element> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().trim_text(false);
    let mut stack: Vec<(Element, Scope)> = Vec::new();
    let mut root: Option<Element> = None;
    let mut nodes = 0usize;
    let xml_err = |e: &dyn std::fmt::Display| Error::Xml(e.to_string());
    loop {
        let event = reader.read_event().map_err(|e| xml_err(&e))?;
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(Error::Xml("too many XML nodes".into()));
        }
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(Error::Xml("content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Error::Xml("elements nested too deeply".into()));
                }
                let outer = stack.last().map(|(_, s)| s.clone()).unwrap_or_default();
                let (el, scope) = element(&start, &outer)?;
                stack.push((el, scope));
            }
            Event::End(_) => {
                let (el, _) = stack
                    .pop()
                    .ok_or_else(|| Error::Xml("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some((parent, _)) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| xml_err(&e))?;
                push_text(&mut stack, &s)?;
            }
            Event::CData(c) => {
                let s = c.xml10_content().map_err(|e| xml_err(&e))?;
                push_text(&mut stack, &s)?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| xml_err(&e))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| xml_err(&e))?;
                        match name.as_ref() {
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "amp" => "&".into(),
                            "apos" => "'".into(),
                            "quot" => "\"".into(),
                            other => {
                                return Err(Error::Xml(format!("unknown entity &{other};")));
                            }
                        }
                    }
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::DocType(_) => return Err(Error::Xml("DOCTYPE is not allowed".into())),
            Event::PI(_) if !stack.is_empty() => {
                return Err(Error::Xml(
                    "processing instructions inside the signature".into(),
                ));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Empty(_) => return Err(Error::Xml("unexpected empty-element event".into())),
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(Error::Xml("unclosed element".into()));
    }
    root.ok_or_else(|| Error::Xml("no root element".into()))
}

fn push_text(stack: &mut [(Element, Scope)], s: &str) -> Result<()> {
    match stack.last_mut() {
        Some((el, _)) => {
            if let Some(Node::Text(prev)) = el.children.last_mut() {
                prev.push_str(s);
            } else {
                el.children.push(Node::Text(s.to_owned()));
            }
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(Error::Xml("text outside the root element".into())),
    }
}

fn split(qname: &str) -> (&str, &str) {
    match qname.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", qname),
    }
}

fn element(start: &BytesStart<'_>, outer: &Scope) -> Result<(Element, Scope)> {
    let qname = std::str::from_utf8(start.name().as_ref())
        .map_err(|e| Error::Xml(e.to_string()))?
        .to_owned();
    let mut decls = Vec::new();
    let mut raw_attrs = Vec::new();
    for attr in start.attributes().with_checks(true) {
        let attr = attr.map_err(|e| Error::Xml(e.to_string()))?;
        let key = std::str::from_utf8(attr.key.as_ref())
            .map_err(|e| Error::Xml(e.to_string()))?
            .to_owned();
        let raw = std::str::from_utf8(&attr.value).map_err(|e| Error::Xml(e.to_string()))?;
        let value = attribute_value(raw)?;
        if key == "xmlns" {
            decls.push((String::new(), value));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            if value.is_empty() {
                return Err(Error::Xml(format!(
                    "prefix {prefix} undeclared (XML 1.1 only)"
                )));
            }
            decls.push((prefix.to_owned(), value));
        } else {
            raw_attrs.push((key, value));
        }
    }
    let mut scope = outer.clone();
    for (prefix, uri) in &decls {
        if uri.is_empty() {
            scope.remove(prefix);
        } else {
            scope.insert(prefix.clone(), uri.clone());
        }
    }
    let resolve = |prefix: &str, is_attr: bool| -> Result<String> {
        match prefix {
            "" if is_attr => Ok(String::new()),
            "xml" => Ok(XML_NS.to_owned()),
            p => match scope.get(p) {
                Some(uri) => Ok(uri.clone()),
                None if p.is_empty() => Ok(String::new()),
                None => Err(Error::Xml(format!("undeclared namespace prefix {p:?}"))),
            },
        }
    };
    let (prefix, local) = split(&qname);
    let ns = resolve(prefix, false)?;
    let local = local.to_owned();
    let mut attrs = Vec::with_capacity(raw_attrs.len());
    for (key, value) in raw_attrs {
        let (p, l) = split(&key);
        let ans = resolve(p, true)?;
        let l = l.to_owned();
        if attrs.iter().any(|a: &Attr| a.ns == ans && a.local == l) {
            return Err(Error::Xml(format!("duplicate attribute {key}")));
        }
        attrs.push(Attr {
            qname: key,
            ns: ans,
            local: l,
            value,
        });
    }
    Ok((
        Element {
            qname,
            ns,
            local,
            decls,
            attrs,
            children: Vec::new(),
        },
        scope,
    ))
}

/// Attribute-value normalization for CDATA attributes (no DTD): literal whitespace characters
/// become spaces, then references are expanded.
fn attribute_value(raw: &str) -> Result<String> {
    let normalized = raw.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ");
    quick_xml::escape::unescape(&normalized)
        .map(|c| c.into_owned())
        .map_err(|e| Error::Xml(e.to_string()))
}
