//! Connect ⇄ Protobuf, after Confluent's `ProtobufData`, and the Protobuf converter.
//!
//! A Connect struct becomes a message (the record itself first, so its message-index path is
//! `[0]`), arrays repeated fields, maps map fields; Decimal is `confluent.type.Decimal`, Date
//! `google.type.Date`, Time `google.type.TimeOfDay`, Timestamp `google.protobuf.Timestamp`.
//! An optional Connect field is a proto3 `optional` field (explicit presence), a required one a
//! plain field. What Protobuf cannot say is kept in Confluent's meta options
//! (`confluent/meta.proto`): `(confluent.message_meta)` and `(confluent.field_meta)` carry the
//! doc and parameters, with `connect.type` (int8, int16), `connect.name`, `connect.version` and
//! `connect.default` among the parameters. Values are encoded through prost-reflect
//! `DynamicMessage`s.
//!
//! Nullable primitives: Confluent's defaults (`optional.for.nullables=false`,
//! `wrapper.for.nullables=false`) write them as plain proto3 fields, where null reads back as
//! zero or empty. This converter writes them as proto3 `optional` fields (what
//! `optional.for.nullables=true` does), so null survives the round trip; it reads wrapper
//! fields (`google.protobuf.StringValue` and friends) as optional primitives.

use crate::connect::{DataError, Decimal, LogicalType, Schema, SchemaBuilder, Struct, Type, Value};
use crate::registry::{Compiled, Format, Registered};
use crate::wire::SchemaId;
use crate::{ConverterError, SchemaAndValue};
use indexmap::IndexMap;
use prost::Message;
use prost_reflect::{
    DynamicMessage, ExtensionDescriptor, FieldDescriptor, Kind, MapKey, MessageDescriptor,
    ReflectMessage, Value as PbValue,
};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, RwLock};
use strata_schema::{ParsedSchema, SchemaModel, SchemaType};

const CONNECT_TYPE: &str = "connect.type";
const CONNECT_NAME: &str = "connect.name";
const CONNECT_VERSION: &str = "connect.version";
const CONNECT_DEFAULT: &str = "connect.default";
const DEFAULT_NAME: &str = "ConnectDefault";
const DECIMAL_TYPE: &str = "confluent.type.Decimal";
const DATE_TYPE: &str = "google.type.Date";
const TIME_TYPE: &str = "google.type.TimeOfDay";
const TIMESTAMP_TYPE: &str = "google.protobuf.Timestamp";
const MAX_DEPTH: usize = 64;

mod plan;

fn err(message: impl Into<String>) -> DataError {
    DataError::new(message)
}

/// Maps Connect schemas to `.proto` files and back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProtobufData;

impl ProtobufData {
    /// The `.proto` text of a Connect STRUCT schema, and the full name of its message.
    // Named after Confluent's `fromConnectSchema`.
    #[allow(clippy::wrong_self_convention)]
    pub fn from_connect_schema(&self, schema: &Schema) -> Result<(String, String), DataError> {
        if schema.schema_type() != Type::Struct {
            return Err(err(format!(
                "the Protobuf converter writes STRUCT values, not {}",
                schema.schema_type()
            )));
        }
        let package = schema
            .name()
            .and_then(|n| n.rsplit_once('.').map(|(p, _)| p.to_owned()));
        let mut w = ProtoWriter {
            messages: Vec::new(),
            by_name: HashMap::new(),
            imports: std::collections::BTreeSet::new(),
        };
        let top = w.message(schema, 0)?;
        let mut out = String::from("syntax = \"proto3\";\n");
        if let Some(p) = &package {
            let _ = writeln!(out, "package {p};");
        }
        out.push('\n');
        for i in &w.imports {
            let _ = writeln!(out, "import \"{i}\";");
        }
        if !w.imports.is_empty() {
            out.push('\n');
        }
        for body in w.messages.iter().flatten() {
            out.push_str(body);
            out.push('\n');
        }
        let full = match &package {
            Some(p) => format!("{p}.{top}"),
            None => top,
        };
        Ok((out, full))
    }

    /// The Connect schema of a message of a parsed schema.
    pub fn to_connect_schema(
        &self,
        model: &strata_schema::protobuf::ProtobufModel,
        message: &MessageDescriptor,
    ) -> Result<Schema, DataError> {
        let meta = MetaReader::new(model);
        let mut in_progress = Vec::new();
        meta.message(message, &mut in_progress, 0)?.build()
    }
}

struct ProtoWriter {
    /// Message texts, the record first (`None`: a reserved slot that turned out to be a reuse).
    messages: Vec<Option<String>>,
    /// Struct definitions by message name, to reuse identical ones.
    by_name: HashMap<String, String>,
    imports: std::collections::BTreeSet<&'static str>,
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn meta_option(doc: Option<&str>, params: &[(String, String)]) -> Option<String> {
    if doc.is_none() && params.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if let Some(d) = doc {
        parts.push(format!("doc: {}", quote(d)));
    }
    if !params.is_empty() {
        let entries: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{{key: {}, value: {}}}", quote(k), quote(v)))
            .collect();
        parts.push(format!("params: [{}]", entries.join(", ")));
    }
    Some(format!("{{{}}}", parts.join(", ")))
}

fn valid_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The parameters that carry a Connect schema's metadata (not its doc).
fn schema_params(s: &Schema, with_name: bool) -> Result<Vec<(String, String)>, DataError> {
    let mut params: Vec<(String, String)> = s
        .parameters()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match s.schema_type() {
        Type::Int8 => params.push((CONNECT_TYPE.into(), "int8".into())),
        Type::Int16 => params.push((CONNECT_TYPE.into(), "int16".into())),
        _ => {}
    }
    if with_name {
        if let Some(n) = s.name() {
            params.push((CONNECT_NAME.into(), n.to_owned()));
        }
    }
    if let Some(v) = s.version() {
        params.push((CONNECT_VERSION.into(), v.to_string()));
    }
    if let Some(d) = s.default_value() {
        let j = crate::json_schema::JsonSchemaData.from_connect_value(s, d)?;
        params.push((CONNECT_DEFAULT.into(), j.to_string()));
    }
    Ok(params)
}

impl ProtoWriter {
    /// Defines the message of a struct; returns its name.
    fn message(&mut self, s: &Schema, depth: usize) -> Result<String, DataError> {
        if depth > MAX_DEPTH {
            return Err(err("Connect schema nests too deeply"));
        }
        let base = match s.name() {
            Some(n) => n.rsplit('.').next().unwrap_or(n).to_owned(),
            None => DEFAULT_NAME.to_owned(),
        };
        if !valid_ident(&base) {
            return Err(err(format!(
                "{base:?} is not a valid Protobuf message name"
            )));
        }
        // Reserve the slot first so that the record is the first message.
        let slot = self.messages.len();
        self.messages.push(None);
        let mut body = String::new();
        let mut msg_params = Vec::new();
        if let Some(n) = s.name() {
            msg_params.push((CONNECT_NAME.to_owned(), n.to_owned()));
        }
        msg_params.extend(schema_params(s, false)?);
        if let Some(opt) = meta_option(s.doc(), &msg_params) {
            self.imports.insert("confluent/meta.proto");
            let _ = writeln!(body, "  option (confluent.message_meta) = {opt};");
        }
        for f in s.fields() {
            if !valid_ident(f.name()) {
                return Err(err(format!(
                    "{:?} is not a valid Protobuf field name",
                    f.name()
                )));
            }
            let fs = f.schema();
            let number = f.index() + 1;
            let (label, t) = match fs.schema_type() {
                Type::Array => {
                    let items = fs
                        .value_schema()
                        .ok_or_else(|| err("ARRAY without items"))?;
                    if matches!(items.schema_type(), Type::Array | Type::Map) || items.is_optional()
                    {
                        return Err(err(format!("field {}: arrays of arrays, maps or optional elements have no Protobuf equivalent", f.name())));
                    }
                    ("repeated ", self.field_type(items, depth)?)
                }
                Type::Map => {
                    let (k, v) = match (fs.key_schema(), fs.value_schema()) {
                        (Some(k), Some(v)) => (k, v),
                        _ => return Err(err("MAP without key or value schema")),
                    };
                    let kt = match k.schema_type() {
                        Type::String => "string",
                        Type::Int32 => "int32",
                        Type::Int64 => "int64",
                        Type::Boolean => "bool",
                        _ => {
                            return Err(err(format!(
                                "field {}: map keys of type {} have no Protobuf equivalent",
                                f.name(),
                                k.schema_type()
                            )))
                        }
                    };
                    if *k != Schema::new(k.schema_type())
                        || v.is_optional()
                        || matches!(v.schema_type(), Type::Array | Type::Map)
                    {
                        return Err(err(format!(
                            "field {}: this map has no Protobuf equivalent",
                            f.name()
                        )));
                    }
                    ("", format!("map<{kt}, {}>", self.field_type(v, depth)?))
                }
                _ => (
                    if fs.is_optional() { "optional " } else { "" },
                    self.field_type(fs, depth)?,
                ),
            };
            let with_name = fs.schema_type() != Type::Struct;
            let params = if fs.schema_type() == Type::Struct {
                // The message carries the struct's own metadata; the field only its optionality.
                Vec::new()
            } else if let Some(LogicalType::Decimal { .. }) = fs.logical_type() {
                schema_params(fs, false)?
                    .into_iter()
                    .filter(|(k, _)| k != CONNECT_VERSION || fs.version() != Some(1))
                    .collect()
            } else if fs.logical_type().is_some() {
                schema_params(fs, false)?
                    .into_iter()
                    .filter(|(k, _)| k != CONNECT_VERSION || fs.version() != Some(1))
                    .collect()
            } else if matches!(fs.schema_type(), Type::Array | Type::Map) {
                let mut p = schema_params(fs, with_name)?;
                let inner = fs
                    .value_schema()
                    .ok_or_else(|| err("missing value schema"))?;
                if inner.schema_type() != Type::Struct {
                    for (k, v) in schema_params(inner, true)? {
                        p.push((format!("connect.value.{k}"), v));
                    }
                    if inner.doc().is_some() {
                        return Err(err(format!(
                            "field {}: docs on array or map values have no Protobuf equivalent",
                            f.name()
                        )));
                    }
                }
                p
            } else {
                schema_params(fs, with_name)?
            };
            let doc = if fs.schema_type() == Type::Struct {
                None
            } else {
                fs.doc()
            };
            let opt = meta_option(doc, &params);
            let _ = match opt {
                Some(o) => {
                    self.imports.insert("confluent/meta.proto");
                    writeln!(
                        body,
                        "  {label}{t} {} = {number} [(confluent.field_meta) = {o}];",
                        f.name()
                    )
                }
                None => writeln!(body, "  {label}{t} {} = {number};", f.name()),
            };
        }
        // Reuse an identical definition of the same name; number a different one.
        let mut name = base.clone();
        let mut n = 1;
        loop {
            match self.by_name.get(&name) {
                Some(existing) if *existing == body => return Ok(name),
                Some(_) => {
                    n += 1;
                    name = format!("{base}{n}");
                }
                None => break,
            }
        }
        self.by_name.insert(name.clone(), body.clone());
        self.messages[slot] = Some(format!("message {name} {{\n{body}}}\n"));
        Ok(name)
    }

    fn field_type(&mut self, s: &Schema, depth: usize) -> Result<String, DataError> {
        Ok(match s.logical_type() {
            Some(LogicalType::Decimal { .. }) => {
                self.imports.insert("confluent/type/decimal.proto");
                DECIMAL_TYPE.into()
            }
            Some(LogicalType::Date) => {
                self.imports.insert("google/type/date.proto");
                DATE_TYPE.into()
            }
            Some(LogicalType::Time) => {
                self.imports.insert("google/type/timeofday.proto");
                TIME_TYPE.into()
            }
            Some(LogicalType::Timestamp) => {
                self.imports.insert("google/protobuf/timestamp.proto");
                TIMESTAMP_TYPE.into()
            }
            None => match s.schema_type() {
                Type::Int8 | Type::Int16 | Type::Int32 => "int32".into(),
                Type::Int64 => "int64".into(),
                Type::Float32 => "float".into(),
                Type::Float64 => "double".into(),
                Type::Boolean => "bool".into(),
                Type::String => "string".into(),
                Type::Bytes => "bytes".into(),
                Type::Struct => self.message(s, depth + 1)?,
                t => return Err(err(format!("{t} cannot be nested here in Protobuf"))),
            },
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Protobuf → Connect schema

/// The `confluent.*_meta` options of a schema's messages and fields, by full name (a field's
/// key is its message's full name, a dot, and its own name).
///
/// The compiled descriptors do not keep custom options, so they are read from the schema's
/// serialized descriptor, where Confluent's builder writes them as the `confluent.Meta`
/// extension.
struct MetaReader {
    metas: HashMap<String, Meta>,
}

#[derive(Clone)]
struct Meta {
    doc: Option<String>,
    params: Vec<(String, String)>,
}

fn meta_of(options: Option<&PbValue>, ext: &ExtensionDescriptor) -> Option<Meta> {
    let PbValue::Message(options) = options? else {
        return None;
    };
    if !options.has_extension(ext) {
        return None;
    }
    let mut meta = Meta {
        doc: None,
        params: Vec::new(),
    };
    if let PbValue::Message(m) = options.get_extension(ext).as_ref() {
        if let Some(d) = m.get_field_by_name("doc") {
            if let PbValue::String(d) = d.as_ref() {
                if !d.is_empty() {
                    meta.doc = Some(d.clone());
                }
            }
        }
        if let Some(p) = m.get_field_by_name("params") {
            if let PbValue::Map(p) = p.as_ref() {
                let mut entries: Vec<(String, String)> = p
                    .iter()
                    .filter_map(|(k, v)| match (k, v) {
                        (MapKey::String(k), PbValue::String(v)) => Some((k.clone(), v.clone())),
                        _ => None,
                    })
                    .collect();
                entries.sort();
                meta.params = entries;
            }
        }
    }
    Some(meta)
}

fn string_field(m: &DynamicMessage, name: &str) -> String {
    match m.get_field_by_name(name).as_deref() {
        Some(PbValue::String(s)) => s.clone(),
        _ => String::new(),
    }
}

fn list_field(m: &DynamicMessage, name: &str) -> Vec<DynamicMessage> {
    match m.get_field_by_name(name).as_deref() {
        Some(PbValue::List(items)) => items
            .iter()
            .filter_map(|i| match i {
                PbValue::Message(m) => Some(m.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl MetaReader {
    fn new(model: &strata_schema::protobuf::ProtobufModel) -> MetaReader {
        let mut metas = HashMap::new();
        let pool = model.descriptor_pool();
        let (Some(field_ext), Some(message_ext), Some(file_desc)) = (
            pool.get_extension_by_name("confluent.field_meta"),
            pool.get_extension_by_name("confluent.message_meta"),
            pool.get_message_by_name("google.protobuf.FileDescriptorProto"),
        ) else {
            return MetaReader { metas };
        };
        use base64::Engine;
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(model.serialized()) else {
            return MetaReader { metas };
        };
        let Ok(file) = DynamicMessage::decode(file_desc, bytes.as_slice()) else {
            return MetaReader { metas };
        };
        fn walk(
            m: &DynamicMessage,
            prefix: &str,
            field_ext: &ExtensionDescriptor,
            message_ext: &ExtensionDescriptor,
            metas: &mut HashMap<String, Meta>,
            depth: usize,
        ) {
            if depth > MAX_DEPTH {
                return;
            }
            let name = string_field(m, "name");
            let full = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}.{name}")
            };
            if let Some(meta) = meta_of(m.get_field_by_name("options").as_deref(), message_ext) {
                metas.insert(full.clone(), meta);
            }
            for f in list_field(m, "field") {
                if let Some(meta) = meta_of(f.get_field_by_name("options").as_deref(), field_ext) {
                    metas.insert(format!("{full}.{}", string_field(&f, "name")), meta);
                }
            }
            for nested in list_field(m, "nested_type") {
                walk(&nested, &full, field_ext, message_ext, metas, depth + 1);
            }
        }
        let package = string_field(&file, "package");
        for m in list_field(&file, "message_type") {
            walk(&m, &package, &field_ext, &message_ext, &mut metas, 0);
        }
        MetaReader { metas }
    }

    fn meta(&self, key: &str) -> Meta {
        self.metas.get(key).cloned().unwrap_or(Meta {
            doc: None,
            params: Vec::new(),
        })
    }
}

fn take(params: &mut Vec<(String, String)>, key: &str) -> Option<String> {
    let i = params.iter().position(|(k, _)| k == key)?;
    Some(params.remove(i).1)
}

impl MetaReader {
    /// Applies parameters (and the reserved `connect.*` ones) and a doc to a builder.
    fn apply(
        &self,
        mut b: SchemaBuilder,
        mut meta: Meta,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        if let Some(n) = take(&mut meta.params, CONNECT_NAME) {
            b = b.name(n);
        }
        if let Some(v) = take(&mut meta.params, CONNECT_VERSION) {
            b = b.version(
                v.parse()
                    .map_err(|_| err(format!("invalid connect.version {v}")))?,
            );
        }
        let default = take(&mut meta.params, CONNECT_DEFAULT);
        take(&mut meta.params, CONNECT_TYPE);
        b = b.parameters(meta.params);
        if let Some(d) = meta.doc {
            b = b.doc(d);
        }
        if let Some(d) = default {
            let j: serde_json::Value = serde_json::from_str(&d)
                .map_err(|e| err(format!("invalid connect.default: {e}")))?;
            let plain = b.clone().build()?;
            let _ = depth;
            b = b.default_value(crate::json_schema::JsonSchemaData.to_connect_value(&plain, &j)?);
        }
        Ok(b)
    }

    fn message(
        &self,
        m: &MessageDescriptor,
        in_progress: &mut Vec<String>,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        if depth > MAX_DEPTH {
            return Err(err("Protobuf schema nests too deeply"));
        }
        if in_progress.iter().any(|n| n == m.full_name()) {
            return Err(err(format!(
                "recursive message {} has no Connect equivalent",
                m.full_name()
            )));
        }
        in_progress.push(m.full_name().to_owned());
        let mut b = SchemaBuilder::struct_();
        let mut meta = self.meta(m.full_name());
        let has_name = meta.params.iter().any(|(k, _)| k == CONNECT_NAME);
        if !has_name && !m.name().starts_with(DEFAULT_NAME) {
            meta.params
                .push((CONNECT_NAME.into(), m.full_name().to_owned()));
        }
        for f in m.fields() {
            let fs = self.field(&f, in_progress, depth + 1)?;
            b = b.field(f.name(), fs);
        }
        in_progress.pop();
        self.apply(b, meta, depth)
    }

    fn field(
        &self,
        f: &FieldDescriptor,
        in_progress: &mut Vec<String>,
        depth: usize,
    ) -> Result<Schema, DataError> {
        let mut meta = self.meta(f.full_name());
        if f.is_map() {
            let Kind::Message(entry) = f.kind() else {
                return Err(err("map field without an entry message"));
            };
            let k = self.scalar_or_message(
                &entry.map_entry_key_field(),
                &mut Meta {
                    doc: None,
                    params: Vec::new(),
                },
                in_progress,
                depth,
            )?;
            let mut vmeta = value_meta(&mut meta);
            let v = self.scalar_or_message(
                &entry.map_entry_value_field(),
                &mut vmeta,
                in_progress,
                depth,
            )?;
            let v = self.apply(v, vmeta, depth)?.build()?;
            let b = SchemaBuilder::map(k.build()?, v);
            return self.apply(b, meta, depth)?.build();
        }
        if f.is_list() {
            let mut vmeta = value_meta(&mut meta);
            let item = self.scalar_or_message(f, &mut vmeta, in_progress, depth)?;
            let item = self.apply(item, vmeta, depth)?.build()?;
            return self.apply(SchemaBuilder::array(item), meta, depth)?.build();
        }
        let b = self.scalar_or_message(f, &mut meta, in_progress, depth)?;
        let optional = f.field_descriptor_proto().proto3_optional.unwrap_or(false)
            || f.containing_oneof().is_some();
        let b = if optional { b.optional() } else { b };
        self.apply(b, meta, depth)?.build()
    }

    fn scalar_or_message(
        &self,
        f: &FieldDescriptor,
        meta: &mut Meta,
        in_progress: &mut Vec<String>,
        depth: usize,
    ) -> Result<SchemaBuilder, DataError> {
        let connect_type = meta
            .params
            .iter()
            .find(|(k, _)| k == CONNECT_TYPE)
            .map(|(_, v)| v.as_str());
        Ok(match f.kind() {
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => match connect_type {
                Some("int8") => SchemaBuilder::int8(),
                Some("int16") => SchemaBuilder::int16(),
                _ => SchemaBuilder::int32(),
            },
            Kind::Int64
            | Kind::Sint64
            | Kind::Sfixed64
            | Kind::Uint32
            | Kind::Fixed32
            | Kind::Uint64
            | Kind::Fixed64 => SchemaBuilder::int64(),
            Kind::Float => SchemaBuilder::float32(),
            Kind::Double => SchemaBuilder::float64(),
            Kind::Bool => SchemaBuilder::boolean(),
            Kind::String | Kind::Enum(_) => SchemaBuilder::string(),
            Kind::Bytes => SchemaBuilder::bytes(),
            Kind::Message(m) => match m.full_name() {
                DECIMAL_TYPE => {
                    let scale = take(&mut meta.params, crate::connect::logical::DECIMAL_SCALE)
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    crate::connect::logical::decimal_schema(scale)
                }
                "google.protobuf.DoubleValue" => SchemaBuilder::float64().optional(),
                "google.protobuf.FloatValue" => SchemaBuilder::float32().optional(),
                "google.protobuf.Int64Value"
                | "google.protobuf.UInt64Value"
                | "google.protobuf.UInt32Value" => SchemaBuilder::int64().optional(),
                "google.protobuf.Int32Value" => SchemaBuilder::int32().optional(),
                "google.protobuf.BoolValue" => SchemaBuilder::boolean().optional(),
                "google.protobuf.StringValue" => SchemaBuilder::string().optional(),
                "google.protobuf.BytesValue" => SchemaBuilder::bytes().optional(),
                DATE_TYPE => crate::connect::logical::date_schema(),
                TIME_TYPE => crate::connect::logical::time_schema(),
                TIMESTAMP_TYPE => crate::connect::logical::timestamp_schema(),
                _ => {
                    let s = self.message(&m, in_progress, depth + 1)?;
                    return Ok(s);
                }
            },
        })
    }
}

/// Splits the `connect.value.*` parameters (metadata of array elements and map values) off.
fn value_meta(meta: &mut Meta) -> Meta {
    let mut inner = Vec::new();
    meta.params
        .retain(|(k, v)| match k.strip_prefix("connect.value.") {
            Some(rest) => {
                inner.push((rest.to_owned(), v.clone()));
                false
            }
            None => true,
        });
    Meta {
        doc: None,
        params: inner,
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn message_of(f: &FieldDescriptor) -> Result<MessageDescriptor, DataError> {
    match f.kind() {
        Kind::Message(m) => Ok(m),
        _ => Err(err(format!("field {} is not a message", f.name()))),
    }
}

fn sub(m: &MessageDescriptor, values: &[(&str, PbValue)]) -> Result<PbValue, DataError> {
    let mut msg = DynamicMessage::new(m.clone());
    for (name, v) in values {
        let fd = m
            .get_field_by_name(name)
            .ok_or_else(|| err(format!("{} has no field {name}", m.full_name())))?;
        msg.try_set_field(&fd, v.clone())
            .map_err(|e| err(e.to_string()))?;
    }
    Ok(PbValue::Message(msg))
}

fn to_pb(s: &Schema, f: &FieldDescriptor, v: &Value, depth: usize) -> Result<PbValue, DataError> {
    if depth > MAX_DEPTH {
        return Err(err("value nests too deeply"));
    }
    if let Kind::Message(m) = f.kind() {
        if m.full_name().starts_with("google.protobuf.") && m.full_name().ends_with("Value") {
            if let Some(inner) = m.get_field_by_name("value") {
                let value = to_pb(s, &inner, v, depth + 1)?;
                return sub(&m, &[("value", value)]);
            }
        }
    }
    let v = match (v, s.default_value()) {
        (Value::Null, Some(d)) => d,
        _ => v,
    };
    Ok(match v {
        Value::Boolean(b) => PbValue::Bool(*b),
        Value::Int8(i) => PbValue::I32(i32::from(*i)),
        Value::Int16(i) => PbValue::I32(i32::from(*i)),
        Value::Int32(i) => PbValue::I32(*i),
        Value::Int64(i) => match f.kind() {
            Kind::Uint32 | Kind::Fixed32 => {
                PbValue::U32(u32::try_from(*i).map_err(|_| err("out of range"))?)
            }
            Kind::Uint64 | Kind::Fixed64 => {
                PbValue::U64(u64::try_from(*i).map_err(|_| err("out of range"))?)
            }
            _ => PbValue::I64(*i),
        },
        Value::Float32(x) => PbValue::F32(*x),
        Value::Float64(x) => PbValue::F64(*x),
        Value::String(t) => match f.kind() {
            // A symbol, or the digits of a number the enum does not name (as read back).
            Kind::Enum(e) => PbValue::EnumNumber(
                e.get_value_by_name(t)
                    .map(|v| v.number())
                    .or_else(|| t.parse::<i32>().ok().filter(|n| e.get_value(*n).is_none()))
                    .ok_or_else(|| err(format!("{t} is not a symbol of {}", e.full_name())))?,
            ),
            _ => PbValue::String(t.clone()),
        },
        Value::Bytes(b) => PbValue::Bytes(prost::bytes::Bytes::copy_from_slice(b)),
        Value::Decimal(d) => {
            let m = message_of(f)?;
            let precision = s
                .parameter(crate::connect::logical::DECIMAL_PRECISION)
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0);
            sub(
                &m,
                &[
                    (
                        "value",
                        PbValue::Bytes(prost::bytes::Bytes::copy_from_slice(d.unscaled_bytes())),
                    ),
                    ("precision", PbValue::U32(precision)),
                    ("scale", PbValue::I32(d.scale())),
                ],
            )?
        }
        Value::Date(days) => {
            let (y, m, d) = civil_from_days(i64::from(*days));
            let y = i32::try_from(y).map_err(|_| err("date out of range"))?;
            sub(
                &message_of(f)?,
                &[
                    ("year", PbValue::I32(y)),
                    ("month", PbValue::I32(m as i32)),
                    ("day", PbValue::I32(d as i32)),
                ],
            )?
        }
        Value::Time(ms) => {
            let ms = *ms;
            sub(
                &message_of(f)?,
                &[
                    ("hours", PbValue::I32(ms / 3_600_000)),
                    ("minutes", PbValue::I32(ms / 60_000 % 60)),
                    ("seconds", PbValue::I32(ms / 1000 % 60)),
                    ("nanos", PbValue::I32(ms % 1000 * 1_000_000)),
                ],
            )?
        }
        Value::Timestamp(ms) => {
            let seconds = ms.div_euclid(1000);
            let nanos = i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0);
            sub(
                &message_of(f)?,
                &[
                    ("seconds", PbValue::I64(seconds)),
                    ("nanos", PbValue::I32(nanos)),
                ],
            )?
        }
        Value::Struct(st) => PbValue::Message(struct_to_pb(s, &message_of(f)?, st, depth + 1)?),
        Value::Array(_) | Value::Map(_) | Value::Null => {
            return Err(err(format!("cannot write {} here", v.type_name())))
        }
    })
}

fn map_key(v: &Value) -> Result<MapKey, DataError> {
    Ok(match v {
        Value::String(s) => MapKey::String(s.clone()),
        Value::Int32(i) => MapKey::I32(*i),
        Value::Int64(i) => MapKey::I64(*i),
        Value::Boolean(b) => MapKey::Bool(*b),
        other => {
            return Err(err(format!(
                "{} cannot be a Protobuf map key",
                other.type_name()
            )))
        }
    })
}

fn struct_to_pb(
    s: &Schema,
    m: &MessageDescriptor,
    st: &Struct,
    depth: usize,
) -> Result<DynamicMessage, DataError> {
    let mut msg = DynamicMessage::new(m.clone());
    for f in s.fields() {
        let fd = m.get_field_by_name(f.name()).ok_or_else(|| {
            err(format!(
                "message {} has no field {}",
                m.full_name(),
                f.name()
            ))
        })?;
        let fs = f.schema();
        let v = st.get(f.name()).unwrap_or(&Value::Null);
        let v = match (v, fs.default_value()) {
            (Value::Null, Some(d)) => d,
            _ => v,
        };
        let pb = match v {
            Value::Null => continue,
            Value::Array(items) => {
                let is = fs
                    .value_schema()
                    .ok_or_else(|| err("ARRAY without items"))?;
                PbValue::List(
                    items
                        .iter()
                        .map(|i| to_pb(is, &fd, i, depth + 1))
                        .collect::<Result<_, _>>()?,
                )
            }
            Value::Map(entries) => {
                let vs = fs.value_schema().ok_or_else(|| err("MAP without values"))?;
                let Kind::Message(entry) = fd.kind() else {
                    return Err(err("map field without an entry message"));
                };
                let vf = entry.map_entry_value_field();
                let mut out = HashMap::with_capacity(entries.len());
                for (k, v) in entries.iter() {
                    out.insert(map_key(k)?, to_pb(vs, &vf, v, depth + 1)?);
                }
                PbValue::Map(out)
            }
            other => to_pb(fs, &fd, other, depth + 1)?,
        };
        msg.try_set_field(&fd, pb)
            .map_err(|e| err(format!("field {}: {e}", f.name())))?;
    }
    Ok(msg)
}

fn int_field(m: &DynamicMessage, name: &str) -> i64 {
    match m.get_field_by_name(name).as_deref() {
        Some(PbValue::I32(i)) => i64::from(*i),
        Some(PbValue::I64(i)) => *i,
        Some(PbValue::U32(i)) => i64::from(*i),
        _ => 0,
    }
}

/// The Connect value of `v`, of schema `s`; `kind` is the kind of the field `v` is (or is an
/// element of), which names an enum's symbols.
fn from_pb(s: &Schema, v: &PbValue, kind: Option<&Kind>, depth: usize) -> Result<Value, DataError> {
    if depth > MAX_DEPTH {
        return Err(err("value nests too deeply"));
    }
    let mismatch = || {
        err(format!(
            "Protobuf value {v:?} does not fit a {} schema",
            s.schema_type()
        ))
    };
    Ok(match (s.logical_type(), v) {
        (Some(LogicalType::Decimal { scale }), PbValue::Message(m)) => {
            let bytes = match m.get_field_by_name("value").as_deref() {
                Some(PbValue::Bytes(b)) => b.to_vec(),
                _ => Vec::new(),
            };
            let written = int_field(m, "scale");
            let d = Decimal::from_unscaled_bytes(&bytes, i32::try_from(written).unwrap_or(scale));
            Value::Decimal(if d.scale() == scale {
                d
            } else {
                d.rescale(scale)
                    .ok_or_else(|| err("decimal does not fit its scale"))?
            })
        }
        (Some(LogicalType::Date), PbValue::Message(m)) => {
            let days = days_from_civil(
                int_field(m, "year"),
                int_field(m, "month"),
                int_field(m, "day"),
            );
            Value::Date(i32::try_from(days).map_err(|_| err("date out of range"))?)
        }
        (Some(LogicalType::Time), PbValue::Message(m)) => {
            let ms = int_field(m, "hours") * 3_600_000
                + int_field(m, "minutes") * 60_000
                + int_field(m, "seconds") * 1000
                + int_field(m, "nanos") / 1_000_000;
            Value::Time(i32::try_from(ms).map_err(|_| err("time out of range"))?)
        }
        (Some(LogicalType::Timestamp), PbValue::Message(m)) => {
            let ms = int_field(m, "seconds")
                .checked_mul(1000)
                .and_then(|s| s.checked_add(int_field(m, "nanos") / 1_000_000));
            Value::Timestamp(ms.ok_or_else(|| err("timestamp out of range"))?)
        }
        (_, PbValue::Bool(b)) => Value::Boolean(*b),
        (_, PbValue::I32(i)) => match s.schema_type() {
            Type::Int8 => Value::Int8(i8::try_from(*i).map_err(|_| mismatch())?),
            Type::Int16 => Value::Int16(i16::try_from(*i).map_err(|_| mismatch())?),
            Type::Int64 => Value::Int64(i64::from(*i)),
            _ => Value::Int32(*i),
        },
        (_, PbValue::I64(i)) => Value::Int64(*i),
        (_, PbValue::U32(i)) => Value::Int64(i64::from(*i)),
        (_, PbValue::U64(i)) => Value::Int64(i64::try_from(*i).map_err(|_| mismatch())?),
        (_, PbValue::F32(x)) => Value::Float32(*x),
        (_, PbValue::F64(x)) => Value::Float64(*x),
        (_, PbValue::String(t)) => Value::String(t.clone()),
        (_, PbValue::Bytes(b)) => Value::Bytes(b.to_vec()),
        // The symbol's name; a number the enum does not name (an open enum keeps it), as digits.
        (_, PbValue::EnumNumber(n)) => Value::String(
            kind.and_then(Kind::as_enum)
                .and_then(|e| e.get_value(*n))
                .map_or_else(|| n.to_string(), |symbol| symbol.name().to_owned()),
        ),
        (_, PbValue::Message(m)) if s.schema_type() != Type::Struct => {
            // A wrapper (google.protobuf.*Value): its `value` field.
            let inner = m.get_field_by_name("value").ok_or_else(mismatch)?;
            from_pb(s, &inner, None, depth + 1)?
        }
        (_, PbValue::Message(m)) => Value::Struct(struct_from_pb(s, m, depth + 1)?),
        (_, PbValue::List(items)) => {
            let is = s.value_schema().ok_or_else(mismatch)?;
            Value::Array(
                items
                    .iter()
                    .map(|i| from_pb(is, i, kind, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        (_, PbValue::Map(entries)) => {
            let (ks, vs) = match (s.key_schema(), s.value_schema()) {
                (Some(k), Some(v)) => (k, v),
                _ => return Err(mismatch()),
            };
            let value_kind = kind
                .and_then(Kind::as_message)
                .map(|entry| entry.map_entry_value_field().kind());
            let mut sorted: Vec<(&MapKey, &PbValue)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = IndexMap::with_capacity(sorted.len());
            for (k, v) in sorted {
                let k = match k {
                    MapKey::String(t) => PbValue::String(t.clone()),
                    MapKey::I32(i) => PbValue::I32(*i),
                    MapKey::I64(i) => PbValue::I64(*i),
                    MapKey::U32(i) => PbValue::U32(*i),
                    MapKey::U64(i) => PbValue::U64(*i),
                    MapKey::Bool(b) => PbValue::Bool(*b),
                };
                out.insert(
                    from_pb(ks, &k, None, depth + 1)?,
                    from_pb(vs, v, value_kind.as_ref(), depth + 1)?,
                );
            }
            Value::Map(Box::new(out))
        }
    })
}

fn struct_from_pb(s: &Schema, m: &DynamicMessage, depth: usize) -> Result<Struct, DataError> {
    let desc = m.descriptor();
    let mut st = Struct::new();
    for f in s.fields() {
        let Some(fd) = desc.get_field_by_name(f.name()) else {
            continue;
        };
        if fd.supports_presence() && !m.has_field(&fd) {
            let fs = f.schema();
            if fs.is_optional() || fs.default_value().is_some() {
                continue;
            }
            return Err(err(format!("required field {} is missing", f.name())));
        }
        let v = from_pb(f.schema(), &m.get_field(&fd), Some(&fd.kind()), depth + 1)?;
        st.put(f.name(), v);
    }
    Ok(st)
}

/// A compiled `.proto` schema with the message it writes and its Connect schema.
#[derive(Debug)]
pub struct ProtobufCodec {
    connect: Schema,
    message: MessageDescriptor,
    indexes: Vec<i32>,
    parsed: Arc<ParsedSchema>,
    /// Codecs of the file's other messages, by index path, built when a record names one.
    others: RwLock<HashMap<Vec<i32>, Arc<ProtobufCodec>>>,
    /// Connect ⇄ Protobuf binary directly, where the message's fields allow it.
    plan: Option<plan::Plan>,
}

impl ProtobufCodec {
    /// A codec writing `message` (of the schema `parsed`) for a Connect schema.
    pub fn new(
        connect: Schema,
        message: MessageDescriptor,
        parsed: Arc<ParsedSchema>,
    ) -> Result<Self, DataError> {
        let indexes = model(&parsed)?
            .message_index_path(message.full_name())
            .ok_or_else(|| {
                err(format!(
                    "message {} is not defined by its schema",
                    message.full_name()
                ))
            })?;
        Ok(Self::of(connect, message, indexes, parsed))
    }

    fn of(
        connect: Schema,
        message: MessageDescriptor,
        indexes: Vec<i32>,
        parsed: Arc<ParsedSchema>,
    ) -> Self {
        let plan = plan::Plan::compile(&connect, &message);
        ProtobufCodec {
            connect,
            message,
            indexes,
            parsed,
            others: RwLock::new(HashMap::new()),
            plan,
        }
    }

    /// The codec of the message at `path` in the same file: this one, or another message's
    /// (compiled once, its Connect schema with this one's version).
    fn at_path(&self, path: &[i32]) -> Result<Option<Arc<ProtobufCodec>>, DataError> {
        if path == self.indexes.as_slice() || (path == [0] && self.indexes.is_empty()) {
            return Ok(None);
        }
        if let Some(hit) = self.others.read().ok().and_then(|o| o.get(path).cloned()) {
            return Ok(Some(hit));
        }
        let m = model(&self.parsed)?;
        let message = m
            .message_by_index_path(path)
            .ok_or_else(|| err(format!("no message at index path {path:?}")))?;
        let mut connect = ProtobufData.to_connect_schema(m, &message)?;
        if let Some(version) = self.connect.version() {
            connect = crate::avro::builder_of(&connect).version(version).build()?;
        }
        let other = Arc::new(Self::of(
            connect,
            message,
            path.to_vec(),
            self.parsed.clone(),
        ));
        if let Ok(mut others) = self.others.write() {
            // A file has few messages; a hostile stream of paths finds no message past them.
            others.insert(path.to_vec(), other.clone());
        }
        Ok(Some(other))
    }

    /// The Connect schema.
    pub fn connect_schema(&self) -> &Schema {
        &self.connect
    }

    /// The message descriptor.
    pub fn message(&self) -> &MessageDescriptor {
        &self.message
    }

    /// The message-index path of the message in its file.
    pub fn message_indexes(&self) -> &[i32] {
        &self.indexes
    }

    /// The parsed schema.
    pub fn parsed(&self) -> &ParsedSchema {
        &self.parsed
    }

    /// Whether values go straight between Connect and Protobuf binary (else through
    /// prost-reflect's `DynamicMessage`).
    pub fn is_planned(&self) -> bool {
        self.plan.is_some()
    }

    /// The Protobuf binary of a value.
    pub fn encode(&self, value: &Value) -> Result<Vec<u8>, DataError> {
        let mut out = Vec::new();
        self.encode_into(value, &mut out)?;
        Ok(out)
    }

    /// Appends the Protobuf binary of a value to `out` (on error, `out` is as it was).
    pub fn encode_into(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
        crate::registry::direct_or_reference(
            out,
            self.plan
                .as_ref()
                .map(|p| |out: &mut Vec<u8>| p.encode(value, out)),
            |out| self.encode_dynamic(value, out),
        )
    }

    /// Appends the Protobuf binary of a value through a `DynamicMessage`: the reference the
    /// plan is tested against.
    pub fn encode_dynamic(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), DataError> {
        self.connect.validate(value)?;
        let Value::Struct(st) = value else {
            return Err(err("the Protobuf converter writes STRUCT values"));
        };
        struct_to_pb(&self.connect, &self.message, st, 0)?
            .encode(out)
            .map_err(|e| err(format!("Protobuf encoding failed: {e}")))
    }

    /// The value of a Protobuf binary of this codec's message.
    pub fn decode(&self, payload: &[u8]) -> Result<Value, DataError> {
        if let Some(plan) = &self.plan {
            if let Ok(v) = plan.decode(payload) {
                return Ok(v);
            }
        }
        self.decode_dynamic(payload)
    }

    /// The value of a Protobuf binary through a `DynamicMessage`: the reference the plan is
    /// tested against.
    pub fn decode_dynamic(&self, payload: &[u8]) -> Result<Value, DataError> {
        let m = DynamicMessage::decode(self.message.clone(), payload)
            .map_err(|e| err(format!("invalid Protobuf: {e}")))?;
        Ok(Value::Struct(struct_from_pb(&self.connect, &m, 0)?))
    }
}

/// A `.proto` text compiled with the schema engine (its imports resolved through `resolver`).
pub fn parse_proto(
    text: &str,
    references: &[strata_schema::SchemaReference],
    resolver: &dyn strata_schema::ReferenceResolver,
) -> Result<Arc<ParsedSchema>, DataError> {
    let parsed = strata_schema::parse(
        SchemaType::Protobuf,
        text,
        references,
        resolver,
        &strata_schema::ParseOptions::stored(),
    )
    .map_err(|e| err(format!("invalid Protobuf schema: {e}")))?;
    if let SchemaModel::Protobuf(m) = parsed.model() {
        if let Some(e) = m.descriptor_error() {
            return Err(err(format!("the Protobuf schema does not compile: {e}")));
        }
    }
    Ok(Arc::new(parsed))
}

fn model(parsed: &ParsedSchema) -> Result<&strata_schema::protobuf::ProtobufModel, DataError> {
    match parsed.model() {
        SchemaModel::Protobuf(m) => Ok(m),
        _ => Err(err("not a Protobuf schema")),
    }
}

/// The Protobuf format of the registry converter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProtobufFormat;

impl Format for ProtobufFormat {
    type Codec = ProtobufCodec;
    const SCHEMA_TYPE: SchemaType = SchemaType::Protobuf;

    fn compile_connect(&self, schema: &Schema) -> Result<Compiled<ProtobufCodec>, ConverterError> {
        let (text, full) = ProtobufData.from_connect_schema(schema)?;
        let parsed = parse_proto(&text, &[], &strata_schema::NoReferences)?;
        let m = model(&parsed)?;
        let message = m
            .descriptor_pool()
            .get_message_by_name(&full)
            .ok_or_else(|| err(format!("message {full} missing from its own schema")))?;
        let indexes = m
            .message_index_path(&full)
            .ok_or_else(|| err("message index path"))?;
        Ok(Compiled {
            request: strata_client::RegisterSchemaRequest::new(SchemaType::Protobuf, text),
            record_name: Some(full),
            codec: ProtobufCodec::of(schema.clone(), message, indexes, parsed),
        })
    }

    fn compile_registered(
        &self,
        schema: &Registered<'_>,
        references: &strata_client::ResolvedReferences,
    ) -> Result<Compiled<ProtobufCodec>, ConverterError> {
        if schema.schema_type != SchemaType::Protobuf {
            return Err(err(format!(
                "the writer schema is {}, not PROTOBUF",
                schema.schema_type.as_str()
            ))
            .into());
        }
        let parsed = parse_proto(schema.schema, schema.references, references)?;
        let m = model(&parsed)?;
        let message = m
            .message_by_index_path(&[])
            .ok_or_else(|| err("the schema has no message"))?;
        let connect = ProtobufData.to_connect_schema(m, &message)?;
        let full = message.full_name().to_owned();
        Ok(Compiled {
            request: strata_client::RegisterSchemaRequest::new(SchemaType::Protobuf, schema.schema)
                .with_references(schema.references.to_vec()),
            record_name: Some(full),
            codec: ProtobufCodec::of(connect, message, vec![0], parsed),
        })
    }

    fn connect_schema(codec: &ProtobufCodec) -> &Schema {
        &codec.connect
    }

    fn with_version(codec: ProtobufCodec, version: i32) -> Result<ProtobufCodec, ConverterError> {
        let connect = crate::avro::builder_of(&codec.connect)
            .version(version)
            .build()?;
        Ok(ProtobufCodec::of(
            connect,
            codec.message,
            codec.indexes,
            codec.parsed,
        ))
    }

    fn latest_for_record(
        &self,
        codec: ProtobufCodec,
        record_name: Option<&str>,
    ) -> Result<ProtobufCodec, ConverterError> {
        let Some(name) = record_name.filter(|n| *n != codec.message.full_name()) else {
            return Ok(codec);
        };
        let m = model(&codec.parsed)?;
        // Confluent writes the message named like the record; a file without one keeps the
        // first message (and the value is checked against it).
        let (Some(message), Some(path)) = (
            m.descriptor_pool().get_message_by_name(name),
            m.message_index_path(name),
        ) else {
            return Ok(codec);
        };
        let connect = ProtobufData.to_connect_schema(m, &message)?;
        Ok(ProtobufCodec::of(connect, message, path, codec.parsed))
    }

    fn encode(
        &self,
        codec: &ProtobufCodec,
        id: SchemaId,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<(), ConverterError> {
        crate::wire::encode_into(out, id, Some(&codec.indexes), &[]);
        codec.encode_into(value, out)?;
        Ok(())
    }

    fn decode_value(&self, codec: &ProtobufCodec, payload: &[u8]) -> Result<Value, ConverterError> {
        Ok(self.decode(codec, payload)?.value)
    }

    fn decode(
        &self,
        codec: &ProtobufCodec,
        payload: &[u8],
    ) -> Result<SchemaAndValue, ConverterError> {
        let (indexes, rest) = crate::wire::decode_message_indexes(payload)?;
        let other = codec.at_path(indexes.as_slice())?;
        let codec = other.as_deref().unwrap_or(codec);
        let value = codec.decode(rest)?;
        Ok(SchemaAndValue::new(Some(codec.connect.clone()), value))
    }
}

/// Confluent's `ProtobufConverter`.
pub type ProtobufConverter = crate::registry::RegistryConverter<ProtobufFormat>;
