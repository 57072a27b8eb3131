//! XEP-0030 service discovery (info and items), with XEP-0128 extended information (data forms
//! such as the upload service's `max-file-size`), and what we publish about ourselves.

use super::jid::Jid;
use super::json::{object, opt, Value};
use super::ns;
use super::xml::Element;

/// An identity of a discovered entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Category (`store`, `conference`, `client`, ...).
    pub category: String,
    /// Type within the category (`file`, `text`, `web`, ...).
    pub kind: String,
    /// Human-readable name, if given.
    pub name: Option<String>,
}

impl Identity {
    /// `{ category, type, name }`.
    pub fn to_json(&self) -> Value {
        object(vec![("category", self.category.as_str().into()), ("type", self.kind.as_str().into()), ("name", opt(self.name.as_deref()))])
    }
}

/// One field of an XEP-0128 extension form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The field's `var`.
    pub var: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

impl FormField {
    /// `{ var, values }`.
    pub fn to_json(&self) -> Value {
        object(vec![("var", self.var.as_str().into()), ("values", array(&self.values, |s| s.as_str().into()))])
    }
}

/// An XEP-0128 extension: a `result` data form identified by its `FORM_TYPE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionForm {
    /// The value of the hidden `FORM_TYPE` field, if any.
    pub form_type: Option<String>,
    /// The other fields.
    pub fields: Vec<FormField>,
}

impl ExtensionForm {
    /// `{ form_type, fields }`.
    pub fn to_json(&self) -> Value {
        object(vec![("form_type", opt(self.form_type.as_deref())), ("fields", array(&self.fields, FormField::to_json))])
    }
}

/// A disco#info result: what `requestUploadServiceInfo` resolves with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiscoInfo {
    /// The node queried, if any.
    pub node: Option<String>,
    /// Identities.
    pub identities: Vec<Identity>,
    /// Supported features (namespaces), in order.
    pub features: Vec<String>,
    /// XEP-0128 extension forms.
    pub forms: Vec<ExtensionForm>,
}


/// A JSON array of the items, each written by `to_json`: a loop per item type, where
/// `map(…).collect()` would instantiate its adapters per closure.
pub fn array<T>(items: &[T], to_json: fn(&T) -> Value) -> Value {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(to_json(item));
    }
    Value::Array(out)
}

impl DiscoInfo {
    /// `{ node, identities, features, forms }`, as `requestUploadServiceInfo` resolves.
    pub fn to_json(&self) -> Value {
        object(vec![
            ("node", opt(self.node.as_deref())),
            ("identities", array(&self.identities, Identity::to_json)),
            ("features", array(&self.features, |s| s.as_str().into())),
            ("forms", array(&self.forms, ExtensionForm::to_json)),
        ])
    }

    /// Reads a `<query xmlns='…disco#info'/>`. Identities without category or type and features
    /// without `var` are skipped; `None` only when the element is not a disco#info query.
    pub fn parse(query: &Element) -> Option<DiscoInfo> {
        if !query.is("query", ns::DISCO_INFO) {
            return None;
        }
        let mut info = DiscoInfo { node: query.get_attr("node").map(str::to_owned), ..DiscoInfo::default() };
        for e in query.elements() {
            match (e.name.as_str(), e.ns.as_str(), e.get_attr("category"), e.get_attr("type")) {
                ("identity", ns::DISCO_INFO, Some(category), Some(kind)) => info.identities.push(Identity {
                    category: category.to_owned(),
                    kind: kind.to_owned(),
                    name: e.get_attr("name").map(str::to_owned),
                }),
                ("feature", ns::DISCO_INFO, ..) => {
                    if let Some(var) = e.get_attr("var") {
                        info.features.push(var.to_owned());
                    }
                }
                ("x", ns::DATA_FORMS, _, Some("result")) => info.forms.push(parse_form(e)),
                _ => {}
            }
        }
        Some(info)
    }

    /// Whether `feature` is advertised.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }

    /// The first value of field `var` in the extension form whose `FORM_TYPE` is `form_type`.
    pub fn field(&self, form_type: &str, var: &str) -> Option<&str> {
        for form in &self.forms {
            if form.form_type.as_deref() != Some(form_type) {
                continue;
            }
            if let Some(field) = form.fields.iter().find(|f| f.var == var) {
                return field.values.first().map(String::as_str);
            }
        }
        None
    }
}

fn parse_form(x: &Element) -> ExtensionForm {
    let mut form_type = None;
    let mut fields = Vec::new();
    for field in x.find_all("field", ns::DATA_FORMS) {
        let Some(var) = field.get_attr("var") else { continue };
        let mut values = Vec::new();
        for v in field.find_all("value", ns::DATA_FORMS) {
            values.push(v.text_content());
        }
        if var == "FORM_TYPE" {
            form_type = values.into_iter().next();
        } else {
            fields.push(FormField { var: var.to_owned(), values });
        }
    }
    ExtensionForm { form_type, fields }
}

/// One item of a disco#items result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoItem {
    /// The item's address.
    pub jid: Jid,
    /// Its node, if any.
    pub node: Option<String>,
    /// Its name, if any.
    pub name: Option<String>,
}

/// Reads a `<query xmlns='…disco#items'/>`; items whose `jid` does not parse are skipped. `None`
/// when the element is not a disco#items query.
pub fn parse_items(query: &Element) -> Option<Vec<DiscoItem>> {
    if !query.is("query", ns::DISCO_ITEMS) {
        return None;
    }
    let mut items = Vec::new();
    for i in query.find_all("item", ns::DISCO_ITEMS) {
        if let Some(jid) = i.get_attr("jid").and_then(|j| Jid::parse(j).ok()) {
            items.push(DiscoItem { jid, node: i.get_attr("node").map(str::to_owned), name: i.get_attr("name").map(str::to_owned) });
        }
    }
    Some(items)
}

/// The payload of a disco#info request.
pub fn info_query() -> Element {
    Element::new("query", ns::DISCO_INFO)
}

/// The payload of a disco#items request.
pub fn items_query() -> Element {
    Element::new("query", ns::DISCO_ITEMS)
}

/// The `<query/>` publishing what we are: a web client that speaks the XEPs of this core.
pub fn own_info() -> Element {
    let identity = Element::new("identity", ns::DISCO_INFO).attr("category", "client").attr("type", "web").attr("name", "exochat");
    let mut query = Element::new("query", ns::DISCO_INFO).child(identity);
    // Borrowed from a constant: iterating an array by value would instantiate its `IntoIter`.
    const FEATURES: [&str; 9] =
        [ns::DISCO_INFO, ns::PING, ns::MUC, ns::CHAT_STATES, ns::RECEIPTS, ns::CHAT_MARKERS, ns::OOB, ns::SID, ns::OCCUPANT_ID];
    for feature in &FEATURES {
        query.push(Element::new("feature", ns::DISCO_INFO).attr("var", feature));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_upload_service_info() {
        // XEP-0363 example 2.
        let q = Element::parse(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='store' type='file' name='HTTP File Upload' />\
             <feature var='urn:xmpp:http:upload:0' />\
             <x type='result' xmlns='jabber:x:data'>\
             <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>\
             <field var='max-file-size'><value>5242880</value></field></x></query>",
        )
        .unwrap();
        let info = DiscoInfo::parse(&q).unwrap();
        assert!(info.has_feature(ns::HTTP_UPLOAD));
        assert_eq!(info.identities[0].category, "store");
        assert_eq!(info.field(ns::HTTP_UPLOAD, "max-file-size"), Some("5242880"));
        assert_eq!(info.field("urn:other", "max-file-size"), None);
        let json = info.to_json();
        let first = |v: Option<&Value>, key: &str| v.and_then(Value::as_array).and_then(|a| a[0].get(key).cloned());
        assert_eq!(first(json.get("identities"), "type"), Some(Value::from("file")));
        let form = first(json.get("forms"), "fields");
        assert_eq!(first(form.as_ref(), "var"), Some(Value::from("max-file-size")));
    }

    #[test]
    fn parses_items() {
        // XEP-0030 example 17 (trimmed), with one broken item.
        let q = Element::parse(
            "<query xmlns='http://jabber.org/protocol/disco#items'>\
             <item jid='people.shakespeare.lit' name='Directory of Characters'/>\
             <item jid='plays.shakespeare.lit' name='Play-Specific Chatrooms'/>\
             <item name='no jid'/><item jid='bad jid@@'/></query>",
        )
        .unwrap();
        let items = parse_items(&q).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].jid.to_string(), "plays.shakespeare.lit");
        assert_eq!(items[0].name.as_deref(), Some("Directory of Characters"));
    }

    #[test]
    fn lenient_with_garbage_and_round_trips_own_info() {
        let q = Element::parse(
            "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='x'/><feature/>\
             <x xmlns='jabber:x:data' type='form'><field var='FORM_TYPE'><value>y</value></field></x><junk/></query>",
        )
        .unwrap();
        assert_eq!(DiscoInfo::parse(&q), Some(DiscoInfo::default()));
        assert_eq!(DiscoInfo::parse(&Element::new("query", ns::DISCO_ITEMS)), None);
        assert_eq!(parse_items(&Element::new("query", ns::DISCO_INFO)), None);
        let own = DiscoInfo::parse(&own_info()).unwrap();
        let client = Identity { category: "client".into(), kind: "web".into(), name: Some("exochat".into()) };
        assert_eq!(own.identities, [client]);
        assert_eq!(own.features.len(), 9);
        assert!(own.has_feature(ns::PING) && own.has_feature(ns::CHAT_MARKERS) && own.has_feature(ns::OCCUPANT_ID));
    }
}
