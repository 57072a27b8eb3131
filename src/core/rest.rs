//! The Exotel REST calls of the spec, as values: requests to send and parsers for what comes back.
//!
//! Four calls: provisioning (`startChat`), the room archive (`fetchArchivedMessages`), the CMS
//! feedback configuration (`getFeedbackConfig`) and the feedback submission
//! (`submitFeedbackResponse`). Every format choice the spec marks **D** is delegated to
//! [`crate::core::decisions`].

use crate::core::decisions;
use crate::core::http::{HttpRequest, HttpResponse, Method, RequestId};
use crate::core::json::{self, put, put_opt, put_str, Value};

/// Path of the provisioning call under `chat_service_domain`.
pub const PROVISION_PATH: &str = "/plugins/restapi/v1/xtrm/users/connection";
/// Path of the feedback submission under `chat_service_domain`.
pub const FEEDBACK_PATH: &str = "/plugins/restapi/v1/xtrm/chat-feedback";
/// How long a REST call may take before it counts as a network failure.
pub const REST_TIMEOUT_MS: u64 = 30_000;

/// The tenant settings every REST call needs, taken from the validated `initialize` config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// Base URL of the chat service (REST).
    pub chat_service_domain: String,
    /// Base URL of the CMS service (feedback configuration).
    pub cms_service_domain: String,
    /// `Authorization` header value, `"RestrictedToken <token>"`.
    pub auth_token: String,
    /// `contactCenterId` header and CMS path segment.
    pub contact_center_id: i64,
    /// `accountId` header, sent only when set.
    pub account_id: Option<String>,
    /// Campaign the chat is routed into.
    pub campaign_id: i64,
    /// Nodeflow (IVA) id.
    pub nodeflow_id: i64,
    /// Process id of the feedback lookup.
    pub process_id: i64,
    /// UI locale, sent as a user property.
    pub locale: String,
}

/// Why a `startChat` parameter object was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamsError {
    /// `startChat` was called without an object.
    NotAnObject,
    /// A required key is missing or empty (the key).
    Missing(&'static str),
    /// A key holds the wrong type (the key and what it should be).
    WrongType(&'static str, &'static str),
}

impl std::fmt::Display for ParamsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Plain pieces instead of `write!`: one code path, no formatting machinery per variant.
        let (key, what, want) = match self {
            ParamsError::NotAnObject => return f.write_str("startChat expects an object { fullName, email, phone, ... }"),
            ParamsError::Missing(key) => (key, "` is required", ""),
            ParamsError::WrongType(key, want) => (key, "` must be ", *want),
        };
        f.write_str("startChat: `")?;
        f.write_str(key)?;
        f.write_str(what)?;
        f.write_str(want)
    }
}

impl std::error::Error for ParamsError {}

/// The parameters of `startChat`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct StartParams {
    /// Customer display name.
    pub full_name: String,
    /// Customer email.
    pub email: String,
    /// Customer phone.
    pub phone: String,
    /// Bot user id: set for bot-to-agent transfers.
    pub user_id: Option<String>,
    /// Bot session id.
    pub session_id: Option<String>,
    /// `additionalInfo` with every extra top-level key merged in.
    pub additional_info: Vec<(String, Value)>,
}

const KNOWN_PARAMS: [&str; 6] = ["fullName", "email", "phone", "user_id", "session_id", "additionalInfo"];

impl StartParams {
    /// Validates the object a page passed to `startChat`. Extra top-level keys (`intent`,
    /// `language`, …) are merged into `additionalInfo`; an explicit `additionalInfo` key wins over
    /// an extra key of the same name.
    pub fn from_json(value: &Value) -> Result<StartParams, ParamsError> {
        let obj = value.as_object().ok_or(ParamsError::NotAnObject)?;
        // Every check first, on borrowed values; the owned copies once nothing can fail.
        let extra = match value.get("additionalInfo") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Object(extra)) => extra.as_slice(),
            Some(_) => return Err(ParamsError::WrongType("additionalInfo", "an object")),
        };
        let full_name = param(value, "fullName", true)?;
        let email = param(value, "email", true)?;
        let phone = param(value, "phone", true)?;
        let user_id = param(value, "user_id", false)?;
        let session_id = param(value, "session_id", false)?;
        // A key given twice is replaced where it first came: the body names each key once.
        let mut additional_info: Vec<(String, Value)> = Vec::new();
        let mut merge = |k: &String, v: &Value| match additional_info.iter_mut().find(|(key, _)| key == k) {
            Some(member) => member.1 = v.clone(),
            None => additional_info.push((k.clone(), v.clone())),
        };
        for (k, v) in obj {
            if !KNOWN_PARAMS.contains(&k.as_str()) {
                merge(k, v);
            }
        }
        for (k, v) in extra {
            merge(k, v);
        }
        Ok(StartParams {
            full_name: full_name.unwrap_or_default().to_owned(),
            email: email.unwrap_or_default().to_owned(),
            phone: phone.unwrap_or_default().to_owned(),
            user_id: user_id.map(str::to_owned),
            session_id: session_id.map(str::to_owned),
            additional_info,
        })
    }
}

/// A `startChat` string parameter. A required one must be a non-blank string (`Some` then); an
/// optional one is a string, a number as its text (bot platforms often hold ids as numbers), or
/// absent/`null` (`None`).
fn param<'a>(value: &'a Value, key: &'static str, required: bool) -> Result<Option<&'a str>, ParamsError> {
    match (value.get(key), required) {
        (Some(Value::String(s)), false) => Ok(Some(s)),
        (Some(Value::String(s)), true) if !s.trim().is_empty() => Ok(Some(s)),
        (Some(Value::Number(n)), false) => Ok(Some(n)),
        (None | Some(Value::Null), false) => Ok(None),
        (None | Some(Value::Null | Value::String(_)), true) => Err(ParamsError::Missing(key)),
        (Some(_), true) => Err(ParamsError::WrongType(key, "a string")),
        (Some(_), false) => Err(ParamsError::WrongType(key, "a string or null")),
    }
}

/// Formats 16 random bytes as a UUID version 4 (RFC 9562 §5.4): the randomness is an input.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.into_iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        push_hex(&mut out, b, false);
    }
    out
}

/// Appends `byte` as two hex digits.
fn push_hex(out: &mut String, byte: u8, upper: bool) {
    for nibble in [byte >> 4, byte & 0x0f] {
        let digit = char::from_digit(u32::from(nibble), 16).unwrap_or('0');
        out.push(if upper { digit.to_ascii_uppercase() } else { digit });
    }
}

/// Joins a configured base URL and a path that starts with `/`, without doubling the slash.
fn join(base: &str, path: &str) -> String {
    let mut url = base.trim_end_matches('/').to_owned();
    url.push_str(path);
    url
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters stay as they are).
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => {
                out.push('%');
                push_hex(&mut out, b, true);
            }
        }
    }
    out
}

impl Tenant {
    /// The headers of every REST call: `Content-Type`, `Authorization`, `contactCenterId`, and
    /// `accountId` only when it is set.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("Authorization".to_owned(), self.auth_token.clone()),
            ("contactCenterId".to_owned(), self.contact_center_id.to_string()),
        ];
        if let Some(account) = &self.account_id {
            h.push(("accountId".to_owned(), account.clone()));
        }
        h
    }

    fn request(&self, id: RequestId, method: Method, url: String, body: String) -> HttpRequest {
        HttpRequest { id, method, url, headers: self.headers(), body, timeout_ms: REST_TIMEOUT_MS }
    }

    /// The provisioning body of the spec, exactly.
    pub fn provision_body(&self, params: &StartParams, request_id: &str) -> Value {
        let mut properties = Vec::with_capacity(4);
        for (key, value) in [("email", params.email.as_str()), ("phone", &params.phone), ("nodeflowId", &self.nodeflow_id.to_string()), ("locale", &self.locale)] {
            let mut property = Vec::with_capacity(2);
            put_str(&mut property, "key", Some(key));
            put_str(&mut property, "value", Some(value));
            properties.push(Value::Object(property));
        }
        let mut user = Vec::with_capacity(2);
        put_str(&mut user, "name", Some(&params.full_name));
        put(&mut user, "properties", Value::Array(properties));
        let mut bot = Vec::with_capacity(2);
        put_opt(&mut bot, "userId", &params.user_id);
        put_opt(&mut bot, "botSessionId", &params.session_id);
        let mut m = Vec::with_capacity(8);
        let o = &mut m;
        put_str(o, "requestId", Some(request_id));
        put(o, "userEntity", Value::Object(user));
        put_str(o, "serviceName", Some("conference"));
        put(o, "campaignId", decisions::campaign_id_json(self.campaign_id));
        put(o, "sendInvitations", true.into());
        put(o, "botTransferred", params.user_id.is_some().into());
        put(o, "additionalInfo", Value::Object(params.additional_info.clone()));
        put(o, "botSessionInfo", Value::Object(bot));
        Value::Object(m)
    }

    /// `POST {chat_service_domain}/plugins/restapi/v1/xtrm/users/connection`.
    pub fn provision(&self, id: RequestId, params: &StartParams, request_id: &str) -> HttpRequest {
        let body = self.provision_body(params, request_id).to_string();
        self.request(id, Method::Post, join(&self.chat_service_domain, PROVISION_PATH), body)
    }

    /// `GET {chat_service_domain}/plugins/restapi/v1/xtrm/chatrooms/{roomJid}/messages`.
    pub fn archive(&self, id: RequestId, room_jid: &str) -> HttpRequest {
        let mut path = "/plugins/restapi/v1/xtrm/chatrooms/".to_owned();
        path.push_str(&encode_path_segment(room_jid));
        path.push_str("/messages");
        self.request(id, Method::Get, join(&self.chat_service_domain, &path), String::new())
    }

    /// `GET {cms_service_domain}/configuration/…_webchat` (template in [`decisions`]).
    pub fn feedback_config(&self, id: RequestId) -> HttpRequest {
        let path = decisions::feedback_config_path(self.contact_center_id, self.process_id, self.campaign_id, self.nodeflow_id);
        self.request(id, Method::Get, join(&self.cms_service_domain, &path), String::new())
    }

    /// `POST {chat_service_domain}/plugins/restapi/v1/xtrm/chat-feedback`.
    pub fn submit_feedback(&self, id: RequestId, interaction_id: &str, chat_id: &str, feedback: &Value) -> HttpRequest {
        let mut body = Vec::with_capacity(4);
        put(&mut body, "campaign_id", decisions::campaign_id_json(self.campaign_id));
        put_str(&mut body, "interaction_id", Some(interaction_id));
        put_str(&mut body, "chat_id", Some(chat_id));
        put(&mut body, "feedback", feedback.clone());
        self.request(id, Method::Post, join(&self.chat_service_domain, FEEDBACK_PATH), Value::Object(body).to_string())
    }
}

/// Why a REST response could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestError {
    /// The server answered with a non-2xx status; `startChat` rejects with `status_text`.
    Status {
        /// HTTP status code.
        status: u16,
        /// HTTP status text (falls back to the code's reason phrase when the server sent none).
        status_text: String,
    },
    /// A 2xx answer whose body is not the expected JSON (what was wrong).
    BadBody(String),
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestError::Status { status, status_text } => write!(f, "HTTP {status} {status_text}"),
            RestError::BadBody(why) => write!(f, "unexpected response: {why}"),
        }
    }
}

impl std::error::Error for RestError {}

fn check_status(resp: &HttpResponse) -> Result<(), RestError> {
    if (200..300).contains(&resp.status) {
        return Ok(());
    }
    let status_text = if resp.status_text.is_empty() { reason_phrase(resp.status).to_owned() } else { resp.status_text.clone() };
    Err(RestError::Status { status: resp.status, status_text })
}

/// The standard reason phrase, for servers (and HTTP/2) that send no status text.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// The body of a 2xx answer, parsed.
fn parse_json(resp: &HttpResponse) -> Result<Value, RestError> {
    check_status(resp)?;
    json::parse(&resp.body).map_err(RestError::BadBody)
}

/// `what` is not as expected in the body.
fn bad(what: &str) -> RestError {
    RestError::BadBody(format!("`{what}` is missing or of the wrong type"))
}

/// The object under `key`.
fn object_at<'a>(v: &'a Value, key: &str) -> Result<&'a Value, RestError> {
    v.get(key).filter(|o| o.is_object()).ok_or_else(|| bad(key))
}

/// The string under `key`, which must be there.
fn str_at<'a>(v: &'a Value, key: &str) -> Result<&'a str, RestError> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| bad(key))
}

/// The boolean under `key`; `false` when absent.
fn flag_at(v: &Value, key: &str) -> Result<bool, RestError> {
    match v.get(key) {
        None => Ok(false),
        Some(b) => b.as_bool().ok_or_else(|| bad(key)),
    }
}

/// The array of strings under `key`; empty when absent.
fn strings_at(v: &Value, key: &str) -> Result<Vec<String>, RestError> {
    match v.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            let mut strings = Vec::new();
            for item in items {
                strings.push(item.as_str().ok_or_else(|| bad(key))?.to_owned());
            }
            Ok(strings)
        }
        Some(_) => Err(bad(key)),
    }
}

/// What provisioning gave us: the XMPP account and the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// The customer's XMPP JID (`userEntity.username`).
    pub username: String,
    /// The customer's XMPP password.
    pub password: String,
    /// Display name the service recorded.
    pub name: String,
    /// The room's JID, derived by [`decisions::room_jid`].
    pub room_jid: String,
    /// Room members as the service listed them.
    pub members: Vec<String>,
    /// Room owners as the service listed them.
    pub owners: Vec<String>,
    /// Whether the page may offer a transcript export.
    pub export_transcript_allowed: bool,
}

/// Parses the provisioning response: `userEntity.{username, password, name?}`,
/// `mucRoomEntity.{roomName, members?, owners?}`, `exportTranscriptAllowed?`. A field of the
/// wrong type is an error, as a missing required one is.
pub fn parse_provisioned(resp: &HttpResponse) -> Result<Provisioned, RestError> {
    let body = parse_json(resp)?;
    let user = object_at(&body, "userEntity")?;
    let room = object_at(&body, "mucRoomEntity")?;
    // Every check on borrowed text first; the owned copies are made once nothing can fail.
    let username = str_at(user, "username")?;
    let password = str_at(user, "password")?;
    let room_name = str_at(room, "roomName")?;
    if !username.contains('@') {
        return Err(RestError::BadBody(format!("userEntity.username `{username}` is not a JID")));
    }
    if room_name.trim().is_empty() {
        return Err(RestError::BadBody("mucRoomEntity.roomName is empty".into()));
    }
    let name = match user.get("name") {
        None | Some(Value::Null) => "",
        Some(n) => n.as_str().ok_or_else(|| bad("name"))?,
    };
    let export_transcript_allowed = flag_at(&body, "exportTranscriptAllowed")?;
    let members = strings_at(room, "members")?;
    Ok(Provisioned {
        owners: strings_at(room, "owners")?,
        members,
        room_jid: decisions::room_jid(room_name, username),
        password: password.to_owned(),
        username: username.to_owned(),
        name: name.to_owned(),
        export_transcript_allowed,
    })
}

/// One message of the room archive, in the Openfire chat-history shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArchivedMessage {
    /// Recipient.
    pub to: String,
    /// Sender (`room@conference.domain/nick` or a real JID).
    pub from: String,
    /// Message type (`groupchat`).
    pub kind: String,
    /// Body text.
    pub body: String,
    /// When the message was sent (ISO 8601 or epoch milliseconds, as the server has it).
    pub delay_stamp: String,
    /// Who stamped it.
    pub delay_from: String,
}

impl ArchivedMessage {
    /// Reads one archive entry: an object whose text fields, when present, are strings
    /// (`delay_stamp` may be a number); `None` otherwise.
    fn from_json(v: &Value) -> Option<ArchivedMessage> {
        if !v.is_object() {
            return None;
        }
        let field = |key: &str| match v.get(key) {
            None => Some(""),
            Some(s) => s.as_str(),
        };
        // Every field checked on borrowed text first; the owned copies once nothing can fail.
        let (to, from, kind, body, delay_from) = (field("to")?, field("from")?, field("type")?, field("body")?, field("delay_from")?);
        Some(ArchivedMessage {
            to: to.to_owned(),
            from: from.to_owned(),
            kind: kind.to_owned(),
            body: body.to_owned(),
            delay_stamp: json::text(v.get("delay_stamp")).unwrap_or_default(),
            delay_from: delay_from.to_owned(),
        })
    }
}

/// Parses the archive response, accepting the shapes of [`decisions::archive_items`]. Entries that
/// are not message objects are skipped, so one odd entry never loses the rest.
pub fn parse_archive(resp: &HttpResponse) -> Result<Vec<ArchivedMessage>, RestError> {
    let value = parse_json(resp)?;
    let items = decisions::archive_items(&value).ok_or_else(|| RestError::BadBody("no message list".into()))?;
    let mut messages = Vec::new();
    for item in items {
        if let Some(message) = ArchivedMessage::from_json(item) {
            messages.push(message);
        }
    }
    Ok(messages)
}

/// The CMS feedback configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedbackConfig {
    /// Whether a CSAT form follows the chat.
    pub is_feedback_enabled: bool,
    /// Open `feedback_url` in a new tab instead of the widget's own form.
    pub open_in_new_tab: bool,
    /// The external form.
    pub feedback_url: String,
}

/// Parses the feedback configuration; the page receives the raw object, the widget uses the typed
/// one. Absent fields take their defaults; a field of the wrong type is an error.
pub fn parse_feedback_config(resp: &HttpResponse) -> Result<(Value, FeedbackConfig), RestError> {
    let raw = parse_json(resp)?;
    if !raw.is_object() {
        return Err(RestError::BadBody("the feedback configuration is not an object".into()));
    }
    let typed = FeedbackConfig {
        is_feedback_enabled: flag_at(&raw, "isFeedbackEnabled")?,
        open_in_new_tab: flag_at(&raw, "openInNewTab")?,
        feedback_url: match raw.get("feedbackUrl") {
            None => String::new(),
            Some(_) => str_at(&raw, "feedbackUrl")?.to_owned(),
        },
    };
    Ok((raw, typed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json::{json, parse};

    fn tenant() -> Tenant {
        Tenant {
            chat_service_domain: "https://omni.example.com:4440/".into(),
            cms_service_domain: "https://omni.example.com:4433".into(),
            auth_token: "RestrictedToken abc".into(),
            contact_center_id: 42,
            account_id: None,
            campaign_id: 1,
            nodeflow_id: 5,
            process_id: 4,
            locale: "en".into(),
        }
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse { status: 200, status_text: "OK".into(), body: body.into() }
    }

    #[test]
    fn provisioning_request_matches_the_spec() {
        let params = StartParams::from_json(&json!({
            "fullName": "Jane Smith", "email": "jane@example.com", "phone": "+919988776655",
            "user_id": "bot-user-id-123", "session_id": "bot-session-abc",
            "intent": "billing issue", "language": "en", "additionalInfo": { "crm": 7 }
        }))
        .unwrap();
        let req = tenant().provision(RequestId(1), &params, "0b7e9c39-4c8a-4f5e-9a57-2f3c1d5e6a70");
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://omni.example.com:4440/plugins/restapi/v1/xtrm/users/connection");
        assert_eq!(
            req.headers,
            vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Authorization".to_owned(), "RestrictedToken abc".to_owned()),
                ("contactCenterId".to_owned(), "42".to_owned()),
            ]
        );
        assert_eq!(
            parse(&req.body).unwrap(),
            json!({
                "requestId": "0b7e9c39-4c8a-4f5e-9a57-2f3c1d5e6a70",
                "userEntity": { "name": "Jane Smith", "properties": [
                    { "key": "email", "value": "jane@example.com" },
                    { "key": "phone", "value": "+919988776655" },
                    { "key": "nodeflowId", "value": "5" },
                    { "key": "locale", "value": "en" } ] },
                "serviceName": "conference",
                "campaignId": 1,
                "sendInvitations": true,
                "botTransferred": true,
                "additionalInfo": { "intent": "billing issue", "language": "en", "crm": 7 },
                "botSessionInfo": { "userId": "bot-user-id-123", "botSessionId": "bot-session-abc" }
            })
        );
    }

    #[test]
    fn account_header_only_when_set_and_no_bot_without_user_id() {
        let mut t = tenant();
        t.account_id = Some("acc-9".into());
        assert_eq!(t.headers().last().unwrap(), &("accountId".to_owned(), "acc-9".to_owned()));
        let params = StartParams::from_json(&json!({"fullName": "A", "email": "a@b.c", "phone": "1"})).unwrap();
        let body = t.provision_body(&params, "id");
        assert_eq!(body.get("botTransferred"), Some(&json!(false)));
        assert_eq!(body.get("botSessionInfo"), Some(&json!({ "userId": null, "botSessionId": null })));
        assert_eq!(body.get("additionalInfo"), Some(&json!({})));
        // Extra top-level keys join additionalInfo; its own key of the same name wins, in place.
        let params = StartParams::from_json(&json!({"fullName": "A", "email": "e", "phone": "1", "intent": "x", "additionalInfo": {"crm": 7, "intent": "y"}}));
        assert_eq!(params.unwrap().additional_info, json!({"intent": "y", "crm": 7}).as_object().unwrap());
    }

    #[test]
    fn start_params_errors_name_the_key() {
        assert_eq!(StartParams::from_json(&json!("x")), Err(ParamsError::NotAnObject));
        assert_eq!(StartParams::from_json(&json!({"email": "a", "phone": "1"})), Err(ParamsError::Missing("fullName")));
        assert_eq!(StartParams::from_json(&json!({"fullName": " ", "email": "a", "phone": "1"})), Err(ParamsError::Missing("fullName")));
        let err = StartParams::from_json(&json!({"fullName": "A", "email": 3, "phone": "1"})).unwrap_err();
        assert!(err.to_string().contains("`email`"), "{err}");
        let err = StartParams::from_json(&json!({"fullName": "A", "email": "e", "phone": "1", "additionalInfo": [1]})).unwrap_err();
        assert!(err.to_string().contains("additionalInfo"));
    }

    #[test]
    fn uuid_v4_sets_version_and_variant() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        let counting: [u8; 16] = std::array::from_fn(|i| i as u8 * 17);
        assert_eq!(uuid_v4(counting), "00112233-4455-4677-8899-aabbccddeeff");
        assert_eq!(encode_path_segment("a b/é~_.-Z9"), "a%20b%2F%C3%A9~_.-Z9");
    }

    #[test]
    fn parses_provisioning_response_and_derives_the_room() {
        let p = parse_provisioned(&ok(r#"{
            "userEntity": { "username": "xmpp-user@domain", "password": "pw", "name": "Customer" },
            "mucRoomEntity": { "roomName": "room-abc123", "members": ["user@domain","agent@domain"], "owners": ["agent@domain"] },
            "exportTranscriptAllowed": true }"#))
        .unwrap();
        assert_eq!(p.room_jid, "room-abc123@conference.domain");
        assert_eq!(p.username, "xmpp-user@domain");
        assert!(p.export_transcript_allowed);
        assert_eq!(p.owners, vec!["agent@domain"]);
    }

    #[test]
    fn provisioning_errors_are_typed() {
        let unauthorized = HttpResponse { status: 401, status_text: "Unauthorized".into(), body: "{}".into() };
        assert_eq!(
            parse_provisioned(&unauthorized),
            Err(RestError::Status { status: 401, status_text: "Unauthorized".into() })
        );
        let h2 = HttpResponse { status: 503, status_text: String::new(), body: String::new() };
        assert_eq!(
            parse_provisioned(&h2),
            Err(RestError::Status { status: 503, status_text: "Service Unavailable".into() })
        );
        assert!(matches!(parse_provisioned(&ok("not json")), Err(RestError::BadBody(_))));
        assert!(matches!(parse_provisioned(&ok(r#"{"userEntity":{}}"#)), Err(RestError::BadBody(_))));
        let no_at = r#"{"userEntity":{"username":"x","password":"p"},"mucRoomEntity":{"roomName":"r"}}"#;
        assert!(matches!(parse_provisioned(&ok(no_at)), Err(RestError::BadBody(_))));
        let minimal = r#"{"userEntity":{"username":"u@d","password":"p","name":null},"mucRoomEntity":{"roomName":"r"}}"#;
        let p = parse_provisioned(&ok(minimal)).unwrap();
        assert_eq!((p.name.as_str(), p.members.len(), p.export_transcript_allowed), ("", 0, false));
        for wrong in [
            r#"{"userEntity":{"username":"u@d","password":7},"mucRoomEntity":{"roomName":"r"}}"#,
            r#"{"userEntity":{"username":"u@d","password":"p","name":1},"mucRoomEntity":{"roomName":"r"}}"#,
            r#"{"userEntity":{"username":"u@d","password":"p"},"mucRoomEntity":{"roomName":"r","members":"a@d"}}"#,
            r#"{"userEntity":{"username":"u@d","password":"p"},"mucRoomEntity":{"roomName":"r","owners":[1]}}"#,
            r#"{"userEntity":{"username":"u@d","password":"p"},"mucRoomEntity":{"roomName":"r"},"exportTranscriptAllowed":"yes"}"#,
            r#"{"userEntity":"u@d","mucRoomEntity":{"roomName":"r"}}"#,
        ] {
            assert!(matches!(parse_provisioned(&ok(wrong)), Err(RestError::BadBody(_))), "{wrong}");
        }
    }

    #[test]
    fn archive_request_encodes_the_room_and_accepts_both_shapes() {
        let req = tenant().archive(RequestId(2), "room-1@conference.domain");
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url, "https://omni.example.com:4440/plugins/restapi/v1/xtrm/chatrooms/room-1%40conference.domain/messages");
        let one = parse_archive(&ok(r#"{"message":{"to":"r@c.d","from":"r@c.d/agent","type":"groupchat","body":"hi","delay_stamp":"2026-01-01T00:00:00Z"}}"#)).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].body, "hi");
        let many = parse_archive(&ok(r#"[{"body":"a","delay_stamp":1700000000000},7,{"body":"b"}]"#)).unwrap();
        assert_eq!(many.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(many[0].delay_stamp, "1700000000000");
        assert_eq!(parse_archive(&ok(r#"{"message":[]}"#)).unwrap(), vec![]);
        // An entry with a text field of the wrong type is skipped; a null stamp reads as none.
        let odd = parse_archive(&ok(r#"[{"body":null},{"to":5,"body":"x"},{"body":"c","delay_stamp":null,"type":"chat"}]"#)).unwrap();
        assert_eq!(odd, vec![ArchivedMessage { body: "c".into(), kind: "chat".into(), ..ArchivedMessage::default() }]);
        assert!(parse_archive(&ok(r#"{"nothing":1}"#)).is_err());
    }

    #[test]
    fn feedback_config_and_submit() {
        let req = tenant().feedback_config(RequestId(3));
        assert_eq!(
            req.url,
            "https://omni.example.com:4433/configuration/cc-list/42/process-list/4/campaigns/1/chat-feedback-schemes-configurations/1_5_webchat"
        );
        let (raw, cfg) = parse_feedback_config(&ok(r#"{"isFeedbackEnabled":true,"openInNewTab":false,"feedbackUrl":"https://f/x","extra":1}"#)).unwrap();
        assert!(cfg.is_feedback_enabled && !cfg.open_in_new_tab);
        assert_eq!(raw.get("extra"), Some(&json!(1)));
        assert_eq!(cfg.feedback_url, "https://f/x");
        assert_eq!(parse_feedback_config(&ok("{}")).unwrap().1, FeedbackConfig::default());
        for wrong in [r#"{"isFeedbackEnabled":"yes"}"#, r#"{"feedbackUrl":null}"#, "[]"] {
            assert!(matches!(parse_feedback_config(&ok(wrong)), Err(RestError::BadBody(_))), "{wrong}");
        }
        let req = tenant().submit_feedback(RequestId(4), "int-1", "chat-1", &json!({"score": 5}));
        assert_eq!(req.url, "https://omni.example.com:4440/plugins/restapi/v1/xtrm/chat-feedback");
        assert_eq!(parse(&req.body).unwrap(), json!({"campaign_id": 1, "interaction_id": "int-1", "chat_id": "chat-1", "feedback": {"score": 5}}));
    }
}
