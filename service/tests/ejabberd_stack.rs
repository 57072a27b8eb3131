//! The whole stack on ejabberd instead of Prosody: provisioning registers the customer through
//! ejabberd's admin API, the agent (slixmpp) creates the room and greets, answers, uploads a file
//! through ejabberd's XEP-0363 service, and the REST history reads ejabberd's room archive.
//! Stopping leaves no process and no file.

mod common;

use base64::Engine;
use common::*;
use exochat_service::agent::encode;
use exochat_service::stack::{Stack, StackOptions};
use exochat_service::xmpp::XmppKind;
use serde_json::json;

#[test]
fn a_provisioned_chat_runs_on_ejabberd() {
    let stack = Stack::start(StackOptions { xmpp: XmppKind::Ejabberd, ..StackOptions::default() }).unwrap();
    let info = stack.info().clone();
    assert_eq!(info.xmpp_server, "ejabberd");
    assert!(info.bosh_url.ends_with("/bosh"), "{}", info.bosh_url);
    assert_eq!(info.sdk_config()["converse_bosh_service_url"], info.bosh_url.as_str());

    // Provisioning: a fresh ejabberd account and a room where the agent already waits.
    let answer = provision(&info, "Asha");
    let room_name = answer["mucRoomEntity"]["roomName"].as_str().unwrap();
    let room = format!("{room_name}@{}", info.muc_domain);
    let user = answer["userEntity"]["username"].as_str().unwrap();
    assert!(user.starts_with("cust-") && user.ends_with("@localhost"), "{answer}");
    let occupants = stack.agent().get(&format!("/rooms/{}", encode(&room))).unwrap().unwrap()["occupants"].clone();
    assert_eq!(occupants[0]["nick"], "Agent", "{occupants}");

    // The customer logs in with the provisioned password, joins, and is greeted.
    let mut customer = BoshCustomer::login(&info.bosh_url, user, answer["userEntity"]["password"].as_str().unwrap());
    customer.join(&room, "Asha");
    customer.wait_until(10, "the greeting", |s| s.contains("How can I help you today?"));
    // Greeted live, once the customer is in (not replayed from before the join), as on Prosody.
    let greeting = customer.seen.split("<message").find(|m| m.contains("How can I help you today?")).unwrap();
    assert!(!greeting.contains("urn:xmpp:delay"), "{greeting}");

    // The script answers a message.
    customer.send(&format!(
        "<message xmlns='jabber:client' to='{room}' type='groupchat' id='cm-1'><body>My order is late</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='cm-1'/><request xmlns='urn:xmpp:receipts'/>\
         <markable xmlns='urn:xmpp:chat-markers:0'/></message>"
    ));
    customer.wait_until(10, "the answer", |s| s.contains("You said:"));
    assert!(customer.seen.contains("<received xmlns='urn:xmpp:receipts' id='cm-1'/>"), "no receipt: {}", customer.seen);

    // A file from the agent goes through ejabberd's upload service and comes back the same.
    let content = b"invoice #42";
    let file = stack
        .agent()
        .post(
            &format!("/rooms/{}/file", encode(&room)),
            &json!({ "name": "invoice.txt", "content_type": "text/plain",
                     "content_base64": base64::engine::general_purpose::STANDARD.encode(content) }),
        )
        .unwrap();
    let url = file["url"].as_str().unwrap();
    assert!(url.starts_with(&info.bosh_url.replace("/bosh", "/upload/")), "{url}");
    assert_eq!(http().get(url).call().unwrap().body_mut().read_to_vec().unwrap(), content);
    customer.wait_until(10, "the file message", |s| s.contains(url));

    // The REST history reads the room's archive on ejabberd.
    let history = format!("{}{PREFIX}/chatrooms/{}/messages", info.rest_url, encode(&room));
    let bodies = wait_for(10, "the archived conversation", || {
        let (status, body) = get(&history, &headers(&info));
        assert_eq!(status, 200, "{body}");
        let bodies: Vec<String> =
            body["message"].as_array()?.iter().filter_map(|m| m["body"].as_str().map(str::to_owned)).collect();
        bodies.iter().any(|b| b == url).then_some(bodies)
    });
    assert!(bodies.iter().any(|b| b == "My order is late"), "{bodies:?}");

    stop_and_check_cleanup(stack);
}
