//! The Exotel REST API and the CMS of the real stack, through a real HTTP client: each endpoint's
//! success and failure cases.

mod common;

use common::*;
use exochat_service::agent::encode;
use exochat_service::cms::FeedbackConfig;
use exochat_service::rest::validate_connection;
use serde_json::{json, Value};

#[test]
fn a_spec_shaped_connection_body_is_accepted() {
    assert_eq!(validate_connection(&connection_body("Asha")), Ok("Asha".to_owned()));
}

#[test]
fn each_malformed_connection_body_names_its_field() {
    let cases: [(&str, Value, &str); 6] = [
        ("/userEntity/name", json!(5), "userEntity.name must be a string"),
        ("/userEntity/properties", json!({}), "userEntity.properties must be an array"),
        ("/userEntity/properties/0/value", json!(7), "userEntity.properties[0].value must be a string"),
        ("/campaignId", json!([1]), "campaignId must be a number"),
        ("/botTransferred", json!("no"), "botTransferred must be a boolean"),
        ("/additionalInfo", json!("x"), "additionalInfo must be a JSON object"),
    ];
    for (pointer, value, reason) in cases {
        let mut body = connection_body("Asha");
        *body.pointer_mut(pointer).unwrap() = value;
        assert_eq!(validate_connection(&body), Err(reason.to_owned()), "{pointer}");
    }
    assert_eq!(validate_connection(&json!([])), Err("the body must be a JSON object".to_owned()));
    let mut body = connection_body("Asha");
    body.as_object_mut().unwrap().remove("requestId");
    assert_eq!(validate_connection(&body), Err("requestId is missing".to_owned()));
}

#[test]
fn provisioning_checks_credentials_and_body_then_the_agent_waits_in_the_room() {
    let stack = stack();
    let info = stack.info();
    let body = connection_body("Asha").to_string();
    let good = headers(info);
    let without = |name: &str| good.iter().filter(|(k, _)| *k != name).cloned().collect::<Vec<_>>();
    let with = |name: &'static str, value: &str| {
        let mut h = without(name);
        h.push((name, value.to_owned()));
        h
    };

    // Credentials come first, each failure with its reason.
    let cases = [
        (without("Authorization"), 401, "missing Authorization header"),
        (with("Authorization", "RestrictedToken wrong"), 401, "invalid Authorization token"),
        (without("contactCenterId"), 400, "missing contactCenterId header"),
        (with("contactCenterId", "abc"), 400, "contactCenterId header must be a number"),
        (with("contactCenterId", "999"), 403, "unknown contact center 999"),
    ];
    for (headers, status, reason) in cases {
        assert_eq!(post(info, "/users/connection", &headers, &body), (status, json!({ "error": reason })));
    }

    // Malformed bodies: 400 naming what is wrong.
    let (status, answer) = post(info, "/users/connection", &good, "{not json");
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().unwrap().starts_with("the body is not valid JSON"), "{answer}");
    let mut no_name = connection_body("Asha");
    no_name["userEntity"].as_object_mut().unwrap().remove("name");
    assert_eq!(
        post(info, "/users/connection", &good, &no_name.to_string()),
        (400, json!({ "error": "userEntity.name is missing" }))
    );
    assert_eq!(post(info, "/users/connection", &good, "[]"), (400, json!({ "error": "the body must be a JSON object" })));

    // Success: the spec's shape, a working XMPP account, and the agent already in the room.
    let answer = provision(info, "Asha");
    let username = answer["userEntity"]["username"].as_str().unwrap();
    let password = answer["userEntity"]["password"].as_str().unwrap();
    let room_name = answer["mucRoomEntity"]["roomName"].as_str().unwrap();
    assert!(username.ends_with("@localhost") && !room_name.contains('@'), "{answer}");
    assert_eq!(answer["userEntity"]["name"], "Asha");
    assert_eq!(answer["mucRoomEntity"]["members"], json!([username, "agent@localhost"]));
    assert_eq!(answer["mucRoomEntity"]["owners"], json!(["agent@localhost"]));
    assert_eq!(answer["exportTranscriptAllowed"], true);

    let room_jid = format!("{room_name}@conference.localhost");
    let (status, summary) = get(&format!("{}/rooms/{}", info.agent_control_url, encode(&room_jid)), &[]);
    assert_eq!(status, 200);
    assert_eq!(summary["customer"], username);
    assert_eq!(summary["name"], "Asha");
    let agent = &summary["occupants"][0];
    assert_eq!((agent["nick"].as_str(), agent["affiliation"].as_str()), (Some("Agent"), Some("owner")));

    // The returned credentials log in over BOSH and reach the room.
    let mut customer = BoshCustomer::login(&info.bosh_url, username, password);
    customer.join(&room_jid, "Asha");
    customer.wait_until(10, "the agent's greeting", |seen| seen.contains("Hello Asha, I&apos;m Agent") || seen.contains("Hello Asha, I'm Agent"));
}

#[test]
fn cors_preflight_and_headers_allow_pages_on_other_origins() {
    let stack = stack();
    let info = stack.info();
    let preflight = ureq::http::Request::builder()
        .method("OPTIONS")
        .uri(format!("{}{PREFIX}/users/connection", info.rest_url))
        .header("Origin", "http://integrator.test")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,contactcenterid,accountid,content-type")
        .body(())
        .unwrap();
    let response = http().run(preflight).unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("access-control-allow-origin"), "http://integrator.test");
    assert!(header("access-control-allow-headers").contains("contactcenterid"));
    assert!(header("access-control-allow-methods").contains("POST"));

    let mut h = headers(info);
    h.push(("Origin", "http://integrator.test".into()));
    let mut request = http().get(format!("{}{PREFIX}/chat-feedback", info.rest_url));
    for (k, v) in &h {
        request = request.header(*k, v);
    }
    let response = request.call().unwrap();
    assert_eq!(response.headers().get("access-control-allow-origin").unwrap(), "http://integrator.test");
}

#[test]
fn archive_returns_the_room_history_in_the_openfire_shape() {
    let stack = stack();
    let info = stack.info();
    let answer = provision(info, "Ravi");
    let room_jid = format!("{}@conference.localhost", answer["mucRoomEntity"]["roomName"].as_str().unwrap());
    let said = stack.agent().post(&format!("/rooms/{}/say", encode(&room_jid)), &json!({ "body": "Welcome to support" })).unwrap();
    assert!(said["id"].is_string());

    let url = format!("{}{PREFIX}/chatrooms/{}/messages", info.rest_url, encode(&room_jid));
    let messages = wait_for(10, "the archived message", || {
        let (status, body) = get(&url, &headers(info));
        assert_eq!(status, 200, "{body}");
        let items = body["message"].as_array().cloned().unwrap_or_default();
        (!items.is_empty()).then_some(items)
    });
    let first = &messages[0];
    assert_eq!(first["body"], "Welcome to support");
    assert_eq!(first["to"], room_jid.as_str());
    assert_eq!(first["from"], format!("{room_jid}/Agent"));
    assert_eq!(first["type"], "groupchat");
    assert_eq!(first["delay_from"], room_jid.as_str());
    assert!(first["delay_stamp"].as_str().unwrap().starts_with("20"), "{first}");

    // The room's local name works too; unknown rooms and bad credentials do not.
    let by_name = format!("{}{PREFIX}/chatrooms/{}/messages", info.rest_url, answer["mucRoomEntity"]["roomName"].as_str().unwrap());
    assert_eq!(get(&by_name, &headers(info)).0, 200);
    let unknown = format!("{}{PREFIX}/chatrooms/{}/messages", info.rest_url, encode("nope@conference.localhost"));
    assert_eq!(get(&unknown, &headers(info)), (404, json!({ "error": "unknown room nope@conference.localhost" })));
    assert_eq!(get(&url, &[("Authorization", "RestrictedToken wrong".into())]).0, 401);
}

#[test]
fn feedback_is_validated_stored_and_read_back() {
    let stack = stack();
    let info = stack.info();
    let good = json!({ "campaign_id": "1", "interaction_id": "int-42", "chat_id": "chat-7", "feedback": { "rating": 5, "comment": "quick" } });

    assert_eq!(post(info, "/chat-feedback", &[], &good.to_string()).0, 401);
    let mut bad = good.clone();
    bad.as_object_mut().unwrap().remove("chat_id");
    assert_eq!(post(info, "/chat-feedback", &headers(info), &bad.to_string()), (400, json!({ "error": "chat_id is missing" })));
    let mut bad = good.clone();
    bad["feedback"] = json!(5);
    assert_eq!(
        post(info, "/chat-feedback", &headers(info), &bad.to_string()),
        (400, json!({ "error": "feedback must be a JSON object" }))
    );
    assert_eq!(stack.feedback().unwrap(), Vec::<Value>::new(), "refused feedback was stored");

    assert_eq!(post(info, "/chat-feedback", &headers(info), &good.to_string()), (200, json!({ "status": "success" })));
    let stored = stack.feedback().unwrap();
    assert_eq!(stored.len(), 1);
    for key in ["campaign_id", "interaction_id", "chat_id", "feedback"] {
        assert_eq!(stored[0][key], good[key], "{key}");
    }
    assert_eq!(stored[0]["contactCenterId"], info.contact_center_id);
    let (status, listed) = get(&format!("{}{PREFIX}/chat-feedback", info.rest_url), &headers(info));
    assert_eq!((status, listed), (200, Value::Array(stored)));
}

#[test]
fn cms_serves_feedback_config_per_campaign() {
    let stack = stack();
    let info = stack.info();
    let url = |campaign: i64, nodeflow: i64| {
        format!(
            "{}/configuration/cc-list/{}/process-list/4/campaigns/{campaign}/chat-feedback-schemes-configurations/{campaign}_{nodeflow}_webchat",
            info.cms_url, info.contact_center_id
        )
    };
    let default = json!({ "isFeedbackEnabled": true, "openInNewTab": false, "feedbackUrl": info.feedback_page_url });
    assert_eq!(get(&url(1, 5), &headers(info)), (200, default.clone()));
    assert_eq!(get(&url(1, 5), &[]).0, 401);
    assert_eq!(get(&format!("{}/configuration/cc-list/1", info.cms_url), &headers(info)).0, 404);

    // Per campaign: through the library...
    stack.set_feedback_config(2, 5, FeedbackConfig { is_feedback_enabled: false, open_in_new_tab: false, feedback_url: String::new() });
    assert_eq!(get(&url(2, 5), &headers(info)).1["isFeedbackEnabled"], false);
    // ...and through HTTP PUT, validated.
    let custom = json!({ "isFeedbackEnabled": true, "openInNewTab": true, "feedbackUrl": "https://feedback.example.com/form" });
    let put = |body: &str| {
        let mut request = http().put(url(3, 5));
        for (k, v) in headers(info) {
            request = request.header(k, v);
        }
        answer(request.send(body).unwrap())
    };
    assert_eq!(put(&custom.to_string()), (200, custom.clone()));
    assert_eq!(put(r#"{"isFeedbackEnabled":"yes"}"#).0, 400);
    assert_eq!(get(&url(3, 5), &headers(info)), (200, custom));
    assert_eq!(get(&url(1, 5), &headers(info)), (200, default), "another campaign changed");
}

#[test]
fn the_web_origin_serves_the_demo_config() {
    let stack = stack();
    let info = stack.info();
    let mut response = http().get(format!("{}/demo-config.js", info.web_url)).call().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let script = response.body_mut().read_to_string().unwrap();
    let json = script.split_once("window.EXOCHAT_DEMO_CONFIG = ").unwrap().1.trim_end().trim_end_matches(';');
    let config: Value = serde_json::from_str(json).unwrap();
    assert_eq!(config["config"], info.sdk_config());
    assert_eq!(config["config"]["chat_service_domain"], info.rest_url.as_str());
    assert_eq!(config["agentControlUrl"], info.agent_control_url.as_str());
}
