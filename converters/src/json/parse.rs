//! A small JSON reader that keeps numbers as their text, so that a NUMERIC decimal or a large
//! integer is read exactly (as Jackson's `BigDecimal` reading does), with a nesting limit.

use indexmap::IndexMap;

/// Deepest nesting of arrays and objects accepted (serde_json's default limit).
pub(crate) const MAX_DEPTH: usize = 128;

/// A parsed JSON document. Objects keep their keys in order; a repeated key keeps its first
/// position and its last value, as Jackson's tree model does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The number's text, already checked against the JSON grammar.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(IndexMap<String, Json>),
}

impl Json {
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(o) => o.get(key),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number's text if it is an integer token (no fraction, no exponent).
    pub(crate) fn integer_text(&self) -> Option<&str> {
        match self {
            Json::Number(n) if !n.contains(['.', 'e', 'E']) => Some(n),
            _ => None,
        }
    }

    /// An integer token that fits in i64.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        self.integer_text()?.parse().ok()
    }

    /// Any number, correctly rounded to f64.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

/// Parses one JSON document (surrounding whitespace allowed, nothing else after it).
pub(crate) fn parse(bytes: &[u8]) -> Result<Json, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))?;
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
    };
    p.skip_ws();
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(value)
}

/// The character a JSON escape stands for, `s[*pos..]` starting just after its backslash;
/// `*pos` moves past what was read. Refused as serde_json refuses: an unknown escape, a
/// surrogate without its other half.
pub(crate) fn unescape(s: &[u8], pos: &mut usize) -> Result<char, &'static str> {
    let esc = *s.get(*pos).ok_or("EOF while parsing a string")?;
    *pos += 1;
    Ok(match esc {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = hex4(s, pos)?;
            let c = if (0xD800..0xDC00).contains(&hi) {
                if !s[*pos..].starts_with(b"\\u") {
                    return Err("lone leading surrogate in hex escape");
                }
                *pos += 2;
                let lo = hex4(s, pos)?;
                if !(0xDC00..0xE000).contains(&lo) {
                    return Err("invalid low surrogate in hex escape");
                }
                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
            } else {
                char::from_u32(hi)
            };
            c.ok_or("lone surrogate in hex escape")?
        }
        _ => return Err("invalid escape"),
    })
}

/// Four hex digits at `s[*pos..]`; `*pos` moves past them.
fn hex4(s: &[u8], pos: &mut usize) -> Result<u32, &'static str> {
    let mut n = 0;
    for &d in s.get(*pos..*pos + 4).ok_or("invalid \\u escape")? {
        n = n * 16 + char::from(d).to_digit(16).ok_or("invalid \\u escape")?;
    }
    *pos += 4;
    Ok(n)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.pos)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        match self.s.get(self.pos) {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(self.error("recursion limit exceeded"));
                }
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.s.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    self.skip_ws();
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.error("expected `,` or `]`")),
                    }
                }
            }
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(self.error("recursion limit exceeded"));
                }
                self.pos += 1;
                let mut object = IndexMap::new();
                self.skip_ws();
                if self.s.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(object));
                }
                loop {
                    self.skip_ws();
                    if self.s.get(self.pos) != Some(&b'"') {
                        return Err(self.error("expected a string key"));
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.s.get(self.pos) != Some(&b':') {
                        return Err(self.error("expected `:`"));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let value = self.value(depth + 1)?;
                    object.insert(key, value);
                    self.skip_ws();
                    match self.s.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Json::Object(object));
                        }
                        _ => return Err(self.error("expected `,` or `}`")),
                    }
                }
            }
            Some(_) => Err(self.error("expected value")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.pos;
        if self.s.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.s.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.s.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.s.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Json::Number(self.text[start..self.pos].to_owned()))
    }

    fn string(&mut self) -> Result<String, String> {
        // At the opening quote.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.s.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Runs end at ASCII bytes, so they are whole UTF-8 sequences.
            out.push_str(&self.text[run_start..self.pos]);
            match self.s.get(self.pos) {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let s = self.s;
                    let c = unescape(s, &mut self.pos).map_err(|e| self.error(e))?;
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_documents() {
        let doc = parse(br#" {"a":[1,-2.50e+3,true,false,null],"b":"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","a":{}} "#).unwrap();
        let Json::Object(o) = &doc else { panic!() };
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b"]);
        // A repeated key keeps its first position and its last value.
        assert_eq!(o["a"], Json::Object(IndexMap::new()));
        assert_eq!(o["b"].as_str(), Some("x\"\\/\u{8}\u{c}\n\r\té😀"));
        let arr = parse(b"[1,-2.50e+3]").unwrap();
        let Json::Array(items) = arr else { panic!() };
        assert_eq!(items[1], Json::Number("-2.50e+3".into()));
        assert_eq!(items[0].as_i64(), Some(1));
        assert_eq!(items[1].as_i64(), None);
        assert_eq!(items[1].as_f64(), Some(-2500.0));
        assert_eq!(
            parse(b"123456789012345678901234567890").unwrap(),
            Json::Number("123456789012345678901234567890".into())
        );
    }

    #[test]
    fn rejects_what_json_does_not_allow() {
        for bad in [
            "",
            " ",
            "[",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"a\u{1}b\"",
            "1 2",
            "NaN",
            "[1]]",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(parse(b"\"\xff\"").is_err());
    }

    #[test]
    fn nesting_is_limited() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(deep.as_bytes())
            .unwrap_err()
            .contains("recursion limit"));
        assert!(parse("{\"a\":".repeat(100_000).as_bytes()).is_err());
    }

    proptest! {
        /// Agrees with serde_json on what is valid, and on strings.
        #[test]
        fn agrees_with_serde_json(text in "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]{0,24}") {
            let ours = parse(text.as_bytes());
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?} {:?}", ours, theirs);
        }

        #[test]
        fn strings_roundtrip_through_serde_json(s in "\\PC{0,16}|[\\x00-\\x1f\"\\\\]{0,4}") {
            let encoded = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(parse(encoded.as_bytes()).unwrap(), Json::String(s));
        }
    }
}
