//! A small XML element tree: parsed from what the server sends (with quick-xml), written with
//! correct escaping for what we send.
//!
//! XMPP needs very little of XML: elements with a namespace, attributes and text. Namespaces are
//! resolved while parsing (`<stream:features>` inside a BOSH `<body/>` becomes the element
//! `features` in `http://etherx.jabber.org/streams`), so the rest of the core matches on
//! `(name, namespace)` and never sees a prefix. DTDs, processing instructions and entity
//! references other than the five predefined ones and character references are refused (RFC 6120
//! §11.1), which also rules out entity-expansion attacks.

use quick_xml::escape::{normalize_attribute_value, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The XML namespace bound to the `xml:` prefix by definition.
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Deepest nesting accepted from the network; XMPP stanzas inside a BOSH body are shallow.
const MAX_DEPTH: usize = 64;

/// Why a piece of XML could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlError {
    /// The text is not well-formed XML (the parser's description follows).
    Malformed(String),
    /// An element uses a namespace prefix that no enclosing element declares.
    UnboundPrefix(String),
    /// The document is empty or has no root element.
    NoRoot,
    /// The document holds a construct XMPP forbids: a DTD, a processing instruction, an unknown
    /// entity, or nesting deeper than [`MAX_DEPTH`].
    Forbidden(&'static str),
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XmlError::Malformed(why) => write!(f, "malformed XML: {why}"),
            XmlError::UnboundPrefix(p) => write!(f, "undeclared namespace prefix `{p}`"),
            XmlError::NoRoot => f.write_str("no root element"),
            XmlError::Forbidden(what) => write!(f, "forbidden in XMPP: {what}"),
        }
    }
}

impl std::error::Error for XmlError {}

/// A child of an element: another element or a run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data, already unescaped.
    Text(String),
}

/// An XML element with its resolved namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Local name, without prefix.
    pub name: String,
    /// Resolved namespace URI (empty when none applies).
    pub ns: String,
    /// Attributes in document order, names as written (`xml:lang` keeps its prefix), values
    /// unescaped. Namespace declarations are not attributes.
    pub attrs: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
}

impl Element {
    /// An element with no attributes and no children.
    pub fn new(name: &str, ns: &str) -> Self {
        Element { name: name.to_owned(), ns: ns.to_owned(), attrs: Vec::new(), children: Vec::new() }
    }

    /// Builder: sets attribute `name` to `value` (replacing an earlier value).
    pub fn attr(mut self, name: &str, value: &str) -> Self {
        self.set_attr(name, value);
        self
    }

    /// Builder: sets attribute `name` when `value` is `Some`.
    pub fn attr_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// Builder: appends a child element.
    pub fn child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// Builder: appends a run of text.
    pub fn text(mut self, text: &str) -> Self {
        self.children.push(Node::Text(text.to_owned()));
        self
    }

    /// Sets attribute `name` to `value`, replacing an earlier value.
    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.attrs.push((name.to_owned(), value.to_owned())),
        }
    }

    /// Appends a child element.
    pub fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    /// The value of attribute `name`, if present.
    pub fn get_attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether this element is `name` in namespace `ns`.
    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element `name` in namespace `ns`.
    pub fn find(&self, name: &str, ns: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(name, ns))
    }

    /// The first child element in namespace `ns` other than `<text/>`: the defined condition of a
    /// stream, SASL or stanza error.
    pub fn condition(&self, ns: &str) -> Option<&Element> {
        self.elements().find(|e| e.ns == ns && e.name != "text")
    }

    /// Every child element `name` in namespace `ns`.
    pub fn find_all<'a>(&'a self, name: &'a str, ns: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(name, ns))
    }

    /// The first child element in namespace `ns`, whatever its name (chat states, markers).
    #[allow(clippy::manual_find, reason = "a plain loop: `Iterator::find` would instantiate a `try_fold` per closure in the module")]
    pub fn find_ns(&self, ns: &str) -> Option<&Element> {
        for e in self.elements() {
            if e.ns == ns {
                return Some(e);
            }
        }
        None
    }

    /// The concatenated text directly inside this element.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                out.push_str(t);
            }
        }
        out
    }

    /// The text of the first child `name` in `ns`, if that child exists.
    pub fn child_text(&self, name: &str, ns: &str) -> Option<String> {
        self.find(name, ns).map(Element::text_content)
    }

    /// Parses one document whose root is an element. Leading and trailing whitespace, comments
    /// and an XML declaration are allowed around it.
    pub fn parse(text: &str) -> Result<Element, XmlError> {
        Parser::default().parse(text)
    }

    /// Serialises the element. A child writes `xmlns` only where its namespace differs from its
    /// parent's, so stanzas inside a BOSH body inherit `jabber:client` from the body as XEP-0206
    /// asks.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, None);
        out
    }

    fn write(&self, out: &mut String, parent_ns: Option<&str>) {
        out.push('<');
        out.push_str(&self.name);
        if parent_ns != Some(self.ns.as_str()) && !(parent_ns.is_none() && self.ns.is_empty()) {
            out.push_str(" xmlns=\"");
            escape_into(out, &self.ns, true);
            out.push('"');
        }
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            escape_into(out, v, true);
            out.push('"');
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for n in &self.children {
            match n {
                Node::Element(e) => e.write(out, Some(&self.ns)),
                Node::Text(t) => escape_into(out, t, false),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

/// Where `name` is in `names`: reads a wire name (a defined condition) as the index of the variant
/// listed at the same place, one comparison loop for every such enum instead of a string `match`
/// each.
pub fn name_index(names: &[&str], name: &str) -> Option<usize> {
    names.iter().position(|n| *n == name)
}

/// Escapes `text` for XML character data (`attr = false`) or a double-quoted attribute value.
/// Characters XML 1.0 cannot carry at all (most C0 controls) are dropped rather than sent: a
/// server would close the stream on them.
pub fn escape_into(out: &mut String, text: &str, attr: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// The parser's description of what is wrong. Syntax and well-formedness errors keep quick-xml's
/// wording (it names the tag or construct at fault); the rarer kinds get a fixed phrase, because
/// formatting them links in quick-xml's texts for every sub-case and `Debug` for byte ranges.
/// Namespace errors come only from quick-xml's `NsReader` (namespaces are resolved here), and
/// `Io` cannot occur when reading a string.
fn malformed(e: quick_xml::Error) -> XmlError {
    use quick_xml::Error as E;
    XmlError::Malformed(match e {
        E::Syntax(e) => format!("syntax error: {e}"),
        E::IllFormed(e) => format!("ill-formed document: {e}"),
        E::InvalidAttr(_) => "invalid or duplicate attribute".into(),
        E::Escape(_) => "invalid entity or character reference".into(),
        E::Encoding(_) | E::Namespace(_) | E::Io(_) => "invalid input".into(),
    })
}

/// The bytes attribute-value normalisation (XML 1.0 §3.3.3) replaces or expands: white space
/// and references.
fn is_normalized(b: &u8) -> bool {
    matches!(*b, b'\t' | b'\r' | b'\n' | b'&')
}

/// Writes `space` for the line end at byte `i` of `text` (`\r\n`, `\r` or `\n`, XML 1.0 §2.11);
/// where the rest of the value resumes.
fn line_end_to_space(out: &mut String, text: &str, i: usize, space: char) -> usize {
    out.push(space);
    if text.as_bytes().get(i..i + 2) == Some(b"\r\n") {
        i + 2
    } else {
        i + 1
    }
}

/// An element under construction with the namespace bindings it declared.
struct Open {
    element: Element,
    /// `(prefix, uri)`; the empty prefix is the default namespace.
    bindings: Vec<(String, String)>,
}

#[derive(Default)]
struct Parser {
    stack: Vec<Open>,
    root: Option<Element>,
}

impl Parser {
    fn parse(mut self, text: &str) -> Result<Element, XmlError> {
        let mut reader = Reader::from_str(text);
        loop {
            let event = reader.read_event().map_err(malformed)?;
            match event {
                Event::Start(start) => self.open(&start)?,
                Event::Empty(start) => {
                    self.open(&start)?;
                    self.close()?;
                }
                Event::End(_) => self.close()?,
                Event::Text(t) => self.text(&t.xml10_content())?,
                Event::CData(t) => self.text(&t.xml10_content())?,
                Event::GeneralRef(r) => {
                    let mut utf8 = [0; 4];
                    // Character references, and the five predefined entities only (no DTD).
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.encode_utf8(&mut utf8),
                        Ok(None) => resolve_predefined_entity(&r).ok_or(XmlError::Forbidden("unknown entity"))?,
                        Err(e) => return Err(malformed(e)),
                    };
                    self.text(resolved)?;
                }
                Event::DocType(_) => return Err(XmlError::Forbidden("DTD")),
                Event::PI(_) => return Err(XmlError::Forbidden("processing instruction")),
                Event::Comment(_) | Event::Decl(_) => {}
                Event::Eof => break,
            }
        }
        if !self.stack.is_empty() {
            return Err(XmlError::Malformed("unclosed element".into()));
        }
        self.root.ok_or(XmlError::NoRoot)
    }

    fn resolve(&self, prefix: &str, own: &[(String, String)]) -> Option<String> {
        if prefix == "xml" {
            return Some(NS_XML.to_owned());
        }
        // The innermost declaration wins: this element's own, then its ancestors' inwards out.
        let mut scopes = self.stack.iter().rev().map(|o| o.bindings.as_slice());
        let mut bindings = own;
        loop {
            if let Some((_, uri)) = bindings.iter().rev().find(|(p, _)| p == prefix) {
                return Some(uri.clone());
            }
            bindings = scopes.next()?;
        }
    }

    fn open(&mut self, start: &BytesStart) -> Result<(), XmlError> {
        if self.root.is_some() {
            return Err(XmlError::Malformed("content after the root element".into()));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(XmlError::Forbidden("nesting too deep"));
        }
        let mut bindings = Vec::new();
        let mut attrs = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| malformed(e.into()))?;
            let key = attr.key.0;
            let value = normalize_attribute_value(&attr.value, 1, is_normalized, line_end_to_space, resolve_predefined_entity)
                .map_err(|e| malformed(e.into()))?
                .into_owned();
            if key == "xmlns" {
                bindings.push((String::new(), value));
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                bindings.push((prefix.to_owned(), value));
            } else {
                attrs.push((key.to_owned(), value));
            }
        }
        let qname = start.name().0;
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", qname),
        };
        let ns = match self.resolve(prefix, &bindings) {
            Some(ns) => ns,
            None if prefix.is_empty() => String::new(),
            None => return Err(XmlError::UnboundPrefix(prefix.to_owned())),
        };
        let element = Element { name: local.to_owned(), ns, attrs, children: Vec::new() };
        self.stack.push(Open { element, bindings });
        Ok(())
    }

    fn close(&mut self) -> Result<(), XmlError> {
        let open = self.stack.pop().ok_or_else(|| XmlError::Malformed("unexpected end tag".into()))?;
        match self.stack.last_mut() {
            Some(parent) => parent.element.children.push(Node::Element(open.element)),
            None => self.root = Some(open.element),
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(open) => {
                // Adjacent runs (text, then an entity, then text) become one node.
                if let Some(Node::Text(prev)) = open.element.children.last_mut() {
                    prev.push_str(text);
                } else {
                    open.element.children.push(Node::Text(text.to_owned()));
                }
                Ok(())
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err(XmlError::Malformed("text outside the root element".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_prefixed_and_default_namespaces() {
        let body = Element::parse(
            "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:stream='http://etherx.jabber.org/streams'>\
             <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features></body>",
        )
        .unwrap();
        assert!(body.is("body", "http://jabber.org/protocol/httpbind"));
        let features = body.find("features", "http://etherx.jabber.org/streams").unwrap();
        let mechs = features.find("mechanisms", "urn:ietf:params:xml:ns:xmpp-sasl").unwrap();
        assert_eq!(mechs.child_text("mechanism", "urn:ietf:params:xml:ns:xmpp-sasl").as_deref(), Some("PLAIN"));
    }

    #[test]
    fn unescapes_entities_and_char_refs_into_one_text_node() {
        let e = Element::parse("<body xmlns='jabber:client'>a &amp; b &lt;c&gt; &#x263A; &#65;</body>").unwrap();
        assert_eq!(e.text_content(), "a & b <c> \u{263A} A");
        assert_eq!(e.children.len(), 1);
        let e = Element::parse("<m a='x &quot;y&quot; &amp; z'/>").unwrap();
        assert_eq!(e.get_attr("a"), Some("x \"y\" & z"));
        // Attribute-value normalisation: each line end and tab is one space, references are not.
        let e = Element::parse("<m a='a\r\nb\rc\nd\te&#10;f'/>").unwrap();
        assert_eq!(e.get_attr("a"), Some("a b c d e\nf"));
    }

    #[test]
    fn writes_escaped_and_round_trips() {
        let e = Element::new("message", "jabber:client")
            .attr("to", "r@c.d")
            .attr("id", "a\"<'&")
            .child(Element::new("body", "jabber:client").text("<script>&'\"</script>"))
            .child(Element::new("markable", "urn:xmpp:chat-markers:0"));
        let xml = e.to_xml();
        assert_eq!(
            xml,
            "<message xmlns=\"jabber:client\" to=\"r@c.d\" id=\"a&quot;&lt;&apos;&amp;\">\
             <body>&lt;script&gt;&amp;'\"&lt;/script&gt;</body>\
             <markable xmlns=\"urn:xmpp:chat-markers:0\"/></message>"
        );
        assert_eq!(Element::parse(&xml).unwrap(), e);
    }

    #[test]
    fn keeps_xml_lang_and_drops_forbidden_characters() {
        let e = Element::parse("<body xml:lang='en' xmlns='x'/>").unwrap();
        assert_eq!(e.get_attr("xml:lang"), Some("en"));
        let mut out = String::new();
        escape_into(&mut out, "a\u{0}b\u{1b}c\td", false);
        assert_eq!(out, "abc\td");
    }

    #[test]
    fn rejects_bad_input_with_typed_errors() {
        assert!(matches!(Element::parse("<a><b></a>"), Err(XmlError::Malformed(m)) if m.starts_with("ill-formed document: ")));
        assert!(matches!(Element::parse("<a><!-- x"), Err(XmlError::Malformed(m)) if m.starts_with("syntax error: ")));
        assert!(matches!(Element::parse("<p:a/>"), Err(XmlError::UnboundPrefix(_))));
        assert_eq!(Element::parse("  "), Err(XmlError::NoRoot));
        assert!(matches!(Element::parse("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"), Err(XmlError::Forbidden(_))));
        assert_eq!(Element::parse("<a>&x;</a>"), Err(XmlError::Forbidden("unknown entity")));
        assert!(matches!(Element::parse("<a/><b/>"), Err(XmlError::Malformed(_))));
        assert!(matches!(Element::parse("<a>"), Err(XmlError::Malformed(_))));
        assert!(matches!(Element::parse("<a x='1' y='2' x='3'/>"), Err(XmlError::Malformed(_))));
        assert!(matches!(Element::parse("<a xmlns:p='u' xmlns:p='v'/>"), Err(XmlError::Malformed(_))));
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(Element::parse(&deep), Err(XmlError::Forbidden("nesting too deep")));
    }

    #[test]
    fn unknown_children_are_kept_not_errors() {
        let e = Element::parse("<message xmlns='jabber:client'><weird xmlns='urn:x'><deeper/></weird><body>hi</body></message>").unwrap();
        assert_eq!(e.child_text("body", "jabber:client").as_deref(), Some("hi"));
        assert!(e.find("weird", "urn:x").is_some());
    }
}
