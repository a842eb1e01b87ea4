//! Kafka's `org.apache.kafka.connect.json.JsonConverter`: Connect data as plain JSON, with the
//! schema inline in a `{"schema": …, "payload": …}` envelope when `schemas.enable=true`.
//!
//! Schema JSON (keys in the order Kafka writes them):
//!
//! | Key          | Meaning                                                                      |
//! |--------------|------------------------------------------------------------------------------|
//! | `type`       | `boolean`, `int8`, `int16`, `int32`, `int64`, `float` (FLOAT32), `double` (FLOAT64), `bytes`, `string`, `array`, `map`, `struct` |
//! | `items`      | ARRAY element schema                                                         |
//! | `keys`, `values` | MAP key and value schemas                                                |
//! | `fields`     | STRUCT fields: field schemas with an extra `"field": "<name>"` (written last) |
//! | `optional`   | always written                                                               |
//! | `name`, `version`, `doc` | when set                                                         |
//! | `parameters` | object of string → string, when there are any                               |
//! | `default`    | the default value, in payload encoding                                      |
//!
//! Payload: BYTES as base64; Decimal as base64 of the unscaled two's-complement bytes
//! (`decimal.format=BASE64`, the default) or a JSON number (`NUMERIC`), and read back from
//! either; Date, Time and Timestamp as their integers; a MAP with STRING keys as a JSON object,
//! any other MAP as an array of `[key, value]` pairs; a STRUCT as an object by field name.
//! Non-finite floats are written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, as Jackson
//! does.
//!
//! Where Kafka silently coerces a JSON value of the wrong kind (its Jackson accessors read a
//! string as the int 0, `true` from a number as false, 300 as the INT8 44), this converter
//! rejects the record with an error naming the expected type: it never changes data. It
//! accepts integral JSON floats (`1.0`) for integer types, and reads the non-finite float
//! strings back as the floats they stand for. A NUMERIC decimal is read exactly, from the
//! number's text (as Kafka reads it into a `BigDecimal`), then rescaled to the schema's scale
//! when no digit is lost (Kafka keeps the number's own scale, which then fails when written).
//! Content after the JSON document is an error (Jackson ignores it), and numbers beyond the
//! range of FLOAT64 (or FLOAT32) are refused rather than read as infinity.
//!
//! ```
//! use strata_converters::connect::{Schema, SchemaBuilder, Struct, Type, Value};
//! use strata_converters::json::{JsonConverter, JsonConverterConfig};
//! use strata_converters::Converter;
//!
//! let converter = JsonConverter::new(JsonConverterConfig::default());
//! let schema = SchemaBuilder::struct_().field("id", Schema::new(Type::Int32)).build()?;
//! let value = Value::Struct(Struct::new().with("id", Value::Int32(1)));
//! let bytes = converter.from_connect("orders", Some(&schema), &value)?.unwrap();
//! assert_eq!(
//!     std::str::from_utf8(&bytes).unwrap(),
//!     r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false},"payload":{"id":1}}"#
//! );
//! let back = converter.to_connect("orders", Some(&bytes))?;
//! assert_eq!(back.schema.as_ref(), Some(&schema));
//! assert_eq!(back.value, value);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::config::{self, ConfigError};
use crate::connect::{DataError, Decimal, LogicalType, Schema, SchemaBuilder, Struct, Type, Value};
use crate::converter::{Converter, SchemaAndValue};
use crate::error::ConverterError;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::io::Write as _;

pub(crate) mod parse;
use parse::Json;

/// Config key: whether messages carry the schema envelope.
pub const SCHEMAS_ENABLE: &str = "schemas.enable";
/// Config key: size of Kafka's schema caches (accepted and checked; this converter needs none).
pub const SCHEMAS_CACHE_SIZE: &str = "schemas.cache.size";
/// Config key: how Decimal values are written.
pub const DECIMAL_FORMAT: &str = "decimal.format";
/// Config key: whether null is replaced by the schema's default.
pub const REPLACE_NULL_WITH_DEFAULT: &str = "replace.null.with.default";
/// Config key (Kafka 4.1+): one schema for every message instead of the envelope's. Not
/// supported: rejected rather than ignored, since ignoring it would read records differently.
pub const SCHEMA_CONTENT: &str = "schema.content";

/// How the JSON converter writes Decimal values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalFormat {
    /// Base64 of the unscaled value's two's-complement bytes (Kafka's default).
    #[default]
    Base64,
    /// A JSON number.
    Numeric,
}

/// The JSON converter's settings, as Kafka's `JsonConverterConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonConverterConfig {
    /// `schemas.enable` (default true): write and require the `{"schema", "payload"}` envelope.
    pub schemas_enable: bool,
    /// `schemas.cache.size` (default 1000). Kept for configuration parity: schemas are
    /// converted directly, without a cache.
    pub schemas_cache_size: usize,
    /// `decimal.format` (default BASE64).
    pub decimal_format: DecimalFormat,
    /// `replace.null.with.default` (default true): a null value with a schema default is
    /// written and read as the default.
    pub replace_null_with_default: bool,
}

impl Default for JsonConverterConfig {
    fn default() -> Self {
        JsonConverterConfig {
            schemas_enable: true,
            schemas_cache_size: 1000,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
        }
    }
}

impl JsonConverterConfig {
    /// Reads the settings from converter properties (prefix already stripped); other keys are
    /// ignored, bad values rejected with an error naming the key.
    pub fn from_properties(props: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let d = JsonConverterConfig::default();
        if let Some(v) = props.get(SCHEMA_CONTENT).filter(|v| !v.trim().is_empty()) {
            return Err(ConfigError::invalid(
                SCHEMA_CONTENT,
                v,
                "a fixed schema for every message is not supported",
            ));
        }
        Ok(JsonConverterConfig {
            schemas_enable: config::parse_bool(props, SCHEMAS_ENABLE, d.schemas_enable)?,
            schemas_cache_size: config::parse_usize(
                props,
                SCHEMAS_CACHE_SIZE,
                d.schemas_cache_size,
            )?,
            decimal_format: match props.get(DECIMAL_FORMAT) {
                None => d.decimal_format,
                Some(v) => match v.trim().to_ascii_uppercase().as_str() {
                    "BASE64" => DecimalFormat::Base64,
                    "NUMERIC" => DecimalFormat::Numeric,
                    _ => {
                        return Err(ConfigError::invalid(
                            DECIMAL_FORMAT,
                            v,
                            "expected BASE64 or NUMERIC",
                        ))
                    }
                },
            },
            replace_null_with_default: config::parse_bool(
                props,
                REPLACE_NULL_WITH_DEFAULT,
                d.replace_null_with_default,
            )?,
        })
    }
}

/// Kafka's JSON converter (see the [module docs](self)).
#[derive(Debug, Clone, Default)]
pub struct JsonConverter {
    config: JsonConverterConfig,
}

/// Base64 as Jackson reads it: padding optional.
const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl JsonConverter {
    /// A converter with these settings.
    pub fn new(config: JsonConverterConfig) -> JsonConverter {
        JsonConverter { config }
    }

    /// The settings.
    pub fn config(&self) -> &JsonConverterConfig {
        &self.config
    }

    /// A Connect schema as the envelope's `schema` JSON (Kafka's `asJsonSchema`).
    pub fn schema_to_json(&self, schema: &Schema) -> Result<String, DataError> {
        let mut out = Vec::new();
        self.write_schema(&mut out, schema, None)?;
        String::from_utf8(out).map_err(|e| DataError::new(e.to_string()))
    }

    /// An envelope's `schema` JSON text as a Connect schema (Kafka's `asConnectSchema`); JSON
    /// null gives `None`.
    pub fn schema_from_json(&self, json: &[u8]) -> Result<Option<Schema>, ConverterError> {
        let json = parse::parse(json).map_err(ConverterError::Deserialization)?;
        if json.is_null() {
            return Ok(None);
        }
        Ok(Some(self.read_schema(&json)?))
    }

    // ---------------------------------------------------------------- writing

    fn write_schema(
        &self,
        out: &mut Vec<u8>,
        schema: &Schema,
        field_name: Option<&str>,
    ) -> Result<(), DataError> {
        let type_name = match schema.schema_type() {
            Type::Boolean => "boolean",
            Type::Int8 => "int8",
            Type::Int16 => "int16",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Float32 => "float",
            Type::Float64 => "double",
            Type::Bytes => "bytes",
            Type::String => "string",
            Type::Array => "array",
            Type::Map => "map",
            Type::Struct => "struct",
        };
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(type_name.as_bytes());
        out.push(b'"');
        match schema.schema_type() {
            Type::Array => {
                out.extend_from_slice(b",\"items\":");
                self.write_schema(out, child(schema.value_schema())?, None)?;
            }
            Type::Map => {
                out.extend_from_slice(b",\"keys\":");
                self.write_schema(out, child(schema.key_schema())?, None)?;
                out.extend_from_slice(b",\"values\":");
                self.write_schema(out, child(schema.value_schema())?, None)?;
            }
            Type::Struct => {
                out.extend_from_slice(b",\"fields\":[");
                for (i, field) in schema.fields().iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_schema(out, field.schema(), Some(field.name()))?;
                }
                out.push(b']');
            }
            _ => {}
        }
        out.extend_from_slice(if schema.is_optional() {
            b",\"optional\":true"
        } else {
            b",\"optional\":false"
        });
        if let Some(name) = schema.name() {
            out.extend_from_slice(b",\"name\":");
            write_str(out, name);
        }
        if let Some(version) = schema.version() {
            let _ = write!(out, ",\"version\":{version}");
        }
        if let Some(doc) = schema.doc() {
            out.extend_from_slice(b",\"doc\":");
            write_str(out, doc);
        }
        if !schema.parameters().is_empty() {
            out.extend_from_slice(b",\"parameters\":{");
            for (i, (k, v)) in schema.parameters().iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, k);
                out.push(b':');
                write_str(out, v);
            }
            out.push(b'}');
        }
        if let Some(default) = schema.default_value() {
            out.extend_from_slice(b",\"default\":");
            self.write_value(out, Some(schema), default)?;
        }
        if let Some(field) = field_name {
            out.extend_from_slice(b",\"field\":");
            write_str(out, field);
        }
        out.push(b'}');
        Ok(())
    }

    /// Kafka's `convertToJson`.
    fn write_value(
        &self,
        out: &mut Vec<u8>,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<(), DataError> {
        if value.is_null() {
            match schema {
                None => out.extend_from_slice(b"null"),
                Some(s) => match s.default_value() {
                    Some(default) if self.config.replace_null_with_default => {
                        return self.write_value(out, schema, default)
                    }
                    _ if s.is_optional() => out.extend_from_slice(b"null"),
                    _ => {
                        return Err(DataError::new(
                            "Conversion error: null value for field that is required and has no default value",
                        ))
                    }
                },
            }
            return Ok(());
        }
        if let Some(logical) = schema.and_then(Schema::logical_type) {
            return self.write_logical(out, logical, value);
        }
        let schema_type = match schema {
            Some(s) => s.schema_type(),
            None => match value {
                Value::Struct(_) => return Err(DataError::new("Mismatching schema.")),
                Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
                    return Err(DataError::new(format!(
                        "A {} value needs a schema to be converted to JSON",
                        value.type_name()
                    )))
                }
                _ => type_of(value),
            },
        };
        let mismatch = || {
            DataError::new(format!(
                "Invalid type for {schema_type}: {}",
                value.type_name()
            ))
        };
        match (schema_type, value) {
            (Type::Boolean, Value::Boolean(b)) => {
                out.extend_from_slice(if *b { b"true" } else { b"false" })
            }
            (Type::Int8, Value::Int8(v)) => push_display(out, v),
            (Type::Int16, Value::Int16(v)) => push_display(out, v),
            (Type::Int32, Value::Int32(v)) => push_display(out, v),
            (Type::Int64, Value::Int64(v)) => push_display(out, v),
            (Type::Float32, Value::Float32(v)) => write_float(out, f64::from(*v), |out| {
                let _ = serde_json::to_writer(out, v);
            }),
            (Type::Float64, Value::Float64(v)) => write_float(out, *v, |out| {
                let _ = serde_json::to_writer(out, v);
            }),
            (Type::String, Value::String(s)) => write_str(out, s),
            (Type::Bytes, Value::Bytes(b)) => write_base64(out, b),
            (Type::Array, Value::Array(items)) => {
                let item_schema = schema.and_then(Schema::value_schema);
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_value(out, item_schema, item)?;
                }
                out.push(b']');
            }
            (Type::Map, Value::Map(entries)) => {
                let (key_schema, value_schema) = match schema {
                    Some(s) => (s.key_schema(), s.value_schema()),
                    None => (None, None),
                };
                let object_mode = match key_schema {
                    Some(ks) => ks.schema_type() == Type::String,
                    None => entries.keys().all(|k| matches!(k, Value::String(_))),
                };
                out.push(if object_mode { b'{' } else { b'[' });
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    if object_mode {
                        match k {
                            Value::String(s) => write_str(out, s),
                            Value::Null => write_str(out, "null"),
                            other => {
                                return Err(DataError::new(format!(
                                    "Invalid type for STRING: {}",
                                    other.type_name()
                                )))
                            }
                        }
                        out.push(b':');
                        self.write_value(out, value_schema, v)?;
                    } else {
                        out.push(b'[');
                        self.write_value(out, key_schema, k)?;
                        out.push(b',');
                        self.write_value(out, value_schema, v)?;
                        out.push(b']');
                    }
                }
                out.push(if object_mode { b'}' } else { b']' });
            }
            (Type::Struct, Value::Struct(s)) => {
                let Some(schema) = schema else {
                    return Err(DataError::new("Mismatching schema."));
                };
                if let Some((name, _)) = s.iter().find(|(n, _)| schema.field(n).is_none()) {
                    return Err(DataError::new(format!(
                        "Mismatching schema: the struct has field \"{name}\" that its schema does not have"
                    )));
                }
                out.push(b'{');
                for (i, field) in schema.fields().iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, field.name());
                    out.push(b':');
                    let v = s.get(field.name()).unwrap_or(&Value::Null);
                    self.write_value(out, Some(field.schema()), v)?;
                }
                out.push(b'}');
            }
            _ => return Err(mismatch()),
        }
        Ok(())
    }

    fn write_logical(
        &self,
        out: &mut Vec<u8>,
        logical: LogicalType,
        value: &Value,
    ) -> Result<(), DataError> {
        let wrong = |expected: &str| {
            DataError::new(format!(
                "Invalid type for {}, expected {expected} but was {}",
                logical.short_name(),
                value.type_name()
            ))
        };
        match (logical, value) {
            (LogicalType::Decimal { scale }, Value::Decimal(d)) => match self.config.decimal_format
            {
                DecimalFormat::Base64 => {
                    if d.scale() != scale {
                        return Err(DataError::new(
                            "BigDecimal has mismatching scale value for given Decimal schema",
                        ));
                    }
                    write_base64(out, d.unscaled_bytes());
                }
                DecimalFormat::Numeric => push_display(out, d),
            },
            (LogicalType::Decimal { .. }, _) => return Err(wrong("Decimal")),
            (LogicalType::Date, Value::Date(days)) => push_display(out, days),
            (LogicalType::Date, _) => return Err(wrong("Date")),
            (LogicalType::Time, Value::Time(ms)) => {
                if !(0..=crate::connect::logical::MILLIS_PER_DAY).contains(ms) {
                    return Err(DataError::new(
                        "Kafka Connect Time type should not have any date fields set to non-zero values.",
                    ));
                }
                push_display(out, ms)
            }
            (LogicalType::Time, _) => return Err(wrong("Time")),
            (LogicalType::Timestamp, Value::Timestamp(ms)) => push_display(out, ms),
            (LogicalType::Timestamp, _) => return Err(wrong("Timestamp")),
        }
        Ok(())
    }

    // ---------------------------------------------------------------- reading

    /// Kafka's `asConnectSchema`, for a non-null schema node.
    fn read_schema(&self, json: &Json) -> Result<Schema, DataError> {
        let type_name = json
            .get("type")
            .and_then(Json::as_str)
            .ok_or_else(|| DataError::new("Schema must contain 'type' field"))?;
        let mut builder = match type_name {
            "boolean" => SchemaBuilder::boolean(),
            "int8" => SchemaBuilder::int8(),
            "int16" => SchemaBuilder::int16(),
            "int32" => SchemaBuilder::int32(),
            "int64" => SchemaBuilder::int64(),
            "float" => SchemaBuilder::float32(),
            "double" => SchemaBuilder::float64(),
            "bytes" => SchemaBuilder::bytes(),
            "string" => SchemaBuilder::string(),
            "array" => match json.get("items") {
                None | Some(Json::Null) => {
                    return Err(DataError::new(
                        "Array schema did not specify the element type",
                    ))
                }
                Some(items) => SchemaBuilder::array(self.read_schema(items)?),
            },
            "map" => {
                let keys = json
                    .get("keys")
                    .filter(|k| !k.is_null())
                    .ok_or_else(|| DataError::new("Map schema did not specify the key type"))?;
                let values = json
                    .get("values")
                    .filter(|v| !v.is_null())
                    .ok_or_else(|| DataError::new("Map schema did not specify the value type"))?;
                SchemaBuilder::map(self.read_schema(keys)?, self.read_schema(values)?)
            }
            "struct" => {
                let Some(Json::Array(fields)) = json.get("fields") else {
                    return Err(DataError::new(
                        "Struct schema's \"fields\" argument is not an array.",
                    ));
                };
                let mut b = SchemaBuilder::struct_();
                for field in fields {
                    let name = field.get("field").and_then(Json::as_str).ok_or_else(|| {
                        DataError::new("Struct schema's field name not specified properly")
                    })?;
                    b = b.field(name, self.read_schema(field)?);
                }
                b
            }
            other => {
                return Err(DataError::new(format!(
                    "Unknown schema type: {}",
                    truncate(other)
                )))
            }
        };
        if json.get("optional").and_then(Json::as_bool) == Some(true) {
            builder = builder.optional();
        }
        if let Some(name) = json.get("name").and_then(Json::as_str) {
            builder = builder.name(name);
        }
        // Kafka reads the version only from an integral node, keeping the low 32 bits.
        if let Some(version) = json.get("version").and_then(Json::as_i64) {
            builder = builder.version(version as i32);
        }
        if let Some(doc) = json.get("doc").and_then(Json::as_str) {
            builder = builder.doc(doc);
        }
        if let Some(Json::Object(params)) = json.get("parameters") {
            for (k, v) in params {
                let Json::String(v) = v else {
                    return Err(DataError::new("Schema parameters must have string values."));
                };
                builder = builder.parameter(k.as_str(), v.as_str());
            }
        }
        match json.get("default") {
            None => builder.build(),
            Some(default) => {
                let without_default = builder.clone().build()?;
                let value = self.read_value(Some(&without_default), Some(default))?;
                builder.default_value(value).build()
            }
        }
    }

    /// Kafka's `convertToConnect`: `json` is `None` when the field is absent.
    fn read_value(&self, schema: Option<&Schema>, json: Option<&Json>) -> Result<Value, DataError> {
        let Some(schema) = schema else {
            return read_schemaless(json);
        };
        let json = match json {
            None | Some(Json::Null) => {
                return match schema.default_value() {
                    Some(default) if self.config.replace_null_with_default => Ok(default.clone()),
                    _ if schema.is_optional() => Ok(Value::Null),
                    _ => Err(DataError::new(format!(
                        "Invalid null value for required {} field",
                        schema.schema_type()
                    ))),
                };
            }
            Some(json) => json,
        };
        if let Some(logical) = schema.logical_type() {
            return read_logical(logical, json);
        }
        let expected = |what: &str| {
            DataError::new(format!(
                "Invalid value for {}: expected {what}, found {}",
                schema.schema_type(),
                node_type(Some(json))
            ))
        };
        Ok(match schema.schema_type() {
            Type::Boolean => Value::Boolean(json.as_bool().ok_or_else(|| expected("a boolean"))?),
            Type::Int8 => Value::Int8(
                int_in_range(json).ok_or_else(|| expected("an integer from -128 to 127"))?,
            ),
            Type::Int16 => Value::Int16(
                int_in_range(json).ok_or_else(|| expected("an integer from -32768 to 32767"))?,
            ),
            Type::Int32 => {
                Value::Int32(int_in_range(json).ok_or_else(|| expected("a 32-bit integer"))?)
            }
            Type::Int64 => {
                Value::Int64(int_in_range(json).ok_or_else(|| expected("a 64-bit integer"))?)
            }
            Type::Float32 => {
                let f = float(json).ok_or_else(|| expected("a number within FLOAT64 range"))?;
                let narrowed = f as f32;
                if narrowed.is_infinite() && f.is_finite() {
                    return Err(expected("a number within FLOAT32 range"));
                }
                Value::Float32(narrowed)
            }
            Type::Float64 => Value::Float64(
                float(json).ok_or_else(|| expected("a number within FLOAT64 range"))?,
            ),
            Type::String => Value::String(
                json.as_str()
                    .ok_or_else(|| expected("a string"))?
                    .to_owned(),
            ),
            Type::Bytes => Value::Bytes(
                json.as_str()
                    .and_then(decode_base64)
                    .ok_or_else(|| DataError::new("Invalid bytes field"))?,
            ),
            Type::Array => {
                let Json::Array(items) = json else {
                    return Err(expected("an array"));
                };
                let item_schema = child(schema.value_schema())?;
                Value::Array(
                    items
                        .iter()
                        .map(|item| self.read_value(Some(item_schema), Some(item)))
                        .collect::<Result<_, _>>()?,
                )
            }
            Type::Map => {
                let key_schema = child(schema.key_schema())?;
                let value_schema = child(schema.value_schema())?;
                let mut map = IndexMap::new();
                if key_schema.schema_type() == Type::String {
                    let Json::Object(entries) = json else {
                        return Err(DataError::new(format!(
                            "Maps with string fields should be encoded as JSON objects, but found {}",
                            node_type(Some(json))
                        )));
                    };
                    for (k, v) in entries {
                        map.insert(
                            Value::String(k.clone()),
                            self.read_value(Some(value_schema), Some(v))?,
                        );
                    }
                } else {
                    let Json::Array(entries) = json else {
                        return Err(DataError::new(format!(
                            "Maps with non-string fields should be encoded as JSON array of tuples, but found {}",
                            node_type(Some(json))
                        )));
                    };
                    for entry in entries {
                        let Json::Array(pair) = entry else {
                            return Err(DataError::new(format!(
                                "Found invalid map entry instead of array tuple: {}",
                                node_type(Some(entry))
                            )));
                        };
                        let [k, v] = pair.as_slice() else {
                            return Err(DataError::new(format!(
                                "Found invalid map entry, expected length 2 but found :{}",
                                pair.len()
                            )));
                        };
                        map.insert(
                            self.read_value(Some(key_schema), Some(k))?,
                            self.read_value(Some(value_schema), Some(v))?,
                        );
                    }
                }
                Value::Map(Box::new(map))
            }
            Type::Struct => {
                let Json::Object(object) = json else {
                    return Err(DataError::new(format!(
                        "Structs should be encoded as JSON objects, but found {}",
                        node_type(Some(json))
                    )));
                };
                let mut s = Struct::new();
                for field in schema.fields() {
                    let v = self.read_value(Some(field.schema()), object.get(field.name()))?;
                    s.put(field.name(), v);
                }
                Value::Struct(s)
            }
        })
    }
}

impl Converter for JsonConverter {
    fn from_connect(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConverterError> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        let mut out = Vec::new();
        if self.config.schemas_enable {
            out.extend_from_slice(b"{\"schema\":");
            match schema {
                Some(s) => self.write_schema(&mut out, s, None)?,
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"payload\":");
            self.write_value(&mut out, schema, value)?;
            out.push(b'}');
        } else {
            self.write_value(&mut out, schema, value)?;
        }
        Ok(Some(out))
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConverterError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        // Jackson reads empty input as a "missing" node rather than failing.
        let json: Option<Json> = if bytes.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(parse::parse(bytes).map_err(ConverterError::Deserialization)?)
        };
        if !self.config.schemas_enable {
            return Ok(SchemaAndValue::new(
                None,
                self.read_value(None, json.as_ref())?,
            ));
        }
        let envelope = match &json {
            Some(Json::Object(o))
                if o.len() == 2 && o.contains_key("schema") && o.contains_key("payload") =>
            {
                o
            }
            _ => return Err(ConverterError::InvalidEnvelope),
        };
        let schema = match envelope.get("schema") {
            None | Some(Json::Null) => None,
            Some(s) => Some(self.read_schema(s)?),
        };
        let value = self.read_value(schema.as_ref(), envelope.get("payload"))?;
        Ok(SchemaAndValue::new(schema, value))
    }
}

fn child(schema: Option<&Schema>) -> Result<&Schema, DataError> {
    schema.ok_or_else(|| DataError::new("ARRAY and MAP schemas need their child schemas"))
}

fn type_of(value: &Value) -> Type {
    match value {
        Value::Boolean(_) => Type::Boolean,
        Value::Int8(_) => Type::Int8,
        Value::Int16(_) => Type::Int16,
        Value::Int32(_) | Value::Date(_) | Value::Time(_) => Type::Int32,
        Value::Int64(_) | Value::Timestamp(_) => Type::Int64,
        Value::Float32(_) => Type::Float32,
        Value::Float64(_) => Type::Float64,
        Value::Null | Value::String(_) => Type::String,
        Value::Bytes(_) | Value::Decimal(_) => Type::Bytes,
        Value::Array(_) => Type::Array,
        Value::Map(_) => Type::Map,
        Value::Struct(_) => Type::Struct,
    }
}

fn push_display(out: &mut Vec<u8>, v: impl std::fmt::Display) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{v}");
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json escapes exactly what JSON requires; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let written = STANDARD.encode_slice(bytes, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
    out.push(b'"');
}

/// Finite floats as JSON numbers; NaN and infinities as the strings Jackson writes.
fn write_float(out: &mut Vec<u8>, v: f64, finite: impl FnOnce(&mut Vec<u8>)) {
    if v.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 {
            b"\"Infinity\""
        } else {
            b"\"-Infinity\""
        });
    } else {
        // serde_json writes the shortest text that reads back as the same float.
        finite(out);
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    if s.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        BASE64_LENIENT.decode(compact).ok()
    } else {
        BASE64_LENIENT.decode(s).ok()
    }
}

/// Jackson's node type names, used in Kafka's messages.
fn node_type(json: Option<&Json>) -> &'static str {
    match json {
        None => "MISSING",
        Some(Json::Null) => "NULL",
        Some(Json::Bool(_)) => "BOOLEAN",
        Some(Json::Number(_)) => "NUMBER",
        Some(Json::String(_)) => "STRING",
        Some(Json::Array(_)) => "ARRAY",
        Some(Json::Object(_)) => "OBJECT",
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

/// An integral JSON number as i64 (integers, and floats with no fraction).
fn integral_i64(json: &Json) -> Option<i64> {
    if json.integer_text().is_some() {
        return json.as_i64();
    }
    let f = json.as_f64()?;
    // -2^63 is exact as an f64; 2^63 is not an i64.
    (f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f))
        .then_some(f as i64)
}

fn int_in_range<T: TryFrom<i64>>(json: &Json) -> Option<T> {
    integral_i64(json).and_then(|i| T::try_from(i).ok())
}

/// A float; a JSON number too large for f64 is refused rather than read as infinity (which
/// would then be written back as the string `"Infinity"`).
fn float(json: &Json) -> Option<f64> {
    match json {
        Json::Number(_) => json.as_f64().filter(|f| f.is_finite()),
        Json::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// Kafka's logical `toConnect` converters.
fn read_logical(logical: LogicalType, json: &Json) -> Result<Value, DataError> {
    match logical {
        LogicalType::Decimal { scale } => {
            let decimal = match json {
                Json::Number(n) => {
                    let d = n.parse::<Decimal>().map_err(|e| {
                        DataError::new(format!("Invalid number for Decimal field: {e}"))
                    })?;
                    d.rescale(scale).ok_or_else(|| {
                        DataError::new(format!(
                            "Decimal value {d} cannot be represented with the schema's scale {scale}"
                        ))
                    })?
                }
                Json::String(s) => match decode_base64(s) {
                    Some(bytes) if !bytes.is_empty() => Decimal::from_unscaled_bytes(&bytes, scale),
                    _ => return Err(DataError::new("Invalid bytes for Decimal field")),
                },
                other => {
                    return Err(DataError::new(format!(
                        "Invalid type for Decimal, underlying representation should be numeric or bytes but was {}",
                        node_type(Some(other))
                    )))
                }
            };
            Ok(Value::Decimal(decimal))
        }
        LogicalType::Date => json
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map(Value::Date)
            .ok_or_else(|| {
                DataError::new(format!(
                    "Invalid type for Date, underlying representation should be integer but was {}",
                    node_type(Some(json))
                ))
            }),
        LogicalType::Time => {
            let ms = json.as_i64().and_then(|i| i32::try_from(i).ok()).ok_or_else(|| {
                DataError::new(format!(
                    "Invalid type for Time, underlying representation should be integer but was {}",
                    node_type(Some(json))
                ))
            })?;
            if !(0..=crate::connect::logical::MILLIS_PER_DAY).contains(&ms) {
                return Err(DataError::new(
                    "Time values must use number of milliseconds greater than 0 and less than 86400000",
                ));
            }
            Ok(Value::Time(ms))
        }
        LogicalType::Timestamp => json.as_i64().map(Value::Timestamp).ok_or_else(|| {
            DataError::new(format!(
                "Invalid type for Timestamp, underlying representation should be integral but was {}",
                node_type(Some(json))
            ))
        }),
    }
}

/// Schemaless reading: numbers become INT64 or FLOAT64, objects maps with STRING keys.
fn read_schemaless(json: Option<&Json>) -> Result<Value, DataError> {
    Ok(match json {
        None | Some(Json::Null) => Value::Null,
        Some(Json::Bool(b)) => Value::Boolean(*b),
        Some(number @ Json::Number(n)) => {
            if let Some(i) = number.as_i64() {
                Value::Int64(i)
            } else if number.integer_text().is_some() {
                return Err(DataError::new(format!(
                    "Integer {} is out of range for INT64",
                    truncate(n)
                )));
            } else {
                Value::Float64(float(number).ok_or_else(|| {
                    DataError::new(format!(
                        "Number {} is out of range for FLOAT64",
                        truncate(n)
                    ))
                })?)
            }
        }
        Some(Json::String(s)) => Value::String(s.clone()),
        Some(Json::Array(items)) => Value::Array(
            items
                .iter()
                .map(|i| read_schemaless(Some(i)))
                .collect::<Result<_, _>>()?,
        ),
        Some(Json::Object(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((Value::String(k.clone()), read_schemaless(Some(v))?)))
                .collect::<Result<IndexMap<_, _>, DataError>>()?
                .into(),
        ),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
