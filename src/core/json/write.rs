//! The JSON writer: compact text, strings escaped as `JSON.stringify` escapes them.

use std::fmt::{self, Write};

use super::Value;

/// `to_string()` gives the compact JSON text. Recursive: parsed values nest at most
/// 128 deep (the parser's limit) and the ones the core builds a few levels.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Value::Number(n) => f.write_str(n),
            Value::String(s) => string(s, f),
            Value::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    item.fmt(f)?;
                }
                f.write_char(']')
            }
            Value::Object(members) => {
                f.write_char('{')?;
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    string(key, f)?;
                    f.write_char(':')?;
                    value.fmt(f)?;
                }
                f.write_char('}')
            }
        }
    }
}

/// `s` quoted, with `"`, `\` and control characters escaped (the short forms where JSON has
/// one, else `\u00xx`); everything else as is.
fn string(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    f.write_char('"')?;
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // The byte is ASCII, so both slices end on character boundaries.
        f.write_str(&s[run..i])?;
        if short.is_empty() {
            f.write_str("\\u00")?;
            f.write_char(char::from(HEX[usize::from(b >> 4)]))?;
            f.write_char(char::from(HEX[usize::from(b & 15)]))?;
        } else {
            f.write_str(short)?;
        }
        run = i + 1;
    }
    f.write_str(&s[run..])?;
    f.write_char('"')
}
