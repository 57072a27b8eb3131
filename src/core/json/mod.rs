//! JSON for the core: a [`Value`], a strict parser ([`parse`]) and a compact writer (`Display`).
//!
//! The core reads JSON by parsing it once into a [`Value`] and picking fields, and writes it by
//! building a [`Value`]. It is its own small type instead of serde + serde_json: those shipped a
//! B-tree map, float parsing and printing and serde's visitor machinery to the WebAssembly module
//! (~10 KB gzip) for what is here a few hundred lines. Numbers stay their decimal text, so a page's
//! numbers go back to JS exactly as given without float code; objects keep insertion order (as JS
//! objects do).

mod parse;
mod write;

pub use parse::parse;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its validated JSON text (`-12`, `1.5e3`).
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object: its members in order; on a duplicate key the last one counts (as `JSON.parse`).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object; `None` for other values or an absent key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        // From the end: the last of duplicate keys wins.
        self.as_object()?.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(fields) => Some(fields),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The number if it is an integer that fits an `i64`, in any JSON form of one (`5`, `5.0`,
    /// `5e0`, `500e-2`).
    pub fn as_i64(&self) -> Option<i64> {
        let (negative, magnitude, exact) = self.integer_part()?;
        let n = i64::try_from(magnitude).ok().filter(|_| exact)?;
        Some(if negative { -n } else { n })
    }

    /// The integer part of a non-negative number (`1.9` reads as 1), saturating at `u64::MAX`;
    /// `None` for a negative number or anything else.
    pub fn as_u64_truncated(&self) -> Option<u64> {
        match self.integer_part()? {
            (true, m, _) if m > 0 => None,
            (_, m, _) => Some(m),
        }
    }

    /// A number's sign, the magnitude of its integer part (saturating) and whether that is the
    /// whole value (no fraction cut off, no saturation). Works on the decimal text: exact, no floats.
    fn integer_part(&self) -> Option<(bool, u64, bool)> {
        let Value::Number(text) = self else { return None };
        // The parser validated the text: `-?digits(.digits)?([eE][+-]?digits)?`. Read as bytes,
        // without `str` patterns (each kind adds its searcher to the module).
        let text = text.as_bytes();
        let negative = text.first() == Some(&b'-');
        let e_at = text.iter().position(|&b| (b | 0x20) == b'e').unwrap_or(text.len());
        let mantissa = &text[usize::from(negative)..e_at];
        // A huge exponent saturates, which still leaves the integer part right (0 or saturated).
        let (mut exp, mut exp_negative) = (0i64, false);
        for &b in text.get(e_at + 1..).unwrap_or_default() {
            match b {
                b'-' => exp_negative = true,
                b'0'..=b'9' => exp = (exp * 10 + i64::from(b - b'0')).min(1 << 40),
                _ => {}
            }
        }
        // How many leading digits of the mantissa lie before the decimal point once shifted.
        let point = mantissa.iter().position(|&b| b == b'.').unwrap_or(mantissa.len());
        let whole = point as i64 + if exp_negative { -exp } else { exp };
        let (mut n, mut exact, mut count) = (0u64, true, 0i64);
        for &d in mantissa.iter().filter(|&&b| b != b'.') {
            if count < whole {
                (n, exact) = push_digit(n, exact, u64::from(d - b'0'));
            } else if d != b'0' {
                exact = false;
            }
            count += 1;
        }
        // Zeros the exponent appends: at most 20 before any non-zero value saturates.
        while count < whole && n != 0 && n != u64::MAX {
            (n, exact) = push_digit(n, exact, 0);
            count += 1;
        }
        Some((negative, n, exact))
    }
}

/// `n * 10 + digit`, saturating at `u64::MAX` (and then no longer exact).
fn push_digit(n: u64, exact: bool, digit: u64) -> (u64, bool) {
    match n.checked_mul(10).and_then(|n| n.checked_add(digit)) {
        Some(n) => (n, exact),
        None => (u64::MAX, false),
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(n.to_string())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n.to_string())
    }
}

/// A string field, with numbers accepted as their decimal text (ids and stamps are often
/// numbers); `None` for anything else, absent or `null`.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        _ => None,
    }
}

/// An object of `fields`, in that order.
pub fn object(fields: Vec<(&str, Value)>) -> Value {
    let mut members = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        put(&mut members, k, v);
    }
    Value::Object(members)
}

/// Appends the member `key: value` to an object's members being built.
pub fn put(members: &mut Vec<(String, Value)>, key: &str, value: Value) {
    members.push((key.to_owned(), value));
}

/// Appends the member `key: text`, `null` for `None`: one call per string field keeps a large
/// object's builder small (a `(key, Value)` list built inline costs far more per field).
pub fn put_str(members: &mut Vec<(String, Value)>, key: &str, text: Option<&str>) {
    put(members, key, opt(text));
}

/// [`put_str`] of an optional field, taken by reference (the `as_deref` done once here).
pub fn put_opt(members: &mut Vec<(String, Value)>, key: &str, text: &Option<String>) {
    put_str(members, key, text.as_deref());
}

/// A string, or `null` for `None`.
pub fn opt(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::from)
}

/// A [`Value`] from JSON written as Rust tokens (`json!({ "a": [1, null] })`), for tests: the
/// tokens are turned back into text and parsed, so only literal JSON works (no interpolation).
#[cfg(test)]
macro_rules! json {
    ($($json:tt)+) => {
        $crate::core::json::parse(stringify!($($json)+)).expect("json! holds valid JSON")
    };
}
#[cfg(test)]
pub(crate) use json;

#[cfg(test)]
mod tests;
