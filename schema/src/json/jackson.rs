//! Reading and writing JSON text the way Confluent's Jackson `ObjectMapper` does.
//!
//! Confluent stores `objectMapper.writeValueAsString(objectMapper.readTree(text))`, with floats
//! read as exact `BigDecimal`s. So the canonical text keeps key order, prints integers exactly,
//! prints floats as `BigDecimal.toString()` does (`1.0`, `1.50`, `1E+3`, `1E-7`), keeps non-ASCII
//! characters and escapes control characters as `\u00XX` with upper-case hex. serde_json cannot
//! keep number text without `arbitrary_precision`, hence this small reader.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write as _;

/// A JSON value with numbers kept as Jackson prints them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// Jackson's text for the number; `integer` tells an integer literal from a float.
    Number {
        text: String,
        integer: bool,
    },
    String(String),
    Array(Vec<Node>),
    /// Members in document order; a repeated key replaces the earlier value in place.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Node::Number { text, .. } => text.parse().ok(),
            _ => None,
        }
    }

    /// Converts to a serde_json value (numbers become `i64`/`u64`/`f64`).
    pub(crate) fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number { text, integer } => {
                if *integer {
                    if let Ok(i) = text.parse::<i64>() {
                        return Value::from(i);
                    }
                    if let Ok(u) = text.parse::<u64>() {
                        return Value::from(u);
                    }
                }
                // Beyond f64's range (Jackson keeps it as a BigDecimal): the nearest finite value.
                text.parse::<f64>()
                    .ok()
                    .map(|f| f.clamp(f64::MIN, f64::MAX))
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
            Node::String(s) => Value::String(s.clone()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Why a text is not JSON.
#[derive(Debug)]
pub(crate) struct SyntaxError;

/// Reads the first JSON value of `text`. Like Jackson's `readTree`, whatever follows a complete
/// value is not looked at. Nesting beyond `max_depth` is an error.
pub(crate) fn read(text: &str, max_depth: usize) -> Result<Node, SyntaxError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        max_depth,
    };
    reader.skip_ws();
    reader.value(0)
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    max_depth: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect_word(&mut self, word: &str) -> Result<(), SyntaxError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            // Jackson rejects `truex`, `nullz`, ...
            match self.peek() {
                Some(b) if b.is_ascii_alphanumeric() || b == b'_' => Err(SyntaxError),
                _ => Ok(()),
            }
        } else {
            Err(SyntaxError)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        match self.peek().ok_or(SyntaxError)? {
            b'{' => {
                if depth >= self.max_depth {
                    return Err(SyntaxError);
                }
                self.pos += 1;
                let mut members: Vec<(String, Node)> = Vec::new();
                // Positions by key, once an object is large enough for linear search to hurt.
                let mut positions: Option<HashMap<String, usize>> = None;
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Node::Object(members));
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(SyntaxError);
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        return Err(SyntaxError);
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let value = self.value(depth + 1)?;
                    if positions.is_none() && members.len() >= 32 {
                        positions = Some(
                            members
                                .iter()
                                .enumerate()
                                .map(|(i, (k, _))| (k.clone(), i))
                                .collect(),
                        );
                    }
                    let existing = match &positions {
                        Some(map) => map.get(&key).copied(),
                        None => members.iter().position(|(k, _)| *k == key),
                    };
                    match existing {
                        Some(i) => members[i].1 = value,
                        None => {
                            if let Some(map) = &mut positions {
                                map.insert(key.clone(), members.len());
                            }
                            members.push((key, value));
                        }
                    }
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Node::Object(members));
                        }
                        _ => return Err(SyntaxError),
                    }
                }
            }
            b'[' => {
                if depth >= self.max_depth {
                    return Err(SyntaxError);
                }
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Node::Array(items));
                }
                loop {
                    self.skip_ws();
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Node::Array(items));
                        }
                        _ => return Err(SyntaxError),
                    }
                }
            }
            b'"' => Ok(Node::String(self.string()?)),
            b't' => self.expect_word("true").map(|()| Node::Bool(true)),
            b'f' => self.expect_word("false").map(|()| Node::Bool(false)),
            b'n' => self.expect_word("null").map(|()| Node::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(SyntaxError),
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or(SyntaxError)?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| SyntaxError)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SyntaxError);
        }
        self.pos += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.peek().ok_or(SyntaxError)? {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escape = self.peek().ok_or(SyntaxError)?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                // A surrogate pair; a lone surrogate has no Rust representation.
                                if !self.text[self.pos..].starts_with("\\u") {
                                    return Err(SyntaxError);
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(SyntaxError);
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            out.push(char::from_u32(code).ok_or(SyntaxError)?);
                        }
                        _ => return Err(SyntaxError),
                    }
                }
                // Unescaped control characters are not allowed by Jackson's default settings.
                _ => return Err(SyntaxError),
            }
        }
    }

    fn digits(&mut self) -> &str {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    fn number(&mut self) -> Result<Node, SyntaxError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_part = self.digits().to_owned();
        if int_part.is_empty() || (int_part.len() > 1 && int_part.starts_with('0')) {
            return Err(SyntaxError);
        }
        let mut frac_part = String::new();
        let mut exponent: i64 = 0;
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            frac_part = self.digits().to_owned();
            if frac_part.is_empty() {
                return Err(SyntaxError);
            }
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let exp_negative = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let digits = self.digits();
            if digits.is_empty() || digits.len() > 9 {
                return Err(SyntaxError);
            }
            exponent = digits.parse().map_err(|_| SyntaxError)?;
            if exp_negative {
                exponent = -exponent;
            }
            is_float = true;
        }
        if let Some(b) = self.peek() {
            if b.is_ascii_alphabetic() || b == b'.' {
                return Err(SyntaxError);
            }
        }
        let text = if is_float {
            big_decimal_string(negative, &int_part, &frac_part, exponent)
        } else if int_part == "0" {
            "0".to_owned()
        } else if negative {
            format!("-{int_part}")
        } else {
            int_part
        };
        Ok(Node::Number {
            text,
            integer: !is_float,
        })
    }
}

/// `java.math.BigDecimal.toString()` of the literal `[-]int.frac e exponent`.
fn big_decimal_string(negative: bool, int_part: &str, frac_part: &str, exponent: i64) -> String {
    let all_digits = format!("{int_part}{frac_part}");
    let coefficient = all_digits.trim_start_matches('0');
    let coefficient = if coefficient.is_empty() {
        "0"
    } else {
        coefficient
    };
    let scale = frac_part.len() as i64 - exponent;
    let adjusted = -scale + (coefficient.len() as i64 - 1);
    let mut out = String::new();
    if negative && coefficient != "0" {
        out.push('-');
    }
    if scale >= 0 && adjusted >= -6 {
        let scale = scale as usize;
        if scale == 0 {
            out.push_str(coefficient);
        } else if coefficient.len() > scale {
            let point = coefficient.len() - scale;
            out.push_str(&coefficient[..point]);
            out.push('.');
            out.push_str(&coefficient[point..]);
        } else {
            out.push_str("0.");
            for _ in 0..scale - coefficient.len() {
                out.push('0');
            }
            out.push_str(coefficient);
        }
    } else {
        out.push_str(&coefficient[..1]);
        if coefficient.len() > 1 {
            out.push('.');
            out.push_str(&coefficient[1..]);
        }
        out.push('E');
        if adjusted > 0 {
            out.push('+');
        }
        let _ = write!(out, "{adjusted}");
    }
    out
}

/// Compact text as Jackson writes it; `sorted` orders object keys as a Java `TreeMap<String>`.
pub(crate) fn write(node: &Node, sorted: bool) -> String {
    let mut out = String::new();
    write_into(node, sorted, &mut out);
    out
}

fn write_into(node: &Node, sorted: bool, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number { text, .. } => out.push_str(text),
        Node::String(s) => write_string(s, out),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_into(item, sorted, out);
            }
            out.push(']');
        }
        Node::Object(members) => {
            let mut refs: Vec<&(String, Node)> = members.iter().collect();
            if sorted {
                refs.sort_by(|a, b| java_string_cmp(&a.0, &b.0));
            }
            out.push('{');
            for (i, (key, value)) in refs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_into(value, sorted, out);
            }
            out.push('}');
        }
    }
}

/// `String.compareTo`: UTF-16 code unit order.
pub(crate) fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn roundtrip(text: &str) -> String {
        write(&read(text, 100).unwrap(), false)
    }

    #[test]
    fn numbers_print_as_jackson_big_decimals() {
        let cases = [
            ("1.0", "1.0"),
            ("1000.0", "1000.0"),
            ("0.5", "0.5"),
            ("1.50", "1.50"),
            ("1e3", "1E+3"),
            ("1.0E3", "1.0E+3"),
            ("2.5e-3", "0.0025"),
            ("1e-7", "1E-7"),
            ("0.0000001", "1E-7"),
            ("-0.0", "0.0"),
            ("-0", "0"),
            ("-12", "-12"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("0e5", "0E+5"),
        ];
        for (input, want) in cases {
            assert_eq!(roundtrip(input), want, "{input}");
        }
    }

    #[test]
    fn strings_escape_as_jackson_does() {
        assert_eq!(
            roundtrip(r#""caf\u00e9 \u0001 \n \/ \"""#),
            "\"café \\u0001 \\n / \\\"\""
        );
        assert_eq!(roundtrip(r#""\u001f""#), "\"\\u001F\"");
        assert_eq!(roundtrip(r#""\ud83d\ude00""#), "\"😀\"");
    }

    #[test]
    fn keeps_key_order_and_replaces_duplicates_in_place() {
        assert_eq!(
            roundtrip(r#"{ "b" : 1, "a" : [ true, null ], "b": 2 }"#),
            r#"{"b":2,"a":[true,null]}"#
        );
    }

    #[test]
    fn large_objects_replace_duplicates_in_place_too() {
        let members: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{},\"k5\":\"last\"}}", members.join(","));
        let node = read(&text, 10).unwrap();
        let Node::Object(members) = &node else {
            panic!("not an object")
        };
        assert_eq!(members.len(), 100);
        assert_eq!(members[5].1, Node::String("last".into()));
    }

    #[test]
    fn sorts_keys_in_utf16_order() {
        let node = read(
            r#"{"b":1,"a":{"z":1,"y":2},"\uff61":1,"\ud83d\ude00":2}"#,
            10,
        )
        .unwrap();
        assert_eq!(
            write(&node, true),
            "{\"a\":{\"y\":2,\"z\":1},\"b\":1,\"😀\":2,\"｡\":1}"
        );
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "{\"type\":",
            "",
            "01",
            "1.",
            ".5",
            "[1,]",
            "{\"a\" 1}",
            "nul",
            "\"\\ud800\"",
            "\"a\u{1}\"",
            "tru",
        ] {
            assert!(read(bad, 100).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn numbers_beyond_f64_stay_numbers() {
        let value = read("[1e400, -1e400, 123456789012345678901234567890]", 5)
            .unwrap()
            .to_value();
        assert_eq!(value[0], serde_json::json!(f64::MAX));
        assert_eq!(value[1], serde_json::json!(f64::MIN));
        assert!(value[2].is_f64());
    }

    #[test]
    fn ignores_text_after_the_first_value_like_jackson() {
        assert_eq!(roundtrip("{} trailing"), "{}");
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(50) + &"]".repeat(50);
        assert!(read(&deep, 10).is_err());
        assert!(read(&deep, 60).is_ok());
    }
}
