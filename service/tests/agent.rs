//! The simulated agent through its control API, against a customer speaking plain BOSH: the
//! script (greeting, receipt, marker, typing, answer, file, chat end) and the manual commands.

mod common;

use base64::Engine;
use common::*;
use exochat_service::agent::encode;
use serde_json::{json, Value};

/// Provisions "Asha", logs her in over BOSH and joins the room; returns (room JID, customer).
fn customer_in_room(info: &exochat_service::stack::StackInfo) -> (String, BoshCustomer) {
    let answer = provision(info, "Asha");
    let room = format!("{}@conference.localhost", answer["mucRoomEntity"]["roomName"].as_str().unwrap());
    let mut customer = BoshCustomer::login(
        &info.bosh_url,
        answer["userEntity"]["username"].as_str().unwrap(),
        answer["userEntity"]["password"].as_str().unwrap(),
    );
    customer.join(&room, "Asha");
    (room, customer)
}

/// What the agent received in `room`, once `pick` finds something in it.
fn agent_received(stack: &exochat_service::stack::Stack, room: &str, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
    wait_for(10, what, || stack.agent().received(room).unwrap().unwrap().into_iter().find(|e| pick(e)))
}

#[test]
fn the_script_acknowledges_types_and_answers_a_customer() {
    let stack = stack();
    let (room, mut customer) = customer_in_room(stack.info());
    customer.wait_until(10, "the greeting", |s| s.contains("How can I help you today?"));

    customer.send(&format!(
        "<message xmlns='jabber:client' to='{room}' type='groupchat' id='cm-1'><body>My order is late</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='cm-1'/><request xmlns='urn:xmpp:receipts'/>\
         <markable xmlns='urn:xmpp:chat-markers:0'/><active xmlns='http://jabber.org/protocol/chatstates'/>\
         <exotel xmlns='urn:exotel:chat:0' subtype='normal_text_msg'/></message>"
    ));
    // The agent saw exactly what the customer sent, parsed.
    let got = agent_received(&stack, &room, "the customer's message", |e| e["body"] == "My order is late");
    assert_eq!(got["nick"], "Asha");
    assert_eq!((got["id"].as_str(), got["origin_id"].as_str()), (Some("cm-1"), Some("cm-1")));
    assert_eq!((got["receipt_request"].as_bool(), got["markable"].as_bool()), (Some(true), Some(true)));
    assert_eq!(got["chat_state"], "active");
    assert_eq!(got["exotel"], json!({ "subtype": "normal_text_msg" }));
    assert!(got["occupant_id"].is_string() && got["stanza_id"].is_string(), "{got}");

    // The script's answer, in order: receipt, displayed marker, composing, paused, then text.
    customer.wait_until(10, "the answer", |s| s.contains("You said:"));
    // Index of the first agent message containing every needle.
    let messages: Vec<&str> = customer.seen.split("<message ").filter(|m| m.contains("/Agent'")).collect();
    let at = |needles: &[&str]| {
        messages
            .iter()
            .position(|m| needles.iter().all(|n| m.contains(n)))
            .unwrap_or_else(|| panic!("no agent message with {needles:?} in {}", customer.seen))
    };
    let order = [
        at(&["<received", "urn:xmpp:receipts", "cm-1"]),
        at(&["<displayed", "urn:xmpp:chat-markers:0", "cm-1"]),
        at(&["<composing"]),
        at(&["<paused"]),
        at(&["You said: \u{201c}My order is late\u{201d}"]),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "out of order: {order:?}");
}

#[test]
fn control_commands_send_text_typing_acks_files_and_chat_end() {
    let stack = stack();
    let info = stack.info();
    let (room, mut customer) = customer_in_room(info);
    let agent = stack.agent();
    let path = |cmd: &str| format!("/rooms/{}/{cmd}", encode(&room));
    customer.wait_until(10, "the greeting", |s| s.contains("How can I help you today?"));

    // With the script off, the agent only does what it is told.
    assert_eq!(agent.post(&path("auto"), &json!({ "enabled": false })).unwrap()["auto"], false);
    agent.post(&path("typing"), &json!({ "state": "composing" })).unwrap();
    let said = agent.post(&path("say"), &json!({ "body": "Let me check" })).unwrap();
    agent.post(&path("receipt"), &json!({ "msgid": "cm-9" })).unwrap();
    agent.post(&path("marker"), &json!({ "msgid": "cm-9" })).unwrap();
    customer.wait_until(10, "text, typing, receipt and marker", |s| {
        s.contains("Let me check") && s.contains("composing") && s.contains("chat-markers:0") && s.contains("urn:xmpp:receipts")
    });
    let mine = agent_received(&stack, &room, "the agent's own message", |e| e["body"] == "Let me check");
    assert_eq!(mine["id"], said["id"]);
    assert_eq!(mine["exotel"], json!({ "subtype": "normal_text_msg", "role": "agent" }));
    let receipt = agent_received(&stack, &room, "the receipt", |e| e["receipt_received"] == "cm-9");
    assert_eq!(receipt["body"], Value::Null);
    agent_received(&stack, &room, "the marker", |e| e["marker"] == json!({ "type": "displayed", "id": "cm-9" }));

    // A file: XEP-0363 upload, then a media_msg whose OOB URL serves the bytes.
    let content = b"invoice #42";
    let file = agent
        .post(
            &path("file"),
            &json!({ "name": "invoice.txt", "content_type": "text/plain",
                     "content_base64": base64::engine::general_purpose::STANDARD.encode(content) }),
        )
        .unwrap();
    let url = file["url"].as_str().unwrap();
    let mut download = http().get(url).call().unwrap();
    assert_eq!(download.body_mut().read_to_vec().unwrap(), content);
    let media = agent_received(&stack, &room, "the media message", |e| e["id"] == file["id"]);
    assert_eq!(media["oob"], json!([{ "url": url, "desc": "invoice.txt" }]));
    assert_eq!(media["exotel"]["subtype"], "media_msg");
    assert_eq!(media["body"], url);

    // The chat end, with both ids.
    agent.post(&path("end"), &json!({ "chatId": "chat-1", "interaction_id": "int-1" })).unwrap();
    customer.wait_until(10, "the chat end", |s| s.contains("chat-ended"));
    let end = agent_received(&stack, &room, "the chat end", |e| !e["chat_ended"].is_null());
    assert_eq!(end["chat_ended"], json!({ "chat-id": "chat-1", "interaction-id": "int-1" }));

    // Bad requests say why; unknown rooms are 404.
    let err = agent.post(&path("typing"), &json!({ "state": "dancing" })).unwrap_err().to_string();
    assert!(err.contains("400") && err.contains("unknown chat state"), "{err}");
    let err = agent.post(&path("file"), &json!({ "name": "x", "content_base64": "***" })).unwrap_err().to_string();
    assert!(err.contains("400") && err.contains("base64"), "{err}");
    assert_eq!(agent.received("nope@conference.localhost").unwrap(), None);
}
