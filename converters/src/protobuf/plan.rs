//! Connect structs ⇄ Protobuf binary directly, over a plan compiled once per (Connect schema,
//! message) pair: the codec's warm path, with no `DynamicMessage` in between.
//!
//! The plan covers messages of scalar fields (signed integers, floats, booleans, strings,
//! bytes), nested messages and repeated fields of those. Anything else (maps, enums, oneofs,
//! wrappers, the logical-type messages, unsigned integers) compiles to no plan, and the codec
//! keeps using prost-reflect.
//!
//! Both directions are fast paths in the same sense as the JSON Schema codec's: on any error
//! the codec runs the prost-reflect conversion, which succeeds the same way or reports the error
//! in its own words. Reading checks every length against the input before it allocates, and a
//! singular message field that occurs twice (which Protobuf merges) goes to prost-reflect.

use super::MAX_DEPTH;
use crate::connect::{DataError, Schema, Struct, Type, Value};
use prost_reflect::{Kind, MessageDescriptor};
use std::sync::Arc;

fn miss() -> DataError {
    DataError::new("not on the fast path")
}

/// A compiled (Connect struct schema, message) pair.
#[derive(Debug)]
pub(crate) struct Plan {
    root: Message,
}

#[derive(Debug)]
struct Message {
    /// The Connect struct's field names.
    names: Arc<[Arc<str>]>,
    /// In Connect field order.
    fields: Vec<Field>,
    /// Indexes into `fields` by ascending field number (Protobuf's canonical write order).
    by_number: Vec<usize>,
}

#[derive(Debug)]
struct Field {
    name: Arc<str>,
    number: u32,
    /// proto3 `optional` or a message: absent and default differ.
    presence: bool,
    /// The Connect field's schema allows null.
    optional: bool,
    default: Option<Value>,
    list: bool,
    packed: bool,
    scalar: Scalar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Narrow {
    Int8,
    Int16,
    Int32,
}

#[derive(Debug)]
enum Scalar {
    Int32(Narrow),
    Sint32(Narrow),
    Sfixed32(Narrow),
    Int64,
    Sint64,
    Sfixed64,
    Float,
    Double,
    Bool,
    String,
    Bytes,
    Message(Box<Message>),
}

impl Scalar {
    fn wire_type(&self) -> u8 {
        match self {
            Scalar::Int32(_)
            | Scalar::Sint32(_)
            | Scalar::Int64
            | Scalar::Sint64
            | Scalar::Bool => 0,
            Scalar::Sfixed64 | Scalar::Double => 1,
            Scalar::String | Scalar::Bytes | Scalar::Message(_) => 2,
            Scalar::Sfixed32(_) | Scalar::Float => 5,
        }
    }
}

impl Plan {
    /// The plan of a pair, or `None` where it needs prost-reflect.
    pub(crate) fn compile(connect: &Schema, message: &MessageDescriptor) -> Option<Plan> {
        Some(Plan {
            root: compile_message(connect, message, 0)?,
        })
    }

    /// Appends the Protobuf binary of a STRUCT value to `out`.
    pub(crate) fn encode(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
        let Value::Struct(st) = value else {
            return Err(miss());
        };
        encode_message(&self.root, st, out)
    }

    /// The STRUCT value of a Protobuf binary.
    pub(crate) fn decode(&self, payload: &[u8]) -> Result<Value, DataError> {
        Ok(Value::Struct(decode_message(&self.root, payload)?))
    }
}

fn compile_message(s: &Schema, m: &MessageDescriptor, depth: usize) -> Option<Message> {
    if depth > MAX_DEPTH || s.schema_type() != Type::Struct || s.logical_type().is_some() {
        return None;
    }
    let mut fields = Vec::with_capacity(s.fields().len());
    for f in s.fields() {
        let fd = m.get_field_by_name(f.name())?;
        let fs = f.schema();
        let proto3_optional = fd.field_descriptor_proto().proto3_optional.unwrap_or(false);
        if fd.is_map() || fd.is_group() || (fd.containing_oneof().is_some() && !proto3_optional) {
            return None;
        }
        let (list, element) = if fd.is_list() {
            if fs.schema_type() != Type::Array {
                return None;
            }
            (true, fs.value_schema()?)
        } else {
            (false, fs)
        };
        let scalar = scalar(element, fd.kind(), depth)?;
        fields.push(Field {
            name: f.shared_name().clone(),
            number: fd.number(),
            presence: fd.supports_presence(),
            optional: fs.is_optional(),
            default: fs.default_value().cloned(),
            list,
            packed: fd.is_packed(),
            scalar,
        });
    }
    let mut by_number: Vec<usize> = (0..fields.len()).collect();
    by_number.sort_by_key(|&i| fields[i].number);
    Some(Message {
        names: s.field_names().clone(),
        fields,
        by_number,
    })
}

fn scalar(s: &Schema, kind: Kind, depth: usize) -> Option<Scalar> {
    if s.logical_type().is_some() {
        return None;
    }
    let narrow = match s.schema_type() {
        Type::Int8 => Some(Narrow::Int8),
        Type::Int16 => Some(Narrow::Int16),
        Type::Int32 => Some(Narrow::Int32),
        _ => None,
    };
    let t = s.schema_type();
    Some(match kind {
        Kind::Int32 => Scalar::Int32(narrow?),
        Kind::Sint32 => Scalar::Sint32(narrow?),
        Kind::Sfixed32 => Scalar::Sfixed32(narrow?),
        Kind::Int64 if t == Type::Int64 => Scalar::Int64,
        Kind::Sint64 if t == Type::Int64 => Scalar::Sint64,
        Kind::Sfixed64 if t == Type::Int64 => Scalar::Sfixed64,
        Kind::Float if t == Type::Float32 => Scalar::Float,
        Kind::Double if t == Type::Float64 => Scalar::Double,
        Kind::Bool if t == Type::Boolean => Scalar::Bool,
        Kind::String if t == Type::String => Scalar::String,
        Kind::Bytes if t == Type::Bytes => Scalar::Bytes,
        Kind::Message(m) if !m.is_map_entry() && !is_special(m.full_name()) => {
            Scalar::Message(Box::new(compile_message(s, &m, depth + 1)?))
        }
        _ => return None,
    })
}

/// Messages the mapping treats as values of their own (wrappers, logical types).
fn is_special(full_name: &str) -> bool {
    full_name.starts_with("google.") || full_name.starts_with("confluent.")
}

// ------------------------------------------------------------------------------------ writing

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn write_tag(out: &mut Vec<u8>, number: u32, wire_type: u8) {
    write_varint(out, (u64::from(number) << 3) | u64::from(wire_type));
}

/// Writes what `body` appends, prefixed with its length (one byte reserved, moved if longer).
fn length_delimited(
    out: &mut Vec<u8>,
    body: impl FnOnce(&mut Vec<u8>) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let at = out.len();
    out.push(0);
    body(out)?;
    let len = out.len() - at - 1;
    if len < 0x80 {
        out[at] = len as u8;
    } else {
        let mut prefix = Vec::with_capacity(5);
        write_varint(&mut prefix, len as u64);
        out.splice(at..=at, prefix);
    }
    Ok(())
}

fn narrow_value(n: Narrow, v: &Value) -> Option<i32> {
    match (n, v) {
        (Narrow::Int8, Value::Int8(i)) => Some(i32::from(*i)),
        (Narrow::Int16, Value::Int16(i)) => Some(i32::from(*i)),
        (Narrow::Int32, Value::Int32(i)) => Some(*i),
        _ => None,
    }
}

/// Whether `v` is the type's default (what proto3 leaves out without presence).
fn is_default(v: &Value) -> bool {
    match v {
        Value::Int8(i) => *i == 0,
        Value::Int16(i) => *i == 0,
        Value::Int32(i) => *i == 0,
        Value::Int64(i) => *i == 0,
        Value::Float32(f) => *f == 0.0,
        Value::Float64(f) => *f == 0.0,
        Value::Boolean(b) => !b,
        Value::String(t) => t.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        _ => false,
    }
}

/// Whether a default (non-message) value is of the scalar's type.
fn fits(s: &Scalar, v: &Value) -> bool {
    match s {
        Scalar::Int32(n) | Scalar::Sint32(n) | Scalar::Sfixed32(n) => narrow_value(*n, v).is_some(),
        Scalar::Int64 | Scalar::Sint64 | Scalar::Sfixed64 => matches!(v, Value::Int64(_)),
        Scalar::Float => matches!(v, Value::Float32(_)),
        Scalar::Double => matches!(v, Value::Float64(_)),
        Scalar::Bool => matches!(v, Value::Boolean(_)),
        Scalar::String => matches!(v, Value::String(_)),
        Scalar::Bytes => matches!(v, Value::Bytes(_)),
        Scalar::Message(_) => matches!(v, Value::Struct(_)),
    }
}

/// Writes one scalar's payload (no tag).
fn write_scalar(s: &Scalar, v: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
    match (s, v) {
        (Scalar::Int32(n), _) => {
            let i = narrow_value(*n, v).ok_or_else(miss)?;
            write_varint(out, i64::from(i) as u64);
        }
        (Scalar::Sint32(n), _) => {
            let i = narrow_value(*n, v).ok_or_else(miss)?;
            write_varint(out, u64::from(((i << 1) ^ (i >> 31)) as u32));
        }
        (Scalar::Sfixed32(n), _) => {
            let i = narrow_value(*n, v).ok_or_else(miss)?;
            out.extend_from_slice(&i.to_le_bytes());
        }
        (Scalar::Int64, Value::Int64(i)) => write_varint(out, *i as u64),
        (Scalar::Sint64, Value::Int64(i)) => write_varint(out, ((i << 1) ^ (i >> 63)) as u64),
        (Scalar::Sfixed64, Value::Int64(i)) => out.extend_from_slice(&i.to_le_bytes()),
        (Scalar::Float, Value::Float32(f)) => out.extend_from_slice(&f.to_le_bytes()),
        (Scalar::Double, Value::Float64(f)) => out.extend_from_slice(&f.to_le_bytes()),
        (Scalar::Bool, Value::Boolean(b)) => out.push(u8::from(*b)),
        (Scalar::String, Value::String(t)) => {
            write_varint(out, t.len() as u64);
            out.extend_from_slice(t.as_bytes());
        }
        (Scalar::Bytes, Value::Bytes(b)) => {
            write_varint(out, b.len() as u64);
            out.extend_from_slice(b);
        }
        (Scalar::Message(m), Value::Struct(st)) => {
            length_delimited(out, |out| encode_message(m, st, out))?;
        }
        _ => return Err(miss()),
    }
    Ok(())
}

fn encode_message(m: &Message, st: &Struct, out: &mut Vec<u8>) -> Result<(), DataError> {
    // Every set field of the struct must be a field of the schema.
    let mut found = 0;
    for (i, f) in m.fields.iter().enumerate() {
        found += usize::from(st.lookup(i, &f.name).is_some());
    }
    if found != st.len() {
        return Err(miss());
    }
    for &i in &m.by_number {
        let f = &m.fields[i];
        let v = st.lookup(i, &f.name).unwrap_or(&Value::Null);
        let v = match (v, &f.default) {
            (Value::Null, Some(d)) => d,
            _ => v,
        };
        if v.is_null() {
            if f.optional {
                continue;
            }
            return Err(miss());
        }
        if f.list {
            let Value::Array(items) = v else {
                return Err(miss());
            };
            if items.is_empty() {
                continue;
            }
            if f.packed {
                write_tag(out, f.number, 2);
                length_delimited(out, |out| {
                    items
                        .iter()
                        .try_for_each(|item| write_scalar(&f.scalar, item, out))
                })?;
            } else {
                for item in items {
                    write_tag(out, f.number, f.scalar.wire_type());
                    write_scalar(&f.scalar, item, out)?;
                }
            }
            continue;
        }
        if !f.presence && is_default(v) {
            // Left out, as proto3 does; its type is still checked, as the slow path would.
            if !fits(&f.scalar, v) {
                return Err(miss());
            }
            continue;
        }
        write_tag(out, f.number, f.scalar.wire_type());
        write_scalar(&f.scalar, v, out)?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ reading

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, DataError> {
        let mut v: u64 = 0;
        for (i, &b) in self.buf.iter().enumerate().take(10) {
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == 9 && b > 1 {
                    return Err(miss());
                }
                self.buf = &self.buf[i + 1..];
                return Ok(v);
            }
        }
        Err(miss())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DataError> {
        if n > self.buf.len() {
            return Err(miss());
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn delimited(&mut self) -> Result<&'a [u8], DataError> {
        let n = usize::try_from(self.varint()?).map_err(|_| miss())?;
        self.take(n)
    }

    fn skip(&mut self, wire_type: u8) -> Result<(), DataError> {
        match wire_type {
            0 => self.varint().map(drop),
            1 => self.take(8).map(drop),
            2 => self.delimited().map(drop),
            5 => self.take(4).map(drop),
            _ => Err(miss()),
        }
    }
}

fn narrow(n: Narrow, i: i32) -> Result<Value, DataError> {
    Ok(match n {
        Narrow::Int8 => Value::Int8(i8::try_from(i).map_err(|_| miss())?),
        Narrow::Int16 => Value::Int16(i16::try_from(i).map_err(|_| miss())?),
        Narrow::Int32 => Value::Int32(i),
    })
}

fn read_scalar(s: &Scalar, r: &mut Reader<'_>) -> Result<Value, DataError> {
    let fixed4 = |r: &mut Reader<'_>| -> Result<[u8; 4], DataError> {
        let b = r.take(4)?;
        Ok([b[0], b[1], b[2], b[3]])
    };
    let fixed8 = |r: &mut Reader<'_>| -> Result<[u8; 8], DataError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(r.take(8)?);
        Ok(a)
    };
    Ok(match s {
        Scalar::Int32(n) => narrow(*n, r.varint()? as i32)?,
        Scalar::Sint32(n) => {
            let z = r.varint()? as u32;
            narrow(*n, ((z >> 1) as i32) ^ -((z & 1) as i32))?
        }
        Scalar::Sfixed32(n) => narrow(*n, i32::from_le_bytes(fixed4(r)?))?,
        Scalar::Int64 => Value::Int64(r.varint()? as i64),
        Scalar::Sint64 => {
            let z = r.varint()?;
            Value::Int64(((z >> 1) as i64) ^ -((z & 1) as i64))
        }
        Scalar::Sfixed64 => Value::Int64(i64::from_le_bytes(fixed8(r)?)),
        Scalar::Float => Value::Float32(f32::from_le_bytes(fixed4(r)?)),
        Scalar::Double => Value::Float64(f64::from_le_bytes(fixed8(r)?)),
        Scalar::Bool => Value::Boolean(r.varint()? != 0),
        Scalar::String => Value::String(
            std::str::from_utf8(r.delimited()?)
                .map_err(|_| miss())?
                .to_owned(),
        ),
        Scalar::Bytes => Value::Bytes(r.delimited()?.to_vec()),
        Scalar::Message(m) => Value::Struct(decode_message(m, r.delimited()?)?),
    })
}

/// The value of an absent field without presence: the type's default.
fn default_of(s: &Scalar) -> Value {
    match s {
        Scalar::Int32(n) | Scalar::Sint32(n) | Scalar::Sfixed32(n) => match n {
            Narrow::Int8 => Value::Int8(0),
            Narrow::Int16 => Value::Int16(0),
            Narrow::Int32 => Value::Int32(0),
        },
        Scalar::Int64 | Scalar::Sint64 | Scalar::Sfixed64 => Value::Int64(0),
        Scalar::Float => Value::Float32(0.0),
        Scalar::Double => Value::Float64(0.0),
        Scalar::Bool => Value::Boolean(false),
        Scalar::String => Value::String(String::new()),
        Scalar::Bytes => Value::Bytes(Vec::new()),
        // Messages have presence: never asked.
        Scalar::Message(_) => Value::Null,
    }
}

fn decode_message(m: &Message, payload: &[u8]) -> Result<Struct, DataError> {
    let mut r = Reader { buf: payload };
    // Absent fields read as their defaults (an empty list, proto3's zero, unset); a present one
    // replaces its default.
    let mut values = Vec::with_capacity(m.fields.len());
    for f in &m.fields {
        values.push(if f.list {
            Value::Array(Vec::new())
        } else if f.presence {
            Value::Null
        } else {
            default_of(&f.scalar)
        });
    }
    let mut seen = vec![false; m.fields.len()];
    while !r.buf.is_empty() {
        let key = r.varint()?;
        if key > u64::from(u32::MAX) {
            return Err(miss());
        }
        let wire_type = (key & 7) as u8;
        let number = u32::try_from(key >> 3).map_err(|_| miss())?;
        if number == 0 {
            return Err(miss());
        }
        let Ok(at) = m
            .by_number
            .binary_search_by_key(&number, |&i| m.fields[i].number)
        else {
            r.skip(wire_type)?;
            continue;
        };
        let i = m.by_number[at];
        let f = &m.fields[i];
        if f.list {
            let Value::Array(items) = &mut values[i] else {
                return Err(miss());
            };
            if wire_type == 2 && f.scalar.wire_type() != 2 {
                // Packed.
                let mut packed = Reader {
                    buf: r.delimited()?,
                };
                while !packed.buf.is_empty() {
                    items.push(read_scalar(&f.scalar, &mut packed)?);
                }
            } else if wire_type == f.scalar.wire_type() {
                items.push(read_scalar(&f.scalar, &mut r)?);
            } else {
                return Err(miss());
            }
            continue;
        }
        if wire_type != f.scalar.wire_type() {
            return Err(miss());
        }
        if matches!(f.scalar, Scalar::Message(_)) && seen[i] {
            // Protobuf merges the two: prost-reflect does that.
            return Err(miss());
        }
        values[i] = read_scalar(&f.scalar, &mut r)?;
        seen[i] = true;
    }
    // A field with presence that is absent is unset: only a field that may be null may be.
    for (f, seen) in m.fields.iter().zip(seen) {
        if !seen && f.presence && !f.list && !f.optional && f.default.is_none() {
            return Err(miss());
        }
    }
    Ok(Struct::of_schema(&m.names, values))
}
