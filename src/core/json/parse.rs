//! The JSON parser: strict RFC 8259 (what `JSON.parse` accepts), recursive to a bounded depth.

use super::Value;

/// How deep arrays and objects may nest: deeper input is refused with an error instead of
/// exhausting the stack (the parser, the drop and the writer all recurse once per level).
const MAX_DEPTH: usize = 128;

/// Parses `text` as one JSON value, surrounded by optional whitespace. The error says what is
/// wrong and at which byte. A `\u` escape of a lone surrogate (which `JSON.stringify` writes for
/// one) reads as U+FFFD.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser { text, pos: 0 };
    let value = p.value(0)?;
    if p.skip_ws().is_some() {
        return Err(p.error("unexpected text after the value"));
    }
    Ok(value)
}

/// The position in the text being parsed.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    /// The byte at the position, if any.
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips JSON whitespace and returns the next byte.
    fn skip_ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
        self.peek()
    }

    /// What is wrong at the position, saying so when the text ended there.
    fn error(&self, what: &str) -> String {
        let end = if self.pos >= self.text.len() { " (the end of the text)" } else { "" };
        format!("invalid JSON: {what} at byte {}{end}", self.pos)
    }

    /// The value at the position, inside `depth` open arrays and objects. Recursive: MAX_DEPTH
    /// bounds the depth (an explicit stack of open containers was ~0.4 KB more code).
    fn value(&mut self, depth: usize) -> Result<Value, String> {
        let close = match self.skip_ws() {
            Some(b'[' | b'{') if depth == MAX_DEPTH => return Err(self.error("nested deeper than 128 levels")),
            Some(b'[') => b']',
            Some(b'{') => b'}',
            Some(b'"') => return self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => return self.number().map(Value::Number),
            _ => return self.literal(),
        };
        self.pos += 1;
        let (mut items, mut members) = (Vec::new(), Vec::new());
        if self.skip_ws() == Some(close) {
            self.pos += 1;
        } else {
            loop {
                if close == b']' {
                    items.push(self.value(depth + 1)?);
                } else {
                    let key = self.key()?;
                    members.push((key, self.value(depth + 1)?));
                }
                match self.skip_ws() {
                    Some(b',') => self.pos += 1,
                    Some(b) if b == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error(if close == b']' { "expected `,` or `]`" } else { "expected `,` or `}`" })),
                }
            }
        }
        Ok(if close == b']' { Value::Array(items) } else { Value::Object(members) })
    }

    /// An object key and the `:` after it.
    fn key(&mut self) -> Result<String, String> {
        if self.skip_ws() != Some(b'"') {
            return Err(self.error("expected a string key"));
        }
        let key = self.string()?;
        if self.skip_ws() != Some(b':') {
            return Err(self.error("expected `:`"));
        }
        self.pos += 1;
        Ok(key)
    }

    /// `true`, `false` or `null`.
    fn literal(&mut self) -> Result<Value, String> {
        let rest = &self.text.as_bytes()[self.pos..];
        // A match, not a loop over `(word, Value)` pairs: that array's by-value iterator and its
        // drop were instantiated for this alone.
        let (word, value): (&[u8], Value) = match rest.first() {
            Some(b't') => (b"true", Value::Bool(true)),
            Some(b'f') => (b"false", Value::Bool(false)),
            _ => (b"null", Value::Null),
        };
        if rest.starts_with(word) {
            self.pos += word.len();
            return Ok(value);
        }
        Err(self.error("expected a value"))
    }

    /// Consumes the digits at the position; whether there was at least one.
    fn digits(&mut self) -> bool {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos > start
    }

    /// A number, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as its text.
    fn number(&mut self) -> Result<String, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        if !self.digits() {
            return Err(self.error("expected a digit"));
        }
        if self.text.as_bytes().get(int_start) == Some(&b'0') && self.pos > int_start + 1 {
            self.pos = int_start + 1;
            return Err(self.error("a number has a leading zero"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.digits() {
                return Err(self.error("expected a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.digits() {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        Ok(self.text[start..self.pos].to_owned())
    }

    /// A string (the position is at its opening quote), its escapes decoded.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            let Some(b) = self.peek() else { return Err(self.error("unterminated string")) };
            match b {
                b'"' | b'\\' => {
                    // Both are ASCII, so the run ends on a character boundary.
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    if b == b'"' {
                        return Ok(out);
                    }
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape")),
                    };
                    out.push(escaped);
                    // unicode_escape leaves the position on its last hex digit.
                    self.pos += 1;
                    run = self.pos;
                }
                0..=0x1f => return Err(self.error("control character in a string")),
                _ => self.pos += 1,
            }
        }
    }

    /// The value of the four hex digits at `at`, if they are there.
    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.text.get(at..at + 4)?;
        if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(digits, 16).ok()
        } else {
            None
        }
    }

    /// The character of a `\uXXXX` escape (the position is at its `u`), joining a surrogate pair
    /// written as two escapes; a lone surrogate becomes U+FFFD. Leaves the position on the last
    /// hex digit read.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let Some(unit) = self.hex4(self.pos + 1) else {
            self.pos += 1;
            return Err(self.error("expected four hex digits after `\\u`"));
        };
        self.pos += 4;
        if (0xd800..0xdc00).contains(&unit) && self.text.as_bytes()[self.pos + 1..].starts_with(b"\\u") {
            if let Some(low @ 0xdc00..=0xdfff) = self.hex4(self.pos + 3) {
                self.pos += 6;
                return Ok(char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)).unwrap_or('\u{fffd}'));
            }
        }
        Ok(char::from_u32(unit).unwrap_or('\u{fffd}'))
    }
}
