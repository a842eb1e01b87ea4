//! Connect schemas and their builder.

use super::logical::{LogicalType, DECIMAL_SCALE, MILLIS_PER_DAY};
use super::value::Value;
use super::DataError;
use indexmap::IndexMap;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The type of a Connect schema, as Kafka's `Schema.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// IEEE 754 single precision.
    Float32,
    /// IEEE 754 double precision.
    Float64,
    /// true or false.
    Boolean,
    /// UTF-8 text.
    String,
    /// Arbitrary bytes.
    Bytes,
    /// A list of values of one schema.
    Array,
    /// Key/value pairs of one key schema and one value schema.
    Map,
    /// Named fields, each with its own schema.
    Struct,
}

impl Type {
    /// Kafka's name for the type: `INT8`, …, `STRUCT`.
    pub fn name(&self) -> &'static str {
        match self {
            Type::Int8 => "INT8",
            Type::Int16 => "INT16",
            Type::Int32 => "INT32",
            Type::Int64 => "INT64",
            Type::Float32 => "FLOAT32",
            Type::Float64 => "FLOAT64",
            Type::Boolean => "BOOLEAN",
            Type::String => "STRING",
            Type::Bytes => "BYTES",
            Type::Array => "ARRAY",
            Type::Map => "MAP",
            Type::Struct => "STRUCT",
        }
    }

    /// Whether the type has no child schemas.
    pub fn is_primitive(&self) -> bool {
        !matches!(self, Type::Array | Type::Map | Type::Struct)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A field of a STRUCT schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Shared with the structs read with this schema.
    name: Arc<str>,
    index: usize,
    schema: Schema,
}

impl Field {
    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field's name, shared: what decoders key the fields of the structs they read with.
    pub(crate) fn shared_name(&self) -> &Arc<str> {
        &self.name
    }

    /// The field's position in its struct.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The field's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

/// A Connect schema: immutable, built and validated by [`SchemaBuilder`].
///
/// Equality compares everything Kafka's `ConnectSchema.equals` compares: type, optionality,
/// default, name, version, doc, parameters (in any order), fields (in order), key and value
/// schemas.
///
/// A schema is shared, not copied: cloning one is a reference-count increment, and a schema
/// compares equal to a clone of itself without looking inside.
#[derive(Clone)]
pub struct Schema(Arc<SchemaData>);

/// What a [`Schema`] holds.
#[derive(Debug, Clone, PartialEq)]
struct SchemaData {
    schema_type: Type,
    optional: bool,
    default: Option<Box<Value>>,
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    parameters: IndexMap<String, String>,
    fields: Vec<Field>,
    key: Option<Box<Schema>>,
    value: Option<Box<Schema>>,
    logical: Option<LogicalType>,
    /// The fields' names, shared by the structs decoders read with this schema.
    field_names: Arc<[Arc<str>]>,
    /// A hash of what equality compares, computed once when the schema is built.
    hash: u64,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || (self.0.hash == other.0.hash && self.0 == other.0)
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl SchemaData {
    fn new(schema_type: Type) -> SchemaData {
        SchemaData {
            schema_type,
            optional: false,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: IndexMap::new(),
            fields: Vec::new(),
            key: None,
            value: None,
            logical: None,
            field_names: Arc::from(Vec::new()),
            hash: 0,
        }
    }

    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| &*f.name == name)
    }

    /// Hashes what equality compares (parameters in any order), children by their own hashes.
    fn structural_hash(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.schema_type.hash(&mut h);
        self.optional.hash(&mut h);
        self.name.hash(&mut h);
        self.version.hash(&mut h);
        self.doc.hash(&mut h);
        let mut params = 0u64;
        for pair in &self.parameters {
            let mut ph = DefaultHasher::new();
            pair.hash(&mut ph);
            params = params.wrapping_add(ph.finish());
        }
        params.hash(&mut h);
        self.default.hash(&mut h);
        for f in &self.fields {
            f.name.hash(&mut h);
            f.schema.0.hash.hash(&mut h);
        }
        self.key.as_ref().map(|k| k.0.hash).hash(&mut h);
        self.value.as_ref().map(|v| v.0.hash).hash(&mut h);
        h.finish()
    }
}

impl Schema {
    fn from_data(mut data: SchemaData) -> Schema {
        data.hash = data.structural_hash();
        data.field_names = data.fields.iter().map(|f| f.name.clone()).collect();
        Schema(Arc::new(data))
    }

    /// The names of a STRUCT schema's fields, in order, shared.
    pub(crate) fn field_names(&self) -> &Arc<[Arc<str>]> {
        &self.0.field_names
    }

    /// A hash of what equality compares, computed when the schema was built: equal schemas
    /// have equal hashes.
    pub(crate) fn structural_hash(&self) -> u64 {
        self.0.hash
    }

    /// A required primitive schema with no name, like Kafka's `Schema.INT32_SCHEMA`.
    /// ARRAY and MAP need child schemas and STRUCT needs fields: build those with
    /// [`SchemaBuilder`] (an ARRAY or MAP made here accepts no value).
    pub fn new(schema_type: Type) -> Schema {
        Schema::from_data(SchemaData::new(schema_type))
    }

    /// An optional primitive schema with no name, like Kafka's `Schema.OPTIONAL_STRING_SCHEMA`.
    pub fn new_optional(schema_type: Type) -> Schema {
        Schema::from_data(SchemaData {
            optional: true,
            ..SchemaData::new(schema_type)
        })
    }

    /// The schema's type.
    pub fn schema_type(&self) -> Type {
        self.0.schema_type
    }

    /// Whether null is a valid value.
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }

    /// The default value, used in place of null.
    pub fn default_value(&self) -> Option<&Value> {
        self.0.default.as_deref()
    }

    /// The schema's name (for logical types, the logical type's name).
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The schema's version.
    pub fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// The schema's documentation.
    pub fn doc(&self) -> Option<&str> {
        self.0.doc.as_deref()
    }

    /// The schema's parameters, in insertion order.
    pub fn parameters(&self) -> &IndexMap<String, String> {
        &self.0.parameters
    }

    /// One parameter.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.0.parameters.get(key).map(String::as_str)
    }

    /// The fields of a STRUCT schema, in order; empty for other types.
    pub fn fields(&self) -> &[Field] {
        &self.0.fields
    }

    /// The field of this name of a STRUCT schema.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.0.field(name)
    }

    /// The key schema of a MAP schema.
    pub fn key_schema(&self) -> Option<&Schema> {
        self.0.key.as_deref()
    }

    /// The element schema of an ARRAY schema or the value schema of a MAP schema.
    pub fn value_schema(&self) -> Option<&Schema> {
        self.0.value.as_deref()
    }

    /// The logical type this schema stands for (by name and type), if any.
    pub fn logical_type(&self) -> Option<LogicalType> {
        self.0.logical
    }

    /// Checks a value against this schema, as Kafka's `ConnectSchema.validateValue`, and also
    /// the things Kafka only finds when the value is serialized: a Decimal's scale, a Time's
    /// range, fields the schema does not have.
    pub fn validate(&self, value: &Value) -> Result<(), DataError> {
        self.validate_at(value, &Location::Root)
    }

    fn validate_at(&self, value: &Value, location: &Location<'_>) -> Result<(), DataError> {
        if value.is_null() {
            if self.0.optional {
                return Ok(());
            }
            return Err(DataError::new(format!(
                "Invalid value: null used for required {location}, schema type: {}",
                self.0.schema_type
            )));
        }
        let mismatch = || {
            let name = self
                .0
                .name
                .as_deref()
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default();
            DataError::new(format!(
                "Invalid value for schema{name} with type {}: found {} for {location}",
                self.0.schema_type,
                value.type_name()
            ))
        };
        if let Some(logical) = self.0.logical {
            return match (logical, value) {
                (LogicalType::Decimal { scale }, Value::Decimal(d)) => {
                    if d.scale() == scale {
                        Ok(())
                    } else {
                        Err(DataError::new(format!(
                            "Decimal value {d} has scale {} but its schema has scale {scale} for {location}",
                            d.scale()
                        )))
                    }
                }
                (LogicalType::Date, Value::Date(_))
                | (LogicalType::Timestamp, Value::Timestamp(_)) => Ok(()),
                (LogicalType::Time, Value::Time(ms)) => {
                    if (0..=MILLIS_PER_DAY).contains(ms) {
                        Ok(())
                    } else {
                        Err(DataError::new(format!(
                            "Time values must use number of milliseconds greater than 0 and less than 86400000, found {ms} for {location}"
                        )))
                    }
                }
                _ => Err(mismatch()),
            };
        }
        match (self.0.schema_type, value) {
            (Type::Int8, Value::Int8(_))
            | (Type::Int16, Value::Int16(_))
            | (Type::Int32, Value::Int32(_))
            | (Type::Int64, Value::Int64(_))
            | (Type::Float32, Value::Float32(_))
            | (Type::Float64, Value::Float64(_))
            | (Type::Boolean, Value::Boolean(_))
            | (Type::String, Value::String(_))
            | (Type::Bytes, Value::Bytes(_)) => Ok(()),
            (Type::Array, Value::Array(items)) => {
                let Some(item_schema) = self.value_schema() else {
                    return Err(mismatch());
                };
                let loc = Location::Element(location);
                items
                    .iter()
                    .try_for_each(|v| item_schema.validate_at(v, &loc))
            }
            (Type::Map, Value::Map(entries)) => {
                let (Some(ks), Some(vs)) = (self.key_schema(), self.value_schema()) else {
                    return Err(mismatch());
                };
                let (kl, vl) = (Location::Key(location), Location::MapValue(location));
                entries.iter().try_for_each(|(k, v)| {
                    ks.validate_at(k, &kl)?;
                    vs.validate_at(v, &vl)
                })
            }
            (Type::Struct, Value::Struct(s)) => {
                for (name, _) in s.iter() {
                    if self.field(name).is_none() {
                        return Err(DataError::new(format!(
                            "Struct value has field \"{name}\" that its schema does not have, for {location}"
                        )));
                    }
                }
                for field in &self.0.fields {
                    let v = s.get(&field.name).unwrap_or(&Value::Null);
                    if v.is_null() && (field.schema.0.optional || field.schema.0.default.is_some())
                    {
                        continue;
                    }
                    field.schema.validate_at(v, &Location::Field(&field.name))?;
                }
                Ok(())
            }
            _ => Err(mismatch()),
        }
    }
}

/// Where a value sits, for messages in Kafka's words.
enum Location<'a> {
    Root,
    Field(&'a str),
    Element(&'a Location<'a>),
    Key(&'a Location<'a>),
    MapValue(&'a Location<'a>),
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Root => f.write_str("value"),
            Location::Field(name) => write!(f, "field: \"{name}\""),
            Location::Element(parent) => write!(f, "element of array {parent}"),
            Location::Key(parent) => write!(f, "key of map {parent}"),
            Location::MapValue(parent) => write!(f, "value of map {parent}"),
        }
    }
}

/// Builds a [`Schema`], like Kafka's `SchemaBuilder`. Mistakes (a field on a non-STRUCT, a
/// duplicate field name, a default that does not fit, a Decimal without a scale) are reported by
/// [`build`](SchemaBuilder::build).
#[derive(Debug, Clone)]
#[must_use]
pub struct SchemaBuilder {
    schema: SchemaData,
    error: Option<String>,
}

macro_rules! primitive_builders {
    ($($fn_name:ident => $t:ident, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            pub fn $fn_name() -> SchemaBuilder {
                SchemaBuilder::new(Type::$t)
            }
        )*
    };
}

impl SchemaBuilder {
    /// A builder of a schema of this type. ARRAY and MAP need their child schemas: prefer
    /// [`array`](Self::array) and [`map`](Self::map).
    pub fn new(schema_type: Type) -> SchemaBuilder {
        SchemaBuilder {
            schema: SchemaData::new(schema_type),
            error: None,
        }
    }

    primitive_builders! {
        int8 => Int8, "An INT8 schema builder.";
        int16 => Int16, "An INT16 schema builder.";
        int32 => Int32, "An INT32 schema builder.";
        int64 => Int64, "An INT64 schema builder.";
        float32 => Float32, "A FLOAT32 schema builder.";
        float64 => Float64, "A FLOAT64 schema builder.";
        boolean => Boolean, "A BOOLEAN schema builder.";
        string => String, "A STRING schema builder.";
        bytes => Bytes, "A BYTES schema builder.";
        struct_ => Struct, "A STRUCT schema builder; add fields with [`field`](Self::field).";
    }

    /// An ARRAY schema builder with this element schema.
    pub fn array(items: Schema) -> SchemaBuilder {
        let mut b = SchemaBuilder::new(Type::Array);
        b.schema.value = Some(Box::new(items));
        b
    }

    /// A MAP schema builder with these key and value schemas.
    pub fn map(keys: Schema, values: Schema) -> SchemaBuilder {
        let mut b = SchemaBuilder::new(Type::Map);
        b.schema.key = Some(Box::new(keys));
        b.schema.value = Some(Box::new(values));
        b
    }

    /// Makes null a valid value.
    pub fn optional(mut self) -> Self {
        self.schema.optional = true;
        self
    }

    /// Makes null an invalid value (the default).
    pub fn required(mut self) -> Self {
        self.schema.optional = false;
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.schema.name = Some(name.into());
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: i32) -> Self {
        self.schema.version = Some(version);
        self
    }

    /// Sets the documentation.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.schema.doc = Some(doc.into());
        self
    }

    /// Sets one parameter (a later value for the same key replaces the earlier one in place).
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.schema.parameters.insert(key.into(), value.into());
        self
    }

    /// Sets several parameters, in order.
    pub fn parameters<K: Into<String>, V: Into<String>>(
        mut self,
        parameters: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (k, v) in parameters {
            self.schema.parameters.insert(k.into(), v.into());
        }
        self
    }

    /// Sets the default value; [`build`](Self::build) checks that it fits the schema.
    pub fn default_value(mut self, value: Value) -> Self {
        self.schema.default = if value.is_null() {
            None
        } else {
            Some(Box::new(value))
        };
        self
    }

    /// Adds a field to a STRUCT schema.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Self {
        let name = name.into();
        if self.error.is_some() {
            return self;
        }
        if self.schema.schema_type != Type::Struct {
            self.error = Some(format!(
                "Cannot create fields on type {}",
                self.schema.schema_type
            ));
        } else if name.is_empty() {
            self.error = Some("fieldName cannot be null.".to_owned());
        } else if self.schema.field(&name).is_some() {
            self.error = Some(format!(
                "Cannot create field because of field name duplication {name}"
            ));
        } else {
            let index = self.schema.fields.len();
            self.schema.fields.push(Field {
                name: Arc::from(name),
                index,
                schema,
            });
        }
        self
    }

    /// The type being built.
    pub fn schema_type(&self) -> Type {
        self.schema.schema_type
    }

    /// Checks and returns the schema.
    pub fn build(self) -> Result<Schema, DataError> {
        if let Some(e) = self.error {
            return Err(DataError::new(e));
        }
        let mut schema = self.schema;
        match schema.schema_type {
            Type::Array if schema.value.is_none() => {
                return Err(DataError::new("ARRAY schema needs an element schema"))
            }
            Type::Map if schema.key.is_none() || schema.value.is_none() => {
                return Err(DataError::new("MAP schema needs key and value schemas"))
            }
            _ => {}
        }
        schema.logical = LogicalType::detect(
            schema.name.as_deref(),
            schema.schema_type,
            schema.parameters.get(DECIMAL_SCALE).map(String::as_str),
        )
        .map_err(DataError::new)?;
        if let Some(default) = schema.default.take() {
            Schema::from_data(schema.clone())
                .validate(&default)
                .map_err(|e| DataError::new(format!("Invalid default value: {e}")))?;
            schema.default = Some(default);
        }
        Ok(Schema::from_data(schema))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::logical;
    use super::super::{Decimal, Struct};
    use super::*;

    fn person() -> Schema {
        SchemaBuilder::struct_()
            .name("Person")
            .field("name", Schema::new(Type::String))
            .field("age", SchemaBuilder::int32().optional().build().unwrap())
            .field(
                "tags",
                SchemaBuilder::array(Schema::new(Type::String))
                    .build()
                    .unwrap(),
            )
            .field(
                "scores",
                SchemaBuilder::map(Schema::new(Type::Int32), Schema::new(Type::Float64))
                    .optional()
                    .build()
                    .unwrap(),
            )
            .field(
                "level",
                SchemaBuilder::int8()
                    .default_value(Value::Int8(1))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn builder_sets_everything() {
        let s = SchemaBuilder::string()
            .optional()
            .name("n")
            .version(3)
            .doc("d")
            .parameter("b", "2")
            .parameter("a", "1")
            .default_value(Value::String("x".into()))
            .build()
            .unwrap();
        assert_eq!(s.schema_type(), Type::String);
        assert!(s.is_optional());
        assert_eq!(s.name(), Some("n"));
        assert_eq!(s.version(), Some(3));
        assert_eq!(s.doc(), Some("d"));
        assert_eq!(s.parameters().keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(s.default_value(), Some(&Value::String("x".into())));
        assert_eq!(person().field("age").unwrap().index(), 1);
    }

    #[test]
    fn builder_errors() {
        let cases = [
            (
                SchemaBuilder::int32().field("a", Schema::new(Type::Int8)),
                "Cannot create fields on type INT32",
            ),
            (
                SchemaBuilder::struct_()
                    .field("a", Schema::new(Type::Int8))
                    .field("a", Schema::new(Type::Int8)),
                "Cannot create field because of field name duplication a",
            ),
            (
                SchemaBuilder::int32().default_value(Value::String("x".into())),
                "Invalid default value: Invalid value for schema with type INT32: found STRING for value",
            ),
            (
                SchemaBuilder::bytes().name(logical::DECIMAL_NAME),
                "Invalid Decimal schema: scale parameter not found.",
            ),
            (SchemaBuilder::new(Type::Array), "ARRAY schema needs an element schema"),
        ];
        for (builder, expected) in cases {
            assert_eq!(builder.build().unwrap_err().to_string(), expected);
        }
        assert!(logical::decimal_schema(2)
            .parameter("scale", "two")
            .build()
            .is_err());
    }

    #[test]
    fn logical_types_are_detected_by_name_and_type() {
        let d = logical::decimal_schema(-3).build().unwrap();
        assert_eq!(d.logical_type(), Some(LogicalType::Decimal { scale: -3 }));
        assert_eq!(d.version(), Some(1));
        assert_eq!(
            logical::date_schema().build().unwrap().logical_type(),
            Some(LogicalType::Date)
        );
        assert_eq!(
            logical::time_schema().build().unwrap().logical_type(),
            Some(LogicalType::Time)
        );
        assert_eq!(
            logical::timestamp_schema().build().unwrap().logical_type(),
            Some(LogicalType::Timestamp)
        );
        // A Date name on an INT64 schema is no Date.
        let not_date = SchemaBuilder::int64()
            .name(logical::DATE_NAME)
            .build()
            .unwrap();
        assert_eq!(not_date.logical_type(), None);
    }

    #[test]
    fn validate_accepts_good_values() {
        let mut scores = indexmap::IndexMap::new();
        scores.insert(Value::Int32(1), Value::Float64(0.5));
        let v = Value::Struct(
            Struct::new()
                .with("name", Value::String("Ann".into()))
                .with("tags", Value::Array(vec![Value::String("a".into())]))
                .with("scores", Value::Map(Box::new(scores))),
        );
        person().validate(&v).unwrap();
    }

    #[test]
    fn validate_reports_where_and_why() {
        let cases = [
            (
                Struct::new().with("tags", Value::Array(vec![])),
                "Invalid value: null used for required field: \"name\", schema type: STRING",
            ),
            (
                Struct::new()
                    .with("name", Value::String("a".into()))
                    .with("tags", Value::Array(vec![Value::Int32(1)])),
                "Invalid value for schema with type STRING: found INT32 for element of array field: \"tags\"",
            ),
            (
                Struct::new()
                    .with("name", Value::String("a".into()))
                    .with("tags", Value::Array(vec![]))
                    .with("extra", Value::Int32(1)),
                "Struct value has field \"extra\" that its schema does not have, for value",
            ),
            (
                Struct::new()
                    .with("name", Value::String("a".into()))
                    .with("tags", Value::Array(vec![]))
                    .with(
                        "scores",
                        Value::Map([(Value::String("k".into()), Value::Float64(1.0))].into_iter().collect::<IndexMap<_, _>>().into()),
                    ),
                "Invalid value for schema with type INT32: found STRING for key of map field: \"scores\"",
            ),
        ];
        for (s, expected) in cases {
            assert_eq!(
                person()
                    .validate(&Value::Struct(s))
                    .unwrap_err()
                    .to_string(),
                expected
            );
        }
        assert_eq!(
            person().validate(&Value::Int32(1)).unwrap_err().to_string(),
            "Invalid value for schema \"Person\" with type STRUCT: found INT32 for value"
        );
    }

    #[test]
    fn validate_logical_values() {
        let d = logical::decimal_schema(2).build().unwrap();
        d.validate(&Value::Decimal(Decimal::from_i128(150, 2)))
            .unwrap();
        assert!(d
            .validate(&Value::Decimal(Decimal::from_i128(15, 1)))
            .is_err());
        assert!(d.validate(&Value::Bytes(vec![1])).is_err());
        let t = logical::time_schema().build().unwrap();
        t.validate(&Value::Time(0)).unwrap();
        t.validate(&Value::Time(86_400_000)).unwrap();
        assert!(t.validate(&Value::Time(-1)).is_err());
        assert!(t.validate(&Value::Int32(5)).is_err());
        let date = logical::date_schema().build().unwrap();
        date.validate(&Value::Date(-5)).unwrap();
        assert!(Schema::new(Type::Int32).validate(&Value::Date(1)).is_err());
    }

    #[test]
    fn equality_ignores_parameter_order() {
        let a = SchemaBuilder::string()
            .parameter("a", "1")
            .parameter("b", "2")
            .build()
            .unwrap();
        let b = SchemaBuilder::string()
            .parameter("b", "2")
            .parameter("a", "1")
            .build()
            .unwrap();
        assert_eq!(a, b);
        let c = SchemaBuilder::string().parameter("a", "1").build().unwrap();
        assert_ne!(a, c);
        assert_ne!(
            Schema::new(Type::String),
            Schema::new_optional(Type::String)
        );
    }
}
