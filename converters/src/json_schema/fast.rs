//! Connect values ⇄ JSON text in one pass, guided by the Connect schema: no intermediate JSON
//! tree. Writing checks what [`Schema::validate`] checks while it writes; reading builds the
//! Connect value as it parses.
//!
//! Both are fast paths: on any error the codec runs the tree-based conversion instead, which
//! either succeeds the same way or reports the error in its own words. So these functions may
//! refuse more than the tree-based ones (never less), and their errors are never shown.

use super::MAX_DEPTH;
use crate::connect::{Decimal, LogicalType, Schema, Struct, Type, Value};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// Appends the JSON text of `value` (of `schema`) to `out`; `false` if the fast path cannot.
pub(super) fn write(schema: &Schema, value: &Value, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let ok = serde_json::to_writer(
        &mut *out,
        &Ser {
            s: schema,
            v: value,
            position: Position::Root,
            depth: 0,
        },
    )
    .is_ok();
    if !ok {
        out.truncate(start);
    }
    ok
}

/// The value of a JSON text of `schema`; `None` if the fast path cannot.
pub(super) fn read(schema: &Schema, payload: &[u8]) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_slice(payload);
    let v = Seed {
        s: schema,
        depth: 0,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(v)
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

struct Ser<'a> {
    s: &'a Schema,
    v: &'a Value,
    position: Position,
    depth: usize,
}

fn fail<E: ser::Error>() -> E {
    E::custom("not on the fast path")
}

impl Ser<'_> {
    fn child<'b>(&self, s: &'b Schema, v: &'b Value, position: Position) -> Ser<'b> {
        Ser {
            s,
            v,
            position,
            depth: self.depth + 1,
        }
    }
}

impl Serialize for Ser<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        if self.depth > MAX_DEPTH {
            return Err(fail());
        }
        let s = self.s;
        let mut v = self.v;
        if v.is_null() {
            let allowed = s.is_optional()
                || (self.position == Position::Field && s.default_value().is_some());
            if !allowed {
                return Err(fail());
            }
            match s.default_value() {
                Some(d) => v = d,
                None => return ser.serialize_unit(),
            }
        }
        let finite = |f: f64| if f.is_finite() { Ok(f) } else { Err(fail()) };
        match (s.logical_type(), v) {
            (Some(LogicalType::Decimal { scale }), Value::Decimal(d)) if d.scale() == scale => {
                return ser.serialize_str(&STANDARD.encode(d.unscaled_bytes()))
            }
            (Some(LogicalType::Date), Value::Date(i)) => return ser.serialize_i32(*i),
            (Some(LogicalType::Time), Value::Time(i))
                if (0..=crate::connect::logical::MILLIS_PER_DAY).contains(i) =>
            {
                return ser.serialize_i32(*i)
            }
            (Some(LogicalType::Timestamp), Value::Timestamp(i)) => return ser.serialize_i64(*i),
            (Some(_), _) => return Err(fail()),
            (None, _) => {}
        }
        match (s.schema_type(), v) {
            (Type::Int8, Value::Int8(i)) => ser.serialize_i8(*i),
            (Type::Int16, Value::Int16(i)) => ser.serialize_i16(*i),
            (Type::Int32, Value::Int32(i)) => ser.serialize_i32(*i),
            (Type::Int64, Value::Int64(i)) => ser.serialize_i64(*i),
            (Type::Float32, Value::Float32(f)) => ser.serialize_f64(finite(f64::from(*f))?),
            (Type::Float64, Value::Float64(f)) => ser.serialize_f64(finite(*f)?),
            (Type::Boolean, Value::Boolean(b)) => ser.serialize_bool(*b),
            (Type::String, Value::String(t)) => ser.serialize_str(t),
            (Type::Bytes, Value::Bytes(b)) => ser.serialize_str(&STANDARD.encode(b)),
            (Type::Array, Value::Array(items)) => {
                let is = s.value_schema().ok_or_else(fail)?;
                let mut seq = ser.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(&self.child(is, i, Position::Other))?;
                }
                seq.end()
            }
            (Type::Map, Value::Map(m)) => {
                let (ks, vs) = (
                    s.key_schema().ok_or_else(fail)?,
                    s.value_schema().ok_or_else(fail)?,
                );
                if is_plain_string(ks) {
                    let mut map = ser.serialize_map(Some(m.len()))?;
                    for (k, v) in m {
                        let Value::String(k) = k else {
                            return Err(fail());
                        };
                        map.serialize_entry(k, &self.child(vs, v, Position::Other))?;
                    }
                    map.end()
                } else {
                    let mut seq = ser.serialize_seq(Some(m.len()))?;
                    for (k, v) in m {
                        seq.serialize_element(&Entry {
                            key: self.child(ks, k, Position::Other),
                            value: self.child(vs, v, Position::Other),
                        })?;
                    }
                    seq.end()
                }
            }
            (Type::Struct, Value::Struct(st)) => {
                let mut map = ser.serialize_map(None)?;
                let mut found = 0;
                for (i, f) in s.fields().iter().enumerate() {
                    let fv = st.lookup(i, f.name());
                    found += usize::from(fv.is_some());
                    let fv = fv.unwrap_or(&Value::Null);
                    if fv.is_null() && f.schema().default_value().is_none() {
                        if !f.schema().is_optional() {
                            return Err(fail());
                        }
                        // A null field is left out, as the tree-based writer does.
                        continue;
                    }
                    map.serialize_entry(f.name(), &self.child(f.schema(), fv, Position::Field))?;
                }
                if found != st.len() {
                    return Err(fail());
                }
                map.end()
            }
            _ => Err(fail()),
        }
    }
}

/// A `{"key": …, "value": …}` entry of a map with non-string keys.
struct Entry<'a> {
    key: Ser<'a>,
    value: Ser<'a>,
}

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut map = ser.serialize_map(Some(2))?;
        map.serialize_entry("key", &self.key)?;
        map.serialize_entry("value", &self.value)?;
        map.end()
    }
}

// ------------------------------------------------------------------------------------ reading

struct Seed<'a> {
    s: &'a Schema,
    depth: usize,
}

impl<'a> Seed<'a> {
    fn child(&self, s: &'a Schema) -> Seed<'a> {
        Seed {
            s,
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

impl Seed<'_> {
    fn int<E: de::Error>(&self, i: i64) -> Result<Value, E> {
        let s = self.s;
        let narrow = |i: i64| i32::try_from(i).map_err(|_| bad());
        Ok(match s.logical_type() {
            Some(LogicalType::Date) => Value::Date(narrow(i)?),
            Some(LogicalType::Time) => Value::Time(narrow(i)?),
            Some(LogicalType::Timestamp) => Value::Timestamp(i),
            Some(LogicalType::Decimal { .. }) => return Err(bad()),
            None => match s.schema_type() {
                Type::Int8 => Value::Int8(i8::try_from(i).map_err(|_| bad())?),
                Type::Int16 => Value::Int16(i16::try_from(i).map_err(|_| bad())?),
                Type::Int32 => Value::Int32(narrow(i)?),
                Type::Int64 => Value::Int64(i),
                #[allow(clippy::cast_precision_loss)]
                Type::Float64 => Value::Float64(i as f64),
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                Type::Float32 => Value::Float32(i as f64 as f32),
                _ => return Err(bad()),
            },
        })
    }

    fn float<E: de::Error>(&self, f: f64) -> Result<Value, E> {
        match (self.s.logical_type(), self.s.schema_type()) {
            (None, Type::Float64) => Ok(Value::Float64(f)),
            #[allow(clippy::cast_possible_truncation)]
            (None, Type::Float32) => Ok(Value::Float32(f as f32)),
            _ => Err(bad()),
        }
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value of a {} schema", self.s.schema_type())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        match self.s.default_value() {
            Some(d) => Ok(d.clone()),
            None if self.s.is_optional() => Ok(Value::Null),
            None => Err(bad()),
        }
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match (self.s.logical_type(), self.s.schema_type()) {
            (None, Type::Boolean) => Ok(Value::Boolean(b)),
            _ => Err(bad()),
        }
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        self.int(i)
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        match i64::try_from(u) {
            Ok(i) => self.int(i),
            #[allow(clippy::cast_precision_loss)]
            Err(_) => self.float(u as f64),
        }
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        self.float(f)
    }

    fn visit_str<E: de::Error>(self, t: &str) -> Result<Value, E> {
        let b64 = || STANDARD.decode(t).map_err(|_| bad());
        match (self.s.logical_type(), self.s.schema_type()) {
            (Some(LogicalType::Decimal { scale }), _) => {
                Ok(Value::Decimal(Decimal::from_unscaled_bytes(&b64()?, scale)))
            }
            (None, Type::String) => Ok(Value::String(t.to_owned())),
            (None, Type::Bytes) => Ok(Value::Bytes(b64()?)),
            _ => Err(bad()),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.s.logical_type().is_some() {
            return Err(bad());
        }
        match self.s.schema_type() {
            Type::Array => {
                let is = self.s.value_schema().ok_or_else(bad)?;
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(v) = seq.next_element_seed(self.child(is))? {
                    items.push(v);
                }
                Ok(Value::Array(items))
            }
            Type::Map => {
                let (ks, vs) = (
                    self.s.key_schema().ok_or_else(bad)?,
                    self.s.value_schema().ok_or_else(bad)?,
                );
                let mut m = IndexMap::new();
                while let Some((k, v)) = seq.next_element_seed(EntrySeed {
                    key: self.child(ks),
                    value: self.child(vs),
                })? {
                    m.insert(k, v);
                }
                Ok(Value::Map(m))
            }
            _ => Err(bad()),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.s.logical_type().is_some() {
            return Err(bad());
        }
        match self.s.schema_type() {
            Type::Struct => {
                let fields = self.s.fields();
                let mut values: Vec<Value> = std::iter::repeat_with(|| Value::Null)
                    .take(fields.len())
                    .collect();
                // Which fields the object has (absent ones read as JSON null does).
                let mut seen = vec![false; fields.len()];
                let mut next = 0;
                while let Some(i) = map.next_key_seed(FieldKey { fields, next })? {
                    match i {
                        Some(i) => {
                            values[i] = map.next_value_seed(self.child(fields[i].schema()))?;
                            seen[i] = true;
                            next = i + 1;
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                for ((f, v), seen) in fields.iter().zip(&mut values).zip(seen) {
                    if !seen {
                        *v = self.child(f.schema()).visit_unit()?;
                    }
                }
                Ok(Value::Struct(Struct::of_schema(
                    self.s.field_names(),
                    values,
                )))
            }
            Type::Map => {
                let vs = self.s.value_schema().ok_or_else(bad)?;
                let mut m = IndexMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value_seed(self.child(vs))?;
                    m.insert(Value::String(k), v);
                }
                Ok(Value::Map(m))
            }
            _ => Err(bad()),
        }
    }
}

/// An object key: the index of the struct field of that name, if any. Objects usually list the
/// fields in schema order, so the field after the last one read is tried first.
struct FieldKey<'a> {
    fields: &'a [crate::connect::Field],
    next: usize,
}

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(match self.fields.get(self.next) {
            Some(f) if f.name() == key => Some(self.next),
            _ => self.fields.iter().position(|f| f.name() == key),
        })
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
                "key" => key = Some(map.next_value_seed(self.key.child(self.key.s))?),
                "value" => value = Some(map.next_value_seed(self.value.child(self.value.s))?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
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
