//! A small XML element tree: parsed from what the server sends (`parse.rs`), written with
//! correct escaping for what we send.
//!
//! XMPP needs very little of XML: elements with a namespace, attributes and text. Namespaces are
//! resolved while parsing (`<stream:features>` inside a BOSH `<body/>` becomes the element
//! `features` in `http://etherx.jabber.org/streams`), so the rest of the core matches on
//! `(name, namespace)` and never sees a prefix. DTDs, processing instructions and entity
//! references other than the five predefined ones and character references are refused (RFC 6120
//! §11.1), which also rules out entity-expansion attacks.
//!
//! The parser is our own, a few hundred lines for exactly this much XML, instead of quick-xml:
//! with what only it linked (memchr, a hash set and SipHash for its duplicate-attribute check, its
//! DTD skipper, its error texts) quick-xml cost ~10 KB gzip of the module (the script-tag path
//! went from 127,322 to 117,167 B). quick-xml stays as the oracle of the parser's differential
//! test (`tests.rs`), native only.

mod parse;
#[cfg(test)]
mod tests;

/// The XML namespace bound to the `xml:` prefix by definition.
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Deepest nesting accepted from the network; XMPP stanzas inside a BOSH body are shallow.
const MAX_DEPTH: usize = 64;

/// Most attributes (namespace declarations included) on one element: XMPP uses a handful, and
/// the cap keeps the duplicate check cheap on hostile input.
const MAX_ATTRS: usize = 32;

/// Why a piece of XML could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlError {
    /// The text is not well-formed XML (a short description of what is wrong follows).
    Malformed(String),
    /// An element uses a namespace prefix that no enclosing element declares.
    UnboundPrefix(String),
    /// The document is empty or has no root element.
    NoRoot,
    /// The document holds a construct XMPP forbids: a DTD, a processing instruction, an unknown
    /// entity; or goes past a limit: nesting deeper than [`MAX_DEPTH`], more than [`MAX_ATTRS`]
    /// attributes on one element.
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
        parse::Parser::default().parse(text)
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

/// The name listed at `index` in `names`: writes a defined condition back out, the inverse of
/// [`name_index`].
pub fn name_at(names: &[&'static str], index: usize) -> &'static str {
    names.get(index).copied().unwrap_or_default()
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
