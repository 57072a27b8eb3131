//! Every wire decision the spec marks **D**, in one module.
//!
//! The reference of exotel-chat-sdk.js leaves these formats open; `shared/spec/exochat-reference.md`
//! records what we chose. When a production format is confirmed, the change is here alone: the rest
//! of the core calls these functions and constants and never hard-codes the choices.

use serde_json::Value;

/// **D**: `campaignId` travels in the provisioning body as the number the config holds.
pub fn campaign_id_json(campaign_id: i64) -> Value {
    Value::from(campaign_id)
}

/// **D**: the room JID is `roomName` when it contains `@`, else
/// `{roomName}@conference.{domain of username}`.
pub fn room_jid(room_name: &str, username: &str) -> String {
    if room_name.contains('@') {
        return room_name.to_owned();
    }
    let domain = username.rsplit_once('@').map_or(username, |(_, d)| d);
    let domain = domain.split('/').next().unwrap_or(domain);
    format!("{room_name}@conference.{domain}")
}

/// **D**: the feedback-config path under `cms_service_domain`, with its separators.
pub fn feedback_config_path(contact_center_id: i64, process_id: i64, campaign_id: i64, nodeflow_id: i64) -> String {
    format!(
        "/configuration/cc-list/{contact_center_id}/process-list/{process_id}/campaigns/{campaign_id}\
         /chat-feedback-schemes-configurations/{campaign_id}_{nodeflow_id}_webchat"
    )
}

/// **D**: the archive endpoint may answer in the Openfire REST API chat-history shape
/// (`{"message": [...]}`, where a single message may come as an object instead of an array) or as
/// a bare JSON array of the same objects. Returns the message entries, or `None` for any other shape.
pub fn archive_items(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::Object(obj) => match obj.get("message") {
            Some(Value::Array(items)) => Some(items.clone()),
            Some(one @ Value::Object(_)) => Some(vec![one.clone()]),
            Some(Value::Null) => Some(Vec::new()),
            _ => None,
        },
        _ => None,
    }
}

/// **D**: the `view_mode` values `initialize` accepts: `""` and `"overlayed"` (a floating icon and
/// panel), `"fullscreen"`, `"embedded"`.
pub const VIEW_MODES: [&str; 4] = ["", "overlayed", "fullscreen", "embedded"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_jid_follows_the_decision() {
        assert_eq!(room_jid("room-abc123", "xmpp-user@omni.example.com"), "room-abc123@conference.omni.example.com");
        assert_eq!(room_jid("r@muc.example.com", "u@example.com"), "r@muc.example.com");
        assert_eq!(room_jid("r", "u@example.com/res"), "r@conference.example.com");
    }

    #[test]
    fn feedback_path_uses_the_template() {
        assert_eq!(
            feedback_config_path(7, 4, 1, 5),
            "/configuration/cc-list/7/process-list/4/campaigns/1/chat-feedback-schemes-configurations/1_5_webchat"
        );
    }
}
