//! The XML parser: one pass over the bytes of a `&str` into an [`Element`] tree, for the XML that
//! XMPP uses (RFC 6120 §11). Linear in the input, no recursion, no panic on any input.
//!
//! It accepts what quick-xml (its differential oracle in `tests.rs`) accepts, and delimits tags,
//! names and attributes as quick-xml does: a tag runs to the first `>` outside quotes, its name to
//! the first white space, an attribute's name to `=` or white space. Three refusals of its own:
//! `<` in an attribute value (XML 1.0's `AttValue` excludes it), a start tag without a name (XML's
//! `Name` is never empty), and more than [`MAX_ATTRS`] attributes on one element.

use super::{Element, Node, XmlError, MAX_ATTRS, MAX_DEPTH, NS_XML};
use crate::core::find_str;

/// What a bad attribute (syntax or duplicate) and a bad character reference are called.
pub(super) const BAD_ATTRIBUTE: &str = "invalid or duplicate attribute";
pub(super) const BAD_REFERENCE: &str = "invalid entity or character reference";
/// A start tag with nothing before its first white space (`< a>`, `<>`).
pub(super) const NAMELESS_TAG: &str = "ill-formed document: a tag without a name";

/// Stands for "no byte" where [`Cursor::chars`] takes a byte to stop at: no byte of UTF-8 text is
/// 0xFF, so CDATA (the only text read this way) runs to the end of its cursor.
const TO_THE_END: u8 = 0xFF;

/// `Malformed` with a fixed description.
pub(super) fn malformed(what: &str) -> XmlError {
    XmlError::Malformed(what.to_owned())
}

/// XML's white space (`S`, XML 1.0 §2.3), narrower than Rust's.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A position in a text: the document, the inside of one tag, or a CDATA section.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// The byte at the position, if any.
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The bytes from the position on.
    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// The text from `start` to the position. Every caller stops at an ASCII byte or the end, so
    /// both ends are character boundaries; `get` only keeps a mistake from panicking.
    fn since(&self, start: usize) -> &'a str {
        self.text.get(start..self.pos).unwrap_or_default()
    }

    /// Skips white space and returns the next byte.
    fn skip_ws(&mut self) -> Option<u8> {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.peek()
    }

    /// The text up to the next `end` (`-->`, `]]>`, `?>`), moving past it; `None` when the text
    /// ends first.
    fn until(&mut self, end: &str) -> Option<&'a str> {
        let before = self.text.get(self.pos..)?;
        let before = before.get(..find_str(before, end)?)?;
        self.pos += before.len() + end.len();
        Some(before)
    }

    /// Character data up to `stop` (`<` in content, the closing quote of an attribute value,
    /// [`TO_THE_END`] in CDATA) into `out`, stopping there or at the end. Line ends become one
    /// `space`: `\n` in content and CDATA (XML 1.0 §2.11), a space in an attribute value, where
    /// tabs and `\n` do too (§3.3.3). Outside CDATA, references are resolved.
    fn chars(&mut self, out: &mut String, stop: u8, space: char) -> Result<(), XmlError> {
        let attr = space == ' ';
        let mut run = self.pos;
        while let Some(b) = self.peek() {
            match b {
                _ if b == stop => break,
                b'<' if attr => return Err(malformed(BAD_ATTRIBUTE)),
                b'&' if stop != TO_THE_END => {
                    out.push_str(self.since(run));
                    self.pos += 1;
                    out.push(self.reference()?);
                    run = self.pos;
                }
                b'\r' | b'\t' | b'\n' if b == b'\r' || attr => {
                    out.push_str(self.since(run));
                    self.pos += 1;
                    out.push(space);
                    if b == b'\r' && self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    run = self.pos;
                }
                _ => self.pos += 1,
            }
        }
        out.push_str(self.since(run));
        Ok(())
    }

    /// The character of the reference whose `&` is just behind the position: one of the five
    /// predefined entities or a character reference (XML 1.0 §4.1); there is no DTD to declare
    /// others. Moves past its `;`.
    fn reference(&mut self) -> Result<char, XmlError> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b';') => break,
                None | Some(b'&' | b'<') => return Err(malformed("ill-formed document: unclosed reference")),
                _ => self.pos += 1,
            }
        }
        let name = self.since(start);
        self.pos += 1;
        Ok(match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => {
                let Some(number) = name.strip_prefix('#') else { return Err(XmlError::Forbidden("unknown entity")) };
                let (digits, radix) = match number.strip_prefix('x') {
                    Some(hex) => (hex, 16),
                    None => (number, 10),
                };
                // `from_str_radix` takes a leading `+`, which a reference may not have. Like
                // quick-xml, `&#0;` and what is no Unicode scalar value are refused, and the
                // other characters XML's `Char` leaves out are let through.
                match u32::from_str_radix(digits, radix).ok().filter(|_| !digits.starts_with('+')).and_then(char::from_u32) {
                    Some(c) if c != '\0' => c,
                    _ => return Err(malformed(BAD_REFERENCE)),
                }
            }
        })
    }

    /// The attribute at the position (not white space): its name as written and its value with
    /// references resolved and white space normalised. The name is at least one byte, then runs
    /// to `=` or white space (quick-xml's delimiting); white space may surround the `=`.
    fn attribute(&mut self) -> Result<(&'a str, String), XmlError> {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(|b| b != b'=' && !is_space(b)) {
            self.pos += 1;
        }
        let name = self.since(start);
        if self.skip_ws() != Some(b'=') {
            return Err(malformed(BAD_ATTRIBUTE));
        }
        self.pos += 1;
        let quote = match self.skip_ws() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return Err(malformed(BAD_ATTRIBUTE)),
        };
        self.pos += 1;
        let mut value = String::new();
        self.chars(&mut value, quote, ' ')?;
        if self.peek() != Some(quote) {
            return Err(malformed(BAD_ATTRIBUTE));
        }
        self.pos += 1;
        Ok((name, value))
    }
}

/// An element under construction with the namespace bindings it declared.
struct Open<'a> {
    element: Element,
    /// The name as written in the start tag, which the end tag must repeat.
    qname: &'a str,
    /// `(prefix, uri)`; the empty prefix is the default namespace.
    bindings: Vec<(String, String)>,
}

/// The elements open so far and, once closed, the root.
#[derive(Default)]
pub(super) struct Parser<'a> {
    stack: Vec<Open<'a>>,
    root: Option<Element>,
}

impl<'a> Parser<'a> {
    /// Parses `text` (see [`Element::parse`]).
    pub(super) fn parse(mut self, text: &'a str) -> Result<Element, XmlError> {
        // A UTF-8 byte order mark is skipped, as quick-xml does.
        let mut doc = Cursor { text: text.strip_prefix('\u{feff}').unwrap_or(text), pos: 0 };
        let mut run = String::new();
        loop {
            // Text, references and CDATA between two tags become one node (`text` merges them).
            run.clear();
            doc.chars(&mut run, b'<', '\n')?;
            if !run.is_empty() {
                self.text(&run)?;
            }
            let rest = doc.rest();
            if rest.is_empty() {
                return self.finish();
            } else if rest.starts_with(b"<!--") {
                doc.pos += 4;
                doc.until("-->").ok_or_else(|| malformed("syntax error: unclosed comment"))?;
            } else if rest.starts_with(b"<![CDATA[") {
                doc.pos += 9;
                let data = doc.until("]]>").ok_or_else(|| malformed("syntax error: unclosed CDATA"))?;
                let mut cdata = String::new();
                Cursor { text: data, pos: 0 }.chars(&mut cdata, TO_THE_END, '\n')?;
                self.text(&cdata)?;
            } else if let [_, b'!', b'D' | b'd', ..] = rest {
                return Err(XmlError::Forbidden("DTD"));
            } else if rest.starts_with(b"<!") {
                return Err(malformed("syntax error: invalid `<!` markup"));
            } else if rest.starts_with(b"<?") {
                doc.pos += 2;
                let body = doc.until("?>").ok_or_else(|| malformed("syntax error: unclosed `<?`"))?;
                // `<?xml` then white space or `?>` is the XML declaration: skipped, wherever it
                // is, as quick-xml does. Anything else is a processing instruction.
                if !body.strip_prefix("xml").is_some_and(|rest| rest.bytes().next().is_none_or(is_space)) {
                    return Err(XmlError::Forbidden("processing instruction"));
                }
            } else {
                self.tag(&mut doc)?;
            }
        }
    }

    /// The start, end or empty-element tag whose `<` is at the position.
    fn tag(&mut self, doc: &mut Cursor<'a>) -> Result<(), XmlError> {
        doc.pos += 1;
        let start = doc.pos;
        // The tag ends at the first `>` outside quotes; `quote` is the open one, or 0.
        let mut quote = 0;
        loop {
            match doc.peek() {
                None => return Err(malformed("syntax error: unclosed tag")),
                Some(b'>') if quote == 0 => break,
                Some(b) if b == quote => quote = 0,
                Some(b @ (b'\'' | b'"')) if quote == 0 => quote = b,
                _ => {}
            }
            doc.pos += 1;
        }
        let tag = doc.since(start);
        doc.pos += 1;
        if let Some(name) = tag.strip_prefix('/') {
            // Less the white space XML allows before the `>`.
            let mut end = name.len();
            while end > 0 && name.as_bytes().get(end - 1).is_some_and(|b| is_space(*b)) {
                end -= 1;
            }
            let name = name.get(..end).unwrap_or_default();
            return match self.stack.last() {
                Some(open) if open.qname == name => {
                    self.close();
                    Ok(())
                }
                Some(open) => Err(XmlError::Malformed(format!("ill-formed document: `</{name}>` closes `<{}>`", open.qname))),
                None => Err(XmlError::Malformed(format!("ill-formed document: `</{name}>` closes nothing"))),
            };
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let mut tag = Cursor { text: tag, pos: 0 };
        while tag.peek().is_some_and(|b| !is_space(b)) {
            tag.pos += 1;
        }
        let qname = tag.since(0);
        if qname.is_empty() {
            return Err(malformed(NAMELESS_TAG));
        }
        let (mut bindings, mut attrs) = (Vec::new(), Vec::new());
        // The names seen so far, for the duplicate check; names are never empty.
        let mut names = [""; MAX_ATTRS];
        let mut count = 0;
        while tag.skip_ws().is_some() {
            let (name, value) = tag.attribute()?;
            if names.contains(&name) {
                return Err(malformed(BAD_ATTRIBUTE));
            }
            *names.get_mut(count).ok_or(XmlError::Forbidden("too many attributes"))? = name;
            count += 1;
            declare(&mut bindings, &mut attrs, name, value);
        }
        self.open(qname, bindings, attrs)?;
        if empty {
            self.close();
        }
        Ok(())
    }

    /// The namespace bound to `prefix` for an element declaring `own`, if any.
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

    /// Opens the element `qname` with its namespace declarations and its other attributes.
    pub(super) fn open(&mut self, qname: &'a str, bindings: Vec<(String, String)>, attrs: Vec<(String, String)>) -> Result<(), XmlError> {
        if self.root.is_some() {
            return Err(malformed("content after the root element"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(XmlError::Forbidden("nesting too deep"));
        }
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
        self.stack.push(Open { element, qname, bindings });
        Ok(())
    }

    /// Closes the innermost open element (the caller has matched its end tag).
    pub(super) fn close(&mut self) {
        if let Some(open) = self.stack.pop() {
            match self.stack.last_mut() {
                Some(parent) => parent.element.children.push(Node::Element(open.element)),
                None => self.root = Some(open.element),
            }
        }
    }

    /// Adds character data to the innermost open element; outside the root only white space.
    pub(super) fn text(&mut self, text: &str) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(open) => {
                // Adjacent runs (text, then CDATA, then text) become one node.
                if let Some(Node::Text(prev)) = open.element.children.last_mut() {
                    prev.push_str(text);
                } else {
                    open.element.children.push(Node::Text(text.to_owned()));
                }
                Ok(())
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err(malformed("text outside the root element")),
        }
    }

    /// The root, once the whole text is read.
    pub(super) fn finish(self) -> Result<Element, XmlError> {
        if !self.stack.is_empty() {
            return Err(malformed("unclosed element"));
        }
        self.root.ok_or(XmlError::NoRoot)
    }
}

/// Files attribute `name`: `xmlns` and `xmlns:p` declare a namespace, the rest are attributes.
pub(super) fn declare(bindings: &mut Vec<(String, String)>, attrs: &mut Vec<(String, String)>, name: &str, value: String) {
    if name == "xmlns" {
        bindings.push((String::new(), value));
    } else if let Some(prefix) = name.strip_prefix("xmlns:") {
        bindings.push((prefix.to_owned(), value));
    } else {
        attrs.push((name.to_owned(), value));
    }
}
