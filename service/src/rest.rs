//! The Exotel chat REST API of the spec (`/plugins/restapi/v1/xtrm/...`): provisioning, room
//! history in the Openfire shape, and feedback submission, plus reading the feedback back.
//!
//! Every endpoint checks `Authorization` (401) and `contactCenterId` (400 when missing, 403 when
//! not the configured one) first; malformed bodies get a 400 whose `error` names the field.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::agent::{AgentClient, AGENT_USER};
use crate::feedback::FeedbackStore;
use crate::http::{Request, Response};
use crate::log::Log;
use crate::xmpp::XmppServer;
use crate::util::random_hex;

/// The path prefix of every REST endpoint.
const PREFIX: [&str; 4] = ["plugins", "restapi", "v1", "xtrm"];

/// What every caller must present.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The exact `Authorization` header value, e.g. `RestrictedToken abc`.
    pub auth_token: String,
    /// The `contactCenterId` header value (a number).
    pub contact_center_id: i64,
}

impl Credentials {
    /// Checks the `Authorization` and `contactCenterId` headers; the error is the response to send.
    pub fn check(&self, request: &Request) -> Result<(), Response> {
        match request.header("Authorization") {
            None => return Err(Response::error(401, "missing Authorization header")),
            Some(token) if token != self.auth_token => return Err(Response::error(401, "invalid Authorization token")),
            Some(_) => {}
        }
        let Some(id) = request.header("contactCenterId") else {
            return Err(Response::error(400, "missing contactCenterId header"));
        };
        match id.trim().parse::<i64>() {
            Ok(id) if id == self.contact_center_id => Ok(()),
            Ok(id) => Err(Response::error(403, &format!("unknown contact center {id}"))),
            Err(_) => Err(Response::error(400, "contactCenterId header must be a number")),
        }
    }
}

/// The REST API's state; [`Rest::handle`] answers one request.
pub struct Rest {
    credentials: Credentials,
    export_transcript_allowed: bool,
    xmpp: Arc<XmppServer>,
    agent: AgentClient,
    feedback: Arc<FeedbackStore>,
    // Rooms this server provisioned: the archive answers 404 for any other.
    rooms: Mutex<HashSet<String>>,
    log: Log,
}

impl Rest {
    /// A REST API provisioning users in `xmpp`, with the agent behind `agent`.
    pub fn new(
        credentials: Credentials,
        xmpp: Arc<XmppServer>,
        agent: AgentClient,
        feedback: Arc<FeedbackStore>,
        log: Log,
    ) -> Rest {
        Rest {
            credentials,
            export_transcript_allowed: true,
            xmpp,
            agent,
            feedback,
            rooms: Mutex::new(HashSet::new()),
            log,
        }
    }

    /// Routes one request.
    pub fn handle(&self, request: &Request) -> Response {
        let segments = request.segments();
        let Some(rest) = segments.strip_prefix(&PREFIX.map(String::from)) else {
            return Response::error(404, "no such endpoint (the REST API lives under /plugins/restapi/v1/xtrm/)");
        };
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        let route = match (request.method.as_str(), rest.as_slice()) {
            ("POST", ["users", "connection"]) => Route::Connection,
            ("GET", ["chatrooms", room, "messages"]) => Route::History(room),
            ("POST", ["chat-feedback"]) => Route::SubmitFeedback,
            ("GET", ["chat-feedback"]) => Route::ListFeedback,
            (_, ["users", "connection"] | ["chatrooms", _, "messages"] | ["chat-feedback"]) => {
                return Response::error(405, "method not allowed")
            }
            _ => return Response::error(404, "no such endpoint"),
        };
        if let Err(denied) = self.credentials.check(request) {
            return denied;
        }
        let result = match route {
            Route::Connection => request.json().and_then(|body| self.connection(&body)),
            Route::History(room) => self.history(room),
            Route::SubmitFeedback => request.json().and_then(|body| self.submit_feedback(&body)),
            Route::ListFeedback => self.list_feedback(),
        };
        result.unwrap_or_else(|response| response)
    }

    /// `POST users/connection`: a fresh XMPP user and room, with the agent waiting in it.
    fn connection(&self, body: &Value) -> Result<Response, Response> {
        let name = validate_connection(body).map_err(|reason| Response::error(400, &reason))?;
        let host = self.xmpp.host();
        let username = format!("cust-{}", random_hex(5));
        let password = random_hex(12);
        self.xmpp
            .register(&username, &password)
            .map_err(|e| Response::error(500, &format!("could not create the XMPP user: {e}")))?;
        let customer = format!("{username}@{host}");
        let room_name = format!("room-{}", random_hex(5));
        let room_jid = format!("{room_name}@{}", self.xmpp.muc_host());
        let agent = format!("{AGENT_USER}@{host}");
        self.agent
            .join(&room_jid, Some(&customer), Some(&name))
            .map_err(|e| Response::error(502, &format!("the agent could not join the room: {e}")))?;
        self.rooms_lock().insert(room_jid.clone());
        self.log.line("rest", &format!("provisioned {customer} ({name}) in {room_jid}"));
        Ok(Response::json(
            200,
            &json!({
                "userEntity": { "username": customer, "password": password, "name": name },
                "mucRoomEntity": { "roomName": room_name, "members": [customer, agent], "owners": [agent] },
                "exportTranscriptAllowed": self.export_transcript_allowed,
            }),
        ))
    }

    /// `GET chatrooms/{roomJid}/messages`: the room's archive, Openfire chat-history shape.
    fn history(&self, room: &str) -> Result<Response, Response> {
        let room_jid = if room.contains('@') { room.to_owned() } else { format!("{room}@{}", self.xmpp.muc_host()) };
        if !self.rooms_lock().contains(&room_jid) {
            return Err(Response::error(404, &format!("unknown room {room_jid}")));
        }
        let entries = self
            .agent
            .history(&room_jid)
            .map_err(|e| Response::error(502, &format!("reading the room archive: {e}")))?
            .ok_or_else(|| Response::error(404, &format!("unknown room {room_jid}")))?;
        let messages: Vec<Value> = entries.iter().filter_map(|e| openfire_message(e, &room_jid)).collect();
        Ok(Response::json(200, &json!({ "message": messages })))
    }

    /// `POST chat-feedback`: validated, then stored.
    fn submit_feedback(&self, body: &Value) -> Result<Response, Response> {
        validate_feedback(body).map_err(|reason| Response::error(400, &reason))?;
        let mut record = body.clone();
        if let Some(object) = record.as_object_mut() {
            object.insert("contactCenterId".into(), json!(self.credentials.contact_center_id));
            object.insert("received_at_ms".into(), json!(now_ms()));
        }
        self.feedback
            .append(&record)
            .map_err(|e| Response::error(500, &format!("storing the feedback: {e}")))?;
        self.log.line("rest", &format!("stored feedback for chat {}", body["chat_id"]));
        Ok(Response::json(200, &json!({ "status": "success" })))
    }

    /// `GET chat-feedback` (local addition): every stored submission, for tests and curious people.
    fn list_feedback(&self) -> Result<Response, Response> {
        let all = self.feedback.all().map_err(|e| Response::error(500, &format!("reading feedback: {e}")))?;
        Ok(Response::json(200, &Value::Array(all)))
    }

    fn rooms_lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }
}

enum Route<'a> {
    Connection,
    History(&'a str),
    SubmitFeedback,
    ListFeedback,
}

/// One archived message with a body, in the Openfire chat-history item shape.
fn openfire_message(entry: &Value, room_jid: &str) -> Option<Value> {
    let body = entry.get("body")?.as_str()?;
    Some(json!({
        "to": room_jid,
        "from": entry.get("from").cloned().unwrap_or(Value::Null),
        "type": "groupchat",
        "body": body,
        "delay_stamp": entry.get("delay").cloned().unwrap_or(Value::Null),
        "delay_from": room_jid,
    }))
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| format!("{what} must be a JSON object"))
}

fn string_field<'a>(object: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a str, String> {
    match object.get(key) {
        None | Some(Value::Null) => Err(format!("{what} is missing")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(format!("{what} must be a string")),
    }
}

fn optional<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

/// Checks the provisioning body's shape; returns the customer's display name.
pub fn validate_connection(body: &Value) -> Result<String, String> {
    let body = object(body, "the body")?;
    if string_field(body, "requestId", "requestId")?.is_empty() {
        return Err("requestId must not be empty".into());
    }
    let user = object(body.get("userEntity").unwrap_or(&Value::Null), "userEntity")?;
    let name = string_field(user, "name", "userEntity.name")?.to_owned();
    let properties = match user.get("properties") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err("userEntity.properties must be an array".into()),
        None => return Err("userEntity.properties is missing".into()),
    };
    for (i, property) in properties.iter().enumerate() {
        let property = object(property, &format!("userEntity.properties[{i}]"))?;
        string_field(property, "key", &format!("userEntity.properties[{i}].key"))?;
        string_field(property, "value", &format!("userEntity.properties[{i}].value"))?;
    }
    string_field(body, "serviceName", "serviceName")?;
    match body.get("campaignId") {
        Some(Value::Number(_)) => {}
        Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => {}
        None => return Err("campaignId is missing".into()),
        Some(_) => return Err("campaignId must be a number".into()),
    }
    for key in ["sendInvitations", "botTransferred"] {
        if optional(body, key).is_some_and(|v| !v.is_boolean()) {
            return Err(format!("{key} must be a boolean"));
        }
    }
    for key in ["additionalInfo", "botSessionInfo"] {
        if let Some(value) = optional(body, key) {
            object(value, key)?;
        }
    }
    Ok(name)
}

/// Checks the feedback body's shape.
pub fn validate_feedback(body: &Value) -> Result<(), String> {
    let body = object(body, "the body")?;
    match body.get("campaign_id") {
        Some(Value::String(_) | Value::Number(_)) => {}
        None | Some(Value::Null) => return Err("campaign_id is missing".into()),
        Some(_) => return Err("campaign_id must be a string or a number".into()),
    }
    for key in ["interaction_id", "chat_id"] {
        if string_field(body, key, key)?.is_empty() {
            return Err(format!("{key} must not be empty"));
        }
    }
    object(body.get("feedback").unwrap_or(&Value::Null), "feedback")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_validation() {
        let ok = json!({ "campaign_id": "1", "interaction_id": "i-1", "chat_id": "c-1", "feedback": { "rating": 5 } });
        assert_eq!(validate_feedback(&ok), Ok(()));
        let mut bad = ok.clone();
        bad["feedback"] = json!("great");
        assert_eq!(validate_feedback(&bad), Err("feedback must be a JSON object".to_owned()));
        let mut bad = ok;
        bad["chat_id"] = json!("");
        assert_eq!(validate_feedback(&bad), Err("chat_id must not be empty".to_owned()));
    }

    #[test]
    fn openfire_items_keep_only_messages_with_a_body() {
        let room = "r@conference.localhost";
        let text = json!({ "from": "r@conference.localhost/Agent", "body": "hi", "delay": "2026-01-01T00:00:00Z" });
        assert_eq!(
            openfire_message(&text, room),
            Some(json!({ "to": room, "from": "r@conference.localhost/Agent", "type": "groupchat", "body": "hi",
                         "delay_stamp": "2026-01-01T00:00:00Z", "delay_from": room }))
        );
        assert_eq!(openfire_message(&json!({ "from": "x", "body": null }), room), None);
    }
}
