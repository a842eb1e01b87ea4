//! Connect values from JSON documents: one walk over the Connect schema for the JSON that Avro
//! writes its defaults in and the JSON that JSON Schema records are; what differs between the
//! two is their [`Spelling`].

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::{DataError, Decimal, LogicalType, Schema, Struct, Type, Value};

/// Deepest nesting of a document read.
const MAX_DEPTH: usize = 64;

/// How a format spells Connect values in JSON.
pub(crate) struct Spelling {
    /// Bytes (and a decimal's unscaled bytes) from their JSON text.
    pub(crate) bytes: fn(&Json) -> Option<Vec<u8>>,
    /// A float, with whatever text the format has for the non-finite ones.
    pub(crate) float: fn(&Json) -> Option<f64>,
    /// What `null` (and a struct's absent field) reads as under a schema.
    pub(crate) null: fn(&Schema) -> Result<Value, DataError>,
    /// Whether a map entry (`{"key": …, "value": …}`) must have both, or reads a missing one
    /// as `null`.
    pub(crate) entries_complete: bool,
    /// The error for a JSON value that does not fit a schema.
    pub(crate) mismatch: fn(&Schema, &Json) -> DataError,
}

/// The Connect value of schema `s` that `j` spells.
pub(crate) fn value_from_json(
    spelling: &Spelling,
    s: &Schema,
    j: &Json,
    depth: usize,
) -> Result<Value, DataError> {
    if depth > MAX_DEPTH {
        return Err(DataError::new("value nests too deeply"));
    }
    if j.is_null() {
        return (spelling.null)(s);
    }
    let bad = || (spelling.mismatch)(s, j);
    let int = || j.as_i64().ok_or_else(bad);
    let bytes = || (spelling.bytes)(j).ok_or_else(bad);
    let float = || (spelling.float)(j).ok_or_else(bad);
    let nested = |s: &Schema, j: &Json| value_from_json(spelling, s, j, depth + 1);
    Ok(match s.logical_type() {
        Some(LogicalType::Decimal { scale }) => {
            Value::Decimal(Decimal::from_unscaled_bytes(&bytes()?, scale))
        }
        Some(LogicalType::Date) => Value::Date(i32::try_from(int()?).map_err(|_| bad())?),
        Some(LogicalType::Time) => Value::Time(i32::try_from(int()?).map_err(|_| bad())?),
        Some(LogicalType::Timestamp) => Value::Timestamp(int()?),
        None => match s.schema_type() {
            Type::Int8 => Value::Int8(i8::try_from(int()?).map_err(|_| bad())?),
            Type::Int16 => Value::Int16(i16::try_from(int()?).map_err(|_| bad())?),
            Type::Int32 => Value::Int32(i32::try_from(int()?).map_err(|_| bad())?),
            Type::Int64 => Value::Int64(int()?),
            #[allow(clippy::cast_possible_truncation)]
            Type::Float32 => Value::Float32(float()? as f32),
            Type::Float64 => Value::Float64(float()?),
            Type::Boolean => Value::Boolean(j.as_bool().ok_or_else(bad)?),
            Type::String => Value::String(j.as_str().ok_or_else(bad)?.to_owned()),
            Type::Bytes => Value::Bytes(bytes()?),
            Type::Array => {
                let items = s.value_schema().ok_or_else(bad)?;
                let a = j.as_array().ok_or_else(bad)?;
                Value::Array(
                    a.iter()
                        .map(|i| nested(items, i))
                        .collect::<Result<_, _>>()?,
                )
            }
            Type::Map => {
                let (Some(ks), Some(vs)) = (s.key_schema(), s.value_schema()) else {
                    return Err(bad());
                };
                let mut m = IndexMap::new();
                match j {
                    Json::Object(o) => {
                        for (k, v) in o {
                            m.insert(Value::String(k.clone()), nested(vs, v)?);
                        }
                    }
                    Json::Array(entries) => {
                        for e in entries {
                            let (k, v) = match (e.get("key"), e.get("value")) {
                                (Some(k), Some(v)) => (k, v),
                                _ if spelling.entries_complete => return Err(bad()),
                                (k, v) => (k.unwrap_or(&Json::Null), v.unwrap_or(&Json::Null)),
                            };
                            m.insert(nested(ks, k)?, nested(vs, v)?);
                        }
                    }
                    _ => return Err(bad()),
                }
                Value::Map(Box::new(m))
            }
            Type::Struct => {
                let o = j.as_object().ok_or_else(bad)?;
                let mut st = Struct::new();
                for f in s.fields() {
                    let v = nested(f.schema(), o.get(f.name()).unwrap_or(&Json::Null))?;
                    if !v.is_null() {
                        st.put(f.name(), v);
                    }
                }
                Value::Struct(st)
            }
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::avro::AVRO_DEFAULTS;
    use crate::connect::SchemaBuilder;
    use crate::json_schema::JSON_SCHEMA_RECORDS;

    fn read(spelling: &Spelling, s: &Schema, j: Json) -> Result<Value, DataError> {
        value_from_json(spelling, s, &j, 0)
    }

    #[test]
    fn each_format_spells_bytes_and_floats_its_own_way() {
        let bytes = Schema::new(Type::Bytes);
        assert_eq!(
            read(&AVRO_DEFAULTS, &bytes, json!("\u{ff}A")).unwrap(),
            Value::Bytes(vec![0xff, b'A'])
        );
        assert_eq!(
            read(&JSON_SCHEMA_RECORDS, &bytes, json!("/0E=")).unwrap(),
            Value::Bytes(vec![0xff, b'A'])
        );
        let float = Schema::new(Type::Float64);
        assert!(matches!(
            read(&AVRO_DEFAULTS, &float, json!("NaN")).unwrap(),
            Value::Float64(f) if f.is_nan()
        ));
        let refused = read(&JSON_SCHEMA_RECORDS, &float, json!("NaN")).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("does not fit a FLOAT64 schema"),
            "{refused}"
        );
        let refused = read(&AVRO_DEFAULTS, &float, json!(true)).unwrap_err();
        assert!(
            refused.to_string().contains("Invalid default value true"),
            "{refused}"
        );
    }

    #[test]
    fn null_and_absent_fields_follow_the_format() {
        let s = SchemaBuilder::struct_()
            .field(
                "n",
                SchemaBuilder::int32()
                    .default_value(Value::Int32(7))
                    .build()
                    .unwrap(),
            )
            .field("r", Schema::new(Type::Int32))
            .build()
            .unwrap();
        // JSON Schema: an absent field takes its default; a required one without is an error.
        let refused = read(&JSON_SCHEMA_RECORDS, &s, json!({})).unwrap_err();
        assert!(
            refused.to_string().contains("null for a required INT32"),
            "{refused}"
        );
        let Value::Struct(st) = read(&JSON_SCHEMA_RECORDS, &s, json!({"r": 1})).unwrap() else {
            panic!("not a struct");
        };
        assert_eq!(st.get("n"), Some(&Value::Int32(7)));
        // Avro defaults: what is absent is left out.
        let Value::Struct(st) = read(&AVRO_DEFAULTS, &s, json!({"r": 1})).unwrap() else {
            panic!("not a struct");
        };
        assert_eq!(st.get("n"), None);
        assert_eq!(st.get("r"), Some(&Value::Int32(1)));
    }

    #[test]
    fn map_entries_without_a_value_are_refused_only_where_the_format_needs_both() {
        let s = SchemaBuilder::map(
            Schema::new(Type::Int32),
            SchemaBuilder::string().optional().build().unwrap(),
        )
        .build()
        .unwrap();
        let entries = json!([{"key": 1}]);
        assert!(read(&AVRO_DEFAULTS, &s, entries.clone()).is_err());
        let Value::Map(m) = read(&JSON_SCHEMA_RECORDS, &s, entries).unwrap() else {
            panic!("not a map");
        };
        assert_eq!(m.get(&Value::Int32(1)), Some(&Value::Null));
    }

    #[test]
    fn deep_documents_are_refused_not_followed() {
        let mut s = Schema::new(Type::Int32);
        let mut j = json!(1);
        for _ in 0..=MAX_DEPTH + 1 {
            s = SchemaBuilder::array(s).build().unwrap();
            j = json!([j]);
        }
        for spelling in [&AVRO_DEFAULTS, &JSON_SCHEMA_RECORDS] {
            let refused = read(spelling, &s, j.clone()).unwrap_err();
            assert!(
                refused.to_string().contains("nests too deeply"),
                "{refused}"
            );
        }
    }
}
