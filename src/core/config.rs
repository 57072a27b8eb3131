//! The `initialize(config)` object: the spec's defaults merged under the page's values, then a
//! strict check whose errors name the offending key.
//!
//! Works over a JSON [`Value`] so it stays sans-IO: the adapter converts the page's object and
//! turns a [`ConfigError`] into a thrown `Error`. `null` counts as "not given" (the default applies,
//! or the key is reported missing); unknown keys are collected for a single console warning.

use crate::core::decisions;
use crate::core::json::Value;
use crate::core::rest::Tenant;

/// Default `campaignId`.
pub const DEFAULT_CAMPAIGN_ID: i64 = 1;
/// Default `nodeflowId`.
pub const DEFAULT_NODEFLOW_ID: i64 = 5;
/// Default `processId`.
pub const DEFAULT_PROCESS_ID: i64 = 4;
/// Default `locale`.
pub const DEFAULT_LOCALE: &str = "en";
/// Default `theme_color`.
pub const DEFAULT_THEME_COLOR: &str = "#192d3f";

/// What a config key holds, and whether it is required.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A required absolute `http(s)` URL.
    Url,
    /// A required non-blank string.
    Required,
    /// An optional string.
    Text,
    /// A required integer.
    RequiredInt,
    /// An optional integer.
    Int,
    /// An optional boolean.
    Bool,
    /// An optional CSS color.
    Color,
    /// An optional view mode.
    Mode,
}

/// Every key the config knows and what it holds, in the spec's order, then the additive ones.
/// One loop over this table checks them all: per-key code was ~1.5 KB more WebAssembly.
const KEYS: [(&str, Kind); 14] = [
    ("chat_service_domain", Kind::Url),
    ("cms_service_domain", Kind::Url),
    ("converse_bosh_service_url", Kind::Url),
    ("auth_token", Kind::Required),
    ("contactCenterId", Kind::RequiredInt),
    ("campaignId", Kind::Int),
    ("nodeflowId", Kind::Int),
    ("processId", Kind::Int),
    ("locale", Kind::Text),
    ("accountId", Kind::Text),
    ("theme_color", Kind::Color),
    ("show_controlbox_by_default", Kind::Bool),
    ("view_mode", Kind::Mode),
    ("container", Kind::Text),
];

/// Why a config was refused. Each variant names the key (as the page spells it).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `initialize` was given something other than an object.
    NotAnObject,
    /// A required key is absent, `null` or an empty string.
    Missing(&'static str),
    /// A key holds a value of the wrong type (the key, then what it must be).
    WrongType(&'static str, &'static str),
    /// A URL key holds a string that is not an absolute `http(s)` URL.
    BadUrl(&'static str),
    /// A key has the right type but a value outside what it accepts (the key, then what it accepts).
    BadValue(&'static str, &'static str),
}

impl ConfigError {
    /// The config key at fault, if any.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            ConfigError::NotAnObject => None,
            ConfigError::Missing(k) | ConfigError::WrongType(k, _) | ConfigError::BadUrl(k) | ConfigError::BadValue(k, _) => Some(k),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Plain pieces instead of `write!`: one code path, no formatting machinery per variant.
        let (key, what, want) = match self {
            ConfigError::NotAnObject => return f.write_str("exoChat.initialize: config must be an object"),
            ConfigError::Missing(k) => (k, " is required", ""),
            ConfigError::WrongType(k, want) | ConfigError::BadValue(k, want) => (k, " must be ", *want),
            ConfigError::BadUrl(k) => (k, " is not an absolute http(s) URL", ""),
        };
        f.write_str("exoChat.initialize: config.")?;
        f.write_str(key)?;
        f.write_str(what)?;
        f.write_str(want)
    }
}

impl std::error::Error for ConfigError {}

/// A validated `initialize` config, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the chat service (REST), as given.
    pub chat_service_domain: String,
    /// Base URL of the CMS service (feedback configuration), as given.
    pub cms_service_domain: String,
    /// The BOSH endpoint.
    pub converse_bosh_service_url: String,
    /// `Authorization` header value, `"RestrictedToken <token>"`.
    pub auth_token: String,
    /// `contactCenterId`.
    pub contact_center_id: i64,
    /// `campaignId`.
    pub campaign_id: i64,
    /// `nodeflowId`.
    pub nodeflow_id: i64,
    /// `processId`.
    pub process_id: i64,
    /// `locale`.
    pub locale: String,
    /// `accountId`; `None` when the page gave none.
    pub account_id: Option<String>,
    /// `theme_color`, a CSS color checked by [`is_css_color`].
    pub theme_color: String,
    /// `show_controlbox_by_default`: whether the chat icon shows at once.
    pub show_controlbox_by_default: bool,
    /// `view_mode`, one of [`decisions::VIEW_MODES`].
    pub view_mode: String,
    /// `container` (additive): with `view_mode: "embedded"` (where it is required), a CSS
    /// selector of the page element the chat panel fills.
    pub container: Option<String>,
    /// Keys the page passed that the config does not know, sorted (for one console warning).
    pub unknown_keys: Vec<String>,
}

impl Config {
    /// Merges `value` over the defaults and validates it.
    pub fn from_json(value: &Value) -> Result<Config, ConfigError> {
        let members = value.as_object().ok_or(ConfigError::NotAnObject)?;
        // Sorted and unique by inserting each where it belongs: a sort would add ~3 KB of code.
        let mut unknown_keys: Vec<String> = Vec::new();
        for (k, _) in members {
            if KEYS.iter().any(|(known, _)| known == k) {
                continue;
            }
            if let Err(at) = unknown_keys.binary_search(k) {
                unknown_keys.insert(at, k.clone());
            }
        }
        // Every check first, into one slot per key (`None`: not given, or a blank string), so the
        // struct is then built without a fallible step.
        let mut given: [Option<&Value>; 14] = [None; 14];
        for ((key, kind), slot) in KEYS.iter().zip(&mut given) {
            let (key, kind) = (*key, *kind);
            let v = match (value.get(key), kind) {
                (None | Some(Value::Null), _) => None,
                (Some(v @ Value::String(s)), Kind::Url | Kind::Required | Kind::Text | Kind::Color | Kind::Mode) => {
                    (!s.trim().is_empty()).then_some(v)
                }
                (Some(v @ Value::Number(_)), Kind::Int | Kind::RequiredInt) if v.as_i64().is_some() => Some(v),
                (Some(v @ Value::Bool(_)), Kind::Bool) => Some(v),
                (Some(_), Kind::Int | Kind::RequiredInt) => return Err(ConfigError::WrongType(key, "an integer number")),
                (Some(_), Kind::Bool) => return Err(ConfigError::WrongType(key, "a boolean")),
                (Some(_), _) => return Err(ConfigError::WrongType(key, "a string")),
            };
            let text = v.and_then(Value::as_str).unwrap_or_default();
            match kind {
                Kind::Url | Kind::Required | Kind::RequiredInt if v.is_none() => return Err(ConfigError::Missing(key)),
                Kind::Url if !is_http_url(text) => return Err(ConfigError::BadUrl(key)),
                Kind::Color if v.is_some() && !is_css_color(text) => {
                    return Err(ConfigError::BadValue(key, "a CSS color such as \"#192d3f\", \"rgb(25 45 63)\" or \"teal\""))
                }
                Kind::Mode if !decisions::VIEW_MODES.contains(&text.trim()) => {
                    return Err(ConfigError::BadValue(key, "one of \"\", \"overlayed\", \"fullscreen\", \"embedded\""))
                }
                _ => {}
            }
            *slot = v;
        }
        let [chat, cms, bosh, auth, contact_center, campaign, nodeflow, process, locale, account, theme, controlbox, mode, container] =
            given;
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let or = |v: Option<&Value>, default: &str| v.and_then(Value::as_str).unwrap_or(default).to_owned();
        let int = |v: Option<&Value>, default: i64| v.and_then(Value::as_i64).unwrap_or(default);
        let view_mode = mode.and_then(Value::as_str).unwrap_or_default().trim().to_owned();
        if view_mode == "embedded" && container.is_none() {
            return Err(ConfigError::Missing("container"));
        }
        Ok(Config {
            chat_service_domain: or(chat, ""),
            cms_service_domain: or(cms, ""),
            converse_bosh_service_url: or(bosh, ""),
            auth_token: or(auth, ""),
            contact_center_id: int(contact_center, 0),
            campaign_id: int(campaign, DEFAULT_CAMPAIGN_ID),
            nodeflow_id: int(nodeflow, DEFAULT_NODEFLOW_ID),
            process_id: int(process, DEFAULT_PROCESS_ID),
            locale: or(locale, DEFAULT_LOCALE),
            account_id: text(account),
            theme_color: or(theme, DEFAULT_THEME_COLOR),
            show_controlbox_by_default: controlbox.and_then(Value::as_bool).unwrap_or(true),
            view_mode,
            container: text(container),
            unknown_keys,
        })
    }

    /// The tenant settings the REST calls need.
    pub fn tenant(&self) -> Tenant {
        Tenant {
            chat_service_domain: self.chat_service_domain.clone(),
            cms_service_domain: self.cms_service_domain.clone(),
            auth_token: self.auth_token.clone(),
            contact_center_id: self.contact_center_id,
            account_id: self.account_id.clone(),
            campaign_id: self.campaign_id,
            nodeflow_id: self.nodeflow_id,
            process_id: self.process_id,
            locale: self.locale.clone(),
        }
    }
}

/// Whether `s` is an absolute `http://` or `https://` URL with a host, an optional numeric port,
/// and no whitespace or control characters: what a browser's `new URL(s)` accepts for these keys,
/// minus the forms no deployment uses (userinfo, other schemes). The host holds ASCII letters,
/// digits, `.-_:`, or any other non-ASCII character: an internationalised name is left to the
/// browser's IDNA mapping (checking Unicode letters here would ship their tables, ~2 KB gzip).
pub fn is_http_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = match lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        Some(rest) => rest,
        None => return false,
    };
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    // A bracketed IPv6 literal keeps its colons; the port follows the closing bracket.
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, tail)) if !addr.is_empty() && addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') => {
                (addr, tail.strip_prefix(':'))
            }
            _ => return false,
        },
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || !c.is_ascii() || matches!(c, '.' | '-' | '_' | ':'))
        && !host.starts_with('.');
    let port_ok = match port {
        None | Some("") => true,
        Some(p) => p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= 65_535),
    };
    host_ok && port_ok
}

/// Whether `s` is a CSS color the widget may put in a stylesheet: `#rgb`, `#rgba`, `#rrggbb`,
/// `#rrggbbaa`, a named color, or `rgb()/rgba()/hsl()/hsla()` with plain numbers. Anything that
/// could close a declaration (`;`, `}`, quotes) is refused, so the value is safe in CSS text.
pub fn is_css_color(s: &str) -> bool {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphabetic()) {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    let args = lower.strip_suffix(')').and_then(|a| a.split_once('(')).filter(|(f, _)| matches!(*f, "rgb" | "rgba" | "hsl" | "hsla")).map(|(_, a)| a);
    match args {
        Some(a) => !a.trim().is_empty() && a.chars().all(|c| c.is_ascii_digit() || crate::core::is_one_of(c, " .,%/-+degturn")),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json::json;

    fn minimal() -> Value {
        json!({
            "chat_service_domain": "https://omni.example.com:4440",
            "cms_service_domain": "https://omni.example.com:4433/",
            "converse_bosh_service_url": "https://omni.example.com:4442/http-bind/",
            "auth_token": "RestrictedToken abc",
            "contactCenterId": 42
        })
    }

    /// `v` without `key`, and with `key: value` when given.
    fn set(mut v: Value, key: &str, value: Option<Value>) -> Value {
        let Value::Object(members) = &mut v else { panic!("not an object: {v}") };
        members.retain(|(k, _)| k != key);
        members.extend(value.map(|value| (key.to_owned(), value)));
        v
    }

    fn with(key: &str, value: Value) -> Value {
        set(minimal(), key, Some(value))
    }

    fn without(key: &str) -> Value {
        set(minimal(), key, None)
    }

    #[test]
    fn defaults_are_merged_under_the_page_values() {
        let c = Config::from_json(&minimal()).unwrap();
        assert_eq!(c.contact_center_id, 42);
        assert_eq!((c.campaign_id, c.nodeflow_id, c.process_id), (1, 5, 4));
        assert_eq!(c.locale, "en");
        assert_eq!(c.account_id, None);
        assert_eq!(c.theme_color, "#192d3f");
        assert!(c.show_controlbox_by_default);
        assert_eq!(c.view_mode, "");
        assert!(c.unknown_keys.is_empty());

        let c = Config::from_json(&json!({
            "chat_service_domain": "http://127.0.0.1:4440", "cms_service_domain": "http://[::1]:4433",
            "converse_bosh_service_url": "http://localhost/http-bind", "auth_token": "RestrictedToken t",
            "contactCenterId": 7.0, "campaignId": 9, "nodeflowId": null, "processId": 3, "locale": "hi",
            "accountId": "acc-1", "theme_color": "rgb(10 20 30 / 50%)", "show_controlbox_by_default": false,
            "view_mode": "embedded", "container": "#chat"
        }))
        .unwrap();
        assert_eq!((c.contact_center_id, c.campaign_id, c.nodeflow_id, c.process_id), (7, 9, 5, 3));
        assert_eq!((c.locale.as_str(), c.account_id.as_deref()), ("hi", Some("acc-1")));
        assert!(!c.show_controlbox_by_default);
        assert_eq!(c.view_mode, "embedded");
        assert_eq!(c.container.as_deref(), Some("#chat"));
    }

    #[test]
    fn embedded_mode_needs_a_container() {
        let err = Config::from_json(&with("view_mode", json!("embedded"))).unwrap_err();
        assert_eq!(err, ConfigError::Missing("container"));
        let v = set(with("view_mode", json!("embedded")), "container", Some(json!("  ")));
        assert_eq!(Config::from_json(&v).unwrap_err(), ConfigError::Missing("container"));
        assert_eq!(Config::from_json(&with("container", json!(".x"))).unwrap().container.as_deref(), Some(".x"), "kept, unused, in other modes");
    }

    #[test]
    fn missing_required_keys_are_named() {
        for key in ["chat_service_domain", "cms_service_domain", "converse_bosh_service_url", "auth_token", "contactCenterId"] {
            let err = Config::from_json(&without(key)).unwrap_err();
            assert_eq!(err, ConfigError::Missing(key));
            assert!(err.to_string().contains(key), "{err}");
            assert_eq!(Config::from_json(&with(key, Value::Null)).unwrap_err(), ConfigError::Missing(key));
        }
        assert_eq!(Config::from_json(&with("auth_token", json!("  "))).unwrap_err(), ConfigError::Missing("auth_token"));
    }

    #[test]
    fn wrong_types_are_named() {
        let cases = [
            ("contactCenterId", json!("42")),
            ("campaignId", json!(1.5)),
            ("nodeflowId", json!(true)),
            ("auth_token", json!(12)),
            ("locale", json!(["en"])),
            ("accountId", json!({})),
            ("show_controlbox_by_default", json!("false")),
            ("view_mode", json!(1)),
            ("theme_color", json!(1650495)),
            ("container", json!(["#chat"])),
        ];
        for (key, value) in cases {
            let err = Config::from_json(&with(key, value)).unwrap_err();
            assert!(matches!(err, ConfigError::WrongType(k, _) if k == key), "{key}: {err:?}");
            assert_eq!(err.key(), Some(key));
        }
        assert_eq!(Config::from_json(&json!("https://x")).unwrap_err(), ConfigError::NotAnObject);
        assert_eq!(Config::from_json(&json!(null)).unwrap_err().key(), None);
    }

    #[test]
    fn unparsable_urls_are_named() {
        for bad in ["omni.example.com:4440", "ftp://omni.example.com", "https://", "https://exa mple.com", "http://:80", "https://h:99999", "https://u:p@h"] {
            let err = Config::from_json(&with("chat_service_domain", Value::from(bad))).unwrap_err();
            assert_eq!(err, ConfigError::BadUrl("chat_service_domain"), "{bad}");
        }
        assert_eq!(Config::from_json(&with("chat_service_domain", json!("https://bad!host"))).unwrap_err(), ConfigError::BadUrl("chat_service_domain"));
        assert!(is_http_url("https://例え.jp:8443/chat") && is_http_url("http://[::1]:5280/http-bind"));
        let err = Config::from_json(&with("converse_bosh_service_url", json!("/http-bind/"))).unwrap_err();
        assert_eq!(err, ConfigError::BadUrl("converse_bosh_service_url"));
    }

    #[test]
    fn theme_color_and_view_mode_values_are_checked() {
        for good in ["#fff", "#ABCDEF", "#11223344", "teal", "hsl(120deg 50% 50%)", "rgba(1,2,3,.5)"] {
            assert!(is_css_color(good), "{good}");
        }
        for bad in ["#ggg", "#12345", "red;}body{display:none", "url(x)", "rgb()", "", "var(--x)"] {
            assert!(!is_css_color(bad), "{bad}");
        }
        let err = Config::from_json(&with("theme_color", json!("red;}"))).unwrap_err();
        assert_eq!(err.key(), Some("theme_color"));
        let err = Config::from_json(&with("view_mode", json!("sideways"))).unwrap_err();
        assert_eq!(err.key(), Some("view_mode"));
        assert_eq!(Config::from_json(&with("view_mode", json!("overlayed"))).unwrap().view_mode, "overlayed");
    }

    #[test]
    fn unknown_keys_are_collected_not_refused() {
        let v = set(with("extra", json!(1)), "colour", Some(json!("red")));
        assert_eq!(Config::from_json(&v).unwrap().unknown_keys, ["colour", "extra"], "sorted");
        let Value::Object(mut members) = v else { unreachable!() };
        members.push(("colour".into(), json!("blue")));
        assert_eq!(Config::from_json(&Value::Object(members)).unwrap().unknown_keys, ["colour", "extra"], "once each");
    }

    #[test]
    fn tenant_carries_the_rest_settings() {
        let t = Config::from_json(&with("accountId", json!("a1"))).unwrap().tenant();
        assert_eq!(t.contact_center_id, 42);
        assert_eq!(t.account_id.as_deref(), Some("a1"));
        assert_eq!((t.campaign_id, t.nodeflow_id, t.process_id), (1, 5, 4));
        assert_eq!(t.cms_service_domain, "https://omni.example.com:4433/");
    }
}
