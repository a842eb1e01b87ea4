//! A JSON tree that reads and writes JSON the way Avro's Java library sees it through Jackson:
//! comments allowed, integers typed by size (int, long, big integer), floating literals as
//! doubles, object keys in document order with a repeated key keeping its first position and its
//! last value, compact output with Java's number formatting.

use std::collections::HashMap;
use std::fmt::Write as _;

/// Deepest nesting the reader accepts (serde_json's limit too). The engine rejects deeper texts
/// before they get here; this bounds the recursion of everything that walks the result.
const MAX_DEPTH: usize = 128;

/// A JSON value, typed as Jackson types the nodes it builds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// An integer that fits in 32 bits.
    Int(i32),
    /// An integer that fits in 64 bits but not in 32.
    Long(i64),
    /// A larger integer, as written (without a leading `+`).
    BigInt(String),
    /// Any literal with a fraction or an exponent.
    Double(f64),
    /// Only produced when converting defaults for `float` fields during normalization.
    Float(f32),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Jackson's `textValue()`: the string of a string node, nothing for any other node.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_integral(&self) -> bool {
        matches!(self, Json::Int(_) | Json::Long(_) | Json::BigInt(_))
    }

    pub(crate) fn is_number(&self) -> bool {
        matches!(
            self,
            Json::Int(_) | Json::Long(_) | Json::BigInt(_) | Json::Double(_) | Json::Float(_)
        )
    }

    /// Jackson's `canConvertToInt()` for integral nodes.
    pub(crate) fn fits_int(&self) -> bool {
        matches!(self, Json::Int(_))
    }

    /// Jackson's `canConvertToLong()` for integral nodes.
    pub(crate) fn fits_long(&self) -> bool {
        matches!(self, Json::Int(_) | Json::Long(_))
    }

    /// Compact JSON as Jackson's `JsonNode.toString()` writes it.
    pub(crate) fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    pub(crate) fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::Long(l) => {
                let _ = write!(out, "{l}");
            }
            Json::BigInt(s) => out.push_str(s),
            Json::Double(d) => out.push_str(&java_double_json(*d)),
            Json::Float(f) => {
                if f.is_finite() {
                    out.push_str(&java_float(*f));
                } else {
                    write_str(out, &java_float(*f));
                }
            }
            Json::Str(s) => write_str(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes `s` as a JSON string literal, escaping as Jackson does (quote, backslash and control
/// characters only; non-ASCII is written as is).
pub(crate) fn write_str(out: &mut String, s: &str) {
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

/// A JSON string literal for `s`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str(&mut out, s);
    out
}

/// A double as Jackson writes it: Java's `Double.toString`, with non-finite values quoted.
fn java_double_json(d: f64) -> String {
    if d.is_finite() {
        java_double(d)
    } else {
        quote(&java_double(d))
    }
}

/// Java's `Double.toString(d)` (shortest digits that round-trip).
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_owned();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    java_decimal(&format!("{d:e}"), d == 0.0, d.abs())
}

/// Java's `Float.toString(f)`.
pub(crate) fn java_float(f: f32) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    java_decimal(&format!("{f:e}"), f == 0.0, f64::from(f.abs()))
}

/// Lays out Rust's shortest scientific form (`-1.5e-7`) the way Java does: plain notation for
/// magnitudes in [1e-3, 1e7), otherwise `d.dddE±n`, always with a digit after the point.
fn java_decimal(sci: &str, zero: bool, magnitude: f64) -> String {
    let (negative, body) = match sci.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, sci),
    };
    let sign = if negative { "-" } else { "" };
    if zero {
        return format!("{sign}0.0");
    }
    let (mantissa, exponent) = body.split_once('e').unwrap_or((body, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (1e-3..1e7).contains(&magnitude) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            let mut int_part = digits.clone();
            let frac_part = if int_part.len() > int_len {
                int_part.split_off(int_len)
            } else {
                while int_part.len() < int_len {
                    int_part.push('0');
                }
                "0".to_owned()
            };
            format!("{sign}{int_part}.{frac_part}")
        } else {
            let zeros = "0".repeat((-exponent - 1) as usize);
            format!("{sign}0.{zeros}{digits}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

/// A JSON syntax error, with Jackson's wording and position.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    message: String,
    line: usize,
    column: usize,
}

impl SyntaxError {
    /// The text Avro's parser reports: the Jackson exception as `toString()` renders it.
    pub(crate) fn java_message(&self) -> String {
        format!(
            "com.fasterxml.jackson.core.JsonParseException: {}\n at [Source: REDACTED \
             (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: {}, column: {}]",
            self.message, self.line, self.column
        )
    }
}

/// What reading the first JSON value of a text gives.
pub(crate) enum Root<'a> {
    /// The value and the text after it.
    Value(Json, &'a str),
    /// The text holds nothing but whitespace and comments.
    Empty,
}

/// Reads the first JSON value of `text`, as `ObjectMapper.readTree(parser)` does.
pub(crate) fn parse_root(text: &str) -> Result<Root<'_>, SyntaxError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    reader.skip_space()?;
    if reader.pos >= reader.bytes.len() {
        return Ok(Root::Empty);
    }
    let value = reader.value()?;
    if matches!(
        value,
        Json::Int(_) | Json::Long(_) | Json::BigInt(_) | Json::Double(_)
    ) {
        if let Some(&b) = reader.bytes.get(reader.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'/') {
                let c = reader.char_at(reader.pos);
                return Err(reader.error_after(
                    format!(
                        "Unexpected character ({}): Expected space separating root-level values",
                        char_desc(c)
                    ),
                    reader.pos + c.len_utf8(),
                ));
            }
        }
    }
    Ok(Root::Value(value, &text[reader.pos..]))
}

/// Jackson's description of a character in error messages.
fn char_desc(c: char) -> String {
    let code = c as u32;
    if code < 0x20 {
        format!("(CTRL-CHAR, code {code})")
    } else if code > 255 {
        format!("'{c}' (code {code} / 0x{code:x})")
    } else {
        format!("'{c}' (code {code})")
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    fn char_at(&self, pos: usize) -> char {
        self.text[pos..].chars().next().unwrap_or('\u{0}')
    }

    /// An error located just after byte offset `pos`, with 1-based line and column.
    fn error_after(&self, message: String, pos: usize) -> SyntaxError {
        let upto = &self.text[..pos.min(self.text.len())];
        let line = upto.matches('\n').count() + 1;
        let line_start = upto.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = upto[line_start..].chars().count() + 1;
        SyntaxError {
            message,
            line,
            column,
        }
    }

    fn eof(&self, message: &str) -> SyntaxError {
        self.error_after(message.to_owned(), self.bytes.len())
    }

    fn unexpected(&self, what: &str) -> SyntaxError {
        let c = self.char_at(self.pos);
        self.error_after(
            format!("Unexpected character ({}): {what}", char_desc(c)),
            self.pos + c.len_utf8(),
        )
    }

    fn skip_space(&mut self) -> Result<(), SyntaxError> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                            self.pos += 1;
                        }
                    }
                    Some(b'*') => {
                        self.pos += 2;
                        loop {
                            if self.pos + 1 >= self.bytes.len() {
                                return Err(self.eof("Unexpected end-of-input in a comment"));
                            }
                            if self.bytes[self.pos] == b'*' && self.bytes[self.pos + 1] == b'/' {
                                self.pos += 2;
                                break;
                            }
                            self.pos += 1;
                        }
                    }
                    Some(_) => {
                        self.pos += 1;
                        let c = self.char_at(self.pos);
                        return Err(self.error_after(
                            format!(
                                "Unexpected character ({}): was expecting either '*' or '/' for a comment",
                                char_desc(c)
                            ),
                            self.pos + c.len_utf8(),
                        ));
                    }
                    None => return Err(self.eof("Unexpected end-of-input in a comment")),
                },
                _ => break,
            }
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Json, SyntaxError> {
        match self.bytes.get(self.pos) {
            None => Err(self.eof("Unexpected end-of-input: expected a value")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b) if b.is_ascii_alphabetic() => self.word(),
            Some(_) => Err(self.unexpected("expected a value")),
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_after(
                format!("Document nesting depth exceeds the maximum allowed ({MAX_DEPTH})"),
                self.pos + 1,
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Json, SyntaxError> {
        self.enter()?;
        self.pos += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        self.skip_space()?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_space()?;
            match self.bytes.get(self.pos) {
                None => {
                    return Err(self.eof("Unexpected end-of-input within/between Object entries"))
                }
                Some(b'"') => {}
                Some(_) => {
                    return Err(self.unexpected("was expecting double-quote to start field name"))
                }
            }
            let key = self.string()?;
            self.skip_space()?;
            match self.bytes.get(self.pos) {
                None => {
                    return Err(self.eof("Unexpected end-of-input within/between Object entries"))
                }
                Some(b':') => self.pos += 1,
                Some(_) => {
                    return Err(
                        self.unexpected("was expecting a colon to separate field name and value")
                    )
                }
            }
            self.skip_space()?;
            if self.pos >= self.bytes.len() {
                return Err(self.eof("Unexpected end-of-input within/between Object entries"));
            }
            let value = self.value()?;
            match index.get(&key) {
                Some(&at) => members[at].1 = value,
                None => {
                    index.insert(key.clone(), members.len());
                    members.push((key, value));
                }
            }
            self.skip_space()?;
            match self.bytes.get(self.pos) {
                None => {
                    return Err(self.eof("Unexpected end-of-input within/between Object entries"))
                }
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Json::Object(members));
                }
                Some(_) => {
                    return Err(self.unexpected("was expecting comma to separate Object entries"))
                }
            }
        }
    }

    fn array(&mut self) -> Result<Json, SyntaxError> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space()?;
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_space()?;
            if self.pos >= self.bytes.len() {
                return Err(self.eof("Unexpected end-of-input within/between Array entries"));
            }
            items.push(self.value()?);
            self.skip_space()?;
            match self.bytes.get(self.pos) {
                None => {
                    return Err(self.eof("Unexpected end-of-input within/between Array entries"))
                }
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Json::Array(items));
                }
                Some(_) => {
                    return Err(self.unexpected("was expecting comma to separate Array entries"))
                }
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.eof(
                    "Unexpected end-of-input: was expecting closing quote for a string value",
                ));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return Err(
                            self.eof("Unexpected end-of-input in character escape sequence")
                        );
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            if (0xD800..0xDC00).contains(&unit)
                                && self.bytes.get(self.pos) == Some(&b'\\')
                                && self.bytes.get(self.pos + 1) == Some(&b'u')
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let low = self.hex4()?;
                                if (0xDC00..0xE000).contains(&low) {
                                    let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                                } else {
                                    out.push('\u{FFFD}');
                                    self.pos = save;
                                }
                            } else {
                                out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                            }
                        }
                        _ => {
                            let c = self.char_at(self.pos - 1);
                            return Err(self.error_after(
                                format!("Unrecognized character escape {}", char_desc(c)),
                                self.pos - 1 + c.len_utf8(),
                            ));
                        }
                    }
                }
                b if b < 0x20 => {
                    let c = b as char;
                    return Err(self.error_after(
                        format!(
                            "Illegal unquoted character ({}): has to be escaped using backslash to be included in string value",
                            char_desc(c)
                        ),
                        self.pos + 1,
                    ));
                }
                _ => {
                    let c = self.char_at(self.pos);
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut value = 0u32;
        for _ in 0..4 {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.eof("Unexpected end-of-input in character escape sequence"));
            };
            let digit = (b as char).to_digit(16).ok_or_else(|| {
                let c = self.char_at(self.pos);
                self.error_after(
                    format!(
                        "Unexpected character ({}): expected a hex-digit for character escape sequence",
                        char_desc(c)
                    ),
                    self.pos + c.len_utf8(),
                )
            })?;
            value = value * 16 + digit;
            self.pos += 1;
        }
        Ok(value)
    }

    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.pos;
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        let int_start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        let int_len = self.pos - int_start;
        if int_len == 0 {
            return match self.bytes.get(self.pos) {
                None => Err(self.eof("Unexpected end-of-input in a Number value")),
                Some(_) => Err(self.unexpected(
                    "expected digit (0-9) to follow minus sign, for valid numeric value",
                )),
            };
        }
        if int_len > 1 && self.bytes[int_start] == b'0' {
            return Err(self.error_after(
                "Invalid numeric value: Leading zeroes not allowed".to_owned(),
                int_start + 2,
            ));
        }
        let mut floating = false;
        if self.bytes.get(self.pos) == Some(&b'.') {
            floating = true;
            self.pos += 1;
            let frac_start = self.pos;
            while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                self.pos += 1;
            }
            if self.pos == frac_start {
                return match self.bytes.get(self.pos) {
                    None => Err(self.eof("Unexpected end-of-input in a Number value")),
                    Some(_) => Err(self.unexpected("Decimal point not followed by a digit")),
                };
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            floating = true;
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let exp_start = self.pos;
            while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                self.pos += 1;
            }
            if self.pos == exp_start {
                return match self.bytes.get(self.pos) {
                    None => Err(self.eof("Unexpected end-of-input in a Number value")),
                    Some(_) => Err(self.unexpected("Exponent indicator not followed by a digit")),
                };
            }
        }
        let literal = &self.text[start..self.pos];
        if floating {
            return Ok(Json::Double(literal.parse::<f64>().unwrap_or(f64::NAN)));
        }
        Ok(match literal.parse::<i64>() {
            Ok(v) => match i32::try_from(v) {
                Ok(i) => Json::Int(i),
                Err(_) => Json::Long(v),
            },
            Err(_) => Json::BigInt(literal.to_owned()),
        })
    }

    fn word(&mut self) -> Result<Json, SyntaxError> {
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 {
                let c = self.char_at(self.pos);
                if b >= 0x80 && !c.is_alphanumeric() {
                    break;
                }
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        match &self.text[start..self.pos] {
            "null" => Ok(Json::Null),
            "true" => Ok(Json::Bool(true)),
            "false" => Ok(Json::Bool(false)),
            token => Err(self.error_after(
                format!(
                    "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
                ),
                self.pos,
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn value(text: &str) -> Json {
        match parse_root(text).unwrap() {
            Root::Value(v, _) => v,
            Root::Empty => panic!("empty"),
        }
    }

    #[test]
    fn numbers_print_as_java_does() {
        for (input, printed) in [
            ("1.0", "1.0"),
            ("1.5", "1.5"),
            ("1e10", "1.0E10"),
            ("0.001", "0.001"),
            ("0.0001", "1.0E-4"),
            ("1234567.0", "1234567.0"),
            ("12345678.9", "1.23456789E7"),
            ("-0.0", "-0.0"),
            ("100", "100"),
            ("-0", "0"),
            ("10000000000", "10000000000"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
        ] {
            assert_eq!(value(input).to_json(), printed, "{input}");
        }
        assert_eq!(java_float(1.1), "1.1");
        assert_eq!(java_float(1.234_567_9), "1.2345679");
        assert_eq!(java_float(1e10), "1.0E10");
    }

    #[test]
    fn strings_escape_like_jackson() {
        assert_eq!(quote("a\"b\\c\n\u{1}é/"), "\"a\\\"b\\\\c\\n\\u0001é/\"");
    }

    #[test]
    fn repeated_keys_keep_first_position_and_last_value() {
        assert_eq!(
            value(r#"{"a":1,"b":2,"a":3}"#).to_json(),
            r#"{"a":3,"b":2}"#
        );
    }

    #[test]
    fn comments_are_allowed_and_rest_is_returned() {
        match parse_root("/* c */ \"int\" // x").unwrap() {
            Root::Value(v, rest) => {
                assert_eq!(v, Json::Str("int".into()));
                assert_eq!(rest, " // x");
            }
            Root::Empty => panic!("empty"),
        }
    }

    #[test]
    fn syntax_errors_use_jackson_wording() {
        let e = parse_root("{\"type\":\"record\",").err().unwrap();
        assert_eq!(
            e.java_message(),
            "com.fasterxml.jackson.core.JsonParseException: Unexpected end-of-input within/between Object entries\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 18]"
        );
        let e = parse_root("nul").err().unwrap();
        assert!(e.java_message().contains("Unrecognized token 'nul'"));
        assert!(e.java_message().ends_with("line: 1, column: 4]"));
        let e = parse_root("syntax = \"proto3\";").err().unwrap();
        assert!(e.java_message().ends_with("line: 1, column: 7]"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse_root(&text).is_err());
    }
}
