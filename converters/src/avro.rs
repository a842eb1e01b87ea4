//! Connect ⇄ Avro, as Confluent's `AvroData` does it with `connect.meta.data=true`.
//!
//! Every Connect schema maps to an Avro schema that carries what Avro cannot say itself in
//! `connect.*` properties (`connect.name`, `connect.version`, `connect.doc`,
//! `connect.parameters`, `connect.default`, `connect.type`), so Connect → Avro → Connect gives
//! back the same schema. Values are encoded with `apache-avro` through an [`AvroCodec`], built
//! once per schema and reused.
//!
//! ```
//! use strata_converters::avro::{AvroCodec, AvroData};
//! use strata_converters::connect::{Schema, SchemaBuilder, Struct, Type, Value};
//!
//! let schema = SchemaBuilder::struct_()
//!     .name("com.example.User")
//!     .field("id", SchemaBuilder::int8().build()?)
//!     .field("name", SchemaBuilder::string().optional().build()?)
//!     .build()?;
//! let avro = AvroData::default().from_connect_schema(&schema)?;
//! assert_eq!(
//!     avro.to_string(),
//!     r#"{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":{"type":"int","connect.type":"int8"}},{"name":"name","type":["null","string"],"default":null}],"connect.name":"com.example.User"}"#
//! );
//! let codec = AvroCodec::new(&avro.to_string(), schema.clone())?;
//! let value = Value::Struct(Struct::new().with("id", Value::Int8(1)));
//! let bytes = codec.encode(&value)?;
//! assert_eq!(codec.decode(&bytes)?, value);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::connect::from_json::{value_from_json, Spelling};
use crate::connect::logical::DECIMAL_PRECISION;
use crate::connect::{
    logical, DataError, Decimal, LogicalType, Schema, SchemaBuilder, Struct, Type, Value,
};
use apache_avro::types::Value as AvroValue;
use apache_avro::Schema as AvroSchema;
use indexmap::IndexMap;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

mod plan;

/// Avro namespace of the records Confluent invents (map entries, unnamed structs, unions).
pub const NAMESPACE: &str = "io.confluent.connect.avro";
/// Full name given to unnamed Connect structs (then `ConnectDefault2`, `ConnectDefault3`, …).
pub const DEFAULT_SCHEMA_FULL_NAME: &str = "io.confluent.connect.avro.ConnectDefault";
/// Full name of the records of a map with non-string keys.
pub const MAP_ENTRY_FULL_NAME: &str = "io.confluent.connect.avro.MapEntry";
/// Name of the Connect struct that stands for a general Avro union.
pub const UNION_NAME: &str = "io.confluent.connect.avro.Union";
/// Parameter holding an Avro record's doc.
pub const RECORD_DOC_PARAM: &str = "io.confluent.connect.avro.record.doc";
/// Prefix of the parameters holding an Avro field's doc.
pub const FIELD_DOC_PARAM_PREFIX: &str = "io.confluent.connect.avro.field.doc.";
/// Parameter flagging a default that came from an Avro field default.
pub const FIELD_DEFAULT_PARAM: &str = "io.confluent.connect.avro.field.default";
/// Parameter holding an enum's name; `…Enum.<SYMBOL>` parameters hold its symbols.
pub const ENUM_PARAM: &str = "io.confluent.connect.avro.Enum";
/// Parameter holding a fixed type's size.
pub const FIXED_SIZE_PARAM: &str = "connect.fixed.size";
/// Parameter holding the full name of a fixed decimal's fixed type (a Connect Decimal has the
/// Decimal's name), so that it is written back under its own name.
pub const FIXED_NAME_PARAM: &str = "connect.fixed.name";
/// Precision written for a Decimal with no `connect.decimal.precision` parameter.
pub const DEFAULT_DECIMAL_PRECISION: u32 = 64;

const CONNECT_NAME: &str = "connect.name";
const CONNECT_DOC: &str = "connect.doc";
const CONNECT_VERSION: &str = "connect.version";
const CONNECT_PARAMETERS: &str = "connect.parameters";
const CONNECT_DEFAULT: &str = "connect.default";
const CONNECT_TYPE: &str = "connect.type";
const CONNECT_INTERNAL_TYPE: &str = "connect.internal.type";
/// The largest allocation a hostile Avro payload can cause (see [`AvroCodec::from_schema`]).
pub const MAX_ALLOCATION_BYTES: usize = 64 << 20;
/// How deep a schema may nest before it is refused (untrusted schemas come from a registry).
const MAX_DEPTH: usize = 64;

/// Maps Connect schemas to Avro schemas and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvroData {
    /// `connect.meta.data`: write (and read) the `connect.*` properties.
    pub connect_meta_data: bool,
}

impl Default for AvroData {
    fn default() -> Self {
        AvroData {
            connect_meta_data: true,
        }
    }
}

fn err(message: impl Into<String>) -> DataError {
    DataError::new(message)
}

impl AvroData {
    /// The Avro schema (as JSON) of a Connect schema.
    // Named after Confluent's `fromConnectSchema`.
    #[allow(clippy::wrong_self_convention)]
    pub fn from_connect_schema(&self, schema: &Schema) -> Result<Json, DataError> {
        let mut w = ToAvro {
            meta: self.connect_meta_data,
            defined: HashMap::new(),
            default_count: 0,
            map_entry_count: 0,
        };
        w.schema(schema, 0)
    }

    /// The Connect schema of an Avro schema (as JSON).
    pub fn to_connect_schema(&self, avro: &Json) -> Result<Schema, DataError> {
        self.to_connect_schema_with_dependencies(&[], avro)
    }

    /// The Connect schema of an Avro schema (as JSON) that uses the named types of other
    /// schemas (its references, dependencies first).
    pub fn to_connect_schema_with_dependencies(
        &self,
        dependencies: &[Json],
        avro: &Json,
    ) -> Result<Schema, DataError> {
        let mut r = FromAvro {
            meta: self.connect_meta_data,
            named: HashMap::new(),
            in_progress: Vec::new(),
        };
        for d in dependencies {
            // Defines the dependency's named types.
            r.schema(d, None, 0)?;
        }
        r.schema(avro, None, 0)
    }
}

struct ToAvro {
    meta: bool,
    /// Named types already written: full name → definition.
    defined: HashMap<String, Json>,
    default_count: usize,
    map_entry_count: usize,
}

fn split_name(full: &str) -> (&str, Option<&str>) {
    match full.rfind('.') {
        Some(i) => (&full[i + 1..], Some(&full[..i])),
        None => (full, None),
    }
}

/// The Connect Decimal of an Avro decimal (on bytes or fixed): its scale (0 if not given),
/// and its precision as a parameter unless it is Connect's default.
fn decimal(obj: &Map<String, Json>) -> Result<SchemaBuilder, DataError> {
    let scale = match obj.get("scale") {
        Some(s) => s
            .as_i64()
            .and_then(|s| i32::try_from(s).ok())
            .ok_or_else(|| err(format!("Invalid decimal scale {s}")))?,
        None => 0,
    };
    let mut b = logical::decimal_schema(scale);
    if let Some(p) = obj.get("precision").and_then(Json::as_u64) {
        if p != u64::from(DEFAULT_DECIMAL_PRECISION) {
            b = b.parameter(DECIMAL_PRECISION, p.to_string());
        }
    }
    Ok(b)
}

/// The size of the Avro fixed a BYTES schema came from (`connect.fixed.size`), if it did.
fn fixed_size(s: &Schema) -> Option<u64> {
    if s.schema_type() != Type::Bytes {
        return None;
    }
    s.parameter(FIXED_SIZE_PARAM)?.trim().parse().ok()
}

/// Sets the `name` and `namespace` of a named Avro type.
fn named(obj: &mut Map<String, Json>, full: &str) {
    let (name, ns) = split_name(full);
    obj.insert("name".into(), name.into());
    if let Some(ns) = ns {
        obj.insert("namespace".into(), ns.into());
    }
}

impl ToAvro {
    fn schema(&mut self, s: &Schema, depth: usize) -> Result<Json, DataError> {
        if depth > MAX_DEPTH {
            return Err(err("Connect schema nests too deeply"));
        }
        if s.schema_type() == Type::Struct && s.name() == Some(UNION_NAME) {
            // A general union: one branch per field, null first when optional.
            let mut branches = Vec::with_capacity(s.fields().len() + 1);
            if s.is_optional() {
                branches.push(Json::from("null"));
            }
            for f in s.fields() {
                let branch = builder_of(f.schema()).required().build()?;
                branches.push(self.schema(&branch, depth + 1)?);
            }
            return Ok(Json::Array(branches));
        }
        let base = self.base(s, depth)?;
        if s.is_optional() {
            if s.default_value().is_some() {
                Ok(Json::Array(vec![base, Json::from("null")]))
            } else {
                Ok(Json::Array(vec![Json::from("null"), base]))
            }
        } else {
            Ok(base)
        }
    }

    /// Adds the `connect.*` properties of `s` to an Avro schema object.
    fn add_meta(&self, s: &Schema, obj: &mut Map<String, Json>) -> Result<(), DataError> {
        if !self.meta {
            return Ok(());
        }
        if let Some(doc) = s.doc() {
            obj.insert(CONNECT_DOC.into(), Json::from(doc));
        }
        if let Some(v) = s.version() {
            obj.insert(CONNECT_VERSION.into(), Json::from(v));
        }
        if !s.parameters().is_empty() {
            let params: Map<String, Json> = s
                .parameters()
                .iter()
                .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
                .collect();
            obj.insert(CONNECT_PARAMETERS.into(), Json::Object(params));
        }
        if let Some(d) = s.default_value() {
            obj.insert(CONNECT_DEFAULT.into(), default_to_json(s, d)?);
        }
        if let Some(name) = s.name() {
            obj.insert(CONNECT_NAME.into(), Json::from(name));
        }
        Ok(())
    }

    fn base(&mut self, s: &Schema, depth: usize) -> Result<Json, DataError> {
        let mut obj = Map::new();
        let mut logical_type = None;
        match s.schema_type() {
            Type::Int8 | Type::Int16 => {
                obj.insert("type".into(), "int".into());
                if self.meta {
                    let t = if s.schema_type() == Type::Int8 {
                        "int8"
                    } else {
                        "int16"
                    };
                    obj.insert(CONNECT_TYPE.into(), t.into());
                }
            }
            Type::Int32 => {
                obj.insert("type".into(), "int".into());
                logical_type = match s.logical_type() {
                    Some(LogicalType::Date) => Some("date"),
                    Some(LogicalType::Time) => Some("time-millis"),
                    _ => None,
                };
            }
            Type::Int64 => {
                obj.insert("type".into(), "long".into());
                if s.logical_type() == Some(LogicalType::Timestamp) {
                    logical_type = Some("timestamp-millis");
                }
            }
            Type::Float32 => {
                obj.insert("type".into(), "float".into());
            }
            Type::Float64 => {
                obj.insert("type".into(), "double".into());
            }
            Type::Boolean => {
                obj.insert("type".into(), "boolean".into());
            }
            Type::String => {
                obj.insert("type".into(), "string".into());
            }
            Type::Bytes => {
                obj.insert("type".into(), "bytes".into());
                if let Some(LogicalType::Decimal { scale }) = s.logical_type() {
                    let precision = match s.parameter(DECIMAL_PRECISION) {
                        Some(p) => p.trim().parse::<u32>().map_err(|_| {
                            err(format!("Invalid Decimal precision parameter {p:?}"))
                        })?,
                        None => DEFAULT_DECIMAL_PRECISION,
                    };
                    if scale >= 0 && i64::from(scale) <= i64::from(precision) {
                        obj.insert("scale".into(), Json::from(scale));
                        obj.insert("precision".into(), Json::from(precision));
                    }
                    logical_type = Some("decimal");
                }
            }
            Type::Array => {
                let items = s
                    .value_schema()
                    .ok_or_else(|| err("ARRAY schema without items"))?;
                obj.insert("type".into(), "array".into());
                obj.insert("items".into(), self.schema(items, depth + 1)?);
            }
            Type::Map => {
                let (k, v) = match (s.key_schema(), s.value_schema()) {
                    (Some(k), Some(v)) => (k, v),
                    _ => return Err(err("MAP schema without key or value schema")),
                };
                if k.schema_type() == Type::String
                    && !k.is_optional()
                    && k.name().is_none()
                    && k.parameters().is_empty()
                    && k.doc().is_none()
                    && k.version().is_none()
                {
                    obj.insert("type".into(), "map".into());
                    obj.insert("values".into(), self.schema(v, depth + 1)?);
                } else {
                    let fields = vec![
                        field_json("key", self.schema(k, depth + 1)?, None, k)?,
                        field_json("value", self.schema(v, depth + 1)?, None, v)?,
                    ];
                    let mut entry = Map::new();
                    entry.insert("type".into(), "record".into());
                    let body = Json::Array(fields.clone());
                    let full = self.unique_name(MAP_ENTRY_FULL_NAME, &body, true);
                    let items = match full {
                        Unique::Existing(name) => Json::from(name),
                        Unique::New(full) => {
                            let (name, ns) = split_name(&full);
                            entry.insert("name".into(), name.into());
                            if let Some(ns) = ns {
                                entry.insert("namespace".into(), ns.into());
                            }
                            entry.insert("fields".into(), body.clone());
                            entry.insert(CONNECT_INTERNAL_TYPE.into(), "MapEntry".into());
                            self.defined.insert(full.clone(), body);
                            Json::Object(entry)
                        }
                    };
                    obj.insert("type".into(), "array".into());
                    obj.insert("items".into(), items);
                }
            }
            Type::Struct => return self.record(s, depth),
        }
        self.add_meta(s, &mut obj)?;
        if let Some(lt) = logical_type {
            obj.insert("logicalType".into(), lt.into());
        }
        if let Some(size) = fixed_size(s) {
            return self.fixed(s, size, obj);
        }
        if obj.len() == 1 {
            return Ok(obj.remove("type").unwrap_or(Json::Null));
        }
        Ok(Json::Object(obj))
    }

    fn unique_name(&mut self, base: &str, body: &Json, numbered_first: bool) -> Unique {
        let mut n = if numbered_first {
            self.map_entry_count
        } else {
            self.default_count
        };
        loop {
            let candidate = if n <= 1 {
                base.to_owned()
            } else {
                format!("{base}{n}")
            };
            match self.defined.get(&candidate) {
                Some(existing) if existing == body => return Unique::Existing(candidate),
                Some(_) => n = n.max(1) + 1,
                None => {
                    if numbered_first {
                        self.map_entry_count = n;
                    } else {
                        self.default_count = n;
                    }
                    return Unique::New(candidate);
                }
            }
        }
    }

    /// The full name of a named Avro type defined by a Connect schema named `name` (unnamed:
    /// the next default name) with this body: an existing one if the same type was defined
    /// before (then referred to by name), a new one otherwise.
    /// A name shared by types of different shapes is refused, or, where `numbered`, numbered
    /// (`name2`, `name3`, …).
    fn define(
        &mut self,
        name: Option<&str>,
        body: Json,
        numbered: bool,
    ) -> Result<Unique, DataError> {
        let full = match name {
            Some(name) => {
                let mut n = 1;
                loop {
                    let candidate = if n == 1 {
                        name.to_owned()
                    } else {
                        format!("{name}{n}")
                    };
                    match self.defined.get(&candidate) {
                        None => break candidate,
                        Some(existing) if *existing == body => {
                            return Ok(Unique::Existing(candidate))
                        }
                        Some(_) if numbered => n += 1,
                        Some(_) => {
                            return Err(err(format!(
                            "Can't redefine: {name}: two different Connect schemas have this name"
                        )))
                        }
                    }
                }
            }
            None => match self.unique_name(DEFAULT_SCHEMA_FULL_NAME, &body, false) {
                Unique::Existing(name) => return Ok(Unique::Existing(name)),
                Unique::New(name) => name,
            },
        };
        self.defined.insert(full.clone(), body);
        Ok(Unique::New(full))
    }

    /// A BYTES schema that came from an Avro fixed (`connect.fixed.size`) goes back as a fixed
    /// of that size, named as the Connect schema is, as Confluent's AvroData writes it; a fixed
    /// decimal under its fixed's own name (`connect.fixed.name`) where it has one.
    fn fixed(&mut self, s: &Schema, size: u64, obj: Map<String, Json>) -> Result<Json, DataError> {
        let mut body = Map::new();
        body.insert("size".into(), size.into());
        body.extend(obj.into_iter().filter(|(k, _)| k != "type"));
        // Every Decimal has the same Connect name: fixed ones of different shapes without a
        // name of their own are numbered rather than refused.
        let own = s.parameter(FIXED_NAME_PARAM);
        let numbered = own.is_none() && s.logical_type().is_some();
        let full = match self.define(own.or(s.name()), Json::Object(body.clone()), numbered)? {
            Unique::Existing(name) => return Ok(Json::from(name)),
            Unique::New(full) => full,
        };
        let mut fixed = Map::new();
        fixed.insert("type".into(), "fixed".into());
        named(&mut fixed, &full);
        fixed.extend(body);
        Ok(Json::Object(fixed))
    }

    fn record(&mut self, s: &Schema, depth: usize) -> Result<Json, DataError> {
        let mut fields = Vec::with_capacity(s.fields().len());
        for f in s.fields() {
            let t = self.schema(f.schema(), depth + 1)?;
            let doc = s.parameter(&format!("{FIELD_DOC_PARAM_PREFIX}{}", f.name()));
            fields.push(field_json(f.name(), t, doc, f.schema())?);
        }
        let mut rest = Map::new();
        self.add_meta(s, &mut rest)?;
        let body = Json::Array(vec![
            Json::Array(fields.clone()),
            Json::Object(rest.clone()),
        ]);
        let full = match self.define(s.name(), body, false)? {
            Unique::Existing(name) => return Ok(Json::from(name)),
            Unique::New(full) => full,
        };
        let mut obj = Map::new();
        obj.insert("type".into(), "record".into());
        named(&mut obj, &full);
        if let Some(doc) = s.parameter(RECORD_DOC_PARAM) {
            obj.insert("doc".into(), doc.into());
        }
        obj.insert("fields".into(), Json::Array(fields));
        obj.extend(rest);
        Ok(Json::Object(obj))
    }
}

enum Unique {
    Existing(String),
    New(String),
}

fn field_json(name: &str, t: Json, doc: Option<&str>, s: &Schema) -> Result<Json, DataError> {
    let mut f = Map::new();
    f.insert("name".into(), name.into());
    f.insert("type".into(), t);
    if let Some(doc) = doc {
        f.insert("doc".into(), doc.into());
    }
    if let Some(d) = s.default_value() {
        f.insert("default".into(), default_to_json(s, d)?);
    } else if s.is_optional() {
        f.insert("default".into(), Json::Null);
    }
    Ok(Json::Object(f))
}

/// Bytes as an Avro JSON default: one character per byte (ISO-8859-1).
fn bytes_to_json(b: &[u8]) -> Json {
    Json::String(b.iter().map(|&c| char::from(c)).collect())
}

fn bytes_from_json(j: &Json) -> Option<Vec<u8>> {
    j.as_str()?
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

fn float_json(f: f64) -> Json {
    serde_json::Number::from_f64(f).map_or_else(
        || {
            Json::from(if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            })
        },
        Json::Number,
    )
}

/// A Connect value as an Avro JSON default value, as Confluent's `defaultValueFromConnect`.
fn default_to_json(s: &Schema, v: &Value) -> Result<Json, DataError> {
    Ok(match v {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::from(*b),
        Value::Int8(i) => Json::from(*i),
        Value::Int16(i) => Json::from(*i),
        Value::Int32(i) | Value::Date(i) | Value::Time(i) => Json::from(*i),
        Value::Int64(i) | Value::Timestamp(i) => Json::from(*i),
        Value::Float32(f) => float_json(f64::from(*f)),
        Value::Float64(f) => float_json(*f),
        Value::String(t) => Json::from(t.as_str()),
        Value::Bytes(b) => bytes_to_json(b),
        // A fixed decimal's default fills its fixed.
        Value::Decimal(d) => match fixed_size(s).and_then(|n| usize::try_from(n).ok()) {
            Some(size) => bytes_to_json(&d.to_fixed(size).ok_or_else(|| plan::too_large(d, size))?),
            None => bytes_to_json(d.unscaled_bytes()),
        },
        Value::Array(items) => {
            let is = s
                .value_schema()
                .ok_or_else(|| err("ARRAY schema without items"))?;
            Json::Array(
                items
                    .iter()
                    .map(|i| default_to_json(is, i))
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Map(m) => {
            let (ks, vs) = match (s.key_schema(), s.value_schema()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(err("MAP schema without key or value schema")),
            };
            if ks.schema_type() == Type::String {
                let mut o = Map::new();
                for (k, v) in m.iter() {
                    let Value::String(k) = k else {
                        return Err(err("map key is not a string"));
                    };
                    o.insert(k.clone(), default_to_json(vs, v)?);
                }
                Json::Object(o)
            } else {
                let mut a = Vec::with_capacity(m.len());
                for (k, v) in m.iter() {
                    let mut o = Map::new();
                    o.insert("key".into(), default_to_json(ks, k)?);
                    o.insert("value".into(), default_to_json(vs, v)?);
                    a.push(Json::Object(o));
                }
                Json::Array(a)
            }
        }
        Value::Struct(st) => {
            let mut o = Map::new();
            for f in s.fields() {
                let fv = st.get(f.name()).unwrap_or(&Value::Null);
                o.insert(f.name().to_owned(), default_to_json(f.schema(), fv)?);
            }
            Json::Object(o)
        }
    })
}

fn json_float(j: &Json) -> Option<f64> {
    match j {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// How Avro spells a default value in JSON: bytes as ISO-8859-1 text, `NaN` and the infinities
/// as strings, `null` as itself.
pub(crate) const AVRO_DEFAULTS: Spelling = Spelling {
    bytes: bytes_from_json,
    float: json_float,
    null: |_| Ok(Value::Null),
    entries_complete: true,
    mismatch: |s, j| {
        err(format!(
            "Invalid default value {j} for a {} schema",
            s.schema_type()
        ))
    },
};

/// An Avro JSON default value as a Connect value of schema `s`.
fn default_from_json(s: &Schema, j: &Json, depth: usize) -> Result<Value, DataError> {
    value_from_json(&AVRO_DEFAULTS, s, j, depth)
}

// ---------------------------------------------------------------------------------------------
// Avro → Connect schema

struct FromAvro {
    meta: bool,
    /// Named types already read: full name → Connect schema.
    named: HashMap<String, Schema>,
    /// Named types being read (a reference to one of them is a recursive schema).
    in_progress: Vec<String>,
}

fn full_name(
    obj: &Map<String, Json>,
    enclosing_ns: Option<&str>,
) -> Result<(String, Option<String>), DataError> {
    let name = obj
        .get("name")
        .and_then(Json::as_str)
        .ok_or_else(|| err("Avro named type without a name"))?;
    if name.contains('.') {
        let ns = name.rsplit_once('.').map(|(ns, _)| ns.to_owned());
        return Ok((name.to_owned(), ns));
    }
    let ns = match obj.get("namespace").and_then(Json::as_str) {
        Some(ns) => Some(ns.to_owned()),
        None => enclosing_ns.map(str::to_owned),
    }
    .filter(|ns| !ns.is_empty());
    Ok(match ns {
        Some(ns) => (format!("{ns}.{name}"), Some(ns)),
        None => (name.to_owned(), None),
    })
}

impl FromAvro {
    fn schema(&mut self, j: &Json, ns: Option<&str>, depth: usize) -> Result<Schema, DataError> {
        let b = self.builder(j, ns, depth)?;
        b.build()
    }

    /// Applies the field-independent `connect.*` properties of an Avro schema object.
    fn meta(
        &self,
        mut b: SchemaBuilder,
        obj: &Map<String, Json>,
    ) -> Result<SchemaBuilder, DataError> {
        if !self.meta {
            return Ok(b);
        }
        if let Some(doc) = obj.get(CONNECT_DOC).and_then(Json::as_str) {
            b = b.doc(doc);
        }
        if let Some(v) = obj.get(CONNECT_VERSION) {
            let v = v
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| err(format!("Invalid connect.version {v}")))?;
            b = b.version(v);
        }
        if let Some(p) = obj.get(CONNECT_PARAMETERS) {
            let p = p
                .as_object()
                .ok_or_else(|| err("connect.parameters is not an object"))?;
            for (k, v) in p {
                let v = v
                    .as_str()
                    .ok_or_else(|| err("connect.parameters values must be strings"))?;
                b = b.parameter(k.as_str(), v);
            }
        }
        if let Some(name) = obj.get(CONNECT_NAME).and_then(Json::as_str) {
            b = b.name(name);
        }
        Ok(b)
    }

    fn with_connect_default(
        &self,
        b: SchemaBuilder,
        obj: &Map<String, Json>,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        match obj.get(CONNECT_DEFAULT).filter(|_| self.meta) {
            Some(d) => {
                let plain = b.clone().build()?;
                let v = default_from_json(&plain, d, depth)?;
                Ok(b.default_value(v))
            }
            None => Ok(b),
        }
    }

    fn builder(
        &mut self,
        j: &Json,
        ns: Option<&str>,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        if depth > MAX_DEPTH {
            return Err(err("Avro schema nests too deeply"));
        }
        match j {
            Json::String(t) => self.named_or_primitive(t, ns, &Map::new(), depth),
            Json::Array(branches) => self.union(branches, ns, depth),
            Json::Object(obj) => {
                let t = obj
                    .get("type")
                    .ok_or_else(|| err("Avro schema without a type"))?;
                match t {
                    Json::String(t) => self.named_or_primitive(t, ns, obj, depth),
                    // {"type": {...}} or {"type": [...]}: the nested schema.
                    other => self.builder(other, ns, depth + 1),
                }
            }
            _ => Err(err(format!("Invalid Avro schema {j}"))),
        }
    }

    fn union(
        &mut self,
        branches: &[Json],
        ns: Option<&str>,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        let is_null = |b: &Json| {
            b.as_str() == Some("null") || b.get("type").and_then(Json::as_str) == Some("null")
        };
        let non_null: Vec<&Json> = branches.iter().filter(|b| !is_null(b)).collect();
        let has_null = non_null.len() < branches.len();
        if non_null.len() == 1 {
            let b = self.builder(non_null[0], ns, depth + 1)?;
            return Ok(if has_null { b.optional() } else { b });
        }
        // A general union: a struct with one optional field per branch.
        let mut b = SchemaBuilder::struct_().name(UNION_NAME);
        for branch in non_null {
            let s = self.schema(branch, ns, depth + 1)?;
            let name = union_member_name(branch, &s);
            let s = rebuild_optional(&s)?;
            b = b.field(name, s);
        }
        Ok(if has_null { b.optional() } else { b })
    }

    fn named_or_primitive(
        &mut self,
        t: &str,
        ns: Option<&str>,
        obj: &Map<String, Json>,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        let connect_type = obj
            .get(CONNECT_TYPE)
            .and_then(Json::as_str)
            .filter(|_| self.meta);
        let logical = obj.get("logicalType").and_then(Json::as_str);
        let b = match t {
            "null" => {
                return Err(err(
                    "an Avro null schema has no Connect equivalent outside a union",
                ))
            }
            "boolean" => SchemaBuilder::boolean(),
            "int" => match (connect_type, logical) {
                (Some("int8"), _) => SchemaBuilder::int8(),
                (Some("int16"), _) => SchemaBuilder::int16(),
                (_, Some("date")) => logical::date_schema(),
                (_, Some("time-millis")) => logical::time_schema(),
                _ => SchemaBuilder::int32(),
            },
            "long" => match logical {
                Some("timestamp-millis") => logical::timestamp_schema(),
                _ => SchemaBuilder::int64(),
            },
            "float" => SchemaBuilder::float32(),
            "double" => SchemaBuilder::float64(),
            "string" => SchemaBuilder::string(),
            "bytes" => match logical {
                Some("decimal") => decimal(obj)?,
                _ => SchemaBuilder::bytes(),
            },
            "array" => {
                let items = obj
                    .get("items")
                    .ok_or_else(|| err("Avro array without items"))?;
                if let Some((k, v)) = self.map_entry(items, ns, depth)? {
                    SchemaBuilder::map(k, v)
                } else {
                    SchemaBuilder::array(self.schema(items, ns, depth + 1)?)
                }
            }
            "map" => {
                let values = obj
                    .get("values")
                    .ok_or_else(|| err("Avro map without values"))?;
                SchemaBuilder::map(
                    Schema::new(Type::String),
                    self.schema(values, ns, depth + 1)?,
                )
            }
            "record" | "error" if !obj.is_empty() => return self.record(obj, ns, depth),
            "enum" if !obj.is_empty() => {
                let (full, _) = full_name(obj, ns)?;
                let mut b = SchemaBuilder::string().parameter(ENUM_PARAM, full.clone());
                for s in obj
                    .get("symbols")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(s) = s.as_str() {
                        b = b.parameter(format!("{ENUM_PARAM}.{s}"), s);
                    }
                }
                let b = self.meta(b, obj)?;
                let b = self.with_connect_default(b, obj, depth)?;
                self.named.insert(full, b.clone().build()?);
                return Ok(b);
            }
            "fixed" if !obj.is_empty() => {
                let (full, _) = full_name(obj, ns)?;
                let size = obj.get("size").and_then(Json::as_u64).unwrap_or(0);
                // A fixed decimal is a Connect Decimal, named as Decimals are; the fixed's own
                // name is kept in a parameter. (Confluent's AvroData refuses it: the two names
                // differ.)
                let b = match logical {
                    // The name is kept unless it is the Decimal's own (a Connect Decimal
                    // written as a fixed).
                    Some("decimal") if full == logical::DECIMAL_NAME => decimal(obj)?,
                    Some("decimal") => decimal(obj)?.parameter(FIXED_NAME_PARAM, full.clone()),
                    _ => SchemaBuilder::bytes().name(full.clone()),
                }
                .parameter(FIXED_SIZE_PARAM, size.to_string());
                let b = self.meta(b, obj)?;
                self.named.insert(full, b.clone().build()?);
                return Ok(b);
            }
            name => {
                let full = if name.contains('.') {
                    name.to_owned()
                } else {
                    ns.map_or_else(|| name.to_owned(), |ns| format!("{ns}.{name}"))
                };
                if self.in_progress.iter().any(|n| *n == full || n == name) {
                    return Err(err(format!(
                        "recursive Avro type {full} has no Connect equivalent"
                    )));
                }
                let s = self
                    .named
                    .get(&full)
                    .or_else(|| self.named.get(name))
                    .ok_or_else(|| err(format!("Unknown Avro type {name}")))?;
                return Ok(builder_of(s));
            }
        };
        let b = self.meta(b, obj)?;
        self.with_connect_default(b, obj, depth)
    }

    /// The key and value schemas when `items` is a map-entry record.
    fn map_entry(
        &mut self,
        items: &Json,
        ns: Option<&str>,
        depth: usize,
    ) -> Result<Option<(Schema, Schema)>, DataError> {
        let Some(obj) = items.as_object() else {
            if let Some(name) = items.as_str() {
                if let Some(s) = self.named.get(name) {
                    if s.schema_type() == Type::Map {
                        if let (Some(k), Some(v)) = (s.key_schema(), s.value_schema()) {
                            return Ok(Some((k.clone(), v.clone())));
                        }
                    }
                }
            }
            return Ok(None);
        };
        if obj.get("type").and_then(Json::as_str) != Some("record") {
            return Ok(None);
        }
        let (full, rec_ns) = full_name(obj, ns)?;
        let flagged = obj.get(CONNECT_INTERNAL_TYPE).and_then(Json::as_str) == Some("MapEntry");
        if !(flagged || full.starts_with(MAP_ENTRY_FULL_NAME)) {
            return Ok(None);
        }
        let fields = obj
            .get("fields")
            .and_then(Json::as_array)
            .ok_or_else(|| err("record without fields"))?;
        let find = |n: &str| {
            fields
                .iter()
                .find(|f| f.get("name").and_then(Json::as_str) == Some(n))
        };
        let (Some(k), Some(v)) = (find("key"), find("value")) else {
            return Ok(None);
        };
        if fields.len() != 2 {
            return Ok(None);
        }
        let kt = k.get("type").ok_or_else(|| err("field without a type"))?;
        let vt = v.get("type").ok_or_else(|| err("field without a type"))?;
        let ks = self.schema(kt, rec_ns.as_deref(), depth + 1)?;
        let vs = self.schema(vt, rec_ns.as_deref(), depth + 1)?;
        // Later references to the entry record by name read as the same map.
        let as_map = SchemaBuilder::map(ks.clone(), vs.clone()).build()?;
        self.named.insert(full, as_map);
        Ok(Some((ks, vs)))
    }

    fn record(
        &mut self,
        obj: &Map<String, Json>,
        ns: Option<&str>,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        let (full, rec_ns) = full_name(obj, ns)?;
        if self.named.contains_key(&full) {
            return Err(err(format!("Can't redefine: {full}")));
        }
        self.in_progress.push(full.clone());
        let mut b = SchemaBuilder::struct_();
        if !full.starts_with(DEFAULT_SCHEMA_FULL_NAME) {
            b = b.name(full.clone());
        }
        if let Some(doc) = obj.get("doc").and_then(Json::as_str) {
            b = b.parameter(RECORD_DOC_PARAM, doc);
        }
        let fields = obj
            .get("fields")
            .and_then(Json::as_array)
            .ok_or_else(|| err("Avro record without fields"))?;
        for f in fields {
            let name = f
                .get("name")
                .and_then(Json::as_str)
                .ok_or_else(|| err("Avro field without a name"))?;
            let t = f
                .get("type")
                .ok_or_else(|| err(format!("Avro field {name} without a type")))?;
            let mut fb = self.builder(t, rec_ns.as_deref(), depth + 1)?;
            let mut probe = fb.clone().build()?;
            if let Some(doc) = f.get("doc").and_then(Json::as_str) {
                b = b.parameter(format!("{FIELD_DOC_PARAM_PREFIX}{name}"), doc);
            }
            if probe.default_value().is_none() {
                if let Some(d) = f.get("default").filter(|d| !d.is_null()) {
                    let v = default_from_json(&probe, d, depth)?;
                    fb = fb.default_value(v).parameter(FIELD_DEFAULT_PARAM, "true");
                    probe = fb.clone().build()?;
                }
            }
            b = b.field(name, probe);
        }
        self.in_progress.pop();
        let b = self.meta(b, obj)?;
        let b = self.with_connect_default(b, obj, depth)?;
        self.named.insert(full, b.clone().build()?);
        Ok(b)
    }
}

fn union_member_name(branch: &Json, s: &Schema) -> String {
    if let Some(name) = branch.get("name").and_then(Json::as_str) {
        return name.rsplit('.').next().unwrap_or(name).to_owned();
    }
    let t = branch
        .get("type")
        .and_then(Json::as_str)
        .or_else(|| branch.as_str());
    match t {
        Some(t) if !["record", "enum", "fixed", "array", "map"].contains(&t) => {
            t.rsplit('.').next().unwrap_or(t).to_owned()
        }
        _ => s.schema_type().name().to_ascii_lowercase(),
    }
}

fn rebuild_optional(s: &Schema) -> Result<Schema, DataError> {
    builder_of(s).optional().build()
}

/// A builder that rebuilds `s`.
pub(crate) fn builder_of(s: &Schema) -> SchemaBuilder {
    let mut b = match s.schema_type() {
        Type::Array => SchemaBuilder::array(
            s.value_schema()
                .cloned()
                .unwrap_or_else(|| Schema::new(Type::String)),
        ),
        Type::Map => SchemaBuilder::map(
            s.key_schema()
                .cloned()
                .unwrap_or_else(|| Schema::new(Type::String)),
            s.value_schema()
                .cloned()
                .unwrap_or_else(|| Schema::new(Type::String)),
        ),
        t => SchemaBuilder::new(t),
    };
    for f in s.fields() {
        b = b.field(f.name(), f.schema().clone());
    }
    if let Some(n) = s.name() {
        b = b.name(n);
    }
    if let Some(v) = s.version() {
        b = b.version(v);
    }
    if let Some(d) = s.doc() {
        b = b.doc(d);
    }
    b = b.parameters(s.parameters().iter().map(|(k, v)| (k.clone(), v.clone())));
    if let Some(d) = s.default_value() {
        b = b.default_value(d.clone());
    }
    if s.is_optional() {
        b = b.optional();
    }
    b
}

// ---------------------------------------------------------------------------------------------
// Values

/// Encodes and decodes the values of one Connect schema with one Avro schema, both compiled
/// once: the warm path of the Avro converter.
///
/// Values go straight between Connect and Avro binary over a plan compiled with the codec; the
/// few schema pairs the plan does not cover (and any value it refuses to write, to explain why)
/// go through apache-avro's values.
#[derive(Debug)]
pub struct AvroCodec {
    connect: Schema,
    text: String,
    root: AvroSchema,
    /// Named types by full name, to follow `Ref`s.
    names: HashMap<String, AvroSchema>,
    plan: Option<plan::Plan>,
    /// Why apache-avro cannot follow the schema's references, if it cannot: it does not
    /// register the names of fixed types it reads as logical types (a fixed decimal, UUID or
    /// duration), and would panic on a reference to one. Only the plan reads such a schema.
    unresolvable: Option<String>,
}

fn collect_names(a: &AvroSchema, names: &mut HashMap<String, AvroSchema>) {
    match a {
        AvroSchema::Record(r) => {
            names.insert(r.name.fullname(None), a.clone());
            for f in &r.fields {
                collect_names(&f.schema, names);
            }
        }
        AvroSchema::Enum(e) => {
            names.insert(e.name.fullname(None), a.clone());
        }
        AvroSchema::Fixed(f) => {
            names.insert(f.name.fullname(None), a.clone());
        }
        // A fixed decimal is named by its fixed: a reference to that name is the decimal.
        AvroSchema::Decimal(d) => {
            if let AvroSchema::Fixed(f) = &*d.inner {
                names.insert(f.name.fullname(None), a.clone());
            }
        }
        AvroSchema::Array(arr) => collect_names(&arr.items, names),
        AvroSchema::Map(m) => collect_names(&m.types, names),
        AvroSchema::Union(u) => u.variants().iter().for_each(|b| collect_names(b, names)),
        _ => {}
    }
}

/// An Avro schema parsed as the registry parses one.
fn parse_avro(
    text: &str,
    references: &[strata_schema::SchemaReference],
    resolver: &dyn strata_schema::ReferenceResolver,
    options: &strata_schema::ParseOptions,
) -> Result<strata_schema::ParsedSchema, DataError> {
    strata_schema::parse(
        strata_schema::SchemaType::Avro,
        text,
        references,
        resolver,
        options,
    )
    .map_err(|e| err(format!("Invalid Avro schema: {e}")))
}

fn avro_model(
    parsed: &strata_schema::ParsedSchema,
) -> Result<&strata_schema::avro::AvroModel, DataError> {
    match parsed.model() {
        strata_schema::SchemaModel::Avro(model) => Ok(model),
        _ => Err(err("not an Avro schema")),
    }
}

/// The schema apache-avro reads and writes data with: strata-schema's compilation, which keeps
/// apache-avro from the names it panics on and the decimal defaults it refuses.
fn apache(parsed: &strata_schema::ParsedSchema) -> Result<&AvroSchema, DataError> {
    avro_model(parsed)?
        .schema()
        .map_err(|e| err(format!("Invalid Avro schema: {e}")))
}

impl AvroCodec {
    /// Compiles an Avro schema (JSON text, self-contained) for a Connect schema.
    pub fn new(avro_text: &str, connect: Schema) -> Result<AvroCodec, DataError> {
        // As deep as the deepest Connect schema maps to (a struct nests three JSON levels).
        let options = strata_schema::ParseOptions {
            limits: strata_schema::Limits {
                max_depth: MAX_DEPTH * 4,
                ..strata_schema::Limits::default()
            },
            ..strata_schema::ParseOptions::stored()
        };
        let parsed = parse_avro(avro_text, &[], &strata_schema::NoReferences, &options)?;
        Ok(Self::from_schema(
            apache(&parsed)?.clone(),
            avro_text,
            connect,
        ))
    }

    /// A codec of an already compiled Avro schema (references inlined), its text and its
    /// Connect schema.
    pub fn from_schema(avro: AvroSchema, avro_text: &str, connect: Schema) -> AvroCodec {
        // apache-avro allocates a length read from the payload before it reads the bytes; its
        // process-wide bound defaults to 512 MiB. A record is far smaller (Kafka's default
        // maximum is 1 MiB): bound it to 64 MiB unless the application set a bound first.
        apache_avro::util::max_allocation_bytes(MAX_ALLOCATION_BYTES);
        let mut names = HashMap::new();
        collect_names(&avro, &mut names);
        let plan = plan::Plan::compile(&connect, &avro, &names);
        let unresolvable = apache_avro::schema::ResolvedSchema::try_from(&avro)
            .err()
            .map(|e| e.to_string());
        AvroCodec {
            connect,
            text: avro_text.to_owned(),
            root: avro,
            names,
            plan,
            unresolvable,
        }
    }

    /// The codec with another Connect schema for the same Avro schema (e.g. with a version).
    #[must_use]
    pub fn with_connect_schema(mut self, connect: Schema) -> AvroCodec {
        self.plan = plan::Plan::compile(&connect, &self.root, &self.names);
        self.connect = connect;
        self
    }

    /// Whether values go straight between Connect and Avro binary (else through apache-avro).
    pub fn is_planned(&self) -> bool {
        self.plan.is_some()
    }

    /// The Connect schema.
    pub fn connect_schema(&self) -> &Schema {
        &self.connect
    }

    /// The Avro schema text.
    pub fn avro_text(&self) -> &str {
        &self.text
    }

    /// The compiled Avro schema.
    pub fn avro_schema(&self) -> &AvroSchema {
        &self.root
    }

    /// The Avro binary of a value (Confluent's special case: a top-level `bytes` schema is
    /// written raw, with no length prefix).
    pub fn encode(&self, value: &Value) -> Result<Vec<u8>, DataError> {
        let mut out = Vec::new();
        self.encode_into(value, &mut out)?;
        Ok(out)
    }

    /// Appends the Avro binary of a value to `out` (on error, `out` is as it was).
    pub fn encode_into(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
        let plan = self
            .plan
            .as_ref()
            .filter(|_| *self.avro_schema() != AvroSchema::Bytes);
        crate::registry::direct_or_reference(
            out,
            plan.map(|p| |out: &mut Vec<u8>| p.encode(value, out)),
            |out| {
                out.extend_from_slice(&self.encode_generic(value)?);
                Ok(())
            },
        )
    }

    /// The Avro binary of a value through apache-avro's values: the reference the plan is
    /// tested against.
    pub fn encode_generic(&self, value: &Value) -> Result<Vec<u8>, DataError> {
        self.connect.validate(value)?;
        let root = self.avro_schema();
        if *root == AvroSchema::Bytes {
            return match value {
                Value::Bytes(b) => Ok(b.clone()),
                Value::Decimal(d) => Ok(d.unscaled_bytes().to_vec()),
                _ => Err(err(format!(
                    "Invalid value {} for a bytes schema",
                    value.type_name()
                ))),
            };
        }
        let v = self.to_avro(&self.connect, root, value, 0)?;
        self.resolvable()?;
        apache_avro::to_avro_datum(root, v).map_err(|e| err(format!("Avro encoding failed: {e}")))
    }

    /// The value of an Avro binary payload.
    pub fn decode(&self, payload: &[u8]) -> Result<Value, DataError> {
        if let Some(plan) = &self.plan {
            if *self.avro_schema() != AvroSchema::Bytes {
                // The plan's verdict is final: apache-avro reserves an array block's item count
                // as the record states it, so a hostile count would make it allocate gigabytes.
                return plan.decode(payload);
            }
        }
        self.decode_generic(payload)
    }

    /// The value of an Avro binary payload through apache-avro's values: the reference the plan
    /// is tested against (it lists map entries by key, not as written).
    pub fn decode_generic(&self, payload: &[u8]) -> Result<Value, DataError> {
        let root = self.avro_schema();
        if *root == AvroSchema::Bytes {
            return self.to_connect(&self.connect, root, AvroValue::Bytes(payload.to_vec()), 0);
        }
        self.resolvable()?;
        let mut reader = payload;
        let v = apache_avro::from_avro_datum(root, &mut reader, None)
            .map_err(|e| err(format!("Avro decoding failed: {e}")))?;
        if !reader.is_empty() {
            return Err(err(format!(
                "{} bytes left after the Avro record",
                reader.len()
            )));
        }
        self.to_connect(&self.connect, root, v, 0)
    }

    /// An error if apache-avro cannot follow the schema's references.
    fn resolvable(&self) -> Result<(), DataError> {
        match &self.unresolvable {
            Some(e) => Err(err(format!(
                "Avro schema not supported for this Connect schema: {e}"
            ))),
            None => Ok(()),
        }
    }

    fn deref<'a>(&'a self, a: &'a AvroSchema) -> Result<&'a AvroSchema, DataError> {
        match a {
            AvroSchema::Ref { name } => self
                .names
                .get(&name.fullname(None))
                .ok_or_else(|| err(format!("Unknown Avro type {name}"))),
            other => Ok(other),
        }
    }

    fn to_avro(
        &self,
        s: &Schema,
        a: &AvroSchema,
        v: &Value,
        depth: usize,
    ) -> Result<AvroValue, DataError> {
        if depth > MAX_DEPTH {
            return Err(err("value nests too deeply"));
        }
        let a = self.deref(a)?;
        let v = match (v, s.default_value()) {
            (Value::Null, Some(d)) => d,
            _ => v,
        };
        if let AvroSchema::Union(u) = a {
            let variants = u.variants();
            if v.is_null() {
                let i = variants
                    .iter()
                    .position(|b| *b == AvroSchema::Null)
                    .ok_or_else(|| err("null value for a union without null"))?;
                return Ok(AvroValue::Union(index_u32(i), Box::new(AvroValue::Null)));
            }
            let non_null: Vec<(usize, &AvroSchema)> = variants
                .iter()
                .enumerate()
                .filter(|(_, b)| **b != AvroSchema::Null)
                .collect();
            if s.name() == Some(UNION_NAME) && s.schema_type() == Type::Struct && non_null.len() > 1
            {
                let Value::Struct(st) = v else {
                    return Err(err("a union value must be a struct"));
                };
                for (f, (i, b)) in s.fields().iter().zip(&non_null) {
                    if let Some(fv) = st.get(f.name()).filter(|fv| !fv.is_null()) {
                        let inner = self.to_avro(f.schema(), b, fv, depth + 1)?;
                        return Ok(AvroValue::Union(index_u32(*i), Box::new(inner)));
                    }
                }
                return Err(err("a union struct value has no field set"));
            }
            let (i, b) = non_null
                .first()
                .ok_or_else(|| err("a union of only null"))?;
            let inner = self.to_avro(s, b, v, depth + 1)?;
            return Ok(AvroValue::Union(index_u32(*i), Box::new(inner)));
        }
        let mismatch = || {
            err(format!(
                "Cannot write a {} value as Avro {a:?}",
                v.type_name()
            ))
        };
        Ok(match (v, a) {
            (Value::Null, AvroSchema::Null) => AvroValue::Null,
            (Value::Boolean(b), _) => AvroValue::Boolean(*b),
            (Value::Int8(i), _) => AvroValue::Int(i32::from(*i)),
            (Value::Int16(i), _) => AvroValue::Int(i32::from(*i)),
            (Value::Int32(i), _) => AvroValue::Int(*i),
            (Value::Date(d), AvroSchema::Date) => AvroValue::Date(*d),
            (Value::Date(d), _) => AvroValue::Int(*d),
            (Value::Time(t), AvroSchema::TimeMillis) => AvroValue::TimeMillis(*t),
            (Value::Time(t), _) => AvroValue::Int(*t),
            (Value::Int64(i), _) => AvroValue::Long(*i),
            (Value::Timestamp(t), AvroSchema::TimestampMillis) => AvroValue::TimestampMillis(*t),
            (Value::Timestamp(t), _) => AvroValue::Long(*t),
            (Value::Float32(f), _) => AvroValue::Float(*f),
            (Value::Float64(f), _) => AvroValue::Double(*f),
            (Value::String(t), AvroSchema::Enum(e)) => {
                let i = e.symbols.iter().position(|s| s == t).ok_or_else(mismatch)?;
                AvroValue::Enum(index_u32(i), t.clone())
            }
            (Value::String(t), _) => AvroValue::String(t.clone()),
            (Value::Bytes(b), AvroSchema::Fixed(f)) => AvroValue::Fixed(f.size, b.clone()),
            (Value::Bytes(b), _) => AvroValue::Bytes(b.clone()),
            (Value::Decimal(d), AvroSchema::Decimal(dec)) => {
                // apache-avro panics on a value too large for its fixed: refused here.
                if let AvroSchema::Fixed(f) = self.deref(&dec.inner)? {
                    if d.fixed_padding(f.size).is_none() {
                        return Err(plan::too_large(d, f.size));
                    }
                }
                AvroValue::Decimal(apache_avro::Decimal::from(d.unscaled_bytes()))
            }
            (Value::Decimal(d), _) => AvroValue::Bytes(d.unscaled_bytes().to_vec()),
            (Value::Array(items), AvroSchema::Array(arr)) => {
                let is = s.value_schema().ok_or_else(mismatch)?;
                AvroValue::Array(
                    items
                        .iter()
                        .map(|i| self.to_avro(is, &arr.items, i, depth + 1))
                        .collect::<Result<_, _>>()?,
                )
            }
            (Value::Map(m), AvroSchema::Map(map)) => {
                let vs = s.value_schema().ok_or_else(mismatch)?;
                let mut out = HashMap::with_capacity(m.len());
                for (k, v) in m.iter() {
                    let Value::String(k) = k else {
                        return Err(mismatch());
                    };
                    out.insert(k.clone(), self.to_avro(vs, &map.types, v, depth + 1)?);
                }
                AvroValue::Map(out)
            }
            (Value::Map(m), AvroSchema::Array(arr)) => {
                let (ks, vs) = match (s.key_schema(), s.value_schema()) {
                    (Some(k), Some(v)) => (k, v),
                    _ => return Err(mismatch()),
                };
                let AvroSchema::Record(entry) = self.deref(&arr.items)? else {
                    return Err(mismatch());
                };
                let (kf, vf) = match (entry.lookup.get("key"), entry.lookup.get("value")) {
                    (Some(&k), Some(&v)) => (&entry.fields[k].schema, &entry.fields[v].schema),
                    _ => return Err(mismatch()),
                };
                let mut out = Vec::with_capacity(m.len());
                for (k, v) in m.iter() {
                    out.push(AvroValue::Record(vec![
                        ("key".to_owned(), self.to_avro(ks, kf, k, depth + 1)?),
                        ("value".to_owned(), self.to_avro(vs, vf, v, depth + 1)?),
                    ]));
                }
                AvroValue::Array(out)
            }
            (Value::Struct(st), AvroSchema::Record(r)) => {
                let mut out = Vec::with_capacity(r.fields.len());
                for af in &r.fields {
                    let f = s
                        .field(&af.name)
                        .ok_or_else(|| err(format!("Connect struct has no field {}", af.name)))?;
                    let fv = st.get(&af.name).unwrap_or(&Value::Null);
                    out.push((
                        af.name.clone(),
                        self.to_avro(f.schema(), &af.schema, fv, depth + 1)?,
                    ));
                }
                AvroValue::Record(out)
            }
            _ => return Err(mismatch()),
        })
    }

    fn to_connect(
        &self,
        s: &Schema,
        a: &AvroSchema,
        v: AvroValue,
        depth: usize,
    ) -> Result<Value, DataError> {
        if depth > MAX_DEPTH {
            return Err(err("value nests too deeply"));
        }
        let a = self.deref(a)?;
        if let (AvroValue::Union(i, inner), AvroSchema::Union(u)) = (&v, a) {
            let i = *i as usize;
            let branch = u
                .variants()
                .get(i)
                .ok_or_else(|| err("union index out of range"))?;
            if **inner == AvroValue::Null {
                return Ok(Value::Null);
            }
            if s.name() == Some(UNION_NAME) && s.schema_type() == Type::Struct {
                let position = u.variants()[..i]
                    .iter()
                    .filter(|b| **b != AvroSchema::Null)
                    .count();
                let f = s
                    .fields()
                    .get(position)
                    .ok_or_else(|| err("union branch without a field"))?;
                let AvroValue::Union(_, inner) = v else {
                    return Err(err("unreachable union"));
                };
                let fv = self.to_connect(f.schema(), branch, *inner, depth + 1)?;
                return Ok(Value::Struct(Struct::new().with(f.name(), fv)));
            }
            let AvroValue::Union(_, inner) = v else {
                return Err(err("unreachable union"));
            };
            return self.to_connect(s, branch, *inner, depth + 1);
        }
        let mismatch = |v: &AvroValue| {
            err(format!(
                "Cannot read Avro value {v:?} as {}",
                s.schema_type()
            ))
        };
        let logical = s.logical_type();
        Ok(match v {
            AvroValue::Null => Value::Null,
            AvroValue::Boolean(b) => Value::Boolean(b),
            AvroValue::Int(i) | AvroValue::Date(i) | AvroValue::TimeMillis(i) => {
                match (s.schema_type(), logical) {
                    (_, Some(LogicalType::Date)) => Value::Date(i),
                    (_, Some(LogicalType::Time)) => Value::Time(i),
                    (Type::Int8, _) => Value::Int8(
                        i8::try_from(i).map_err(|_| err(format!("{i} is out of INT8 range")))?,
                    ),
                    (Type::Int16, _) => Value::Int16(
                        i16::try_from(i).map_err(|_| err(format!("{i} is out of INT16 range")))?,
                    ),
                    (Type::Int32, _) => Value::Int32(i),
                    _ => return Err(mismatch(&AvroValue::Int(i))),
                }
            }
            AvroValue::Long(i) | AvroValue::TimestampMillis(i) => match logical {
                Some(LogicalType::Timestamp) => Value::Timestamp(i),
                _ => Value::Int64(i),
            },
            AvroValue::Float(f) => Value::Float32(f),
            AvroValue::Double(f) => Value::Float64(f),
            AvroValue::String(t) | AvroValue::Enum(_, t) => Value::String(t),
            // A UUID (on a string, or on a fixed of 16) and a duration (a fixed of 12) are what
            // Connect holds them as: text, or the fixed's bytes.
            AvroValue::Uuid(u) if s.schema_type() == Type::String => Value::String(u.to_string()),
            AvroValue::Uuid(u) if s.schema_type() == Type::Bytes => {
                Value::Bytes(u.as_bytes().to_vec())
            }
            AvroValue::Duration(d) if s.schema_type() == Type::Bytes => {
                Value::Bytes(<[u8; 12]>::from(d).to_vec())
            }
            AvroValue::Bytes(b) | AvroValue::Fixed(_, b) => match logical {
                Some(LogicalType::Decimal { scale }) => {
                    Value::Decimal(Decimal::from_unscaled_bytes(&b, scale))
                }
                _ => Value::Bytes(b),
            },
            AvroValue::Decimal(d) => {
                let Some(LogicalType::Decimal { scale }) = logical else {
                    return Err(mismatch(&AvroValue::Decimal(d)));
                };
                let bytes: Vec<u8> =
                    Vec::<u8>::try_from(&d).map_err(|e| err(format!("Invalid decimal: {e}")))?;
                Value::Decimal(Decimal::from_unscaled_bytes(&bytes, scale))
            }
            AvroValue::Array(items) => match (s.schema_type(), a) {
                (Type::Array, AvroSchema::Array(arr)) => {
                    let is = s
                        .value_schema()
                        .ok_or_else(|| err("ARRAY schema without items"))?;
                    Value::Array(
                        items
                            .into_iter()
                            .map(|i| self.to_connect(is, &arr.items, i, depth + 1))
                            .collect::<Result<_, _>>()?,
                    )
                }
                (Type::Map, AvroSchema::Array(arr)) => {
                    let (ks, vs) = match (s.key_schema(), s.value_schema()) {
                        (Some(k), Some(v)) => (k, v),
                        _ => return Err(err("MAP schema without key or value schema")),
                    };
                    let AvroSchema::Record(entry) = self.deref(&arr.items)? else {
                        return Err(err("map entries are not records"));
                    };
                    let (kf, vf) = match (entry.lookup.get("key"), entry.lookup.get("value")) {
                        (Some(&k), Some(&v)) => (&entry.fields[k].schema, &entry.fields[v].schema),
                        _ => return Err(err("map entry record without key or value")),
                    };
                    let mut m = IndexMap::with_capacity(items.len());
                    for item in items {
                        let AvroValue::Record(fields) = item else {
                            return Err(err("map entry is not a record"));
                        };
                        let mut key = Value::Null;
                        let mut value = Value::Null;
                        for (n, fv) in fields {
                            if n == "key" {
                                key = self.to_connect(ks, kf, fv, depth + 1)?;
                            } else if n == "value" {
                                value = self.to_connect(vs, vf, fv, depth + 1)?;
                            }
                        }
                        m.insert(key, value);
                    }
                    Value::Map(Box::new(m))
                }
                _ => return Err(err("Avro array for a non-array schema")),
            },
            AvroValue::Map(entries) => {
                let AvroSchema::Map(map) = a else {
                    return Err(err("Avro map for a non-map schema"));
                };
                let vs = s
                    .value_schema()
                    .ok_or_else(|| err("MAP schema without value schema"))?;
                let mut sorted: Vec<(String, AvroValue)> = entries.into_iter().collect();
                sorted.sort_by(|x, y| x.0.cmp(&y.0));
                let mut m = IndexMap::with_capacity(sorted.len());
                for (k, v) in sorted {
                    m.insert(
                        Value::String(k),
                        self.to_connect(vs, &map.types, v, depth + 1)?,
                    );
                }
                Value::Map(Box::new(m))
            }
            AvroValue::Record(fields) => {
                let AvroSchema::Record(r) = a else {
                    return Err(err("Avro record for a non-record schema"));
                };
                let mut st = Struct::new();
                for (n, fv) in fields {
                    let (Some(f), Some(&ai)) = (s.field(&n), r.lookup.get(&n)) else {
                        continue;
                    };
                    let v = self.to_connect(f.schema(), &r.fields[ai].schema, fv, depth + 1)?;
                    if !v.is_null() {
                        st.put(n, v);
                    }
                }
                Value::Struct(st)
            }
            other => return Err(mismatch(&other)),
        })
    }
}

fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------------
// The registry converter's format

/// The Avro format of the registry converter: Connect schemas mapped by [`AvroData`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AvroFormat {
    /// The mapping.
    pub data: AvroData,
}

/// The full name of the top-level record of an Avro schema (JSON), if it is a record.
fn record_full_name(avro: &Json) -> Option<String> {
    let obj = avro.as_object()?;
    if obj.get("type").and_then(Json::as_str) != Some("record") {
        return None;
    }
    full_name(obj, None).ok().map(|(n, _)| n)
}

impl crate::registry::Format for AvroFormat {
    type Codec = AvroCodec;
    const SCHEMA_TYPE: strata_client::SchemaType = strata_client::SchemaType::Avro;

    fn compile_connect(
        &self,
        schema: &Schema,
    ) -> Result<crate::registry::Compiled<AvroCodec>, crate::ConverterError> {
        let avro = self.data.from_connect_schema(schema)?;
        let text = avro.to_string();
        let codec = AvroCodec::new(&text, schema.clone())?;
        Ok(crate::registry::Compiled {
            request: strata_client::RegisterSchemaRequest::new(Self::SCHEMA_TYPE, text),
            record_name: record_full_name(&avro),
            codec,
        })
    }

    fn compile_registered(
        &self,
        schema: &crate::registry::Registered<'_>,
        references: &strata_client::ResolvedReferences,
    ) -> Result<crate::registry::Compiled<AvroCodec>, crate::ConverterError> {
        if schema.schema_type != Self::SCHEMA_TYPE {
            return Err(err(format!(
                "the writer schema is {}, not AVRO",
                schema.schema_type.as_str()
            ))
            .into());
        }
        let parsed = parse_avro(
            schema.schema,
            schema.references,
            references,
            &strata_schema::ParseOptions::stored(),
        )?;
        let compiled = apache(&parsed)?.clone();
        let parse_json = |text: &str| -> Result<Json, DataError> {
            serde_json::from_str(text)
                .or_else(|_| serde_json::from_str(&format!("\"{text}\"")))
                .map_err(|e| err(format!("Invalid Avro schema: {e}")))
        };
        let dependencies = parsed
            .dependencies()
            .iter()
            .map(|d| parse_json(&d.schema))
            .collect::<Result<Vec<_>, _>>()?;
        let avro = parse_json(schema.schema)?;
        let connect = self
            .data
            .to_connect_schema_with_dependencies(&dependencies, &avro)?;
        let codec = AvroCodec::from_schema(compiled, schema.schema, connect);
        Ok(crate::registry::Compiled {
            request: strata_client::RegisterSchemaRequest::new(Self::SCHEMA_TYPE, schema.schema)
                .with_references(schema.references.to_vec()),
            record_name: avro_model(&parsed)?.full_name().map(str::to_owned),
            codec,
        })
    }

    fn connect_schema(codec: &AvroCodec) -> &Schema {
        codec.connect_schema()
    }

    fn with_version(codec: AvroCodec, version: i32) -> Result<AvroCodec, crate::ConverterError> {
        let s = builder_of(codec.connect_schema())
            .version(version)
            .build()?;
        Ok(codec.with_connect_schema(s))
    }

    fn encode(
        &self,
        codec: &AvroCodec,
        id: crate::wire::SchemaId,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<(), crate::ConverterError> {
        crate::wire::encode_into(out, id, None, &[]);
        codec.encode_into(value, out)?;
        Ok(())
    }

    fn decode_value(
        &self,
        codec: &AvroCodec,
        payload: &[u8],
    ) -> Result<Value, crate::ConverterError> {
        Ok(codec.decode(payload)?)
    }
}

/// Confluent's `AvroConverter`.
pub type AvroConverter = crate::registry::RegistryConverter<AvroFormat>;
