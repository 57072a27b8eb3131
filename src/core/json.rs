//! The few JSON helpers the core shares: reading fields of a parsed [`Value`] and building
//! objects.
//!
//! The core reads JSON by parsing it once into a [`Value`] and picking fields, and writes it by
//! building a [`Value`]: no `#[derive(Deserialize)]`/`#[derive(Serialize)]`. Each derive adds a
//! visitor or serializer per type plus serde's error machinery (which formats floats) to the
//! WebAssembly module; these helpers add a few hundred bytes once.

use serde_json::{Map, Value};

/// Parses `text` as JSON, with serde_json's description of what is wrong.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// A string field, with numbers accepted as their decimal text (ids and stamps are often
/// numbers); `None` for anything else, absent or `null`.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An object of `fields`, in the order a JSON map keeps (by key).
pub fn object(fields: Vec<(&str, Value)>) -> Value {
    // Inserted one by one: collecting into the map would add a stable sort and a bulk B-tree
    // builder to the module.
    let mut map = Map::new();
    for (k, v) in fields {
        map.insert(k.to_owned(), v);
    }
    Value::Object(map)
}

/// A string, or `null` for `None`.
pub fn opt(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::from)
}

/// Implements `serde::Serialize` for each type through its `to_json()`, so `serde_json::to_value`
/// and `json!` keep working on core types without a derive.
macro_rules! serialize_as_json {
    ($($t:ty),+ $(,)?) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.to_json(), serializer)
            }
        }
    )+};
}
pub(crate) use serialize_as_json;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_takes_strings_and_numbers_only() {
        let v = json!({ "s": "a", "n": 17, "f": 1.5, "b": true, "z": null });
        assert_eq!(text(v.get("s")).as_deref(), Some("a"));
        assert_eq!(text(v.get("n")).as_deref(), Some("17"));
        assert_eq!(text(v.get("f")).as_deref(), Some("1.5"));
        assert_eq!(text(v.get("b")), None);
        assert_eq!(text(v.get("z")), None);
        assert_eq!(text(v.get("missing")), None);
    }

    #[test]
    fn builds_objects_and_nulls() {
        assert_eq!(object(vec![("b", opt(None)), ("a", opt(Some("x")))]), json!({ "a": "x", "b": null }));
        assert_eq!(parse("[1,").map_err(|e| e.contains("EOF")), Err(true));
        assert_eq!(parse(" {\"k\": [true]} "), Ok(json!({ "k": [true] })));
    }
}
