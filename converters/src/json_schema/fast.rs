//! Connect values ⇄ JSON text in one pass, guided by the Connect schema: no intermediate JSON
//! tree. Writing checks what [`Schema::validate`] checks while it writes; reading builds the
//! Connect value as it parses.
//!
//! Both are fast paths: on any error the codec runs the tree-based conversion instead, which
//! either succeeds the same way or reports the error in its own words. So these functions may
//! refuse more than the tree-based ones (never less), and their errors are never shown.

use super::MAX_DEPTH;
use crate::connect::{same_name, Decimal, LogicalType, Schema, Struct, Type, Value};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser;
use std::fmt;

mod scan;

/// The one-pass plan of a schema, built once: the schema with, for every struct field, its key
/// as JSON text (`,"name":`), escaped once here rather than for every record, and what the
/// reader may take for granted about the field names.
#[derive(Debug)]
pub(super) struct Plan {
    schema: Schema,
    /// An array's items; a map's key and value; a struct's fields, in order.
    children: Box<[Plan]>,
    /// A struct's field keys, comma first.
    keys: Box<[Box<[u8]>]>,
    /// Whether no field name holds a control character: then object keys are read as raw
    /// bytes (see [`FieldKey`]).
    raw_keys: bool,
    /// What a value of the schema is made of, told once here rather than for every value read.
    kind: Kind,
    /// Whether JSON null reads as a value of the schema (its default, or null).
    nullable: bool,
}

/// The Connect value a JSON value of a schema reads as: its logical type, else its type.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    String,
    Bytes,
    Array,
    Map,
    Struct,
    Decimal { scale: i32 },
    Date,
    Time,
    Timestamp,
}

impl Kind {
    fn of(s: &Schema) -> Kind {
        match s.logical_type() {
            Some(LogicalType::Decimal { scale }) => Kind::Decimal { scale },
            Some(LogicalType::Date) => Kind::Date,
            Some(LogicalType::Time) => Kind::Time,
            Some(LogicalType::Timestamp) => Kind::Timestamp,
            None => match s.schema_type() {
                Type::Boolean => Kind::Boolean,
                Type::Int8 => Kind::Int8,
                Type::Int16 => Kind::Int16,
                Type::Int32 => Kind::Int32,
                Type::Int64 => Kind::Int64,
                Type::Float32 => Kind::Float32,
                Type::Float64 => Kind::Float64,
                Type::String => Kind::String,
                Type::Bytes => Kind::Bytes,
                Type::Array => Kind::Array,
                Type::Map => Kind::Map,
                Type::Struct => Kind::Struct,
            },
        }
    }
}

impl Plan {
    /// The plan of `schema` (nested deeper than values may be: refuses what lies below).
    pub(super) fn new(schema: &Schema) -> Plan {
        Plan::at(schema, 0)
    }

    fn at(s: &Schema, depth: usize) -> Plan {
        let child = |c: &Schema| Plan::at(c, depth + 1);
        let children: Vec<Plan> = if depth > MAX_DEPTH {
            Vec::new()
        } else {
            match s.schema_type() {
                Type::Array => s.value_schema().map(child).into_iter().collect(),
                Type::Map => match (s.key_schema(), s.value_schema()) {
                    (Some(k), Some(v)) => vec![child(k), child(v)],
                    _ => Vec::new(),
                },
                Type::Struct => s.fields().iter().map(|f| child(f.schema())).collect(),
                _ => Vec::new(),
            }
        };
        let keys = s
            .fields()
            .iter()
            .map(|f| {
                let mut k = vec![b','];
                // Writing a string into a Vec cannot fail; were it to, the key would be empty
                // and the writer would refuse the struct.
                if key(&mut k, f.name()).is_err() {
                    k.clear();
                }
                k.into_boxed_slice()
            })
            .collect();
        Plan {
            schema: s.clone(),
            children: children.into_boxed_slice(),
            keys,
            raw_keys: s
                .fields()
                .iter()
                .all(|f| f.name().bytes().all(|b| b >= 0x20)),
            kind: Kind::of(s),
            nullable: s.is_optional() || s.default_value().is_some(),
        }
    }

    /// Appends the JSON text of `value` to `out`; `false` if the fast path cannot.
    pub(super) fn write(&self, value: &Value, out: &mut Vec<u8>) -> bool {
        let start = out.len();
        let ok = write_value(self, value, Position::Root, 0, out).is_ok();
        if !ok {
            out.truncate(start);
        }
        ok
    }

    /// The value of a JSON text of the plan's schema; `None` if the fast path cannot. Text
    /// laid out as writers lay records out is read by [`scan`], the rest through serde_json.
    pub(super) fn read(&self, payload: &[u8]) -> Option<Value> {
        scan::read(self, payload).or_else(|| self.read_serde(payload))
    }

    /// What each of the fast path's readers reads `payload` as: [`scan`]'s and serde_json's.
    pub(super) fn read_each(&self, payload: &[u8]) -> [Option<Value>; 2] {
        [scan::read(self, payload), self.read_serde(payload)]
    }

    /// The value of a JSON text read through serde_json, with no intermediate tree.
    fn read_serde(&self, payload: &[u8]) -> Option<Value> {
        let mut de = serde_json::Deserializer::from_slice(payload);
        let v = Seed { p: self, depth: 0 }.deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(v)
    }
}

// ------------------------------------------------------------------------------------ writing

/// Whether a map key schema equals `Schema::new(Type::String)`: such maps are JSON objects.
fn is_plain_string(s: &Schema) -> bool {
    s.schema_type() == Type::String
        && !s.is_optional()
        && s.name().is_none()
        && s.version().is_none()
        && s.doc().is_none()
        && s.parameters().is_empty()
        && s.default_value().is_none()
}

/// Where a value sits: a null struct field may stand for its default, a null elsewhere only
/// for an optional schema (as [`Schema::validate`] has it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Root,
    Field,
    Other,
}

/// The writer refuses the value: the tree-based path says why.
struct Refused;

type Written = Result<(), Refused>;

/// Appends a scalar as serde_json writes it (the tree-based path's bytes).
fn scalar(out: &mut Vec<u8>, v: impl ser::Serialize) -> Written {
    v.serialize(&mut serde_json::Serializer::new(out))
        .map_err(|_| Refused)
}

/// Appends an integer as serde_json writes it (it writes with `itoa` too).
#[inline(always)]
fn integer(out: &mut Vec<u8>, i: impl itoa::Integer) -> Written {
    out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
    Ok(())
}

/// Appends a string as serde_json writes it: quoted, with `"`, `\\` and control characters
/// escaped. Most strings hold none of those, and are copied as they are.
#[inline(always)]
fn text(out: &mut Vec<u8>, t: &str) -> Written {
    if needs_escape(t.as_bytes()) {
        return scalar(out, t);
    }
    out.reserve(t.len() + 2);
    out.push(b'"');
    out.extend_from_slice(t.as_bytes());
    out.push(b'"');
    Ok(())
}

/// Whether `b` holds a byte JSON strings escape: `"`, `\\` or a control character. Eight bytes
/// at a time, with the word-at-a-time test for a byte below `n` (`n` at most 0x80): subtracting
/// `n` from every byte sets the high bit of a byte below it, and of no other byte that did not
/// have it already; a byte equal to `c` is one below 1 once the word is XORed with `c`s.
fn needs_escape(b: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = ONES * 0x80;
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH != 0;
    let word = |at: usize| {
        b.get(at..at + 8).map_or(0, |w| {
            u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]])
        })
    };
    let escaped = |w: u64| {
        below(w, 0x20)
            || below(w ^ (ONES * u64::from(b'"')), 1)
            || below(w ^ (ONES * u64::from(b'\\')), 1)
    };
    if b.len() < 8 {
        return b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
    }
    // The words from the start, then the last eight bytes (overlapping the word before).
    (0..b.len() / 8).any(|i| escaped(word(i * 8))) || escaped(word(b.len() - 8))
}

/// Appends a finite float (JSON has no other).
fn float(out: &mut Vec<u8>, f: f64) -> Written {
    if !f.is_finite() {
        return Err(Refused);
    }
    scalar(out, f)
}

/// Appends `name` as an object key and its colon.
fn key(out: &mut Vec<u8>, name: &str) -> Written {
    text(out, name)?;
    out.push(b':');
    Ok(())
}

/// Appends a value of the kinds most fields are of, matching its kind; `None` for any other
/// (a null included), which [`write_value`] writes.
#[inline(always)]
fn common_scalar(kind: Kind, v: &Value, out: &mut Vec<u8>) -> Option<Written> {
    Some(match (kind, v) {
        (Kind::Int64, Value::Int64(i)) => integer(out, *i),
        (Kind::Int32, Value::Int32(i)) => integer(out, *i),
        (Kind::Float64, Value::Float64(f)) => float(out, *f),
        (Kind::String, Value::String(t)) => text(out, t),
        (Kind::Boolean, Value::Boolean(b)) => {
            out.extend_from_slice(if *b { b"true" } else { b"false" });
            Ok(())
        }
        _ => return None,
    })
}

/// Writes the JSON text of `v` (of `w`'s schema) straight into `out`: the framing (brackets, commas,
/// keys) by hand, scalars as serde_json writes them, so that they read exactly as the tree-based
/// path writes them. Checks what [`Schema::validate`] checks on the way.
fn write_value(
    w: &Plan,
    v: &Value,
    position: Position,
    depth: usize,
    out: &mut Vec<u8>,
) -> Written {
    if depth > MAX_DEPTH {
        return Err(Refused);
    }
    let s = &w.schema;
    let mut v = v;
    if v.is_null() {
        let allowed =
            s.is_optional() || (position == Position::Field && s.default_value().is_some());
        if !allowed {
            return Err(Refused);
        }
        match s.default_value() {
            Some(d) => v = d,
            None => {
                out.extend_from_slice(b"null");
                return Ok(());
            }
        }
    }
    if let Some(written) = common_scalar(w.kind, v, out) {
        return written;
    }
    let child = depth + 1;
    // One dispatch, on what the plan told of the schema once (its logical type, else its type).
    match (w.kind, v) {
        (Kind::Timestamp, Value::Timestamp(i)) => integer(out, *i),
        (Kind::Date, Value::Date(i)) => integer(out, *i),
        (Kind::Time, Value::Time(i))
            if (0..=crate::connect::logical::MILLIS_PER_DAY).contains(i) =>
        {
            integer(out, *i)
        }
        (Kind::Int16, Value::Int16(i)) => integer(out, *i),
        (Kind::Int8, Value::Int8(i)) => integer(out, *i),
        (Kind::Float32, Value::Float32(f)) => float(out, f64::from(*f)),
        (Kind::Bytes, Value::Bytes(b)) => scalar(out, STANDARD.encode(b)),
        (Kind::Decimal { scale }, Value::Decimal(d)) if d.scale() == scale => {
            scalar(out, STANDARD.encode(d.unscaled_bytes()))
        }
        (Kind::Array, Value::Array(items)) => {
            let is = w.children.first().ok_or(Refused)?;
            out.push(b'[');
            for (n, i) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_value(is, i, Position::Other, child, out)?;
            }
            out.push(b']');
            Ok(())
        }
        (Kind::Map, Value::Map(m)) => {
            let [kw, vw] = &*w.children else {
                return Err(Refused);
            };
            let plain = is_plain_string(&kw.schema);
            out.push(if plain { b'{' } else { b'[' });
            for (n, (k, v)) in m.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                if plain {
                    let Value::String(k) = k else {
                        return Err(Refused);
                    };
                    key(out, k)?;
                } else {
                    // A `{"key": …, "value": …}` entry.
                    out.extend_from_slice(b"{\"key\":");
                    write_value(kw, k, Position::Other, child, out)?;
                    out.extend_from_slice(b",\"value\":");
                }
                write_value(vw, v, Position::Other, child, out)?;
                if !plain {
                    out.push(b'}');
                }
            }
            out.push(if plain { b'}' } else { b']' });
            Ok(())
        }
        (Kind::Struct, Value::Struct(st)) => {
            // Fields one level too deep are refused, as the tree refuses them (the common
            // scalars below are written without the call that would check).
            if child > MAX_DEPTH && !s.fields().is_empty() {
                return Err(Refused);
            }
            out.push(b'{');
            let mut first = true;
            let mut found = 0;
            for (i, f) in s.fields().iter().enumerate() {
                let fv = st.lookup(i, f.name());
                found += usize::from(fv.is_some());
                let fv = fv.unwrap_or(&Value::Null);
                if fv.is_null() && f.schema().default_value().is_none() {
                    if !f.schema().is_optional() {
                        return Err(Refused);
                    }
                    // A null field is left out, as the tree-based writer does.
                    continue;
                }
                let (Some(fw), Some(k)) = (w.children.get(i), w.keys.get(i)) else {
                    return Err(Refused);
                };
                // The key with its comma, but for the first field written.
                let k = if first { k.get(1..) } else { Some(&k[..]) };
                match k {
                    Some(k) if !k.is_empty() => out.extend_from_slice(k),
                    _ => return Err(Refused),
                }
                first = false;
                // The common scalars in line, the rest (and nulls) through the call.
                match common_scalar(fw.kind, fv, out) {
                    Some(written) => written?,
                    None => write_value(fw, fv, Position::Field, child, out)?,
                }
            }
            if found != st.len() {
                return Err(Refused);
            }
            out.push(b'}');
            Ok(())
        }
        _ => Err(Refused),
    }
}

// ------------------------------------------------------------------------------------ reading

/// Reads a value of a plan's schema.
struct Seed<'a> {
    p: &'a Plan,
    depth: usize,
}

impl<'a> Seed<'a> {
    /// The reader of the plan's `i`-th child: an array's items (0), a map's keys (0) and values
    /// (1), a struct's fields.
    #[inline(always)]
    fn child<E: de::Error>(&self, i: usize) -> Result<Seed<'a>, E> {
        match self.p.children.get(i) {
            Some(p) => Ok(Seed {
                p,
                depth: self.depth + 1,
            }),
            None => Err(bad()),
        }
    }

    /// A reader of the same schema one level down (a map entry's key or value, read inside
    /// the entry object).
    fn again(&self) -> Seed<'a> {
        Seed {
            p: self.p,
            depth: self.depth + 1,
        }
    }
}

fn bad<E: de::Error>() -> E {
    E::custom("not on the fast path")
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.depth > MAX_DEPTH {
            return Err(bad());
        }
        d.deserialize_any(self)
    }
}

/// Where a value read goes: returned ([`Take`]) or pushed onto a struct's values. A value pushed
/// by the conversion that builds it is copied once; returned through the visitor and then pushed,
/// it was copied twice, and each copy of a `Value` costs about what reading a number does.
trait Sink {
    type Out;
    fn put(self, v: Value) -> Self::Out;
}

/// Returns the value read.
struct Take;

impl Sink for Take {
    type Out = Value;

    #[inline(always)]
    fn put(self, v: Value) -> Value {
        v
    }
}

impl Sink for &mut Vec<Value> {
    type Out = ();

    #[inline(always)]
    fn put(self, v: Value) {
        self.push(v);
    }
}

impl Seed<'_> {
    #[inline(always)]
    fn unit<E: de::Error, K: Sink>(&self, k: K) -> Result<K::Out, E> {
        Ok(k.put(null(self.p).ok_or_else(bad)?))
    }

    #[inline(always)]
    fn boolean<E: de::Error, K: Sink>(&self, b: bool, k: K) -> Result<K::Out, E> {
        Ok(k.put(from_bool(self.p.kind, b).ok_or_else(bad)?))
    }

    #[inline(always)]
    fn int<E: de::Error, K: Sink>(&self, i: i64, k: K) -> Result<K::Out, E> {
        Ok(k.put(from_int(self.p.kind, i).ok_or_else(bad)?))
    }

    #[inline(always)]
    fn unsigned<E: de::Error, K: Sink>(&self, u: u64, k: K) -> Result<K::Out, E> {
        Ok(k.put(from_unsigned(self.p.kind, u).ok_or_else(bad)?))
    }

    #[inline(always)]
    fn float<E: de::Error, K: Sink>(&self, f: f64, k: K) -> Result<K::Out, E> {
        Ok(k.put(from_float(self.p.kind, f).ok_or_else(bad)?))
    }

    #[inline(always)]
    fn text<E: de::Error, K: Sink>(&self, t: &str, k: K) -> Result<K::Out, E> {
        Ok(k.put(from_text(self.p.kind, t).ok_or_else(bad)?))
    }
}

/// What JSON null, or an absent struct field, reads as in the plan's schema: its default,
/// else null if the schema is optional (`None`: refused).
#[inline(always)]
fn null(p: &Plan) -> Option<Value> {
    match p.schema.default_value() {
        Some(d) => Some(d.clone()),
        None if p.schema.is_optional() => Some(Value::Null),
        None => None,
    }
}

/// What JSON `true` or `false` reads as in a schema of `kind` (`None`: refused).
#[inline(always)]
fn from_bool(kind: Kind, b: bool) -> Option<Value> {
    match kind {
        Kind::Boolean => Some(Value::Boolean(b)),
        _ => None,
    }
}

/// What a JSON integer reads as in a schema of `kind` (`None`: refused).
#[inline(always)]
fn from_int(kind: Kind, i: i64) -> Option<Value> {
    Some(match kind {
        Kind::Int64 => Value::Int64(i),
        Kind::Int32 => Value::Int32(i32::try_from(i).ok()?),
        Kind::Int16 => Value::Int16(i16::try_from(i).ok()?),
        Kind::Int8 => Value::Int8(i8::try_from(i).ok()?),
        #[allow(clippy::cast_precision_loss)]
        Kind::Float64 => Value::Float64(i as f64),
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        Kind::Float32 => Value::Float32(i as f64 as f32),
        Kind::Date => Value::Date(i32::try_from(i).ok()?),
        Kind::Time => Value::Time(i32::try_from(i).ok()?),
        Kind::Timestamp => Value::Timestamp(i),
        _ => return None,
    })
}

/// What a JSON integer serde_json reads as unsigned reads as (beyond `i64`, a float).
#[inline(always)]
fn from_unsigned(kind: Kind, u: u64) -> Option<Value> {
    match i64::try_from(u) {
        Ok(i) => from_int(kind, i),
        #[allow(clippy::cast_precision_loss)]
        Err(_) => from_float(kind, u as f64),
    }
}

/// What a JSON number with a fraction or an exponent reads as (`None`: refused).
#[inline(always)]
fn from_float(kind: Kind, f: f64) -> Option<Value> {
    match kind {
        Kind::Float64 => Some(Value::Float64(f)),
        #[allow(clippy::cast_possible_truncation)]
        Kind::Float32 => Some(Value::Float32(f as f32)),
        _ => None,
    }
}

/// What a JSON string reads as (`None`: refused).
#[inline(always)]
fn from_text(kind: Kind, t: &str) -> Option<Value> {
    match kind {
        Kind::String => Some(Value::String(t.to_owned())),
        Kind::Bytes => STANDARD.decode(t).ok().map(Value::Bytes),
        Kind::Decimal { scale } => STANDARD
            .decode(t)
            .ok()
            .map(|b| Value::Decimal(Decimal::from_unscaled_bytes(&b, scale))),
        _ => None,
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value of a {} schema", self.p.schema.schema_type())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.unit(Take)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.boolean(b, Take)
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        self.int(i, Take)
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        self.unsigned(u, Take)
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        self.float(f, Take)
    }

    fn visit_str<E: de::Error>(self, t: &str) -> Result<Value, E> {
        self.text(t, Take)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        match self.p.kind {
            Kind::Array => {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(v) = seq.next_element_seed(self.child(0)?)? {
                    items.push(v);
                }
                Ok(Value::Array(items))
            }
            Kind::Map => {
                let mut m = IndexMap::new();
                while let Some((k, v)) = seq.next_element_seed(EntrySeed {
                    key: self.child(0)?,
                    value: self.child(1)?,
                })? {
                    m.insert(k, v);
                }
                Ok(Value::Map(Box::new(m)))
            }
            _ => Err(bad()),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        match self.p.kind {
            Kind::Struct => {
                let fields = self.p.schema.fields();
                // Fields listed in schema order are pushed; the first one out of order turns
                // the pushes into assignments over nulls.
                let mut values: Vec<Value> = Vec::with_capacity(fields.len());
                let mut next = 0;
                // Whether a field was skipped, and filled with null before its turn came.
                let mut gaps = false;
                while let Some(i) = map.next_key_seed(FieldKey { p: self.p, next })? {
                    let Some(i) = i else {
                        map.next_value::<Skip>()?;
                        continue;
                    };
                    let seed = self.child(i)?;
                    if i == values.len() {
                        map.next_value_seed(Push {
                            seed,
                            values: &mut values,
                        })?;
                    } else {
                        let v = map.next_value_seed(seed)?;
                        if i > values.len() {
                            values.resize_with(fields.len(), || Value::Null);
                            gaps = true;
                        }
                        values[i] = v;
                    }
                    next = i + 1;
                }
                // An absent field reads as JSON null does; so does a null one, and reading
                // null again gives what it gave: no need to tell them apart. Where every field
                // was read in turn, none is absent.
                if gaps || values.len() < fields.len() {
                    // An absent field one level too deep is refused, as the tree refuses it.
                    if self.depth >= MAX_DEPTH {
                        return Err(bad());
                    }
                    values.resize_with(fields.len(), || Value::Null);
                    for (i, v) in values.iter_mut().enumerate() {
                        if v.is_null() {
                            *v = self.child(i)?.visit_unit()?;
                        }
                    }
                }
                Ok(Value::Struct(Struct::of_schema(
                    self.p.schema.field_names(),
                    values,
                )))
            }
            Kind::Map => {
                let mut m = IndexMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value_seed(self.child(1)?)?;
                    m.insert(Value::String(k), v);
                }
                Ok(Value::Map(Box::new(m)))
            }
            _ => Err(bad()),
        }
    }
}

/// Reads a value onto the end of `values`, pushed by the conversion that builds it (see
/// [`Sink`]).
struct Push<'a, 'v> {
    seed: Seed<'a>,
    values: &'v mut Vec<Value>,
}

impl<'de> DeserializeSeed<'de> for Push<'_, '_> {
    type Value = ();

    // Out of line, this leaves serde_json's map access (which calls it for every field) small
    // enough to be inlined in the struct loop: 138 fewer instructions per record of the codec
    // bench than in line.
    #[inline(never)]
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.seed.depth > MAX_DEPTH {
            return Err(bad());
        }
        // A scalar that cannot be null asks serde_json for its JSON type alone: what else the
        // text holds is refused there, with no dispatch on the token here (the tree path reads
        // what is refused).
        if self.seed.p.nullable {
            return d.deserialize_any(self);
        }
        let values = self.values;
        match self.seed.p.kind {
            // The common kinds have visitors of their own, with nothing left to dispatch on.
            Kind::Int64 => d.deserialize_i64(Typed::<Int64>::new(values)),
            Kind::Int32 => d.deserialize_i64(Typed::<Int32>::new(values)),
            Kind::Float64 => d.deserialize_f64(Typed::<Float64>::new(values)),
            Kind::Boolean => d.deserialize_bool(Typed::<Boolean>::new(values)),
            Kind::String => d.deserialize_str(Typed::<Text>::new(values)),
            Kind::Int8 | Kind::Int16 | Kind::Date | Kind::Time | Kind::Timestamp => {
                d.deserialize_i64(Push { values, ..self })
            }
            Kind::Float32 => d.deserialize_f64(Push { values, ..self }),
            Kind::Bytes | Kind::Decimal { .. } => d.deserialize_str(Push { values, ..self }),
            Kind::Array | Kind::Map | Kind::Struct => d.deserialize_any(Push { values, ..self }),
        }
    }
}

/// A kind of scalar with a visitor of its own ([`Typed`]): the conversions of [`Seed`], with
/// the kind known when compiled.
trait Scalar {
    const KIND: Kind;
}

struct Int64;
struct Int32;
struct Float64;
struct Boolean;
struct Text;

impl Scalar for Int64 {
    const KIND: Kind = Kind::Int64;
}

impl Scalar for Int32 {
    const KIND: Kind = Kind::Int32;
}

impl Scalar for Float64 {
    const KIND: Kind = Kind::Float64;
}

impl Scalar for Boolean {
    const KIND: Kind = Kind::Boolean;
}

impl Scalar for Text {
    const KIND: Kind = Kind::String;
}

/// Reads a scalar of kind `S` onto the end of `values`.
struct Typed<'v, S> {
    values: &'v mut Vec<Value>,
    kind: std::marker::PhantomData<S>,
}

impl<'v, S: Scalar> Typed<'v, S> {
    fn new(values: &'v mut Vec<Value>) -> Self {
        Typed {
            values,
            kind: std::marker::PhantomData,
        }
    }

    #[inline(always)]
    fn put<E: de::Error>(self, v: Option<Value>) -> Result<(), E> {
        self.values.push(v.ok_or_else(bad)?);
        Ok(())
    }
}

impl<'de, S: Scalar> Visitor<'de> for Typed<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.put(from_bool(S::KIND, b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<(), E> {
        self.put(from_int(S::KIND, i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<(), E> {
        self.put(from_unsigned(S::KIND, u))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<(), E> {
        self.put(from_float(S::KIND, f))
    }

    fn visit_str<E: de::Error>(self, t: &str) -> Result<(), E> {
        self.put(from_text(S::KIND, t))
    }
}

impl<'de> Visitor<'de> for Push<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.seed.expecting(f)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.seed.unit(self.values)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.seed.boolean(b, self.values)
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<(), E> {
        self.seed.int(i, self.values)
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<(), E> {
        self.seed.unsigned(u, self.values)
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<(), E> {
        self.seed.float(f, self.values)
    }

    fn visit_str<E: de::Error>(self, t: &str) -> Result<(), E> {
        self.seed.text(t, self.values)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.values.push(self.seed.visit_seq(seq)?);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.values.push(self.seed.visit_map(map)?);
        Ok(())
    }
}

/// An object key: the index of the struct field of that name, if any. Objects usually list the
/// fields in schema order, so the field after the last one read is tried first.
///
/// Where no field name holds a control character, a key is read as raw bytes: serde_json then
/// skips its UTF-8 check, which a key equal to a field name does not need. Unescaped, the raw
/// bytes are what the checked read gives, but for what that read refuses: control characters
/// (which no field name holds) and lone surrogates, unescaped as bytes that are not UTF-8 (which
/// no field name is). A key that names no field is checked here, and refused if it holds
/// either, or a control character it may have had escaped (the tree reads that one).
struct FieldKey<'a> {
    p: &'a Plan,
    next: usize,
}

impl FieldKey<'_> {
    #[inline(always)]
    fn find(&self, key: &[u8]) -> Option<usize> {
        let fields = self.p.schema.fields();
        match fields.get(self.next) {
            Some(f) if same_name(f.name().as_bytes(), key) => Some(self.next),
            _ => fields
                .iter()
                .position(|f| same_name(f.name().as_bytes(), key)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    #[inline(always)]
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        if self.p.raw_keys {
            d.deserialize_bytes(self)
        } else {
            d.deserialize_str(self)
        }
    }
}

impl<'de> Visitor<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    #[inline(always)]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.find(key.as_bytes()))
    }

    #[inline(always)]
    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Option<usize>, E> {
        match self.find(key) {
            Some(i) => Ok(Some(i)),
            None if key.iter().all(|&b| b >= 0x20) && std::str::from_utf8(key).is_ok() => Ok(None),
            None => Err(bad()),
        }
    }
}

/// A value of a key no field has, read and dropped. serde_json's `IgnoredAny` would skip it
/// faster but unchecked: its strings may hold bytes that are not UTF-8, or lone surrogates,
/// which the tree refuses. This reads every string as the tree does.
struct Skip;

impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// A `{"key": …, "value": …}` entry of a map with non-string keys.
struct EntrySeed<'a> {
    key: Seed<'a>,
    value: Seed<'a>,
}

impl<'de, 'a> DeserializeSeed<'de> for EntrySeed<'a> {
    type Value = (Value, Value);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(Value, Value), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'a> Visitor<'de> for EntrySeed<'a> {
    type Value = (Value, Value);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map entry object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(Value, Value), A::Error> {
        let (mut key, mut value) = (None, None);
        while let Some(k) = map.next_key::<std::borrow::Cow<'_, str>>()? {
            match &*k {
                "key" => key = Some(map.next_value_seed(self.key.again())?),
                "value" => value = Some(map.next_value_seed(self.value.again())?),
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        let key = match key {
            Some(k) => k,
            None => self.key.visit_unit()?,
        };
        let value = match value {
            Some(v) => v,
            None => self.value.visit_unit()?,
        };
        Ok((key, value))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::connect::SchemaBuilder;

    fn tree_text(schema: &Schema, v: &Value) -> Vec<u8> {
        serde_json::to_vec(&super::super::value_to_json(schema, v, 0).unwrap()).unwrap()
    }

    /// What the tree reads `text` as (the reference of both one-pass readers).
    pub(super) fn tree_value(schema: &Schema, text: &str) -> Result<Value, String> {
        let j = serde_json::from_str(text).map_err(|e| e.to_string())?;
        super::super::value_from_json(schema, &j, 0).map_err(|e| e.to_string())
    }

    #[test]
    fn fields_nested_too_deeply_are_refused_as_the_tree_refuses_them() {
        let record = SchemaBuilder::struct_()
            .field("a", Schema::new_optional(Type::Int32))
            .build()
            .unwrap();
        let mut schema = record;
        for _ in 0..MAX_DEPTH {
            schema = SchemaBuilder::array(schema).build().unwrap();
        }
        let plan = Plan::new(&schema);
        let nest =
            |inner: &str| format!("{}{inner}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        for inner in ["{}", r#"{"a":1}"#] {
            let text = nest(inner);
            assert!(tree_value(&schema, &text).is_err(), "{inner}");
            assert_eq!(plan.read_each(text.as_bytes()), [None, None], "{inner}");
        }
        let mut v = Value::Struct(Struct::new().with("a", Value::Int32(1)));
        for _ in 0..MAX_DEPTH {
            v = Value::Array(vec![v]);
        }
        assert!(super::super::value_to_json(&schema, &v, 0).is_err());
        assert!(!plan.write(&v, &mut Vec::new()));
    }

    #[test]
    fn strings_are_escaped_where_serde_json_escapes_them() {
        // Every byte, at every position of words and of the bytes after the last word.
        for len in 1..=17 {
            for at in 0..len {
                for c in 0..=u8::MAX {
                    let mut b = vec![b'a'; len];
                    b[at] = c;
                    let expected = c < 0x20 || c == b'"' || c == b'\\';
                    assert_eq!(needs_escape(&b), expected, "{c:#x} at {at} of {len}");
                    // Bytes beyond ASCII around it change nothing.
                    let mut high = vec![0xff_u8; len];
                    high[at] = c;
                    assert_eq!(needs_escape(&high), expected, "{c:#x} at {at} of {len}");
                }
            }
        }
        for t in [
            "",
            "plain",
            "é and ☃ beyond ASCII",
            "quote \" inside",
            "tab\there",
        ] {
            let mut out = Vec::new();
            text(&mut out, t).map_err(|_| ()).unwrap();
            assert_eq!(out, serde_json::to_vec(t).unwrap(), "{t}");
        }
    }

    #[test]
    fn escaped_keys_take_the_one_pass_paths_with_the_trees_bytes() {
        let names = [
            "a",
            "abcd",
            "quote\"d",
            "tab\there",
            "\u{1}",
            "é",
            "field_no_12345678",
        ];
        let mut b = SchemaBuilder::struct_();
        for n in names {
            b = b.field(n, Schema::new_optional(Type::Int32));
        }
        let schema = b.build().unwrap();
        let writer = Plan::new(&schema);
        let mut all = Struct::new();
        for (i, n) in names.iter().enumerate() {
            all.put(*n, Value::Int32(i32::try_from(i).unwrap()));
        }
        let mut some = all.clone();
        some.put("a", Value::Null);
        some.put("é", Value::Null);
        for v in [all, some, Struct::new()] {
            let v = Value::Struct(v);
            let mut out = b"prefix".to_vec();
            assert!(writer.write(&v, &mut out), "{v:?}");
            assert_eq!(out[6..], tree_text(&schema, &v)[..]);
            assert_eq!(writer.read(&out[6..]), Some(v));
        }
    }

    #[test]
    fn struct_keys_read_in_one_pass_whatever_their_order_count_or_spelling() {
        let schema = SchemaBuilder::struct_()
            .field("a", Schema::new(Type::Int32))
            .field("b", Schema::new_optional(Type::String))
            .field(
                "c",
                SchemaBuilder::int64()
                    .default_value(Value::Int64(7))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let rec = |a: i32, b: Option<&str>, c: i64| {
            Value::Struct(
                Struct::new()
                    .with("a", Value::Int32(a))
                    .with("b", b.map_or(Value::Null, Value::from))
                    .with("c", Value::Int64(c)),
            )
        };
        for (text, expected) in [
            (r#"{"a":1,"b":"x","c":2}"#, rec(1, Some("x"), 2)),
            (r#"{"c":2,"a":1}"#, rec(1, None, 2)),
            (r#"{"b":"y","a":3}"#, rec(3, Some("y"), 7)),
            (r#"{"a":1,"zz":[1,{"q":[]}],"c":3}"#, rec(1, None, 3)),
            (r#"{"a":1,"a":5}"#, rec(5, None, 7)),
            (r#"{"b":"y","a":1,"b":"z"}"#, rec(1, Some("z"), 7)),
            (r#"{"\u0061":4,"\u0062":"\u00e9"}"#, rec(4, Some("é"), 7)),
            (r#"{"a":1,"b":null,"c":null}"#, rec(1, None, 7)),
            (r#"{"a":1,"b":"x","a":2,"c":3}"#, rec(2, Some("x"), 3)),
        ] {
            assert_eq!(
                Plan::new(&schema).read(text.as_bytes()),
                Some(expected.clone()),
                "{text}"
            );
            assert_eq!(tree_value(&schema, text), Ok(expected), "{text}");
            assert!(one_pass_agrees(&schema, text.as_bytes()), "{text}");
        }
        // What the tree refuses, the one-pass reader refuses too.
        for text in [
            "{}",
            r#"{"a":null}"#,
            r#"{"a":"1"}"#,
            r#"{"a":1,"a":null}"#,
            r#"{"a":2147483648}"#,
            r#"{"b":"x","a":1,"b":2}"#,
            r#"{"a":1"#,
            r#"{"a":1} x"#,
            r#"{"a":1,}"#,
        ] {
            assert_eq!(Plan::new(&schema).read(text.as_bytes()), None, "{text}");
            assert!(tree_value(&schema, text).is_err(), "{text}");
            assert!(!one_pass_agrees(&schema, text.as_bytes()), "{text}");
        }
    }

    /// A struct of the kinds with visitors of their own and of the others, its last field named
    /// `last`.
    fn keyed_schema(last: &str) -> Schema {
        SchemaBuilder::struct_()
            .field("i64", Schema::new(Type::Int64))
            .field("i32", Schema::new(Type::Int32))
            .field("f64", Schema::new(Type::Float64))
            .field("flag", Schema::new(Type::Boolean))
            .field("text", Schema::new(Type::String))
            .field("i16", Schema::new_optional(Type::Int16))
            .field(
                "f32",
                SchemaBuilder::float32()
                    .default_value(Value::Float32(1.5))
                    .build()
                    .unwrap(),
            )
            .field(last, Schema::new_optional(Type::String))
            .build()
            .unwrap()
    }

    /// Reads `text` both ways: the one-pass reader never reads what the tree refuses, and reads
    /// what the tree reads; returns whether it read the text.
    /// Each of the two one-pass readers is checked on its own.
    fn one_pass_agrees(schema: &Schema, text: &[u8]) -> bool {
        let plan = Plan::new(schema);
        let tree = serde_json::from_slice::<serde_json::Value>(text)
            .map_err(|e| e.to_string())
            .and_then(|j| super::super::value_from_json(schema, &j, 0).map_err(|e| e.to_string()));
        for fast in plan.read_each(text) {
            match (&fast, &tree) {
                (Some(f), Ok(t)) => assert_eq!(f, t, "{}", String::from_utf8_lossy(text)),
                (Some(f), Err(e)) => panic!(
                    "{}: read {f:?} where the tree refuses: {e}",
                    String::from_utf8_lossy(text)
                ),
                (None, _) => {}
            }
        }
        plan.read(text).is_some()
    }

    const FULL: &str = r#"{"i64":-9223372036854775808,"i32":2147483647,"f64":2.5e-3,"flag":true,"text":"a\"b\u00e9\ud83d\ude00","i16":-32768,"f32":0.25}"#;

    #[test]
    fn keys_read_as_raw_bytes_are_refused_where_the_checked_read_refuses_them() {
        for (last, raw) in [("é", true), ("tab\there", false)] {
            let schema = keyed_schema(last);
            assert_eq!(Plan::new(&schema).raw_keys, raw, "{last:?}");
            // (text, whether the one-pass reader reads it)
            let cases: [(&[u8], bool); 19] = [
                (FULL.as_bytes(), true),
                // Escaped keys, and out of order.
                (
                    br#"{"\u0069\u0036\u0034":1,"text":"x","flag":false,"f64":1,"i32":2}"#,
                    true,
                ),
                // Duplicate keys: the last one counts.
                (
                    br#"{"i64":1,"i32":2,"f64":3,"flag":true,"text":"x","i64":9}"#,
                    true,
                ),
                (
                    br#"{"i64":1,"i32":2,"f64":3,"flag":true,"text":"x","text":null}"#,
                    false,
                ),
                // Unknown keys, plain, escaped, not UTF-8, with a lone surrogate, with a
                // control character raw or escaped.
                (
                    br#"{"zz":[1,{"q":null}],"i64":1,"i32":2,"f64":3,"flag":true,"text":"x"}"#,
                    true,
                ),
                (
                    br#"{"z\u00e9":0,"i64":1,"i32":2,"f64":3,"flag":true,"text":"x"}"#,
                    true,
                ),
                (
                    b"{\"z\xff\":0,\"i64\":1,\"i32\":2,\"f64\":3,\"flag\":true,\"text\":\"x\"}",
                    false,
                ),
                (
                    br#"{"\ud800":0,"i64":1,"i32":2,"f64":3,"flag":true,"text":"x"}"#,
                    false,
                ),
                (
                    b"{\"z\x01\":0,\"i64\":1,\"i32\":2,\"f64\":3,\"flag\":true,\"text\":\"x\"}",
                    false,
                ),
                // A field name's bytes, but not UTF-8 around it, or a lone surrogate.
                (
                    b"{\"i64\xff\":1,\"i32\":2,\"f64\":3,\"flag\":true,\"text\":\"x\"}",
                    false,
                ),
                (
                    br#"{"i64\udc00":1,"i32":2,"f64":3,"flag":true,"text":"x"}"#,
                    false,
                ),
                // Nulls: of an optional field, of a field with a default, of a required one.
                (
                    br#"{"i64":1,"i32":2,"f64":3,"flag":true,"text":"x","i16":null,"f32":null}"#,
                    true,
                ),
                (
                    br#"{"i64":null,"i32":2,"f64":3,"flag":true,"text":"x"}"#,
                    false,
                ),
                // Numbers past their type's limits, and of the wrong JSON type.
                (
                    br#"{"i64":9223372036854775808,"i32":2,"f64":3,"flag":true,"text":"x"}"#,
                    false,
                ),
                (
                    br#"{"i64":1,"i32":-2147483649,"f64":3,"flag":true,"text":"x"}"#,
                    false,
                ),
                (
                    br#"{"i64":1,"i32":2,"f64":18446744073709551615,"flag":true,"text":"x"}"#,
                    true,
                ),
                (
                    br#"{"i64":1,"i32":2,"f64":1e400,"flag":true,"text":"x"}"#,
                    false,
                ),
                (br#"{"i64":1.0,"i32":2,"f64":3,"flag":1,"text":7}"#, false),
                // A string value that is not UTF-8.
                (
                    b"{\"i64\":1,\"i32\":2,\"f64\":3,\"flag\":true,\"text\":\"\xc3(\"}",
                    false,
                ),
            ];
            for (text, read) in cases {
                assert_eq!(
                    one_pass_agrees(&schema, text),
                    read,
                    "{last:?}: {}",
                    String::from_utf8_lossy(text)
                );
            }
            // An unknown key with an escaped control character: the tree reads it; raw bytes
            // cannot tell it from a raw one, so the one-pass reader leaves it to the tree.
            let text = br#"{"z\u0001":0,"i64":1,"i32":2,"f64":3,"flag":true,"text":"x"}"#;
            assert_eq!(one_pass_agrees(&schema, text), !raw, "{last:?}");
            // The last field's key, escaped (a control character can only be) and raw.
            let key = serde_json::to_string(last).unwrap();
            let escaped =
                format!(r#"{{"i64":1,"i32":2,"f64":3,"flag":true,"text":"x",{key}:"y"}}"#);
            assert!(one_pass_agrees(&schema, escaped.as_bytes()), "{escaped}");
            let unescaped =
                format!(r#"{{"i64":1,"i32":2,"f64":3,"flag":true,"text":"x","{last}":"y"}}"#);
            assert_eq!(
                one_pass_agrees(&schema, unescaped.as_bytes()),
                raw,
                "{unescaped}"
            );
        }
    }

    #[test]
    fn truncated_records_are_refused_at_every_length() {
        let schema = keyed_schema("é");
        assert!(one_pass_agrees(&schema, FULL.as_bytes()));
        for n in 0..FULL.len() {
            let text = &FULL.as_bytes()[..n];
            assert!(
                !one_pass_agrees(&schema, text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn numbers_at_their_types_limits_read_as_the_tree_reads_them() {
        let field =
            |name: &str, s: Schema| SchemaBuilder::struct_().field(name, s).build().unwrap();
        let cases: [(Type, &str, Option<Value>); 14] = [
            (
                Type::Int64,
                "9223372036854775807",
                Some(Value::Int64(i64::MAX)),
            ),
            (
                Type::Int64,
                "-9223372036854775808",
                Some(Value::Int64(i64::MIN)),
            ),
            (Type::Int64, "-9223372036854775809", None),
            (Type::Int32, "-2147483648", Some(Value::Int32(i32::MIN))),
            (Type::Int32, "2147483648", None),
            (Type::Int16, "32767", Some(Value::Int16(i16::MAX))),
            (Type::Int16, "32768", None),
            (Type::Int8, "-128", Some(Value::Int8(i8::MIN))),
            (Type::Int8, "-129", None),
            (Type::Float64, "-0.0", Some(Value::Float64(-0.0))),
            (
                Type::Float64,
                "1.7976931348623157e308",
                Some(Value::Float64(f64::MAX)),
            ),
            (Type::Float64, "5e-324", Some(Value::Float64(5e-324))),
            (
                Type::Float32,
                "3.4028235e38",
                Some(Value::Float32(f32::MAX)),
            ),
            (Type::Boolean, "false", Some(Value::Boolean(false))),
        ];
        for (t, number, expected) in cases {
            let schema = field("n", Schema::new(t));
            let text = format!(r#"{{"n":{number}}}"#);
            let read = Plan::new(&schema).read(text.as_bytes());
            assert_eq!(
                read,
                expected.map(|v| Value::Struct(Struct::new().with("n", v))),
                "{t:?} {number}"
            );
            one_pass_agrees(&schema, text.as_bytes());
        }
    }

    #[test]
    fn values_of_unknown_keys_with_text_the_tree_refuses_are_refused() {
        // Found by the json_schema_read fuzz target: the value of a key no field has was skipped
        // unchecked, so text that is not UTF-8, or a lone surrogate, read where the tree refused.
        let schema = keyed_schema("é");
        let record = |unknown: &[u8]| {
            let mut text = br#"{"i64":1,"i32":2,"f64":3,"flag":true,"text":"x","zz":"#.to_vec();
            text.extend_from_slice(unknown);
            text.push(b'}');
            text
        };
        for (unknown, read) in [
            (&br#"{"q":[1,"\u00e9",{"r":null}]}"#[..], true),
            (b"{\"\xc7\xc7q\":[1]}", false),
            (b"[\"\xff\"]", false),
            (br#""\ud800""#, false),
            (br#"{"\udc00":1}"#, false),
        ] {
            let text = record(unknown);
            assert_eq!(
                one_pass_agrees(&schema, &text),
                read,
                "{}",
                String::from_utf8_lossy(&text)
            );
        }
        // The same within an entry of a map whose keys are not strings.
        let schema = SchemaBuilder::struct_()
            .field(
                "m",
                SchemaBuilder::map(Schema::new(Type::Int32), Schema::new(Type::String))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        for (extra, read) in [(&br#""ok""#[..], true), (b"\"\xff\"", false)] {
            let mut text = br#"{"m":[{"key":1,"value":"x","zz":"#.to_vec();
            text.extend_from_slice(extra);
            text.extend_from_slice(b"}]}");
            assert_eq!(
                one_pass_agrees(&schema, &text),
                read,
                "{}",
                String::from_utf8_lossy(&text)
            );
        }
    }
}
