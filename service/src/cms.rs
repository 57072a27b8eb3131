//! The CMS feedback-configuration endpoint of the spec, configurable per campaign:
//! `GET {cms}/configuration/cc-list/{cc}/process-list/{process}/campaigns/{campaign}/chat-feedback-schemes-configurations/{campaign}_{nodeflow}_webchat`
//! answers `{isFeedbackEnabled, openInNewTab, feedbackUrl}`; a `PUT` of that object on the same
//! URL changes it for that campaign and nodeflow (tests and the demo use this).

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{Request, Response};
use crate::rest::Credentials;

/// One campaign's feedback configuration, as the CMS serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeedbackConfig {
    /// Whether the SDK asks for feedback when a chat ends.
    pub is_feedback_enabled: bool,
    /// Open `feedback_url` in a new tab (true) or let the SDK show its own form (false).
    pub open_in_new_tab: bool,
    /// The feedback form's URL.
    pub feedback_url: String,
}

/// The CMS: a default configuration and per-(campaign, nodeflow) overrides.
pub struct Cms {
    credentials: Credentials,
    default: FeedbackConfig,
    overrides: Mutex<HashMap<(i64, i64), FeedbackConfig>>,
}

/// The fixed words of the configuration path, by segment index (numbers sit between them).
const WORDS: [(usize, &str); 4] =
    [(0, "configuration"), (1, "cc-list"), (3, "process-list"), (5, "campaigns")];
const SCHEMES: &str = "chat-feedback-schemes-configurations";

impl Cms {
    /// A CMS serving `default` for every campaign until told otherwise.
    pub fn new(credentials: Credentials, default: FeedbackConfig) -> Cms {
        Cms { credentials, default, overrides: Mutex::new(HashMap::new()) }
    }

    /// Sets the configuration of one campaign and nodeflow.
    pub fn set(&self, campaign_id: i64, nodeflow_id: i64, config: FeedbackConfig) {
        self.overrides.lock().unwrap_or_else(|e| e.into_inner()).insert((campaign_id, nodeflow_id), config);
    }

    /// The configuration served for a campaign and nodeflow.
    pub fn get(&self, campaign_id: i64, nodeflow_id: i64) -> FeedbackConfig {
        let overrides = self.overrides.lock().unwrap_or_else(|e| e.into_inner());
        overrides.get(&(campaign_id, nodeflow_id)).cloned().unwrap_or_else(|| self.default.clone())
    }

    /// Answers one request.
    pub fn handle(&self, request: &Request) -> Response {
        let (cc, campaign, nodeflow) = match parse_path(&request.segments()) {
            Ok(ids) => ids,
            Err(response) => return response,
        };
        if !matches!(request.method.as_str(), "GET" | "PUT") {
            return Response::error(405, "method not allowed");
        }
        if let Err(denied) = self.credentials.check(request) {
            return denied;
        }
        if cc != self.credentials.contact_center_id {
            return Response::error(404, &format!("unknown contact center {cc}"));
        }
        if request.method == "PUT" {
            let config = match request.json().and_then(|v| {
                serde_json::from_value::<FeedbackConfig>(v)
                    .map_err(|e| Response::error(400, &format!("not a feedback configuration: {e}")))
            }) {
                Ok(config) => config,
                Err(response) => return response,
            };
            self.set(campaign, nodeflow, config);
        }
        let config = self.get(campaign, nodeflow);
        Response::json(200, &serde_json::to_value(config).unwrap_or(Value::Null))
    }
}

/// `(contact center, campaign, nodeflow)` from the path, or the 404/400 response.
fn parse_path(segments: &[String]) -> Result<(i64, i64, i64), Response> {
    let not_found = || Response::error(404, "no such endpoint (see the spec's feedback-config URL template)");
    if segments.len() != 9 || segments[7] != SCHEMES || WORDS.iter().any(|(i, w)| segments[*i] != *w) {
        return Err(not_found());
    }
    let number = |i: usize, what: &str| {
        segments[i].parse::<i64>().map_err(|_| Response::error(400, &format!("{what} must be a number")))
    };
    let cc = number(2, "the contact center id")?;
    number(4, "the process id")?;
    let campaign = number(6, "the campaign id")?;
    // The last segment is `{campaignId}_{nodeflowId}_webchat`.
    let scheme: Vec<&str> = segments[8].split('_').collect();
    let [scheme_campaign, nodeflow, "webchat"] = scheme.as_slice() else {
        return Err(not_found());
    };
    if scheme_campaign.parse::<i64>().ok() != Some(campaign) {
        return Err(Response::error(400, "the scheme's campaign id differs from the path's"));
    }
    let nodeflow = nodeflow.parse::<i64>().map_err(|_| Response::error(400, "the nodeflow id must be a number"))?;
    Ok((cc, campaign, nodeflow))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &str) -> Vec<String> {
        path.split('/').filter(|s| !s.is_empty()).map(String::from).collect()
    }

    #[test]
    fn the_spec_template_parses() {
        let path = "/configuration/cc-list/7/process-list/4/campaigns/1/chat-feedback-schemes-configurations/1_5_webchat";
        assert_eq!(parse_path(&segments(path)).unwrap(), (7, 1, 5));
    }

    #[test]
    fn wrong_paths_are_refused() {
        let base = "/configuration/cc-list/7/process-list/4/campaigns/1/chat-feedback-schemes-configurations/";
        assert_eq!(parse_path(&segments(&format!("{base}2_5_webchat"))).unwrap_err().status, 400);
        assert_eq!(parse_path(&segments(&format!("{base}1_5_sms"))).unwrap_err().status, 404);
        assert_eq!(parse_path(&segments(&format!("{base}1_x_webchat"))).unwrap_err().status, 400);
        assert_eq!(parse_path(&segments("/configuration/cc-list/x")).unwrap_err().status, 404);
    }
}
