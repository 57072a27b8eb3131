//! The Promise methods that wait on the session, as operations pending on a
//! [`Session`](super::session::Session): the room join of `startChat`, `joinRoom`/`createRoom`,
//! `disconnectConverse`, and the XEP-0363 queries of the upload methods.
//!
//! Each operation is keyed by the number of the adapter's Promise. The session matches every
//! event it raises against its operations ([`Op::advance`]) and reports the end of each as
//! [`SessionEvent::Settled`](super::session::SessionEvent::Settled) with an [`Outcome`] that the
//! adapter only performs (resolve, reject, PUT the file): one table and one match instead of a
//! waiting callback per call. An operation a session drops unended ends as if it disconnected.

use super::chat::{Chat, ChatEvent, JoinError, QueryError, QueryId, QueryOutcome};
use super::jid::Jid;
use super::json::{self, Value};
use super::muc::Occupant;
use super::session::SessionEvent;
use super::upload::UploadSlot;
use super::Instant;

/// The stable `code` values that errors thrown or rejected by `exoChat` carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// `initialize` got a config it refuses; the error also has a `key` property.
    InvalidConfig,
    /// `initialize` was called a second time.
    AlreadyInitialized,
    /// A method that needs `initialize` ran before it.
    NotInitialized,
    /// A method got an argument of the wrong type.
    BadArgument,
    /// The page has no DOM the SDK can use (no `document`).
    NoDocument,
    /// A method that needs the XMPP session ran before `startChat` or after it ended.
    NotConnected,
    /// A room method named a room the session is not in.
    NotInRoom,
    /// A request failed at the network level (unreachable, CORS, timeout).
    Network,
    /// A service answered with a non-2xx HTTP status; the error also has a `status` property.
    HttpStatus,
    /// A service answered 2xx with a body that is not what the contract says.
    BadResponse,
    /// The XMPP connection failed (the `errorData` of a `startChat` rejection).
    XmppFailed,
    /// Joining a room failed.
    JoinFailed,
}

impl Code {
    /// The `code` property's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidConfig => "invalid_config",
            Code::AlreadyInitialized => "already_initialized",
            Code::NotInitialized => "not_initialized",
            Code::BadArgument => "bad_argument",
            Code::NoDocument => "no_document",
            Code::NotConnected => "not_connected",
            Code::NotInRoom => "not_in_room",
            Code::Network => "network_error",
            Code::HttpStatus => "http_status",
            Code::BadResponse => "bad_response",
            Code::XmppFailed => "xmpp_failed",
            Code::JoinFailed => "join_failed",
        }
    }
}

/// How a Promise method ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Resolve with `undefined`.
    Done,
    /// Resolve with this value.
    Value(Value),
    /// Resolve with a room object: these fields, `attributes` holding the same values, and
    /// `get(name)`, as on a Converse room model.
    Room(Value),
    /// Resolve with `null`, as the upload methods do on failure; `why` is for the console
    /// (prefixed `exoChat.{method}: `).
    Null {
        /// The method.
        method: &'static str,
        /// Why there is no result.
        why: String,
    },
    /// An upload slot was granted to `method`: `{ putUrl, getUrl }`, or the PUT of the file for
    /// `uploadFileToConverse`.
    Slot {
        /// The method.
        method: &'static str,
        /// The slot.
        slot: UploadSlot,
    },
    /// Reject with an `Error` with this `code` and message.
    Error(Code, String),
    /// Reject as `startChat` does when XMPP fails after provisioning:
    /// `{ errorData, roomJid, customerJid }`, `errorData` an `Error` (`xmpp_failed`) with `message`.
    StartFailed {
        /// The message of `errorData`.
        message: String,
        /// The provisioned room.
        room_jid: String,
        /// The provisioned account.
        customer_jid: String,
    },
}

impl Outcome {
    /// The error of `exoChat.{method}` with `code`, saying `why`.
    pub fn error(code: Code, method: &str, why: &str) -> Outcome {
        Outcome::Error(code, format!("exoChat.{method}: {why}"))
    }
}

/// What `startChat` provisioned, for its room object or its rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// The room JID as provisioned.
    pub room_jid: String,
    /// The account JID as provisioned.
    pub customer_jid: String,
    /// The room object's `exportTranscriptAllowed`.
    pub export_transcript_allowed: bool,
}

/// A slot wanted by `requestSlotFromConverse` or `uploadFileToConverse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequest {
    /// The method.
    pub method: &'static str,
    /// The file's name.
    pub filename: String,
    /// Its size in bytes (checked against the service's limit first).
    pub size: u64,
    /// Its MIME type; empty when unknown.
    pub content_type: String,
}

/// What a query's answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// `discoverFileUploadJid`: the service's JID, or `null`.
    UploadJid,
    /// `requestUploadServiceInfo(jid)`: the disco#info result, or `null`.
    Info(Jid),
    /// The service to ask for a slot.
    Service(SlotRequest),
    /// The slot.
    Slot(SlotRequest),
}

/// An operation waiting for the event that ends it.
#[derive(Debug)]
pub(crate) enum Op {
    /// A join of `room` by `method` (`startChat` says what was provisioned).
    Join { room: Jid, method: &'static str, start: Option<Start> },
    /// `disconnectConverse`: the session closing.
    Close,
    /// A query and what its answer is for.
    Query(QueryId, Then),
}

/// What an event did to an operation.
pub(crate) enum Step {
    /// Not its event: it keeps waiting.
    Wait(Op),
    /// It ended.
    End(Outcome),
    /// It ended and the session must stop (a failed `startChat` join).
    EndAndStop(Outcome),
}

impl Op {
    /// Asks the query `then` needs; the operation waiting for its answer.
    pub(crate) fn query(chat: &mut Chat, now: Instant, then: Then) -> Op {
        let id = match &then {
            Then::Info(jid) => chat.disco_info(now, jid),
            _ => chat.discover_upload_service(now),
        };
        Op::Query(id, then)
    }

    /// The operation after `event` (`None`: the session is gone without one).
    pub(crate) fn advance(self, chat: &mut Chat, now: Instant, event: Option<&SessionEvent>) -> Step {
        // Every operation ends when the session does.
        let closed = match event {
            Some(SessionEvent::Disconnected(error)) => Some(error.as_ref().map(ToString::to_string)),
            None => Some(None),
            _ => None,
        };
        match self {
            Op::Close if closed.is_some() => Step::End(Outcome::Done),
            Op::Join { room, method, start } => {
                let why = match (event, closed) {
                    (Some(SessionEvent::Chat(ChatEvent::RoomJoined { room: r, nick, occupants })), _) if *r == room => {
                        return Step::End(match start {
                            _ if method == "createRoom" => Outcome::Done,
                            start => Outcome::Room(room_json(&room, nick, occupants, start.map(|s| s.export_transcript_allowed))),
                        });
                    }
                    // A join cut by the connection is followed by `Disconnected`, which says why.
                    (Some(SessionEvent::Chat(ChatEvent::JoinFailed { room: r, error })), _) if *r == room && *error != JoinError::Disconnected => {
                        join_error_text(error)
                    }
                    (_, Some(why)) => why.unwrap_or_else(|| "the session was closed".to_owned()),
                    _ => return Step::Wait(Op::Join { room, method, start }),
                };
                join_failed(Code::JoinFailed, method, start, &why)
            }
            // The answer itself goes to [`answered`] (the session hands it over).
            Op::Query(_, then) if closed.is_some() => answered(chat, now, then, Err(QueryError::Disconnected)),
            op => Step::Wait(op),
        }
    }
}

/// The end of a join of `method` that failed (`code`, `why`): a `startChat` join stops the
/// session and rejects with the provisioned JIDs.
pub(crate) fn join_failed(code: Code, method: &str, start: Option<Start>, why: &str) -> Step {
    match start {
        Some(start) => Step::EndAndStop(Outcome::StartFailed {
            message: format!("exoChat.{method}: {why}"),
            room_jid: start.room_jid,
            customer_jid: start.customer_jid,
        }),
        None => Step::End(Outcome::error(code, method, why)),
    }
}

/// A query answered (or failed) for `then`; a slot request goes on to ask for the slot.
pub(crate) fn answered(chat: &mut Chat, now: Instant, then: Then, result: Result<QueryOutcome, QueryError>) -> Step {
    let (method, why) = match (then, result) {
        (Then::UploadJid, Ok(QueryOutcome::UploadService(Some(service)))) => return Step::End(Outcome::Value(service.jid.to_string().into())),
        (Then::Info(_), Ok(QueryOutcome::DiscoInfo(info))) => return Step::End(Outcome::Value(info.to_json())),
        (Then::UploadJid | Then::Info(_), Ok(_)) => return Step::End(Outcome::Value(Value::Null)),
        (Then::Info(jid), Err(e)) => ("requestUploadServiceInfo", format!("disco#info of {jid} failed: {}", query_error_text(&e))),
        (Then::Service(want), Ok(QueryOutcome::UploadService(Some(service)))) => {
            if let Some(max) = service.max_file_size.filter(|max| want.size > *max) {
                let (size, max) = (human_size(want.size), human_size(max));
                (want.method, format!("{} is {size}, more than the {max} the upload service accepts; not uploaded", want.filename))
            } else {
                let content_type = Some(want.content_type.as_str()).filter(|t| !t.is_empty());
                let id = chat.request_upload_slot(now, &service.jid, &want.filename, want.size, content_type);
                return Step::Wait(Op::Query(id, Then::Slot(want)));
            }
        }
        (Then::Service(want), Ok(_)) => (want.method, "the server has no upload service".to_owned()),
        (Then::Slot(want), Ok(QueryOutcome::UploadSlot(slot))) => return Step::End(Outcome::Slot { method: want.method, slot }),
        (Then::Slot(want), Ok(_)) => (want.method, "the slot answer held no slot".to_owned()),
        (Then::Slot(want), Err(e)) => (want.method, format!("no upload slot for {}: {}", want.filename, query_error_text(&e))),
        (then, Err(e)) => {
            let method = if let Then::Service(want) = &then { want.method } else { "discoverFileUploadJid" };
            (method, format!("upload service discovery failed: {}", query_error_text(&e)))
        }
    };
    Step::End(Outcome::Null { method, why })
}

/// The fields of a room object: `exportTranscriptAllowed` (`startChat` only), `jid`, `nick`,
/// `occupants`.
fn room_json(room: &Jid, nick: &str, occupants: &[Occupant], export_transcript_allowed: Option<bool>) -> Value {
    let mut fields = vec![
        ("jid", room.to_string().into()),
        ("nick", nick.into()),
        ("occupants", Value::Array(occupants.iter().map(Occupant::to_json).collect())),
    ];
    if let Some(allowed) = export_transcript_allowed {
        fields.insert(0, ("exportTranscriptAllowed", Value::Bool(allowed)));
    }
    json::object(fields)
}

/// Why a join did not complete, in words.
fn join_error_text(e: &JoinError) -> String {
    match e {
        JoinError::NickConflict => "every nick tried is taken in the room".to_owned(),
        JoinError::Refused(e) => format!("the room refused the join: {e}"),
        JoinError::Timeout => "the room did not answer the join in time".to_owned(),
        JoinError::Removed(reason) => format!("the room removed us while joining ({reason:?})"),
        JoinError::Configuration(Some(e)) => format!("configuring the new room failed: {e}"),
        JoinError::Configuration(None) => "configuring the new room got no answer".to_owned(),
        JoinError::Cancelled => "the join was cancelled by leaveRoom".to_owned(),
        _ => "the connection closed before the join completed".to_owned(),
    }
}

/// Why a query failed, in words.
fn query_error_text(e: &QueryError) -> String {
    match e {
        QueryError::Timeout => "no answer in time".to_owned(),
        QueryError::NoAccount => "not connected yet".to_owned(),
        QueryError::Refused(e) => format!("refused: {e}"),
        QueryError::BadReply => "the answer did not hold what was asked for".to_owned(),
        QueryError::Slot(e) => e.to_string(),
        _ => "the connection closed".to_owned(),
    }
}

/// Bytes as the largest fitting unit with one decimal, for messages (integer arithmetic: float
/// formatting would cost ~20 KB of wasm).
fn human_size(bytes: u64) -> String {
    let (unit, name) = match bytes {
        b if b >= 1 << 20 => (1u64 << 20, "MB"),
        b if b >= 1 << 10 => (1 << 10, "KB"),
        b => return format!("{b} bytes"),
    };
    let tenths = (bytes * 10 + unit / 2) / unit;
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_units() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(17 << 20), "17.0 MB");
    }
}
