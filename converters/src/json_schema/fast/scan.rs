//! The reader of JSON text laid out the way writers almost always lay records out: a struct's
//! fields in schema order. It reads the bytes itself, comparing each object key with the one
//! the schema expects next, and gives up (`None`) at the first thing it does not expect: the
//! serde_json reader then reads the text from the start. What it reads, it reads as that reader
//! does (the same conversions, the same refusals), only with no key to look up and no token to
//! dispatch on twice.
//!
//! Any layout of whitespace is read, and strings and keys with escapes. What makes it give up:
//! a key out of schema order or one no field has; an integer beyond `i64`; a number whose
//! value the exact conversion below does not give; a map written as entry objects.

use super::{from_bool, from_float, from_int, from_text, null, Kind, Plan, MAX_DEPTH};
use crate::connect::{Struct, Value};
use crate::json::parse::unescape;
use indexmap::IndexMap;
use std::borrow::Cow;

/// The value of `payload`, a JSON text of the plan's schema; `None` if this reader cannot.
pub(super) fn read(p: &Plan, payload: &[u8]) -> Option<Value> {
    let mut s = Scan { b: payload, i: 0 };
    s.ws();
    let v = s.value(p, 0)?;
    s.ws();
    (s.i == s.b.len()).then_some(v)
}

/// Exact powers of ten as `f64`: every one up to 1e22 is.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Significands up to this are exact as `f64`.
const EXACT_SIGNIFICAND: u64 = 1 << 53;

struct Scan<'a> {
    b: &'a [u8],
    /// The next byte to read.
    i: usize,
}

impl<'a> Scan<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips JSON whitespace (and only that: serde_json refuses any other).
    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// Skips whitespace, then `c`.
    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// Skips `text` if the input goes on with it.
    #[inline(always)]
    fn skip(&mut self, text: &[u8]) -> Option<()> {
        if self.b.get(self.i..)?.starts_with(text) {
            self.i += text.len();
            Some(())
        } else {
            None
        }
    }

    fn value(&mut self, p: &Plan, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => from_text(p.kind, &self.string()?),
            b'{' => match p.kind {
                Kind::Struct => self.record(p, depth),
                Kind::Map => self.map(p, depth),
                _ => None,
            },
            b'[' => match p.kind {
                Kind::Array => self.array(p, depth),
                _ => None,
            },
            b't' => {
                self.skip(b"true")?;
                from_bool(p.kind, true)
            }
            b'f' => {
                self.skip(b"false")?;
                from_bool(p.kind, false)
            }
            b'n' => {
                self.skip(b"null")?;
                null(p)
            }
            _ => self.number(p.kind),
        }
    }

    /// A string, its quotes skipped. Strings are almost always read in place; one with escapes
    /// is unescaped into a string of its own.
    #[inline(always)]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.i + 1;
        let rest = self.b.get(start..)?;
        // Control characters are refused, as serde_json refuses them in strings.
        let n = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        if rest[n] != b'"' {
            self.i = start + n;
            return self.escaped(start).map(Cow::Owned);
        }
        self.i = start + n + 1;
        std::str::from_utf8(&rest[..n]).ok().map(Cow::Borrowed)
    }

    /// The rest of a string from its first escape or control character (at `self.i`), with
    /// what it held before that from `start`: unescaped as serde_json unescapes (as Kafka's
    /// JSON converter's reader does), refused where it refuses (a control character, an unknown
    /// escape, a lone surrogate).
    #[cold]
    fn escaped(&mut self, start: usize) -> Option<String> {
        let mut out = self.b.get(start..self.i)?.to_vec();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let c = unescape(self.b, &mut self.i).ok()?;
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                c if c < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    /// A number, converted as serde_json converts it for the serde_json reader: an integer
    /// within `i64` as an integer, anything else as the nearest `f64`. Only the numbers whose
    /// nearest `f64` is one exact operation away are read here.
    fn number(&mut self, kind: Kind) -> Option<Value> {
        let b = self.b;
        let mut i = self.i;
        let negative = b.get(i) == Some(&b'-');
        i += usize::from(negative);
        let mut significand: u64 = 0;
        let digit = |i: usize, significand: &mut u64| -> Option<bool> {
            match b.get(i) {
                Some(&d @ b'0'..=b'9') => {
                    *significand = significand
                        .checked_mul(10)?
                        .checked_add(u64::from(d - b'0'))?;
                    Some(true)
                }
                _ => Some(false),
            }
        };
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while digit(i, &mut significand)? {
                    i += 1;
                }
            }
            _ => return None,
        }
        let mut exponent: i64 = 0;
        let mut fraction = false;
        if b.get(i) == Some(&b'.') {
            fraction = true;
            i += 1;
            let from = i;
            while digit(i, &mut significand)? {
                i += 1;
                exponent -= 1;
            }
            if i == from {
                return None;
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            fraction = true;
            i += 1;
            let sign: i64 = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    -1
                }
                Some(b'+') => {
                    i += 1;
                    1
                }
                _ => 1,
            };
            let from = i;
            let mut e: i64 = 0;
            while let Some(&d @ b'0'..=b'9') = b.get(i) {
                e = e.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
                if e > 1_000 {
                    return None;
                }
                i += 1;
            }
            if i == from {
                return None;
            }
            exponent += sign * e;
        }
        self.i = i;
        if !fraction {
            return if negative {
                // serde_json reads `-0` as a float, and below `i64::MIN` as one too.
                if significand == 0 {
                    return None;
                }
                from_int(kind, 0i64.checked_sub_unsigned(significand)?)
            } else {
                from_int(kind, i64::try_from(significand).ok()?)
            };
        }
        // A significand and a power of ten both exact as `f64`: their product or quotient,
        // rounded once, is the nearest `f64` to the number, which serde_json (with its
        // `float_roundtrip` feature, on in this workspace) computes too.
        if significand > EXACT_SIGNIFICAND {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        let mut f = significand as f64;
        let power = POW10.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
        if exponent >= 0 {
            f *= power;
        } else {
            f /= power;
        }
        from_float(kind, if negative { -f } else { f })
    }

    /// A struct's object, its fields in schema order; fields left out at its end read as
    /// null does.
    fn record(&mut self, p: &Plan, depth: usize) -> Option<Value> {
        self.i += 1;
        let fields = p.schema.fields();
        let mut values = Vec::with_capacity(fields.len());
        for (n, (child, key)) in p.children.iter().zip(p.keys.iter()).enumerate() {
            self.ws();
            if self.peek()? == b'}' {
                break;
            }
            if n > 0 {
                self.eat(b',')?;
                self.ws();
            }
            // The key as JSON text, its quotes included: matched, it is the field's name. A key
            // spelled with other escapes (Python escapes every character beyond ASCII) is
            // unescaped and compared.
            if self.skip(key.get(1..key.len().checked_sub(1)?)?).is_none() {
                self.escaped_key(fields.get(n)?.name())?;
            }
            self.eat(b':')?;
            self.ws();
            values.push(self.value(child, depth + 1)?);
        }
        self.eat(b'}')?;
        if values.len() != fields.len() {
            // An absent field one level too deep is refused, as the tree refuses it.
            if depth >= MAX_DEPTH {
                return None;
            }
            for child in p.children.get(values.len()..)? {
                values.push(null(child)?);
            }
            if values.len() != fields.len() {
                return None;
            }
        }
        Some(Value::Struct(Struct::of_schema(
            p.schema.field_names(),
            values,
        )))
    }

    /// Skips a key spelled otherwise than the field's key as written, if it is `name`.
    #[cold]
    #[inline(never)]
    fn escaped_key(&mut self, name: &str) -> Option<()> {
        (self.peek()? == b'"' && self.string()? == name).then_some(())
    }

    /// A map as a JSON object: string keys.
    fn map(&mut self, p: &Plan, depth: usize) -> Option<Value> {
        let values = p.children.get(1)?;
        let mut m = IndexMap::new();
        if self.opens(b'}')? {
            loop {
                self.ws();
                if self.peek()? != b'"' {
                    return None;
                }
                let k = self.string()?.into_owned();
                self.eat(b':')?;
                self.ws();
                let v = self.value(values, depth + 1)?;
                m.insert(Value::String(k), v);
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        Some(Value::Map(Box::new(m)))
    }

    fn array(&mut self, p: &Plan, depth: usize) -> Option<Value> {
        let items = p.children.first()?;
        let mut out = Vec::new();
        if self.opens(b']')? {
            loop {
                self.ws();
                out.push(self.value(items, depth + 1)?);
                if !self.more(b']')? {
                    break;
                }
            }
        }
        Some(Value::Array(out))
    }

    /// Skips an array's or object's opening bracket: whether an item follows (else its
    /// `close` is skipped too).
    fn opens(&mut self, close: u8) -> Option<bool> {
        self.i += 1;
        self.ws();
        let empty = self.peek()? == close;
        self.i += usize::from(empty);
        Some(!empty)
    }

    /// Skips what follows an item of an array or object: whether a comma (another item
    /// follows) or `close` (the end).
    fn more(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        self.i += 1;
        match c {
            b',' => Some(true),
            c if c == close => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::tests::tree_value;
    use super::*;
    use crate::connect::{Schema, SchemaBuilder, Type};

    fn tree(schema: &Schema, text: &str) -> Value {
        tree_value(schema, text).unwrap()
    }

    fn schema() -> Schema {
        let inner = || {
            SchemaBuilder::struct_()
                .name("r.Inner")
                .field("x", Schema::new(Type::Int8))
                .field(
                    "when",
                    crate::connect::logical::timestamp_schema().build().unwrap(),
                )
        };
        SchemaBuilder::struct_()
            .name("r.Outer")
            .field("id", Schema::new(Type::Int64))
            .field("name", Schema::new(Type::String))
            .field("score", Schema::new(Type::Float64))
            .field("ok", Schema::new(Type::Boolean))
            .field("small", Schema::new(Type::Float32))
            .field("raw", Schema::new_optional(Type::Bytes))
            .field(
                "items",
                SchemaBuilder::array(inner().build().unwrap())
                    .build()
                    .unwrap(),
            )
            .field(
                "tags",
                SchemaBuilder::map(Schema::new(Type::String), Schema::new(Type::Int32))
                    .build()
                    .unwrap(),
            )
            .field("inner", inner().optional().build().unwrap())
            .field(
                "n",
                SchemaBuilder::int16()
                    .default_value(Value::Int16(-3))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    const COMPACT: &str = r#"{"id":-42,"name":"héllo","score":2.5e-3,"ok":true,"small":0.1,"raw":"AAEC","items":[{"x":1,"when":1700000000000},{"x":-128,"when":0}],"tags":{"a":1,"b":2,"a":3},"inner":null,"n":7}"#;

    #[test]
    fn records_as_writers_lay_them_out_are_read_here_as_the_tree_reads_them() {
        let schema = schema();
        let plan = Plan::new(&schema);
        let indented = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(COMPACT).unwrap(),
        )
        .unwrap();
        for text in [
            COMPACT.to_owned(),
            // Python's json.dumps: a space after every comma and colon, and text beyond ASCII
            // escaped.
            COMPACT
                .replace(',', ", ")
                .replace("\":", "\": ")
                .replace('é', r"\u00e9"),
            COMPACT.replace("héllo", r#"say \"hi\"\n"#),
            // Keys spelled with escapes.
            COMPACT.replace(r#""id""#, r#""\u0069d""#).replace(r#""ok""#, r#""o\u006B""#),
            // Indented, with whitespace around the whole text.
            format!(" \n{indented}\r\n\t"),
            // Fields left out at the end read as null does: the default, or null.
            r#"{"id":1,"name":"","score":1,"ok":false,"small":-0.0,"raw":null,"items":[],"tags":{}}"#
                .to_owned(),
        ] {
            let read = read(&plan, text.as_bytes());
            assert_eq!(read, Some(tree(&schema, &text)), "{text}");
        }
        let Some(Value::Struct(s)) = read(&plan, COMPACT.as_bytes()) else {
            panic!("not read")
        };
        assert_eq!(s.get("raw"), Some(&Value::Bytes(vec![0, 1, 2])));
        assert_eq!(s.get("n"), Some(&Value::Int16(7)));
    }

    #[test]
    fn what_this_reader_does_not_expect_is_left_to_the_serde_json_reader() {
        let schema = schema();
        let plan = Plan::new(&schema);
        let with = |from: &str, to: &str| {
            assert!(COMPACT.contains(from), "{from}");
            COMPACT.replacen(from, to, 1)
        };
        for text in [
            // A key out of order, a key no field has, a key escaped.
            with(r#""id":-42,"name":"héllo""#, r#""name":"héllo","id":-42"#),
            with(r#""n":7"#, r#""n":7,"zz":0"#),
            // Numbers not one exact operation from their nearest f64.
            with("2.5e-3", "0.30000000000000004"),
            with("2.5e-3", "1e23"),
            with("2.5e-3", "9007199254740993.0"),
            with("2.5e-3", "18446744073709551616"),
            // Negative zero as an integer: serde_json reads it as a float.
            with(r#""small":0.1"#, r#""small":-0"#),
            // Numbers the tree reads as floats where an integer is expected are refused by both.
        ] {
            assert_eq!(read(&plan, text.as_bytes()), None, "{text}");
            let [_, serde] = plan.read_each(text.as_bytes());
            assert_eq!(serde, Some(tree(&schema, &text)), "{text}");
        }
        // Text that neither one-pass reader reads, nor the tree.
        for text in [
            with(r#""id":-42"#, r#""id":-0"#),
            with(r#""id":-42"#, r#""id":01"#),
            with(r#""id":-42"#, r#""id":1.0"#),
            with(r#""ok":true"#, r#""ok":tru"#),
            with(r#""ok":true"#, r#""ok":true1"#),
            with("héllo", "h\u{1}llo"),
            with(r#""n":7"#, r#""n":null,"#),
            with(r#""x":1"#, r#""x":128"#),
            with("2.5e-3", "2.5e"),
            with("2.5e-3", "2.e3"),
            with("2.5e-3", "-"),
            format!("{COMPACT} {{}}"),
        ] {
            assert_eq!(plan.read(text.as_bytes()), None, "{text}");
            assert!(tree_value(&schema, &text).is_err(), "{text}");
        }
    }

    #[test]
    fn escaped_strings_are_read_here_as_serde_json_reads_them() {
        let schema = SchemaBuilder::struct_()
            .field("s", Schema::new(Type::String))
            .build()
            .unwrap();
        let plan = Plan::new(&schema);
        let string = |text: &str| match read(&plan, format!(r#"{{"s":"{text}"}}"#).as_bytes()) {
            Some(Value::Struct(s)) => match s.get("s") {
                Some(Value::String(t)) => Some(t.clone()),
                other => panic!("{other:?}"),
            },
            None => None,
            other => panic!("{other:?}"),
        };
        for text in [
            r#"say \"hi\" \\ \/"#,
            r"\b\f\n\r\t",
            r"h\u00e9llo \u00E9",
            r"\u0000",
            r"\ud83d\ude00 and \uD83D\uDE00",
            r"é then \n",
            r"\uffff\ue000",
        ] {
            let expected: String = serde_json::from_str(&format!(r#""{text}""#)).unwrap();
            assert_eq!(string(text), Some(expected), "{text}");
        }
        // What serde_json refuses, refused here.
        for text in [
            r"\ud83d",
            r"\ud83d\u0041",
            r"\ud83d\n",
            r"\ude00",
            r"\x41",
            r"\u12",
            r"\u12g4",
            "tab\there",
            "\\n\u{1}",
        ] {
            assert!(
                serde_json::from_str::<String>(&format!(r#""{text}""#)).is_err(),
                "{text}"
            );
            assert_eq!(string(text), None, "{text}");
        }
        // Bytes that are not UTF-8 after an escape.
        let text = b"{\"s\":\"\\n\xff\"}";
        assert_eq!(read(&plan, text), None);
    }

    #[test]
    fn keys_spelled_with_escapes_are_read_here_when_they_are_the_next_fields() {
        let schema = SchemaBuilder::struct_()
            .field("prénom", Schema::new(Type::String))
            .field("q\"uote", Schema::new(Type::Int32))
            .build()
            .unwrap();
        let plan = Plan::new(&schema);
        for (text, read_here) in [
            // As Python's json.dumps writes them: beyond ASCII escaped.
            (r#"{"pr\u00e9nom": "x", "q\"uote": 1}"#, true),
            (r#"{"prénom":"x","q\u0022uote":1}"#, true),
            // An escaped key that is another name, or no text at all.
            (r#"{"pr\u00e9nomx":"x","q\"uote":1}"#, false),
            (r#"{"q\"uote":1,"pr\u00e9nom":"x"}"#, false),
            (r#"{"pr\ud800nom":"x","q\"uote":1}"#, false),
        ] {
            let here = read(&plan, text.as_bytes());
            assert_eq!(here.is_some(), read_here, "{text}");
            if let Some(v) = here {
                assert_eq!(Ok(v), tree_value(&schema, text), "{text}");
            }
        }
    }

    /// A deterministic stream of numbers (xorshift).
    struct Numbers(u64);

    impl Iterator for Numbers {
        type Item = u64;
        fn next(&mut self) -> Option<u64> {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            Some(self.0)
        }
    }

    #[test]
    fn every_number_read_here_is_what_serde_json_reads() {
        let schema = Schema::new(Type::Float64);
        let plan = Plan::new(&schema);
        let mut random = Numbers(0x9e37_79b9_7f4a_7c15);
        let mut read_here = 0;
        for _ in 0..200_000 {
            let r = random.next().unwrap();
            let digits = (r % 20) as u32;
            let significand = random.next().unwrap() % 10u64.pow(digits).max(1);
            let point = (r >> 8) % u64::from(digits + 1);
            let mut text = significand.to_string();
            if point > 0 && (point as usize) < text.len() {
                text.insert(text.len() - point as usize, '.');
            }
            if r & (1 << 20) != 0 {
                text = format!("{text}e{}", ((r >> 24) % 60) as i64 - 30);
            }
            if r & (1 << 21) != 0 {
                text.insert(0, '-');
            }
            let expected = serde_json::from_str::<f64>(&text).ok().map(Value::Float64);
            if let Some(v) = read(&plan, text.as_bytes()) {
                read_here += 1;
                match (&v, &expected) {
                    (Value::Float64(a), Some(Value::Float64(b))) => {
                        assert_eq!(a.to_bits(), b.to_bits(), "{text}");
                    }
                    _ => panic!("{text}: {v:?}, serde_json {expected:?}"),
                }
            }
        }
        // Most of them: the test checks what it means to.
        assert!(read_here > 100_000, "{read_here}");
    }
}
