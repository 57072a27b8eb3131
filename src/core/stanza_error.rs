//! Stanza errors (RFC 6120 §8.3): what a room or service answers when it refuses something, and
//! what we answer to requests we do not serve.

use super::ns;
use super::xml::{name_index, Element};

/// The `type` of a stanza error: what the sender may do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// Retry after providing credentials.
    Auth,
    /// Do not retry (unrecoverable).
    Cancel,
    /// Proceed (the condition was only a warning).
    Continue,
    /// Retry after changing the data sent.
    Modify,
    /// Retry after waiting (temporary).
    Wait,
}

impl ErrorType {
    /// The attribute value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Auth => "auth",
            ErrorType::Cancel => "cancel",
            ErrorType::Continue => "continue",
            ErrorType::Modify => "modify",
            ErrorType::Wait => "wait",
        }
    }

    fn parse(s: &str) -> Option<ErrorType> {
        Some(match s {
            "auth" => ErrorType::Auth,
            "cancel" => ErrorType::Cancel,
            "continue" => ErrorType::Continue,
            "modify" => ErrorType::Modify,
            "wait" => ErrorType::Wait,
            _ => return None,
        })
    }
}

/// A stanza error as received or to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StanzaError {
    /// The error type; `cancel` when the sender gave none or an unknown one.
    pub kind: ErrorType,
    /// The defined condition's element name (`conflict`, `item-not-found`, ...), or
    /// `undefined-condition` when none is given. The legacy numeric `code` is mapped when it is
    /// the only information (409 → `conflict`, ...).
    pub condition: String,
    /// The human-readable `<text/>`, if any.
    pub text: Option<String>,
    /// Application-specific condition elements (any other namespace), e.g. XEP-0363
    /// `<file-too-large/>`.
    pub app: Vec<Element>,
}

impl StanzaError {
    /// An error with the given type and condition, no text.
    pub fn new(kind: ErrorType, condition: &str) -> StanzaError {
        StanzaError { kind, condition: condition.to_owned(), text: None, app: Vec::new() }
    }

    /// Reads the `<error/>` child of `stanza` (whose namespace the child shares). `None` when the
    /// stanza has no such child.
    pub fn from_stanza(stanza: &Element) -> Option<StanzaError> {
        let error = stanza.find("error", &stanza.ns)?;
        let mut condition = None;
        let mut text = None;
        let mut app = Vec::new();
        for child in error.elements() {
            if child.ns == ns::STANZAS {
                if child.name == "text" {
                    text = Some(child.text_content());
                } else if condition.is_none() {
                    condition = Some(child.name.clone());
                }
            } else {
                app.push(child.clone());
            }
        }
        let condition = condition
            .or_else(|| error.get_attr("code").and_then(legacy_condition).map(str::to_owned))
            .unwrap_or_else(|| "undefined-condition".to_owned());
        let kind = error.get_attr("type").and_then(ErrorType::parse).unwrap_or(ErrorType::Cancel);
        Some(StanzaError { kind, condition, text, app })
    }

    /// The error an error stanza (`type='error'`) carries: [`StanzaError::from_stanza`], or
    /// `undefined-condition` when it has no `<error/>` child.
    pub fn of_error_stanza(stanza: &Element) -> StanzaError {
        StanzaError::from_stanza(stanza).unwrap_or_else(|| StanzaError::new(ErrorType::Cancel, "undefined-condition"))
    }

    /// The `<error/>` element to put in a reply.
    pub fn to_element(&self) -> Element {
        let mut error = Element::new("error", ns::CLIENT).attr("type", self.kind.as_str());
        error.push(Element::new(&self.condition, ns::STANZAS));
        if let Some(text) = &self.text {
            error.push(Element::new("text", ns::STANZAS).text(text));
        }
        for app in &self.app {
            error.push(app.clone());
        }
        error
    }

    /// Whether the condition is `name` (e.g. `conflict`).
    pub fn is(&self, name: &str) -> bool {
        self.condition == name
    }
}

impl std::fmt::Display for StanzaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.condition, self.kind.as_str())?;
        if let Some(text) = &self.text {
            write!(f, ": {text}")?;
        }
        Ok(())
    }
}

/// Maps the legacy `code` (XEP-0086) of servers that send nothing else.
fn legacy_condition(code: &str) -> Option<&'static str> {
    const CODES: [&str; 12] = ["400", "401", "403", "404", "405", "406", "407", "409", "500", "501", "503", "504"];
    const CONDITIONS: [&str; 12] = [
        "bad-request",
        "not-authorized",
        "forbidden",
        "item-not-found",
        "not-allowed",
        "not-acceptable",
        "registration-required",
        "conflict",
        "internal-server-error",
        "feature-not-implemented",
        "service-unavailable",
        "remote-server-timeout",
    ];
    CONDITIONS.get(name_index(&CODES, code)?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_muc_nick_conflict() {
        // XEP-0045 example 22.
        let p = Element::parse(
            "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' type='error'>\
             <x xmlns='http://jabber.org/protocol/muc'/>\
             <error by='coven@chat.shakespeare.lit' type='cancel'>\
             <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Nick taken</text></error></presence>",
        )
        .unwrap();
        let e = StanzaError::from_stanza(&p).unwrap();
        assert!(e.is("conflict"));
        assert_eq!(e.kind, ErrorType::Cancel);
        assert_eq!(e.text.as_deref(), Some("Nick taken"));
        assert!(e.app.is_empty());
    }

    #[test]
    fn keeps_application_conditions_and_maps_legacy_codes() {
        let iq = Element::parse(
            "<iq xmlns='jabber:client' type='error' id='1'><error type='modify'>\
             <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <file-too-large xmlns='urn:xmpp:http:upload:0'><max-file-size>20000</max-file-size></file-too-large>\
             </error></iq>",
        )
        .unwrap();
        let e = StanzaError::from_stanza(&iq).unwrap();
        assert_eq!((e.kind, e.condition.as_str()), (ErrorType::Modify, "not-acceptable"));
        assert!(e.app[0].is("file-too-large", ns::HTTP_UPLOAD));

        let legacy = Element::parse("<presence xmlns='jabber:client' type='error'><error code='409'/></presence>").unwrap();
        assert!(StanzaError::from_stanza(&legacy).unwrap().is("conflict"));
    }

    #[test]
    fn garbage_errors_are_read_leniently() {
        let odd = Element::parse("<iq xmlns='jabber:client' type='error'><error type='nonsense'><foo/></error></iq>").unwrap();
        let e = StanzaError::from_stanza(&odd).unwrap();
        assert_eq!((e.kind, e.condition.as_str()), (ErrorType::Cancel, "undefined-condition"));
        let none = Element::parse("<iq xmlns='jabber:client' type='error'/>").unwrap();
        assert_eq!(StanzaError::from_stanza(&none), None);
    }

    #[test]
    fn writes_an_error_element() {
        let e = StanzaError::new(ErrorType::Cancel, "service-unavailable");
        assert_eq!(
            e.to_element().to_xml(),
            "<error xmlns=\"jabber:client\" type=\"cancel\">\
             <service-unavailable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/></error>"
        );
    }
}
