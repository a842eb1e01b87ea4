//! Connect ⇄ JSON Schema, as Confluent's `JsonSchemaData` does it, and the JSON Schema converter.
//!
//! A struct is an `"object"` whose `"title"` is the Connect name and whose properties carry
//! `"connect.index"` (their position); integer and float widths and bytes are told apart by
//! `"connect.type"`; an optional schema is `{"oneOf": [{"type": "null"}, T]}`; a map with string
//! keys is an object with `additionalProperties`, any other map an array of `{key, value}`
//! objects; `connect.version` and `connect.parameters` keep the rest. Values are JSON text,
//! bytes and Decimals as base64, checked against the compiled schema before they are written.
//!
//! ```
//! use strata_converters::json_schema::JsonSchemaData;
//! use strata_converters::connect::{Schema, SchemaBuilder, Type};
//!
//! let schema = SchemaBuilder::struct_()
//!     .name("User")
//!     .field("id", Schema::new(Type::Int8))
//!     .field("name", Schema::new_optional(Type::String))
//!     .build()?;
//! let json = JsonSchemaData.from_connect_schema(&schema)?;
//! assert_eq!(
//!     json.to_string(),
//!     r#"{"type":"object","title":"User","properties":{"id":{"type":"integer","connect.type":"int8","connect.index":0},"name":{"oneOf":[{"type":"null"},{"type":"string"}],"connect.index":1}},"required":["id"]}"#
//! );
//! assert_eq!(JsonSchemaData.to_connect_schema(&json)?, schema);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::connect::from_json::{self, Spelling};
use crate::connect::{DataError, Schema, SchemaBuilder, Type, Value};
use crate::registry::{Compiled, Format, Registered};
use crate::wire::SchemaId;
use crate::ConverterError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value as Json};
use std::sync::Arc;
use strata_schema::{ParsedSchema, SchemaModel, SchemaType};

const CONNECT_TYPE: &str = "connect.type";
const CONNECT_INDEX: &str = "connect.index";
const CONNECT_VERSION: &str = "connect.version";
const CONNECT_PARAMETERS: &str = "connect.parameters";
const MAX_DEPTH: usize = 64;

mod fast;

fn err(message: impl Into<String>) -> DataError {
    DataError::new(message)
}

/// Maps Connect schemas to JSON Schemas and back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonSchemaData;

impl JsonSchemaData {
    /// The JSON Schema of a Connect schema.
    // Named after Confluent's `fromConnectSchema`.
    #[allow(clippy::wrong_self_convention)]
    pub fn from_connect_schema(&self, schema: &Schema) -> Result<Json, DataError> {
        from_connect(schema, None, 0)
    }

    /// The Connect schema of a JSON Schema.
    pub fn to_connect_schema(&self, json: &Json) -> Result<Schema, DataError> {
        to_connect(json, 0)?.build()
    }

    /// A Connect value as JSON.
    #[allow(clippy::wrong_self_convention)]
    pub fn from_connect_value(&self, schema: &Schema, value: &Value) -> Result<Json, DataError> {
        value_to_json(schema, value, 0)
    }

    /// A JSON value as a Connect value of `schema`.
    pub fn to_connect_value(&self, schema: &Schema, json: &Json) -> Result<Value, DataError> {
        value_from_json(schema, json, 0)
    }
}

fn from_connect(s: &Schema, index: Option<usize>, depth: usize) -> Result<Json, DataError> {
    if depth > MAX_DEPTH {
        return Err(err("Connect schema nests too deeply"));
    }
    let mut o = Map::new();
    let int = |o: &mut Map<String, Json>, t: &str| {
        o.insert("type".into(), "integer".into());
        o.insert(CONNECT_TYPE.into(), t.into());
    };
    match s.schema_type() {
        Type::Int8 => int(&mut o, "int8"),
        Type::Int16 => int(&mut o, "int16"),
        Type::Int32 => int(&mut o, "int32"),
        Type::Int64 => int(&mut o, "int64"),
        Type::Float32 => {
            o.insert("type".into(), "number".into());
            o.insert(CONNECT_TYPE.into(), "float32".into());
        }
        Type::Float64 => {
            o.insert("type".into(), "number".into());
            o.insert(CONNECT_TYPE.into(), "float64".into());
        }
        Type::Boolean => {
            o.insert("type".into(), "boolean".into());
        }
        Type::String => {
            o.insert("type".into(), "string".into());
        }
        Type::Bytes => {
            o.insert("type".into(), "string".into());
            o.insert(CONNECT_TYPE.into(), "bytes".into());
        }
        Type::Array => {
            let items = s
                .value_schema()
                .ok_or_else(|| err("ARRAY schema without items"))?;
            o.insert("type".into(), "array".into());
            o.insert("items".into(), from_connect(items, None, depth + 1)?);
        }
        Type::Map => {
            let (k, v) = match (s.key_schema(), s.value_schema()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(err("MAP schema without key or value schema")),
            };
            if k.schema_type() == Type::String
                && !k.is_optional()
                && *k == Schema::new(Type::String)
            {
                o.insert("type".into(), "object".into());
                o.insert(
                    "additionalProperties".into(),
                    from_connect(v, None, depth + 1)?,
                );
            } else {
                let mut props = Map::new();
                props.insert("key".into(), from_connect(k, Some(0), depth + 1)?);
                props.insert("value".into(), from_connect(v, Some(1), depth + 1)?);
                let mut entry = Map::new();
                entry.insert("type".into(), "object".into());
                entry.insert("properties".into(), Json::Object(props));
                o.insert("type".into(), "array".into());
                o.insert("items".into(), Json::Object(entry));
            }
            o.insert(CONNECT_TYPE.into(), "map".into());
        }
        Type::Struct => {
            o.insert("type".into(), "object".into());
        }
    }
    if let Some(name) = s.name() {
        o.insert("title".into(), name.into());
    }
    if s.schema_type() == Type::Struct {
        let mut props = Map::new();
        let mut required = Vec::new();
        for f in s.fields() {
            props.insert(
                f.name().to_owned(),
                from_connect(f.schema(), Some(f.index()), depth + 1)?,
            );
            if !f.schema().is_optional() {
                required.push(Json::from(f.name()));
            }
        }
        o.insert("properties".into(), Json::Object(props));
        if !required.is_empty() {
            o.insert("required".into(), Json::Array(required));
        }
    }
    if let Some(doc) = s.doc() {
        o.insert("description".into(), doc.into());
    }
    if let Some(v) = s.version() {
        o.insert(CONNECT_VERSION.into(), v.into());
    }
    if !s.parameters().is_empty() {
        let p: Map<String, Json> = s
            .parameters()
            .iter()
            .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
            .collect();
        o.insert(CONNECT_PARAMETERS.into(), Json::Object(p));
    }
    if let Some(d) = s.default_value() {
        o.insert("default".into(), value_to_json(s, d, depth)?);
    }
    let mut out = if s.is_optional() {
        let mut wrapper = Map::new();
        let null = serde_json::json!({"type": "null"});
        wrapper.insert("oneOf".into(), Json::Array(vec![null, Json::Object(o)]));
        wrapper
    } else {
        o
    };
    if let Some(i) = index {
        out.insert(CONNECT_INDEX.into(), i.into());
    }
    Ok(Json::Object(out))
}

fn to_connect(j: &Json, depth: usize) -> Result<SchemaBuilder, DataError> {
    if depth > MAX_DEPTH {
        return Err(err("JSON Schema nests too deeply"));
    }
    let o = j
        .as_object()
        .ok_or_else(|| err(format!("unsupported JSON Schema {j}")))?;
    for combinator in ["oneOf", "anyOf"] {
        if let Some(Json::Array(branches)) = o.get(combinator) {
            let is_null = |b: &Json| b.get("type").and_then(Json::as_str) == Some("null");
            let non_null: Vec<&Json> = branches.iter().filter(|b| !is_null(b)).collect();
            if non_null.len() == 1 && branches.len() == 2 {
                return Ok(to_connect(non_null[0], depth + 1)?.optional());
            }
            return Err(err(format!(
                "unsupported {combinator} in JSON Schema: only [null, T] maps to Connect"
            )));
        }
    }
    let t = o
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| err(format!("JSON Schema without a single type: {j}")))?;
    let ct = o.get(CONNECT_TYPE).and_then(Json::as_str);
    let mut b = match (t, ct) {
        ("integer", Some("int8")) => SchemaBuilder::int8(),
        ("integer", Some("int16")) => SchemaBuilder::int16(),
        ("integer", Some("int32")) => SchemaBuilder::int32(),
        ("integer", _) => SchemaBuilder::int64(),
        ("number", Some("float32")) => SchemaBuilder::float32(),
        ("number", _) => SchemaBuilder::float64(),
        ("boolean", _) => SchemaBuilder::boolean(),
        ("string", Some("bytes")) => SchemaBuilder::bytes(),
        ("string", _) => SchemaBuilder::string(),
        ("array", Some("map")) => {
            let props = o
                .get("items")
                .and_then(|i| i.get("properties"))
                .and_then(Json::as_object)
                .ok_or_else(|| err("map entries without properties"))?;
            let k = props
                .get("key")
                .ok_or_else(|| err("map entry without key"))?;
            let v = props
                .get("value")
                .ok_or_else(|| err("map entry without value"))?;
            SchemaBuilder::map(
                to_connect(k, depth + 1)?.build()?,
                to_connect(v, depth + 1)?.build()?,
            )
        }
        ("array", _) => {
            let items = o.get("items").ok_or_else(|| err("array without items"))?;
            SchemaBuilder::array(to_connect(items, depth + 1)?.build()?)
        }
        ("object", Some("map")) => {
            let v = o
                .get("additionalProperties")
                .ok_or_else(|| err("map without additionalProperties"))?;
            SchemaBuilder::map(
                Schema::new(Type::String),
                to_connect(v, depth + 1)?.build()?,
            )
        }
        ("object", _) => {
            let mut fields: Vec<(usize, &String, &Json)> = Vec::new();
            if let Some(props) = o.get("properties").and_then(Json::as_object) {
                for (n, (name, p)) in props.iter().enumerate() {
                    let index = p
                        .get(CONNECT_INDEX)
                        .and_then(Json::as_u64)
                        .and_then(|i| usize::try_from(i).ok())
                        .unwrap_or(n);
                    fields.push((index, name, p));
                }
            }
            fields.sort_by_key(|f| f.0);
            let mut b = SchemaBuilder::struct_();
            for (_, name, p) in fields {
                b = b.field(name.as_str(), to_connect(p, depth + 1)?.build()?);
            }
            b
        }
        (other, _) => return Err(err(format!("unsupported JSON Schema type {other}"))),
    };
    if let Some(title) = o.get("title").and_then(Json::as_str) {
        b = b.name(title);
    }
    if let Some(doc) = o.get("description").and_then(Json::as_str) {
        b = b.doc(doc);
    }
    if let Some(v) = o.get(CONNECT_VERSION) {
        let v = v
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| err("invalid connect.version"))?;
        b = b.version(v);
    }
    if let Some(p) = o.get(CONNECT_PARAMETERS).and_then(Json::as_object) {
        for (k, v) in p {
            let v = v
                .as_str()
                .ok_or_else(|| err("connect.parameters values must be strings"))?;
            b = b.parameter(k.as_str(), v);
        }
    }
    if let Some(d) = o.get("default") {
        let plain = b.clone().build()?;
        b = b.default_value(value_from_json(&plain, d, depth)?);
    }
    Ok(b)
}

fn value_to_json(s: &Schema, v: &Value, depth: usize) -> Result<Json, DataError> {
    if depth > MAX_DEPTH {
        return Err(err("value nests too deeply"));
    }
    let v = match (v, s.default_value()) {
        (Value::Null, Some(d)) => d,
        _ => v,
    };
    let float = |f: f64| {
        serde_json::Number::from_f64(f)
            .map(Json::Number)
            .ok_or_else(|| err(format!("{f} has no JSON representation")))
    };
    Ok(match v {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::from(*b),
        Value::Int8(i) => Json::from(*i),
        Value::Int16(i) => Json::from(*i),
        Value::Int32(i) | Value::Date(i) | Value::Time(i) => Json::from(*i),
        Value::Int64(i) | Value::Timestamp(i) => Json::from(*i),
        Value::Float32(f) => float(f64::from(*f))?,
        Value::Float64(f) => float(*f)?,
        Value::String(t) => Json::from(t.as_str()),
        Value::Bytes(b) => Json::from(STANDARD.encode(b)),
        Value::Decimal(d) => Json::from(STANDARD.encode(d.unscaled_bytes())),
        Value::Array(items) => {
            let is = s
                .value_schema()
                .ok_or_else(|| err("ARRAY schema without items"))?;
            Json::Array(
                items
                    .iter()
                    .map(|i| value_to_json(is, i, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Map(m) => {
            let (ks, vs) = match (s.key_schema(), s.value_schema()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(err("MAP schema without key or value schema")),
            };
            if *ks == Schema::new(Type::String) {
                let mut o = Map::new();
                for (k, v) in m.iter() {
                    let Value::String(k) = k else {
                        return Err(err("map key is not a string"));
                    };
                    o.insert(k.clone(), value_to_json(vs, v, depth + 1)?);
                }
                Json::Object(o)
            } else {
                let mut a = Vec::with_capacity(m.len());
                for (k, v) in m.iter() {
                    let mut o = Map::new();
                    o.insert("key".into(), value_to_json(ks, k, depth + 1)?);
                    o.insert("value".into(), value_to_json(vs, v, depth + 1)?);
                    a.push(Json::Object(o));
                }
                Json::Array(a)
            }
        }
        Value::Struct(st) => {
            let mut o = Map::new();
            for f in s.fields() {
                let fv = st.get(f.name()).unwrap_or(&Value::Null);
                let j = value_to_json(f.schema(), fv, depth + 1)?;
                if !j.is_null() {
                    o.insert(f.name().to_owned(), j);
                }
            }
            Json::Object(o)
        }
    })
}

/// How JSON Schema records spell Connect values: bytes and decimals in base64, numbers as
/// numbers; `null` (or an absent field) is the schema's default, or null where it is optional.
pub(crate) const JSON_SCHEMA_RECORDS: Spelling = Spelling {
    bytes: |j| j.as_str().and_then(|t| STANDARD.decode(t).ok()),
    float: Json::as_f64,
    null: |s| match s.default_value() {
        Some(d) => Ok(d.clone()),
        None if s.is_optional() => Ok(Value::Null),
        None => Err(err(format!(
            "null for a required {} schema",
            s.schema_type()
        ))),
    },
    entries_complete: false,
    mismatch: |s, j| {
        let shown: String = j.to_string().chars().take(64).collect();
        err(format!(
            "JSON {shown} does not fit a {} schema",
            s.schema_type()
        ))
    },
};

fn value_from_json(s: &Schema, j: &Json, depth: usize) -> Result<Value, DataError> {
    from_json::value_from_json(&JSON_SCHEMA_RECORDS, s, j, depth)
}

/// A compiled JSON Schema with its Connect schema: converts values, and checks them against the
/// JSON Schema when configured to (`json.fail.invalid.schema`, as Confluent's serde).
///
/// Values go between Connect and JSON text in one pass guided by the Connect schema; a value
/// that pass refuses goes through a JSON tree, which converts it or says why not.
#[derive(Debug)]
pub struct JsonSchemaCodec {
    connect: Schema,
    /// The one-pass writer and reader of `connect`.
    plan: fast::Plan,
    parsed: Arc<ParsedSchema>,
    validate: bool,
}

impl JsonSchemaCodec {
    /// The Connect schema.
    pub fn connect_schema(&self) -> &Schema {
        &self.connect
    }

    /// The codec, checking every value against the JSON Schema (`json.fail.invalid.schema`)
    /// or not.
    #[must_use]
    pub fn validating(mut self, validate: bool) -> JsonSchemaCodec {
        self.validate = validate;
        self
    }

    /// The JSON text of a value.
    pub fn encode(&self, value: &Value) -> Result<Vec<u8>, DataError> {
        let mut out = Vec::new();
        self.encode_into(value, &mut out)?;
        Ok(out)
    }

    /// Appends the JSON text of a value to `out`.
    pub fn encode_into(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
        if !self.validate && self.plan.write(value, out) {
            return Ok(());
        }
        let j = self.to_json(value)?;
        serde_json::to_writer(out, &j).map_err(|e| err(e.to_string()))
    }

    /// The JSON of a value through a JSON tree (checked against the JSON Schema when
    /// validating): the reference the one-pass writer is tested against.
    pub fn to_json(&self, value: &Value) -> Result<Json, DataError> {
        self.connect.validate(value)?;
        let j = value_to_json(&self.connect, value, 0)?;
        if self.validate {
            self.check(&j)?;
        }
        Ok(j)
    }

    fn check(&self, j: &Json) -> Result<(), DataError> {
        if let SchemaModel::Json(model) = self.parsed.model() {
            model.validate(j).map_err(|e| {
                err(format!(
                    "the value does not conform to its JSON Schema: {e}"
                ))
            })?;
        }
        Ok(())
    }

    /// The value of a JSON text.
    pub fn decode(&self, payload: &[u8]) -> Result<Value, DataError> {
        if !self.validate {
            if let Some(v) = self.plan.read(payload) {
                return Ok(v);
            }
        }
        self.decode_tree(payload)
    }

    /// What each of the one-pass reader's two readers reads a JSON text as (`None`: it leaves
    /// the text to the next): the byte scanner of usual layouts, then serde_json. Each, where it
    /// reads a value, must read what [`JsonSchemaCodec::decode_tree`] reads (the fuzz target
    /// `json_schema_read` checks both).
    #[doc(hidden)]
    pub fn decode_each_pass(&self, payload: &[u8]) -> [Option<Value>; 2] {
        self.plan.read_each(payload)
    }

    /// The value of a JSON text through a JSON tree (checked against the JSON Schema when
    /// validating): the reference the one-pass reader is tested against.
    pub fn decode_tree(&self, payload: &[u8]) -> Result<Value, DataError> {
        let j: Json =
            serde_json::from_slice(payload).map_err(|e| err(format!("invalid JSON: {e}")))?;
        if self.validate {
            self.check(&j)?;
        }
        value_from_json(&self.connect, &j, 0)
    }
}

fn parse_json_schema(
    text: &str,
    references: &[strata_schema::SchemaReference],
    resolver: &dyn strata_schema::ReferenceResolver,
) -> Result<ParsedSchema, ConverterError> {
    strata_schema::parse(
        SchemaType::Json,
        text,
        references,
        resolver,
        &strata_schema::ParseOptions::stored(),
    )
    .map_err(|e| ConverterError::Data(err(e.to_string())))
}

/// The JSON Schema format of the registry converter.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonSchemaFormat {
    /// `json.fail.invalid.schema` (default false, as Confluent's): check every value written
    /// and read against the JSON Schema.
    pub fail_invalid_schema: bool,
}

impl Format for JsonSchemaFormat {
    type Codec = JsonSchemaCodec;
    const SCHEMA_TYPE: SchemaType = SchemaType::Json;

    fn compile_connect(
        &self,
        schema: &Schema,
    ) -> Result<Compiled<JsonSchemaCodec>, ConverterError> {
        let json = JsonSchemaData.from_connect_schema(schema)?;
        let text = json.to_string();
        let parsed = parse_json_schema(&text, &[], &strata_schema::NoReferences)?;
        Ok(Compiled {
            request: strata_client::RegisterSchemaRequest::new(SchemaType::Json, text),
            record_name: schema.name().map(str::to_owned),
            codec: JsonSchemaCodec {
                connect: schema.clone(),
                plan: fast::Plan::new(schema),
                parsed: Arc::new(parsed),
                validate: self.fail_invalid_schema,
            },
        })
    }

    fn compile_registered(
        &self,
        schema: &Registered<'_>,
        references: &strata_client::ResolvedReferences,
    ) -> Result<Compiled<JsonSchemaCodec>, ConverterError> {
        if schema.schema_type != SchemaType::Json {
            return Err(err(format!(
                "the writer schema is {}, not JSON",
                schema.schema_type.as_str()
            ))
            .into());
        }
        let parsed = parse_json_schema(schema.schema, schema.references, references)?;
        let json: Json = serde_json::from_str(schema.schema).map_err(|e| err(e.to_string()))?;
        let connect = JsonSchemaData.to_connect_schema(&json)?;
        Ok(Compiled {
            request: strata_client::RegisterSchemaRequest::new(SchemaType::Json, schema.schema)
                .with_references(schema.references.to_vec()),
            record_name: connect.name().map(str::to_owned),
            codec: JsonSchemaCodec {
                plan: fast::Plan::new(&connect),
                connect,
                parsed: Arc::new(parsed),
                validate: self.fail_invalid_schema,
            },
        })
    }

    fn connect_schema(codec: &JsonSchemaCodec) -> &Schema {
        &codec.connect
    }

    fn with_version(
        codec: JsonSchemaCodec,
        version: i32,
    ) -> Result<JsonSchemaCodec, ConverterError> {
        let connect = crate::avro::builder_of(&codec.connect)
            .version(version)
            .build()?;
        Ok(JsonSchemaCodec {
            plan: fast::Plan::new(&connect),
            connect,
            ..codec
        })
    }

    fn encode(
        &self,
        codec: &JsonSchemaCodec,
        id: SchemaId,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<(), ConverterError> {
        crate::wire::encode_into(out, id, None, &[]);
        codec.encode_into(value, out)?;
        Ok(())
    }

    fn decode_value(
        &self,
        codec: &JsonSchemaCodec,
        payload: &[u8],
    ) -> Result<Value, crate::ConverterError> {
        Ok(codec.decode(payload)?)
    }
}

/// Confluent's `JsonSchemaConverter`.
pub type JsonSchemaConverter = crate::registry::RegistryConverter<JsonSchemaFormat>;
