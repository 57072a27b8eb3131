//! IQ stanzas (RFC 6120 §8.2.3): requests we send, and answers to the requests we receive.
//!
//! Every `get` or `set` must be answered. We serve XEP-0199 ping and XEP-0030 disco#info about
//! ourselves; anything else gets `service-unavailable` (RFC 6121 §8.5.3.1 for clients).

use super::disco;
use super::jid::Jid;
use super::ns;
use super::stanza_error::{self, ErrorType, StanzaError};
use super::xml::{name_at, name_index, Element};

/// The `type` of an IQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IqType {
    /// A request for information.
    Get,
    /// A request to change something.
    Set,
    /// A successful answer.
    Result,
    /// A failed answer.
    Error,
}

/// The types' attribute values and the types, in variant order.
const TYPE_NAMES: [&str; 4] = ["get", "set", "result", "error"];
const TYPES: [IqType; 4] = [IqType::Get, IqType::Set, IqType::Result, IqType::Error];

impl IqType {
    /// The attribute value on the wire.
    pub fn as_str(self) -> &'static str {
        name_at(&TYPE_NAMES, self as usize)
    }
}

/// A received IQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iq {
    /// Correlates a request and its answer.
    pub id: String,
    /// Its type.
    pub kind: IqType,
    /// Sender; `None` means our own account or server.
    pub from: Option<Jid>,
    /// The first child element other than `<error/>`: the request or result payload.
    pub payload: Option<Element>,
    /// For `type='error'`, what went wrong (a generic condition when the error has no child).
    pub error: Option<StanzaError>,
}

impl Iq {
    /// Reads an IQ. `None` when it is not an IQ, or lacks an `id` or a known `type`, or its
    /// `from` does not parse (it could not be answered or correlated anyway).
    pub fn parse(stanza: &Element) -> Option<Iq> {
        if stanza.name != "iq" {
            return None;
        }
        let id = stanza.get_attr("id")?.to_owned();
        let kind = *TYPES.get(name_index(&TYPE_NAMES, stanza.get_attr("type")?)?)?;
        let from = match stanza.get_attr("from") {
            Some(f) => Some(Jid::parse(f).ok()?),
            None => None,
        };
        let mut payload = None;
        for e in stanza.elements() {
            if !e.is("error", &stanza.ns) {
                payload = Some(e.clone());
                break;
            }
        }
        let error = (kind == IqType::Error).then(|| StanzaError::of_error_stanza(stanza));
        Some(Iq { id, kind, from, payload, error })
    }
}

/// A request IQ of `kind` (`Get` or `Set`) to `to` (`None`: our own account) carrying `payload`.
pub fn request(kind: IqType, to: Option<&Jid>, id: &str, payload: Element) -> Element {
    iq(kind, id, to).child(payload)
}

/// An empty IQ of `kind`: what requests and replies share.
fn iq(kind: IqType, id: &str, to: Option<&Jid>) -> Element {
    Element::new("iq", ns::CLIENT).attr("type", kind.as_str()).attr("id", id).attr_opt("to", to.map(Jid::as_str))
}

/// The answer to an incoming `get` or `set`; `None` for results and errors, which answer our own
/// requests and must never be answered themselves.
pub fn answer(request: &Iq) -> Option<Element> {
    if !matches!(request.kind, IqType::Get | IqType::Set) {
        return None;
    }
    let payload = request.payload.as_ref();
    let is = |name: &str, ns: &str| payload.is_some_and(|p| p.is(name, ns));
    let reply = if request.kind == IqType::Get && is("ping", ns::PING) {
        reply(request, IqType::Result)
    } else if request.kind == IqType::Get && is("query", ns::DISCO_INFO) && payload.and_then(|p| p.get_attr("node")).is_none() {
        reply(request, IqType::Result).child(disco::own_info())
    } else {
        let mut error = reply(request, IqType::Error);
        // RFC 6120 §8.3.1: an error reply may include the original payload.
        if let Some(p) = payload {
            error.push(p.clone());
        }
        error.child(stanza_error::element(ErrorType::Cancel, "service-unavailable"))
    };
    Some(reply)
}

fn reply(request: &Iq, kind: IqType) -> Element {
    iq(kind, &request.id, request.from.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iq(xml: &str) -> Iq {
        Iq::parse(&Element::parse(xml).unwrap()).unwrap()
    }

    #[test]
    fn answers_ping() {
        // XEP-0199 example 1 and the answer of example 2.
        let ping = iq(
            "<iq xmlns='jabber:client' from='capulet.lit' to='juliet@capulet.lit/balcony' id='s2c1' type='get'>\
             <ping xmlns='urn:xmpp:ping'/></iq>",
        );
        assert_eq!(answer(&ping).unwrap().to_xml(), "<iq xmlns=\"jabber:client\" type=\"result\" id=\"s2c1\" to=\"capulet.lit\"/>");
    }

    #[test]
    fn answers_disco_info_with_our_features() {
        let get = iq("<iq xmlns='jabber:client' from='agent@example.com/x' id='d1' type='get'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        let reply = answer(&get).unwrap();
        assert_eq!(reply.get_attr("type"), Some("result"));
        let info = disco::DiscoInfo::parse(reply.find("query", ns::DISCO_INFO).unwrap()).unwrap();
        assert!(info.has_feature(ns::PING) && info.has_feature(ns::RECEIPTS) && info.has_feature(ns::CHAT_MARKERS));
        // A node we do not publish is not served.
        let node = iq("<iq xmlns='jabber:client' id='d2' type='get'><query xmlns='http://jabber.org/protocol/disco#info' node='x'/></iq>");
        assert_eq!(answer(&node).unwrap().get_attr("type"), Some("error"));
    }

    #[test]
    fn refuses_everything_else_and_never_answers_answers() {
        let set = iq("<iq xmlns='jabber:client' from='evil@example.com' id='v1' type='set'><query xmlns='jabber:iq:roster'/></iq>");
        let reply = answer(&set).unwrap();
        assert_eq!((reply.get_attr("type"), reply.get_attr("to")), (Some("error"), Some("evil@example.com")));
        let err = StanzaError::from_stanza(&reply).unwrap();
        assert!(err.is("service-unavailable"));
        assert!(reply.find("query", "jabber:iq:roster").is_some());
        let empty = iq("<iq xmlns='jabber:client' id='v2' type='get'/>");
        assert_eq!(answer(&empty).unwrap().get_attr("type"), Some("error"));
        assert_eq!(answer(&iq("<iq xmlns='jabber:client' id='r' type='result'/>")), None);
        assert_eq!(answer(&iq("<iq xmlns='jabber:client' id='e' type='error'/>")), None);
    }

    #[test]
    fn parses_results_errors_and_skips_garbage() {
        let e = iq("<iq xmlns='jabber:client' id='e' type='error' from='upload.example.com'><request xmlns='urn:xmpp:http:upload:0'/>\
                    <error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
        assert!(e.payload.unwrap().is("request", ns::HTTP_UPLOAD));
        assert!(e.error.unwrap().is("resource-constraint"));
        for bad in [
            "<iq xmlns='jabber:client' type='get'/>",
            "<iq xmlns='jabber:client' id='1' type='bogus'/>",
            "<iq xmlns='jabber:client' id='1'/>",
            "<iq xmlns='jabber:client' id='1' type='get' from='@@'/>",
            "<message xmlns='jabber:client' id='1' type='get'/>",
        ] {
            assert_eq!(Iq::parse(&Element::parse(bad).unwrap()), None, "{bad}");
        }
        let r = request(IqType::Get, None, "q1", Element::new("ping", ns::PING));
        assert_eq!(r.to_xml(), "<iq xmlns=\"jabber:client\" type=\"get\" id=\"q1\"><ping xmlns=\"urn:xmpp:ping\"/></iq>");
    }
}
