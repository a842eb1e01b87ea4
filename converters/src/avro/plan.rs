//! Connect values ⇄ Avro binary directly, over a plan compiled once per (Connect schema, Avro
//! schema) pair: the codec's warm path.
//!
//! The Avro binary encoding is small (zig-zag varints, length-prefixed bytes, blocked arrays and
//! maps, union branch indexes), and walking a precompiled plan avoids what a generic Avro library
//! does on every record: building an intermediate value tree, validating it against the schema
//! and resolving named types. Pairs the plan does not cover (unions whose branches the Connect
//! schema cannot hold, schemas paired with Connect types they cannot hold) compile to no plan,
//! and the codec keeps using apache-avro for them.
//!
//! Decoding reads untrusted bytes: every length is checked against what is left of the input
//! before anything is allocated, and the number of array and map items is bounded, so no input
//! allocates more than a small multiple of its own size (or [`MAX_ITEMS`] values). Its verdict
//! on a payload is final (apache-avro is not asked again: it would reserve whatever item count
//! a hostile block states).

use super::{MAX_DEPTH, UNION_NAME};
use crate::connect::{DataError, Decimal, LogicalType, Schema, Struct, Type, Value};
use apache_avro::Schema as AvroSchema;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::sync::Arc;

/// The most array and map items one record may hold (items of zero bytes, such as nulls, would
/// otherwise let a few bytes ask for any number of values).
pub(crate) const MAX_ITEMS: usize = super::MAX_ALLOCATION_BYTES / std::mem::size_of::<Value>();

fn err(message: impl Into<String>) -> DataError {
    DataError::new(message)
}

/// The error for a decimal too large for its Avro fixed.
pub(crate) fn too_large(d: &Decimal, size: usize) -> DataError {
    err(format!(
        "Decimal value {d} takes {} bytes, more than its Avro fixed of {size}",
        d.unscaled_bytes().len()
    ))
}

/// A compiled (Connect schema, Avro schema) pair.
#[derive(Debug)]
pub(crate) struct Plan {
    root: Node,
}

#[derive(Debug)]
struct Node {
    /// The Connect default, written in place of a null.
    default: Option<Value>,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntKind {
    Int8,
    Int16,
    Int32,
    Date,
    Time,
}

#[derive(Debug)]
enum Kind {
    Boolean,
    Int(IntKind),
    /// Avro long; `true`: the Connect Timestamp.
    Long(bool),
    Float,
    Double,
    String,
    Enum(Vec<String>),
    Bytes,
    Fixed(usize),
    Decimal(i32),
    /// A decimal on an Avro fixed of this size: its two's complement sign-extended to fill it.
    FixedDecimal {
        size: usize,
        scale: i32,
    },
    Array(Box<Node>),
    Map(Box<Node>),
    /// A map with non-string keys: an array of key/value records.
    MapEntries {
        key: Box<Node>,
        value: Box<Node>,
        key_first: bool,
    },
    /// The Connect struct's field names, and by Avro field: the Connect field's position, its
    /// name and node.
    Record(Arc<[Arc<str>]>, Vec<(usize, Arc<str>, Node)>),
    Union(Union),
}

#[derive(Debug)]
struct Union {
    null_index: Option<usize>,
    /// Connect's `io.confluent.connect.avro.Union` struct: one field per non-null branch.
    general: bool,
    /// By Avro branch index: `None` for the null branch, else the branch's node and, for a
    /// general union, its Connect field name.
    branches: Vec<Option<(Node, Option<Arc<str>>)>>,
}

type Names = HashMap<String, AvroSchema>;

fn deref<'a>(a: &'a AvroSchema, names: &'a Names) -> Option<&'a AvroSchema> {
    match a {
        AvroSchema::Ref { name } => names.get(&name.fullname(None)),
        other => Some(other),
    }
}

impl Plan {
    /// The plan of a pair, or `None` where the pair needs the generic codec.
    pub(crate) fn compile(connect: &Schema, avro: &AvroSchema, names: &Names) -> Option<Plan> {
        Some(Plan {
            root: node(connect, avro, names, 0)?,
        })
    }

    /// Appends the Avro binary of `value` to `out`. The error is the plan's own; the caller
    /// explains it with the Connect schema's validation where it can.
    pub(crate) fn encode(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
        encode(&self.root, value, out)
    }

    /// The value of an Avro binary payload (all of it).
    pub(crate) fn decode(&self, payload: &[u8]) -> Result<Value, DataError> {
        let mut r = Reader {
            buf: payload,
            items: MAX_ITEMS,
        };
        let v = decode(&self.root, &mut r)?;
        if !r.buf.is_empty() {
            return Err(err(format!(
                "{} bytes left after the Avro record",
                r.buf.len()
            )));
        }
        Ok(v)
    }
}

fn node(s: &Schema, a: &AvroSchema, names: &Names, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let a = deref(a, names)?;
    let logical = s.logical_type();
    let t = s.schema_type();
    let kind = match a {
        AvroSchema::Union(u) => {
            let general = t == Type::Struct && s.name() == Some(UNION_NAME);
            let non_null = u
                .variants()
                .iter()
                .filter(|b| !matches!(b, AvroSchema::Null))
                .count();
            // A general union has a field per branch, and at least two of them (else the
            // reference path decides).
            if general && (non_null != s.fields().len() || non_null < 2) {
                return None;
            }
            let mut fields = s.fields().iter();
            let mut null_index = None;
            let mut branches = Vec::with_capacity(u.variants().len());
            for (i, b) in u.variants().iter().enumerate() {
                if matches!(b, AvroSchema::Null) {
                    null_index.get_or_insert(i);
                    branches.push(None);
                } else if general {
                    let f = fields.next()?;
                    let n = node(f.schema(), b, names, depth + 1)?;
                    branches.push(Some((n, Some(f.shared_name().clone()))));
                } else {
                    branches.push(Some((node(s, b, names, depth + 1)?, None)));
                }
            }
            if non_null == 0 {
                return None;
            }
            Kind::Union(Union {
                null_index,
                general,
                branches,
            })
        }
        AvroSchema::Boolean if t == Type::Boolean => Kind::Boolean,
        AvroSchema::Int | AvroSchema::Date | AvroSchema::TimeMillis => {
            Kind::Int(match (t, logical) {
                (Type::Int32, Some(LogicalType::Date)) => IntKind::Date,
                (Type::Int32, Some(LogicalType::Time)) => IntKind::Time,
                (Type::Int32, None) => IntKind::Int32,
                (Type::Int16, None) => IntKind::Int16,
                (Type::Int8, None) => IntKind::Int8,
                _ => return None,
            })
        }
        AvroSchema::Long | AvroSchema::TimestampMillis | AvroSchema::LocalTimestampMillis
            if t == Type::Int64 =>
        {
            Kind::Long(logical == Some(LogicalType::Timestamp))
        }
        AvroSchema::TimeMicros
        | AvroSchema::TimestampMicros
        | AvroSchema::TimestampNanos
        | AvroSchema::LocalTimestampMicros
        | AvroSchema::LocalTimestampNanos
            if t == Type::Int64 && logical.is_none() =>
        {
            Kind::Long(false)
        }
        AvroSchema::Float if t == Type::Float32 => Kind::Float,
        AvroSchema::Double if t == Type::Float64 => Kind::Double,
        AvroSchema::String if t == Type::String => Kind::String,
        AvroSchema::Enum(e) if t == Type::String => Kind::Enum(e.symbols.clone()),
        AvroSchema::Bytes if t == Type::Bytes => match logical {
            Some(LogicalType::Decimal { scale }) => Kind::Decimal(scale),
            _ => Kind::Bytes,
        },
        AvroSchema::Decimal(d) if matches!(*d.inner, AvroSchema::Bytes) => match logical {
            Some(LogicalType::Decimal { scale }) => Kind::Decimal(scale),
            _ => return None,
        },
        AvroSchema::Decimal(d) => match (deref(&d.inner, names)?, logical) {
            (AvroSchema::Fixed(f), Some(LogicalType::Decimal { scale })) => Kind::FixedDecimal {
                size: f.size,
                scale,
            },
            _ => return None,
        },
        AvroSchema::Fixed(f) if t == Type::Bytes && logical.is_none() => Kind::Fixed(f.size),
        // apache-avro parses a UUID on a string and on a fixed of 16 as the same schema, and
        // reads both as a string; Connect holds the first as a STRING, the second as BYTES (the
        // bytes as written, as Confluent's AvroData reads them).
        AvroSchema::Uuid if t == Type::String && logical.is_none() => Kind::String,
        AvroSchema::Uuid if t == Type::Bytes && logical.is_none() => Kind::Fixed(16),
        // A duration is a fixed of 12, held as its bytes.
        AvroSchema::Duration if t == Type::Bytes && logical.is_none() => Kind::Fixed(12),
        AvroSchema::Array(arr) if t == Type::Array => Kind::Array(Box::new(node(
            s.value_schema()?,
            &arr.items,
            names,
            depth + 1,
        )?)),
        AvroSchema::Array(arr) if t == Type::Map => {
            let AvroSchema::Record(entry) = deref(&arr.items, names)? else {
                return None;
            };
            let [first, second] = entry.fields.as_slice() else {
                return None;
            };
            let key_first = match (first.name.as_str(), second.name.as_str()) {
                ("key", "value") => true,
                ("value", "key") => false,
                _ => return None,
            };
            let (kf, vf) = if key_first {
                (first, second)
            } else {
                (second, first)
            };
            Kind::MapEntries {
                key: Box::new(node(s.key_schema()?, &kf.schema, names, depth + 1)?),
                value: Box::new(node(s.value_schema()?, &vf.schema, names, depth + 1)?),
                key_first,
            }
        }
        AvroSchema::Map(m) if t == Type::Map && s.key_schema()?.schema_type() == Type::String => {
            if s.key_schema()?.logical_type().is_some() {
                return None;
            }
            Kind::Map(Box::new(node(
                s.value_schema()?,
                &m.types,
                names,
                depth + 1,
            )?))
        }
        AvroSchema::Record(r) if t == Type::Struct => {
            if r.fields.len() != s.fields().len() {
                return None;
            }
            let mut fields = Vec::with_capacity(r.fields.len());
            for af in &r.fields {
                let f = s.field(&af.name)?;
                fields.push((
                    f.index(),
                    f.shared_name().clone(),
                    node(f.schema(), &af.schema, names, depth + 1)?,
                ));
            }
            Kind::Record(s.field_names().clone(), fields)
        }
        _ => return None,
    };
    Some(Node {
        default: s.default_value().cloned(),
        kind,
    })
}

// ------------------------------------------------------------------------------------ writing

fn write_long(out: &mut Vec<u8>, n: i64) {
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_long(out, b.len() as i64);
    out.extend_from_slice(b);
}

fn index_i64(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

fn mismatch(v: &Value, what: &str) -> DataError {
    err(format!(
        "Cannot write a {} value as Avro {what}",
        v.type_name()
    ))
}

fn encode(n: &Node, v: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
    let v = match (v, &n.default) {
        (Value::Null, Some(d)) => d,
        _ => v,
    };
    match (&n.kind, v) {
        (Kind::Union(u), _) => return encode_union(u, v, out),
        (Kind::Boolean, Value::Boolean(b)) => out.push(u8::from(*b)),
        (Kind::Int(k), _) => {
            let i = match (k, v) {
                (IntKind::Int8, Value::Int8(i)) => i32::from(*i),
                (IntKind::Int16, Value::Int16(i)) => i32::from(*i),
                (IntKind::Int32, Value::Int32(i)) | (IntKind::Date, Value::Date(i)) => *i,
                (IntKind::Time, Value::Time(t)) => {
                    if !(0..=crate::connect::logical::MILLIS_PER_DAY).contains(t) {
                        return Err(err(format!("Time value {t} is out of range")));
                    }
                    *t
                }
                _ => return Err(mismatch(v, "int")),
            };
            write_long(out, i64::from(i));
        }
        (Kind::Long(false), Value::Int64(i)) | (Kind::Long(true), Value::Timestamp(i)) => {
            write_long(out, *i)
        }
        (Kind::Float, Value::Float32(f)) => out.extend_from_slice(&f.to_le_bytes()),
        (Kind::Double, Value::Float64(f)) => out.extend_from_slice(&f.to_le_bytes()),
        (Kind::String, Value::String(s)) => write_bytes(out, s.as_bytes()),
        (Kind::Enum(symbols), Value::String(s)) => {
            let i = symbols
                .iter()
                .position(|x| x == s)
                .ok_or_else(|| err(format!("{s:?} is not a symbol of the Avro enum")))?;
            write_long(out, index_i64(i));
        }
        (Kind::Bytes, Value::Bytes(b)) => write_bytes(out, b),
        (Kind::Fixed(size), Value::Bytes(b)) => {
            if b.len() != *size {
                return Err(err(format!(
                    "{} bytes for an Avro fixed of {size}",
                    b.len()
                )));
            }
            out.extend_from_slice(b);
        }
        (Kind::Decimal(scale), Value::Decimal(d)) => {
            if d.scale() != *scale {
                return Err(err(format!(
                    "Decimal value {d} has scale {} but its schema has scale {scale}",
                    d.scale()
                )));
            }
            write_bytes(out, d.unscaled_bytes());
        }
        (Kind::FixedDecimal { size, scale }, Value::Decimal(d)) => {
            if d.scale() != *scale {
                return Err(err(format!(
                    "Decimal value {d} has scale {} but its schema has scale {scale}",
                    d.scale()
                )));
            }
            let (fill, sign) = d.fixed_padding(*size).ok_or_else(|| too_large(d, *size))?;
            out.resize(out.len() + fill, sign);
            out.extend_from_slice(d.unscaled_bytes());
        }
        (Kind::Array(item), Value::Array(items)) => {
            if !items.is_empty() {
                write_long(out, index_i64(items.len()));
                for i in items {
                    encode(item, i, out)?;
                }
            }
            out.push(0);
        }
        (Kind::Map(values), Value::Map(m)) => {
            if !m.is_empty() {
                write_long(out, index_i64(m.len()));
                for (k, v) in m.iter() {
                    let Value::String(k) = k else {
                        return Err(mismatch(k, "map key (string)"));
                    };
                    write_bytes(out, k.as_bytes());
                    encode(values, v, out)?;
                }
            }
            out.push(0);
        }
        (
            Kind::MapEntries {
                key,
                value,
                key_first,
            },
            Value::Map(m),
        ) => {
            if !m.is_empty() {
                write_long(out, index_i64(m.len()));
                for (k, v) in m.iter() {
                    if *key_first {
                        encode(key, k, out)?;
                        encode(value, v, out)?;
                    } else {
                        encode(value, v, out)?;
                        encode(key, k, out)?;
                    }
                }
            }
            out.push(0);
        }
        (Kind::Record(_, fields), Value::Struct(st)) => {
            let mut found = 0;
            for (i, name, field) in fields {
                let fv = st.lookup(*i, name);
                found += usize::from(fv.is_some());
                encode(field, fv.unwrap_or(&Value::Null), out)?;
            }
            if found != st.len() {
                return Err(err(
                    "Struct value has a field that its schema does not have",
                ));
            }
        }
        (_, Value::Null) => return Err(err("Invalid value: null used for a required field")),
        _ => return Err(mismatch(v, "of another type")),
    }
    Ok(())
}

fn encode_union(u: &Union, v: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
    if v.is_null() {
        let i = u
            .null_index
            .ok_or_else(|| err("null value for a union without null"))?;
        write_long(out, index_i64(i));
        return Ok(());
    }
    if u.general {
        let Value::Struct(st) = v else {
            return Err(err("a union value must be a struct"));
        };
        for (i, b) in u.branches.iter().enumerate() {
            let Some((n, Some(name))) = b else { continue };
            if let Some(fv) = st.get(name).filter(|fv| !fv.is_null()) {
                write_long(out, index_i64(i));
                return encode(n, fv, out);
            }
        }
        return Err(err("a union struct value has no field set"));
    }
    for (i, b) in u.branches.iter().enumerate() {
        if let Some((n, _)) = b {
            write_long(out, index_i64(i));
            return encode(n, v, out);
        }
    }
    Err(err("a union of only null"))
}

// ------------------------------------------------------------------------------------ reading

struct Reader<'a> {
    buf: &'a [u8],
    /// Array and map items still allowed.
    items: usize,
}

fn eof() -> DataError {
    err("Avro decoding failed: the record ends early")
}

impl<'a> Reader<'a> {
    fn long(&mut self) -> Result<i64, DataError> {
        let mut z: u64 = 0;
        for (i, &b) in self.buf.iter().enumerate().take(10) {
            z |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == 9 && b > 1 {
                    break;
                }
                self.buf = &self.buf[i + 1..];
                return Ok(((z >> 1) as i64) ^ -((z & 1) as i64));
            }
        }
        if self.buf.len() < 10 {
            Err(eof())
        } else {
            Err(err("Avro decoding failed: a varint overflows 64 bits"))
        }
    }

    fn int(&mut self) -> Result<i32, DataError> {
        let n = self.long()?;
        i32::try_from(n).map_err(|_| err(format!("Avro decoding failed: {n} is not an int")))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DataError> {
        if n > self.buf.len() {
            return Err(eof());
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn bytes(&mut self) -> Result<&'a [u8], DataError> {
        let n = self.long()?;
        let n = usize::try_from(n)
            .map_err(|_| err(format!("Avro decoding failed: negative length {n}")))?;
        self.take(n)
    }

    fn string(&mut self) -> Result<String, DataError> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| err("Avro decoding failed: a string is not UTF-8"))
    }

    /// Reads the blocks of an array or map: `items(reader, count)` reads each block's items.
    fn items_of_blocks(
        &mut self,
        mut items: impl FnMut(&mut Self, usize) -> Result<(), DataError>,
    ) -> Result<(), DataError> {
        loop {
            let count = self.block()?;
            if count == 0 {
                return Ok(());
            }
            items(self, count)?;
        }
    }

    /// The item count of the next array or map block (0: the end).
    fn block(&mut self) -> Result<usize, DataError> {
        let n = self.long()?;
        let n = if n < 0 {
            // A negative count is followed by the block's size in bytes.
            self.long()?;
            n.checked_neg()
                .ok_or_else(|| err("Avro decoding failed: bad block count"))?
        } else {
            n
        };
        let n = usize::try_from(n).map_err(|_| err("Avro decoding failed: bad block count"))?;
        self.items = self
            .items
            .checked_sub(n)
            .ok_or_else(|| err("Avro decoding failed: too many array or map items"))?;
        Ok(n)
    }
}

fn int_of(k: IntKind, i: i32) -> Result<Value, DataError> {
    Ok(match k {
        IntKind::Int8 => {
            Value::Int8(i8::try_from(i).map_err(|_| err(format!("{i} is out of INT8 range")))?)
        }
        IntKind::Int16 => {
            Value::Int16(i16::try_from(i).map_err(|_| err(format!("{i} is out of INT16 range")))?)
        }
        IntKind::Int32 => Value::Int32(i),
        IntKind::Date => Value::Date(i),
        IntKind::Time => Value::Time(i),
    })
}

fn decode(n: &Node, r: &mut Reader<'_>) -> Result<Value, DataError> {
    Ok(match &n.kind {
        Kind::Union(u) => {
            let i = r.long()?;
            let b = usize::try_from(i)
                .ok()
                .and_then(|i| u.branches.get(i))
                .ok_or_else(|| err("union index out of range"))?;
            match b {
                None => Value::Null,
                Some((n, None)) => decode(n, r)?,
                Some((n, Some(name))) => {
                    let v = decode(n, r)?;
                    let mut st = Struct::with_capacity(1);
                    st.put_shared(name, v);
                    Value::Struct(st)
                }
            }
        }
        Kind::Boolean => match r.take(1)? {
            [0] => Value::Boolean(false),
            [1] => Value::Boolean(true),
            _ => return Err(err("Avro decoding failed: a boolean is neither 0 nor 1")),
        },
        Kind::Int(k) => int_of(*k, r.int()?)?,
        Kind::Long(timestamp) => {
            let i = r.long()?;
            if *timestamp {
                Value::Timestamp(i)
            } else {
                Value::Int64(i)
            }
        }
        Kind::Float => {
            let b = r.take(4)?;
            Value::Float32(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }
        Kind::Double => {
            let b = r.take(8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Value::Float64(f64::from_le_bytes(a))
        }
        Kind::String => Value::String(r.string()?),
        Kind::Enum(symbols) => {
            let i = r.long()?;
            let s = usize::try_from(i)
                .ok()
                .and_then(|i| symbols.get(i))
                .ok_or_else(|| err(format!("Avro decoding failed: enum index {i} out of range")))?;
            Value::String(s.clone())
        }
        Kind::Bytes => Value::Bytes(r.bytes()?.to_vec()),
        Kind::Fixed(size) => Value::Bytes(r.take(*size)?.to_vec()),
        Kind::Decimal(scale) => {
            let b = r.bytes()?;
            if b.is_empty() {
                // No digits is no number (Java's BigInteger and apache-avro refuse it too).
                return Err(err("Avro decoding failed: a decimal of no bytes"));
            }
            Value::Decimal(Decimal::from_unscaled_bytes(b, *scale))
        }
        Kind::FixedDecimal { size, scale } => {
            let b = r.take(*size)?;
            if b.is_empty() {
                return Err(err("Avro decoding failed: a decimal of no bytes"));
            }
            Value::Decimal(Decimal::from_unscaled_bytes(b, *scale))
        }
        Kind::Array(item) => {
            let mut out = Vec::new();
            r.items_of_blocks(|r, count| {
                out.reserve(count.min(r.buf.len()));
                (0..count).try_for_each(|_| {
                    out.push(decode(item, r)?);
                    Ok(())
                })
            })?;
            Value::Array(out)
        }
        Kind::Map(values) => {
            let mut out = IndexMap::new();
            r.items_of_blocks(|r, count| {
                out.reserve(count.min(r.buf.len()));
                (0..count).try_for_each(|_| {
                    let k = r.string()?;
                    let v = decode(values, r)?;
                    out.insert(Value::String(k), v);
                    Ok(())
                })
            })?;
            Value::Map(Box::new(out))
        }
        Kind::MapEntries {
            key,
            value,
            key_first,
        } => {
            let mut out = IndexMap::new();
            r.items_of_blocks(|r, count| {
                out.reserve(count.min(r.buf.len()));
                (0..count).try_for_each(|_| {
                    let (k, v) = if *key_first {
                        let k = decode(key, r)?;
                        (k, decode(value, r)?)
                    } else {
                        let v = decode(value, r)?;
                        (decode(key, r)?, v)
                    };
                    out.insert(k, v);
                    Ok(())
                })
            })?;
            Value::Map(Box::new(out))
        }
        Kind::Record(names, fields) => {
            let mut values: Vec<Value> = std::iter::repeat_with(|| Value::Null)
                .take(names.len())
                .collect();
            for (i, _, field) in fields {
                values[*i] = decode(field, r)?;
            }
            Value::Struct(Struct::of_schema(names, values))
        }
    })
}
