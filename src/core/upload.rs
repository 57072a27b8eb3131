//! XEP-0363 HTTP file upload: the upload service found by disco, the slot request, the slot (PUT
//! and GET URLs, PUT headers) and the `file-too-large` refusal.

use super::config::is_http_url;
use super::disco::DiscoInfo;
use super::jid::Jid;
use super::json::{object, Value};
use super::ns;
use super::stanza_error::StanzaError;
use super::xml::Element;

/// Headers a slot may ask the PUT to carry (XEP-0363 §5); any other is dropped.
const ALLOWED_PUT_HEADERS: [&str; 3] = ["Authorization", "Cookie", "Expires"];

/// An upload service found by disco.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadService {
    /// Its address (the slot requests go there).
    pub jid: Jid,
    /// The largest file it accepts, in bytes, when it says.
    pub max_file_size: Option<u64>,
}

impl UploadService {
    /// The service `jid` describes with `info`, when it advertises `urn:xmpp:http:upload:0`.
    pub fn from_info(jid: Jid, info: &DiscoInfo) -> Option<UploadService> {
        if !info.has_feature(ns::HTTP_UPLOAD) {
            return None;
        }
        let max_file_size = info.field(ns::HTTP_UPLOAD, "max-file-size").and_then(|v| v.trim().parse().ok());
        Some(UploadService { jid, max_file_size })
    }

    /// `{ jid, max_file_size }` (`null` when the service does not say).
    pub fn to_json(&self) -> Value {
        object(vec![("jid", self.jid.to_string().into()), ("max_file_size", self.max_file_size.map_or(Value::Null, Value::from))])
    }
}

/// The payload of a slot request.
pub fn slot_request(filename: &str, size: u64, content_type: Option<&str>) -> Element {
    Element::new("request", ns::HTTP_UPLOAD)
        .attr("filename", filename)
        .attr("size", &size.to_string())
        .attr_opt("content-type", content_type.filter(|c| !c.is_empty()))
}

/// A slot: where to PUT the file, with which headers, and where it can be fetched afterwards.
/// Serialises as `requestSlotFromConverse` resolves: `{ putUrl, getUrl, putHeaders }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSlot {
    /// The URL to PUT the file to.
    pub put_url: String,
    /// The public URL of the uploaded file.
    pub get_url: String,
    /// Headers the PUT must send (only `Authorization`, `Cookie`, `Expires`, newlines removed).
    pub put_headers: Vec<(String, String)>,
}

impl UploadSlot {
    /// `{ putUrl, getUrl, putHeaders }`, the headers as `[name, value]` pairs.
    pub fn to_json(&self) -> Value {
        let headers = self.put_headers.iter().map(|(k, v)| Value::Array(vec![k.as_str().into(), v.as_str().into()])).collect();
        object(vec![("putUrl", self.put_url.as_str().into()), ("getUrl", self.get_url.as_str().into()), ("putHeaders", Value::Array(headers))])
    }
}


/// Why a slot answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlotError {
    /// The result has no `<slot/>`, or the slot lacks a PUT or GET URL.
    Missing,
    /// A PUT or GET URL is not an `http:`/`https:` URL.
    BadUrl(String),
    /// The service refused: the file is too large (the service's limit in bytes, when it says).
    FileTooLarge(Option<u64>),
    /// The service refused for another reason.
    Refused(StanzaError),
}

impl std::fmt::Display for SlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SlotError::Missing => f.write_str("the upload slot lacks a PUT or GET URL"),
            SlotError::BadUrl(u) => write!(f, "the upload slot URL `{u}` is not http(s)"),
            SlotError::FileTooLarge(Some(max)) => write!(f, "file too large (the service accepts at most {max} bytes)"),
            SlotError::FileTooLarge(None) => f.write_str("file too large"),
            SlotError::Refused(e) => write!(f, "slot request refused: {e}"),
        }
    }
}

impl std::error::Error for SlotError {}

/// Reads a slot from the payload of the IQ result (`<slot xmlns='urn:xmpp:http:upload:0'/>`).
pub fn parse_slot(payload: Option<&Element>) -> Result<UploadSlot, SlotError> {
    let slot = payload.filter(|p| p.is("slot", ns::HTTP_UPLOAD)).ok_or(SlotError::Missing)?;
    let put = slot.find("put", ns::HTTP_UPLOAD).ok_or(SlotError::Missing)?;
    let put_url = checked_url(put.get_attr("url"))?;
    let get_url = checked_url(slot.find("get", ns::HTTP_UPLOAD).and_then(|g| g.get_attr("url")))?;
    let mut put_headers = Vec::new();
    for h in put.find_all("header", ns::HTTP_UPLOAD) {
        let Some(name) = h.get_attr("name") else { continue };
        let name = strip_newlines(name);
        if let Some(canonical) = ALLOWED_PUT_HEADERS.iter().find(|a| a.eq_ignore_ascii_case(name.trim())) {
            put_headers.push(((*canonical).to_owned(), strip_newlines(&h.text_content())));
        }
    }
    Ok(UploadSlot { put_url, get_url, put_headers })
}

/// Reads a refused slot request.
pub fn slot_refusal(error: StanzaError) -> SlotError {
    match error.app.iter().find(|e| e.is("file-too-large", ns::HTTP_UPLOAD)) {
        Some(too_large) => {
            SlotError::FileTooLarge(too_large.child_text("max-file-size", ns::HTTP_UPLOAD).and_then(|m| m.trim().parse().ok()))
        }
        None => SlotError::Refused(error),
    }
}

fn checked_url(url: Option<&str>) -> Result<String, SlotError> {
    let url = url.map(str::trim).filter(|u| !u.is_empty()).ok_or(SlotError::Missing)?;
    if is_http_url(url) {
        Ok(url.to_owned())
    } else {
        Err(SlotError::BadUrl(url.to_owned()))
    }
}

fn strip_newlines(s: &str) -> String {
    s.replace(['\n', '\r'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(xml: &str) -> Element {
        Element::parse(xml).unwrap()
    }

    #[test]
    fn builds_the_request_of_the_xep() {
        // XEP-0363 example 4.
        assert_eq!(
            slot_request("très cool.jpg", 23456, Some("image/jpeg")).to_xml(),
            "<request xmlns=\"urn:xmpp:http:upload:0\" filename=\"très cool.jpg\" size=\"23456\" content-type=\"image/jpeg\"/>"
        );
        assert_eq!(slot_request("a", 1, Some("")).get_attr("content-type"), None);
    }

    #[test]
    fn parses_the_slot_of_the_xep_and_filters_headers() {
        // XEP-0363 example 5, plus a header that is not allowed and one with a newline.
        let slot = parse_slot(Some(&el(
            "<slot xmlns='urn:xmpp:http:upload:0'>\
             <put url='https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg'>\
             <header name='Authorization'>Basic Base64String==</header>\
             <header name='cookie'>foo=bar;\r\n user=romeo</header>\
             <header name='X-Evil'>1</header><header>nameless</header></put>\
             <get url='https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg' /></slot>",
        )))
        .unwrap();
        assert!(slot.put_url.starts_with("https://upload.montague.tld/"));
        assert!(slot.get_url.starts_with("https://download.montague.tld/"));
        assert_eq!(
            slot.put_headers,
            vec![("Authorization".into(), "Basic Base64String==".into()), ("Cookie".into(), "foo=bar; user=romeo".into())]
        );
        let json = slot.to_json();
        assert!(json.get("putUrl").and_then(Value::as_str).is_some() && json.get("getUrl").and_then(Value::as_str).is_some());
    }

    #[test]
    fn refuses_bad_slots() {
        assert_eq!(parse_slot(None), Err(SlotError::Missing));
        assert_eq!(parse_slot(Some(&el("<slot xmlns='urn:xmpp:http:upload:0'><get url='https://x.example/'/></slot>"))), Err(SlotError::Missing));
        assert_eq!(
            parse_slot(Some(&el(
                "<slot xmlns='urn:xmpp:http:upload:0'><put url='file:///etc/passwd'/><get url='https://x.example/'/></slot>"
            ))),
            Err(SlotError::BadUrl("file:///etc/passwd".into()))
        );
        assert_eq!(parse_slot(Some(&el("<slot xmlns='urn:other'/>"))), Err(SlotError::Missing));
    }

    #[test]
    fn reads_file_too_large() {
        // XEP-0363 example 6.
        let iq = el(
            "<iq xmlns='jabber:client' from='upload.montague.tld' id='step_03' to='romeo@montague.tld/garden' type='error'>\
             <request xmlns='urn:xmpp:http:upload:0' filename='très cool.jpg' size='23456' content-type='image/jpeg' />\
             <error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' />\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>File too large. The maximum file size is 20000 bytes</text>\
             <file-too-large xmlns='urn:xmpp:http:upload:0'><max-file-size>20000</max-file-size></file-too-large></error></iq>",
        );
        let error = StanzaError::from_stanza(&iq).unwrap();
        assert_eq!(slot_refusal(error), SlotError::FileTooLarge(Some(20000)));
        let other = StanzaError::from_stanza(&el(
            "<iq xmlns='jabber:client' type='error'><error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        ))
        .unwrap();
        assert!(matches!(slot_refusal(other), SlotError::Refused(e) if e.is("resource-constraint")));
    }

    #[test]
    fn finds_the_service_in_disco_info() {
        let info = DiscoInfo {
            features: vec![ns::HTTP_UPLOAD.into()],
            forms: vec![super::super::disco::ExtensionForm {
                form_type: Some(ns::HTTP_UPLOAD.into()),
                fields: vec![super::super::disco::FormField { var: "max-file-size".into(), values: vec!["oops".into()] }],
            }],
            ..DiscoInfo::default()
        };
        let jid = Jid::parse("upload.example.com").unwrap();
        assert_eq!(UploadService::from_info(jid.clone(), &info), Some(UploadService { jid: jid.clone(), max_file_size: None }));
        assert_eq!(UploadService::from_info(jid, &DiscoInfo::default()), None);
    }
}
