//! The JSON module's tests: literal texts (RFC 8259's examples, escapes, surrogates, nesting,
//! every error), round trips, and a differential test against serde_json.

use super::*;

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
    assert_eq!(object(vec![("b", opt(None)), ("a", opt(Some("x")))]), json!({ "b": null, "a": "x" }));
    assert_eq!(Value::from(u64::MAX), Value::Number("18446744073709551615".into()));
    assert_eq!(Value::from(-7i64), Value::Number("-7".into()));
}

#[test]
fn lookups_take_the_last_duplicate() {
    let v = parse(r#"{"a":1,"b":[true],"a":"two"}"#).unwrap();
    assert_eq!(v.get("a").and_then(Value::as_str), Some("two"));
    assert_eq!(v.get("b").and_then(Value::as_array), Some(&[Value::Bool(true)][..]));
    assert_eq!(v.get("c"), None);
    assert_eq!(json!([1]).get("a"), None);
    assert!(v.is_object() && !json!([]).is_object() && json!(null).is_null());
    assert_eq!((json!("s").as_bool(), json!(false).as_bool(), json!(1).as_str()), (None, Some(false), None));
}

#[test]
fn integers_in_every_json_form() {
    let int = |t: &str| parse(t).unwrap().as_i64();
    for (t, n) in [("5", 5), ("-5", -5), ("5.0", 5), ("5e0", 5), ("500e-2", 5), ("0.5e1", 5), ("5E+1", 50), ("-0", 0)] {
        assert_eq!(int(t), Some(n), "{t}");
    }
    assert_eq!(int("9223372036854775807"), Some(i64::MAX));
    assert_eq!(int("1e18"), Some(1_000_000_000_000_000_000));
    for t in ["5.5", "1e-1", "9223372036854775808", "1e19", "1e999999999999", "\"5\"", "true"] {
        assert_eq!(int(t), None, "{t}");
    }
    assert_eq!(int("0e999999999999"), Some(0));
    assert_eq!(int("0.000e5"), Some(0));
}

#[test]
fn truncated_unsigned_integers() {
    let trunc = |t: &str| parse(t).unwrap().as_u64_truncated();
    assert_eq!(trunc("1700000000000"), Some(1_700_000_000_000));
    assert_eq!(trunc("1.7e12"), Some(1_700_000_000_000));
    assert_eq!(trunc("12.99"), Some(12));
    assert_eq!(trunc("0.5"), Some(0));
    assert_eq!(trunc("-0.5"), Some(0));
    assert_eq!(trunc("-1"), None);
    assert_eq!(trunc("1e400"), Some(u64::MAX));
    assert_eq!(trunc("18446744073709551616"), Some(u64::MAX));
    assert_eq!(trunc("1e-400"), Some(0));
    assert_eq!(trunc("null"), None);
}

#[test]
fn parses_the_rfc_8259_examples() {
    let image = parse(
        r#"{
      "Image": {
          "Width":  800,
          "Height": 600,
          "Title":  "View from 15th Floor",
          "Thumbnail": {
              "Url":    "http://www.example.com/image/481989943",
              "Height": 125,
              "Width":  100
          },
          "Animated" : false,
          "IDs": [116, 943, 234, 38793]
        }
    }"#,
    )
    .unwrap();
    let inner = image.get("Image").unwrap();
    assert_eq!(inner.get("Title").and_then(Value::as_str), Some("View from 15th Floor"));
    assert_eq!(inner.get("Thumbnail").and_then(|t| t.get("Width")).and_then(Value::as_i64), Some(100));
    assert_eq!(inner.get("Animated").and_then(Value::as_bool), Some(false));
    assert_eq!(inner.get("IDs").and_then(Value::as_array).map(<[Value]>::len), Some(4));
    let places = parse(
        r#"[
        { "precision": "zip", "Latitude":  37.7668, "Longitude": -122.3959, "Address": "",
          "City": "SAN FRANCISCO", "State": "CA", "Zip": "94107", "Country": "US" },
        { "precision": "zip", "Latitude":  37.371991, "Longitude": -122.026020, "Address": "",
          "City": "SUNNYVALE", "State": "CA", "Zip": "94085", "Country": "US" }
      ]"#,
    )
    .unwrap();
    let second = &places.as_array().unwrap()[1];
    assert_eq!(second.get("Longitude"), Some(&Value::Number("-122.026020".into())), "numbers keep their text");
    assert_eq!(second.get("City").and_then(Value::as_str), Some("SUNNYVALE"));
    assert_eq!(parse(r#""Hello world!""#), Ok(Value::from("Hello world!")));
    assert_eq!(parse("42"), Ok(Value::from(42u64)));
    assert_eq!(parse(" \t\r\ntrue\n "), Ok(Value::Bool(true)));
    assert_eq!(parse("[[], {}, [{}], null]").unwrap().to_string(), "[[],{},[{}],null]");
}

#[test]
fn decodes_escapes_and_surrogates() {
    let s = |text: &str| parse(text).unwrap().as_str().unwrap().to_owned();
    assert_eq!(s(r#""\"\\\/\b\f\n\r\t""#), "\"\\/\u{8}\u{c}\n\r\t");
    assert_eq!(s(r#""a\u0041\u00e9\u00E9\u4e2d""#), "aAéé中");
    assert_eq!(s(r#""\ud83d\ude00 and 😀""#), "😀 and 😀");
    // A lone surrogate (JSON.stringify writes one as an escape) reads as U+FFFD.
    assert_eq!(s(r#""\ud800""#), "\u{fffd}");
    assert_eq!(s(r#""\udc00x""#), "\u{fffd}x");
    assert_eq!(s(r#""\ud800\u0041""#), "\u{fffd}A");
    assert_eq!(s(r#""\ud800\ud83d\ude00""#), "\u{fffd}😀");
    assert_eq!(s(r#""\ud800\\""#), "\u{fffd}\\");
    assert_eq!(s(r#""\ude00\ud83d""#), "\u{fffd}\u{fffd}");
    assert_eq!(s(r#""\u0000""#), "\0");
}

#[test]
fn nesting_is_limited() {
    let nested = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
    assert!(parse(&nested(128)).is_ok());
    let err = parse(&nested(129)).unwrap_err();
    assert!(err.contains("nested deeper than 128 levels at byte 128"), "{err}");
    // Far past the limit: refused at the limit, never by overflowing the stack.
    assert!(parse(&"[".repeat(1_000_000)).unwrap_err().contains("nested deeper"));
    assert!(parse(&r#"{"a":"#.repeat(1_000_000)).unwrap_err().contains("nested deeper"));
    let objects = r#"{"a":"#.repeat(128) + "1" + &"}".repeat(128);
    assert_eq!(parse(&objects).unwrap().to_string(), objects);
}

#[test]
fn every_error_says_what_and_where() {
    for (text, message) in [
        ("", "expected a value at byte 0 (the end of the text)"),
        ("   ", "expected a value at byte 3 (the end of the text)"),
        ("[1,]", "expected a value at byte 3"),
        ("[1 2]", "expected `,` or `]` at byte 3"),
        ("[1", "expected `,` or `]` at byte 2 (the end of the text)"),
        (r#"{"a" 1}"#, "expected `:` at byte 5"),
        ("{1:2}", "expected a string key at byte 1"),
        (r#"{"a":1,}"#, "expected a string key at byte 7"),
        (r#"{"a":1]"#, "expected `,` or `}` at byte 6"),
        ("01", "a number has a leading zero at byte 1"),
        ("-01", "a number has a leading zero at byte 2"),
        ("-", "expected a digit at byte 1 (the end of the text)"),
        ("-a", "expected a digit at byte 1"),
        ("1.", "expected a digit after `.` at byte 2 (the end of the text)"),
        ("1.e5", "expected a digit after `.` at byte 2"),
        ("1e+", "expected a digit in the exponent at byte 3 (the end of the text)"),
        (r#""abc"#, "unterminated string at byte 4 (the end of the text)"),
        ("\"a\u{1}\"", "control character in a string at byte 2"),
        ("\"a\nb\"", "control character in a string at byte 2"),
        (r#""\x""#, "invalid escape at byte 2"),
        (r#""\"#, "invalid escape at byte 2 (the end of the text)"),
        (r#""\u12g4""#, "expected four hex digits after `\\u` at byte 3"),
        (r#""\u12""#, "expected four hex digits after `\\u` at byte 3"),
        (r#""\u00é0""#, "expected four hex digits after `\\u` at byte 3"),
        ("tru", "expected a value at byte 0"),
        ("nul", "expected a value at byte 0"),
        ("1 2", "unexpected text after the value at byte 2"),
        ("{}x", "unexpected text after the value at byte 2"),
    ] {
        assert_eq!(parse(text), Err(format!("invalid JSON: {message}")), "{text:?}");
    }
    // What JSON.parse refuses too: other literals, quotes, signs, comments, BOM, NBSP.
    for text in ["NaN", "Infinity", "'a'", "+1", ".5", "0x1", "[1]//", "\u{feff}1", "\u{a0}1", "True", "[,]", "{,}"] {
        assert!(parse(text).is_err(), "{text:?}");
    }
}

#[test]
fn writes_compact_text_escaped_as_json_stringify() {
    let v = object(vec![
        ("s", Value::from("\"\\\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀/<")),
        ("n", parse("-0.5e-3").unwrap()),
        ("a", Value::Array(vec![Value::Null, true.into(), Value::from(7u64), Value::Object(Vec::new())])),
        ("k\"ey", Value::Array(Vec::new())),
    ]);
    let text = r#"{"s":"\"\\\n\r\t\b\f\u0001\u001f"#.to_owned() + "\u{7f}é😀/<\"" + r#","n":-0.5e-3,"a":[null,true,7,{}],"k\"ey":[]}"#;
    assert_eq!(v.to_string(), text);
    assert_eq!(parse(&text), Ok(v));
}

#[test]
fn round_trips() {
    for text in [
        r#"{"b":1,"a":[1E+2,-0.5e-3,0,1e400],"b":"last"}"#,
        r#"["",[[[]]],{"":{"":null}},"\u0000\"\\"]"#,
        r#""\ud834\udd1e""#.trim_matches('x'),
    ] {
        let v = parse(text).unwrap();
        assert_eq!(parse(&v.to_string()).as_ref(), Ok(&v), "{text}");
    }
    let compact = r#"{"b":1,"a":[1E+2,-0.5e-3,0],"b":"last","c":{"d":[true,false,null]}}"#;
    assert_eq!(parse(compact).unwrap().to_string(), compact, "member order, duplicates and number text kept");
}

/// serde_json as the oracle: random JSON texts, and random edits of them, parsed by both must be
/// accepted or refused alike, and what is accepted must mean the same.
#[cfg(not(target_arch = "wasm32"))]
mod differential {
    use super::*;
    use crate::core::test_rng::Rng;

    fn ws(rng: &mut Rng, out: &mut String) {
        out.push_str(rng.pick(&["", "", "", " ", "\n", "\t", "\r\n  "]));
    }

    fn string(rng: &mut Rng, out: &mut String) {
        out.push('"');
        for _ in 0..rng.below(6) {
            let piece = rng.pick(&[
                "a", "Z", " ", "é", "中", "😀", "\u{7f}", "\u{2028}", r#"\""#, r"\\", r"\/", r"\b", r"\f", r"\n", r"\r", r"\t",
                r"\u0041", r"\u00e9", r"\u0000", r"\u001F", r"\uFFFF", r"\ud83d\ude00", r"\uD834\uDD1E", "key", "'",
            ]);
            out.push_str(piece);
        }
        out.push('"');
    }

    fn number(rng: &mut Rng, out: &mut String) {
        if rng.below(3) == 0 {
            out.push('-');
        }
        match rng.below(3) {
            0 => out.push('0'),
            _ => out.push_str(&(1 + rng.next() % 10u64.pow(rng.below(19) as u32 + 1)).to_string()),
        }
        if rng.below(3) == 0 {
            out.push('.');
            out.push_str(&(rng.next() % 100_000).to_string());
        }
        if rng.below(4) == 0 {
            out.push_str(rng.pick(&["e", "E", "e+", "e-", "E-"]));
            out.push_str(&rng.below(100).to_string());
        }
    }

    fn value(rng: &mut Rng, depth: usize, out: &mut String) {
        ws(rng, out);
        match rng.below(if depth > 5 { 4 } else { 7 }) {
            0 => out.push_str(rng.pick(&["true", "false", "null"])),
            1 | 2 => string(rng, out),
            3 => number(rng, out),
            4 | 5 => {
                out.push('[');
                for i in 0..rng.below(5) {
                    if i > 0 {
                        out.push(',');
                    }
                    value(rng, depth + 1, out);
                }
                ws(rng, out);
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..rng.below(5) {
                    if i > 0 {
                        out.push(',');
                    }
                    ws(rng, out);
                    string(rng, out);
                    ws(rng, out);
                    out.push(':');
                    value(rng, depth + 1, out);
                }
                ws(rng, out);
                out.push('}');
            }
        }
        ws(rng, out);
    }

    /// Parses `text` with both; panics (naming the text) where they disagree.
    fn agree(text: &str) {
        let ours = parse(text);
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(theirs) => {
                let ours = ours.unwrap_or_else(|e| panic!("refused {text:?}: {e}"));
                let written = ours.to_string();
                let reread: serde_json::Value = serde_json::from_str(&written).unwrap_or_else(|e| panic!("wrote {written:?}: {e}"));
                assert_eq!(reread, theirs, "{text:?} read as {written:?}");
            }
            // Where serde_json is stricter than JSON.parse (lone surrogates, which its "end of
            // hex escape" also means, and numbers beyond f64), it stops there and says so; the
            // rest of the text may or may not be valid, so ours is only held to not panicking.
            Err(e) if ["surrogate", "hex escape", "out of range"].iter().any(|m| e.to_string().contains(m)) => {}
            Err(e) => assert!(ours.is_err(), "accepted {text:?}, which serde_json refuses: {e}"),
        }
    }

    #[test]
    fn agrees_with_serde_json_on_random_texts_and_edits() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let edits = ["[", "]", "{", "}", ",", ":", "\"", "\\", "u", "d8", "0", "1", "-", ".", "e", "+", " ", "t", "n", "\u{1}", "é"];
        for _ in 0..20_000 {
            let mut text = String::new();
            value(&mut rng, 0, &mut text);
            agree(&text);
            // One to three edits at character boundaries: delete, insert or replace.
            let mut chars: Vec<char> = text.chars().collect();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(chars.len() + 1);
                let piece: Vec<char> = rng.pick(&edits).chars().collect();
                match rng.below(3) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 if at < chars.len() => {
                        chars.splice(at..at + 1, piece);
                    }
                    _ => {
                        chars.splice(at..at, piece);
                    }
                }
            }
            agree(&chars.into_iter().collect::<String>());
        }
    }
}
