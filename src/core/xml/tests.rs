//! The XML module's tests: literal XML (the existing contract, examples from the RFCs and XEPs,
//! every construct and every error), and a differential test against quick-xml.

use super::parse::{malformed, BAD_ATTRIBUTE, BAD_REFERENCE, NAMELESS_TAG};
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
    let malformed = |m: &str| Err(XmlError::Malformed(m.into()));
    assert_eq!(Element::parse("<a><b></a>"), malformed("ill-formed document: `</a>` closes `<b>`"));
    assert_eq!(Element::parse("<a><!-- x"), malformed("syntax error: unclosed comment"));
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

#[test]
fn reads_the_xep_0124_and_0206_session_request() {
    // XEP-0206 §5 (the session creation request, with the declaration XEP-0124 allows).
    let body = Element::parse(
        "<?xml version='1.0' encoding='UTF-8'?>\n\
         <body content='text/xml; charset=utf-8'\n      from='user@example.com'\n      hold='1'\n      \
         rid='1573741820'\n      to='example.com'\n      route='xmpp:example.com:9999'\n      \
         secure='true'\n      ver='1.6'\n      wait='60'\n      ack='1'\n      xml:lang='en'\n      \
         xmpp:version='1.0'\n      xmlns='http://jabber.org/protocol/httpbind'\n      \
         xmlns:xmpp='urn:xmpp:xbosh'/>",
    )
    .unwrap();
    assert!(body.is("body", "http://jabber.org/protocol/httpbind"));
    assert_eq!(body.get_attr("content"), Some("text/xml; charset=utf-8"));
    assert_eq!(body.get_attr("xmpp:version"), Some("1.0"), "attribute names are kept as written");
    assert_eq!(body.attrs.len(), 12, "namespace declarations are not attributes");
    assert!(body.children.is_empty());
}

#[test]
fn reads_an_rfc_6120_stream_error_with_text_and_comments() {
    // RFC 6120 §4.9.3, with a comment, a CDATA section and line ends of every kind.
    let error = Element::parse(
        "<!-- from the server -->\r\n<stream:error xmlns:stream='http://etherx.jabber.org/streams'>\r\n  \
         <not-well-formed xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>\r\n  \
         <text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>a\r\nb\rc<!-- - -->\nd<![CDATA[<e>\r\n&amp;]]>&#13;</text>\
         </stream:error >\n<!---->",
    )
    .unwrap();
    assert!(error.is("error", "http://etherx.jabber.org/streams"));
    assert!(error.condition("urn:ietf:params:xml:ns:xmpp-streams").unwrap().is("not-well-formed", "urn:ietf:params:xml:ns:xmpp-streams"));
    let text = error.find("text", "urn:ietf:params:xml:ns:xmpp-streams").unwrap();
    assert_eq!(text.get_attr("xml:lang"), Some("en"));
    // Line ends read as `\n` (XML 1.0 §2.11), in CDATA too; a character reference stays what it
    // says; text, comment, text and CDATA are one node.
    assert_eq!(text.children, [Node::Text("a\nb\nc\nd<e>\n&amp;\r".into())]);
    // White space between the elements is kept as text nodes.
    assert_eq!(error.children.len(), 4);
}

#[test]
fn reads_a_xep_0085_message_with_every_reference() {
    let m = Element::parse(
        "<message from='bernardo@shakespeare.lit/pda' to=\"francisco@shakespeare.lit/elsinore\" type='chat'>\
         <body>Who&apos;s &quot;there&quot;? &lt;&gt;&amp; &#x1F600;&#128512;&#X41;</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    );
    // `&#X41;` is no reference (the `x` is lower case only).
    assert_eq!(m, Err(XmlError::Malformed(BAD_REFERENCE.into())));
    let m = Element::parse(
        "<message from='bernardo@shakespeare.lit/pda' to=\"francisco@shakespeare.lit/elsinore\" type='chat'>\
         <body>Who&apos;s &quot;there&quot;? &lt;&gt;&amp; &#x1F600;&#128512;&#0065;&#x000041;</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    )
    .unwrap();
    assert_eq!(m.child_text("body", "").as_deref(), Some("Who's \"there\"? <>& 😀😀AA"));
    assert!(m.find("active", "http://jabber.org/protocol/chatstates").is_some());
    assert_eq!(m.get_attr("to"), Some("francisco@shakespeare.lit/elsinore"));
}

#[test]
fn attribute_values_in_both_quotes_with_white_space_around_the_equals_sign() {
    let e = Element::parse("<iq id = \"a'b\"\ttype\n=\n'get' to='x\"y'from='z'/>").unwrap();
    assert_eq!(e.attrs, [("id".into(), "a'b".into()), ("type".into(), "get".into()), ("to".into(), "x\"y".into()), ("from".into(), "z".into())]);
    // A `>` or `/>` inside quotes does not end the tag.
    let e = Element::parse("<a x='/>' y=\">\"></a>").unwrap();
    assert_eq!((e.get_attr("x"), e.get_attr("y")), (Some("/>"), Some(">")));
    // References in values: `&amp;lt;` is the text `&lt;`, not `<`; line ends are spaces.
    let e = Element::parse("<a x='&amp;lt;&#x9;\r\n&#13;'/>").unwrap();
    assert_eq!(e.get_attr("x"), Some("&lt;\t \r"));
}

#[test]
fn byte_order_mark_declaration_and_misc_around_the_root() {
    let e = Element::parse("\u{feff}<?xml version='1.0'?>\n<!-- c --><a/>\n<!-- d -->\r\n").unwrap();
    assert!(e.is("a", ""));
    assert!(Element::parse("<?xml?><a><?xml version='1.0'?></a>").is_ok(), "a declaration is skipped wherever it is");
    assert_eq!(Element::parse("<a><![CDATA[]]></a>").unwrap().children, [Node::Text(String::new())]);
    assert!(Element::parse("<a/><![CDATA[ ]]>").is_ok());
    assert_eq!(Element::parse("<!-- only -->"), Err(XmlError::NoRoot));
    assert_eq!(Element::parse(""), Err(XmlError::NoRoot));
}

#[test]
fn every_error_is_typed_and_says_what() {
    let malformed = |m: &str| Err(XmlError::Malformed(m.into()));
    for (xml, error) in [
        ("<a>", malformed("unclosed element")),
        ("<a", malformed("syntax error: unclosed tag")),
        ("<a x='>", malformed("syntax error: unclosed tag")),
        ("<", malformed("syntax error: unclosed tag")),
        ("<a><!-- x --", malformed("syntax error: unclosed comment")),
        ("<a><![CDATA[x]]</a>", malformed("syntax error: unclosed CDATA")),
        ("<?xml version='1.0'", malformed("syntax error: unclosed `<?`")),
        ("<a><!ELEMENT a ANY></a>", malformed("syntax error: invalid `<!` markup")),
        ("<a><![CDAT[x]]></a>", malformed("syntax error: invalid `<!` markup")),
        ("<a></b>", malformed("ill-formed document: `</b>` closes `<a>`")),
        ("<p:a xmlns:p='u'></a>", malformed("ill-formed document: `</a>` closes `<p:a>`")),
        ("<a/></a>", malformed("ill-formed document: `</a>` closes nothing")),
        ("<a>&amp</a>", malformed("ill-formed document: unclosed reference")),
        ("<a>& b;</a>", Err(XmlError::Forbidden("unknown entity"))),
        ("<a>&;</a>", Err(XmlError::Forbidden("unknown entity"))),
        ("<a>&nbsp;</a>", Err(XmlError::Forbidden("unknown entity"))),
        ("<a x='&nbsp;'/>", Err(XmlError::Forbidden("unknown entity"))),
        ("<a>&#0;</a>", malformed(BAD_REFERENCE)),
        ("<a>&#xD800;</a>", malformed(BAD_REFERENCE)),
        ("<a>&#x110000;</a>", malformed(BAD_REFERENCE)),
        ("<a>&#99999999999;</a>", malformed(BAD_REFERENCE)),
        ("<a>&#+65;</a>", malformed(BAD_REFERENCE)),
        ("<a>&#x;</a>", malformed(BAD_REFERENCE)),
        ("<a>&#;</a>", malformed(BAD_REFERENCE)),
        ("<a x='&#0;'/>", malformed(BAD_REFERENCE)),
        ("<>", malformed(NAMELESS_TAG)),
        ("<a>< b/></a>", malformed(NAMELESS_TAG)),
        ("<\tb xmlns='u'></ >", malformed(NAMELESS_TAG)),
        ("<a x/>", malformed(BAD_ATTRIBUTE)),
        ("<a x=y/>", malformed(BAD_ATTRIBUTE)),
        ("<a x= />", malformed(BAD_ATTRIBUTE)),
        ("<a x='<'/>", malformed(BAD_ATTRIBUTE)),
        ("<a xmlns='u' xmlns='v'/>", malformed(BAD_ATTRIBUTE)),
        ("x<a/>", malformed("text outside the root element")),
        ("<a/>&#65;", malformed("text outside the root element")),
        ("<a/><b/>", malformed("content after the root element")),
        ("<!DOCTYPE a>", Err(XmlError::Forbidden("DTD"))),
        ("<a><!doctype a></a>", Err(XmlError::Forbidden("DTD"))),
        ("<?xml-stylesheet href='a'?><a/>", Err(XmlError::Forbidden("processing instruction"))),
        ("<a><?php ?></a>", Err(XmlError::Forbidden("processing instruction"))),
        ("<a><p:b/></a>", Err(XmlError::UnboundPrefix("p".into()))),
    ] {
        assert_eq!(Element::parse(xml), error, "{xml:?}");
    }
    let attrs = |n: usize| format!("<a{}/>", (0..n).map(|i| format!(" a{i}=''")).collect::<String>());
    assert_eq!(Element::parse(&attrs(MAX_ATTRS)).unwrap().attrs.len(), MAX_ATTRS);
    assert_eq!(Element::parse(&attrs(MAX_ATTRS + 1)), Err(XmlError::Forbidden("too many attributes")));
}

#[test]
fn hostile_input_takes_linear_time() {
    // Each would be quadratic in a parser that rescans; a megabyte each.
    let big = 1 << 20;
    let refs = format!("<a>{}</a>", "&amp;".repeat(big / 5));
    assert_eq!(Element::parse(&refs).unwrap().text_content().len(), big / 5);
    assert!(Element::parse(&"<!--".repeat(big / 4)).is_err());
    assert!(Element::parse(&format!("<a>{}", "<![CDATA[".repeat(big / 9))).is_err());
    assert!(Element::parse(&format!("<a x='{}'/>", "&".repeat(big))).is_err());
    assert!(Element::parse(&format!("<a {}/>", "x='' ".repeat(big / 5))).is_err());
    assert!(Element::parse(&"<a>".repeat(big / 3)).is_err());
}

/// quick-xml as the oracle: its event loop (what this module ran before it had its own parser)
/// feeding the same tree builder. Random XMPP-like documents, and random edits of them, must be
/// accepted or refused alike, and what is accepted must be the same tree.
#[cfg(not(target_arch = "wasm32"))]
mod differential {
    use super::*;
    use crate::core::test_rng::Rng;
    use crate::core::xml::parse::{declare, Parser};
    use quick_xml::escape::{normalize_attribute_value, resolve_predefined_entity};
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::Reader;

    /// The bytes attribute-value normalisation (XML 1.0 §3.3.3) replaces or expands.
    fn is_normalized(b: &u8) -> bool {
        matches!(*b, b'\t' | b'\r' | b'\n' | b'&')
    }

    /// Writes `space` for the line end at byte `i` of `text`; where the rest resumes.
    fn line_end_to_space(out: &mut String, text: &str, i: usize, space: char) -> usize {
        out.push(space);
        if text.as_bytes().get(i..i + 2) == Some(b"\r\n") {
            i + 2
        } else {
            i + 1
        }
    }

    /// `part` (a slice of `text` that quick-xml lent out for a shorter time) as a slice of `text`.
    fn within<'a>(text: &'a str, part: &str) -> &'a str {
        let at = part.as_ptr() as usize - text.as_ptr() as usize;
        &text[at..at + part.len()]
    }

    fn open<'a>(p: &mut Parser<'a>, text: &'a str, start: &BytesStart) -> Result<(), XmlError> {
        // A deliberate difference: quick-xml reads `< a>` as an element with an empty name.
        if start.name().0.is_empty() {
            return Err(malformed(NAMELESS_TAG));
        }
        let (mut bindings, mut attrs) = (Vec::new(), Vec::new());
        for (count, attr) in start.attributes().enumerate() {
            let attr = attr.map_err(|_| malformed(BAD_ATTRIBUTE))?;
            // The two deliberate differences: quick-xml lets `<` into a value, which XML 1.0's
            // `AttValue` excludes, and has no cap on the number of attributes.
            if attr.value.contains('<') {
                return Err(malformed(BAD_ATTRIBUTE));
            }
            if count == MAX_ATTRS {
                return Err(XmlError::Forbidden("too many attributes"));
            }
            let value = normalize_attribute_value(&attr.value, 1, is_normalized, line_end_to_space, resolve_predefined_entity)
                .map_err(|_| malformed(BAD_REFERENCE))?
                .into_owned();
            declare(&mut bindings, &mut attrs, attr.key.0, value);
        }
        p.open(within(text, start.name().0), bindings, attrs)
    }

    fn oracle(text: &str) -> Result<Element, XmlError> {
        let mut p = Parser::default();
        let mut reader = Reader::from_str(text);
        loop {
            let event = reader.read_event().map_err(|e| XmlError::Malformed(format!("quick-xml: {e}")))?;
            match event {
                Event::Start(start) => open(&mut p, text, &start)?,
                Event::Empty(start) => {
                    open(&mut p, text, &start)?;
                    p.close();
                }
                // quick-xml has checked that the name matches.
                Event::End(_) => p.close(),
                Event::Text(t) => p.text(&t.xml10_content())?,
                Event::CData(t) => p.text(&t.xml10_content())?,
                Event::GeneralRef(r) => {
                    let mut utf8 = [0; 4];
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.encode_utf8(&mut utf8),
                        Ok(None) => resolve_predefined_entity(&r).ok_or(XmlError::Forbidden("unknown entity"))?,
                        Err(_) => return Err(malformed(BAD_REFERENCE)),
                    };
                    p.text(resolved)?;
                }
                Event::DocType(_) => return Err(XmlError::Forbidden("DTD")),
                Event::PI(_) => return Err(XmlError::Forbidden("processing instruction")),
                Event::Comment(_) | Event::Decl(_) => {}
                Event::Eof => return p.finish(),
            }
        }
    }

    fn ws(rng: &mut Rng, out: &mut String) {
        out.push_str(rng.pick(&["", "", "", " ", "\n", "\t", "\r\n  ", "\r"]));
    }

    /// Character data: text, references, line ends; `quote` excluded in attribute values.
    fn chars(rng: &mut Rng, out: &mut String, quote: char) {
        for _ in 0..rng.below(5) {
            let piece = rng.pick(&[
                "a", "hi there", " ", "é", "中", "😀", "\u{a0}", "\t", "\n", "\r\n", "\r", ">", "]]>", "'", "\"", "&amp;", "&lt;",
                "&gt;", "&apos;", "&quot;", "&#10;", "&#13;", "&#x263A;", "&#65;", "&#x1F600;", "&#9;", "&#32;",
            ]);
            if !piece.contains(quote) {
                out.push_str(piece);
            }
        }
    }

    fn element(rng: &mut Rng, depth: usize, out: &mut String) {
        let name = rng.pick(&["message", "body", "iq", "query", "x", "item", "stream:features", "p:c", "a", "b"]);
        out.push('<');
        out.push_str(name);
        // Mostly valid: the root declares the prefixes, and names do not repeat.
        let mut names = if depth == 0 && rng.below(8) != 0 {
            out.push_str(" xmlns:p='urn:p' xmlns:stream='http://etherx.jabber.org/streams'");
            vec!["xmlns:p", "xmlns:stream"]
        } else {
            Vec::new()
        };
        for _ in 0..rng.below(4) {
            let attr = rng.pick(&["to", "from", "id", "type", "xml:lang", "xmlns", "xmlns", "xmlns:stream", "xmlns:p", "p:a", "a", "b"]);
            if names.contains(&attr) {
                continue;
            }
            names.push(attr);
            out.push_str(rng.pick(&[" ", " ", "\n  ", "\t"]));
            out.push_str(attr);
            ws(rng, out);
            out.push('=');
            ws(rng, out);
            let quote = if rng.below(2) == 0 { '\'' } else { '"' };
            out.push(quote);
            match rng.below(3) {
                0 => out.push_str(rng.pick(&["jabber:client", "http://etherx.jabber.org/streams", "urn:x", ""])),
                _ => chars(rng, out, quote),
            }
            out.push(quote);
        }
        if depth > 5 || rng.below(4) == 0 {
            ws(rng, out);
            out.push_str("/>");
            return;
        }
        out.push('>');
        for _ in 0..rng.below(5) {
            match rng.below(6) {
                0 | 1 => element(rng, depth + 1, out),
                2 => {
                    out.push_str("<![CDATA[");
                    out.push_str(rng.pick(&["", "<b>&amp;</b>", "a\r\nb", "]", "]]", "x]>"]));
                    out.push_str("]]>");
                }
                3 => {
                    out.push_str("<!--");
                    out.push_str(rng.pick(&["", " c ", "-", "a--b", "<x>"]));
                    out.push_str("-->");
                }
                _ => chars(rng, out, '<'),
            }
        }
        out.push_str("</");
        out.push_str(name);
        ws(rng, out);
        out.push('>');
    }

    fn document(rng: &mut Rng, out: &mut String) {
        if rng.below(8) == 0 {
            out.push('\u{feff}');
        }
        if rng.below(4) == 0 {
            out.push_str(rng.pick(&["<?xml version='1.0'?>", "<?xml version=\"1.0\" encoding='UTF-8'?>", "<?xml?>"]));
        }
        ws(rng, out);
        if rng.below(4) == 0 {
            out.push_str("<!-- before -->");
            ws(rng, out);
        }
        element(rng, 0, out);
        ws(rng, out);
    }

    /// Parses `text` with both; panics (naming the text) where they disagree.
    fn agree(text: &str) {
        let ours = Element::parse(text);
        match oracle(text) {
            Ok(theirs) => assert_eq!(ours, Ok(theirs), "{text:?}"),
            Err(e) => assert!(ours.is_err(), "accepted {text:?}, which the oracle refuses: {e}"),
        }
    }

    #[test]
    fn agrees_with_quick_xml_on_random_documents_and_edits() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let edits = ["<", ">", "/", "&", ";", "=", "'", "\"", "!", "?", "[", "]", "-", "#", "x", " ", "\r", "a", ":", "é"];
        let (mut accepted, mut edited_accepted) = (0, 0);
        for _ in 0..20_000 {
            let mut text = String::new();
            document(&mut rng, &mut text);
            agree(&text);
            accepted += usize::from(Element::parse(&text).is_ok());
            // One to three edits at character boundaries: delete, insert, or swap two neighbours.
            let mut chars: Vec<char> = text.chars().collect();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(chars.len() + 1);
                match rng.below(3) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 if at + 1 < chars.len() => chars.swap(at, at + 1),
                    _ => chars.splice(at..at, rng.pick(&edits).chars()).for_each(drop),
                }
            }
            let edited: String = chars.into_iter().collect();
            agree(&edited);
            edited_accepted += usize::from(Element::parse(&edited).is_ok());
        }
        // The generator must mostly write valid XML, and the edits must break some of it but not all.
        assert!(accepted > 19_000, "{accepted}");
        assert!((2_000..18_000).contains(&edited_accepted), "{edited_accepted}");
    }

    #[test]
    fn random_text_never_panics_and_agrees() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let alphabet = ["<", ">", "/", "&", ";", "=", "'", "\"", "!", "?", "[", "]", "-", "#", "x", " ", "\r", "\n", "a", ":", "é", "😀", "\u{feff}", "CDATA", "xml", "amp"];
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..rng.below(24) {
                text.push_str(rng.pick(&alphabet));
            }
            agree(&text);
        }
    }
}
