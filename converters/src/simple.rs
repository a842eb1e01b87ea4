//! Kafka's schema-less converters: `StringConverter` and `ByteArrayConverter`.

use crate::connect::{DataError, Schema, Type, Value};
use crate::converter::{Converter, SchemaAndValue};
use crate::error::ConverterError;
use std::fmt::Write as _;

/// Kafka's `org.apache.kafka.connect.storage.StringConverter`, UTF-8 only.
///
/// Writing: the value's text (`Value::String` as is, numbers and booleans as Java prints them,
/// decimals as `BigDecimal.toString()`, arrays/maps/structs as Java's `toString()`), whatever
/// the schema; null gives a null record. Values whose Java text is meaningless or depends on
/// the JVM (BYTES prints as `[B@1b6d3586`, Date/Time/Timestamp in the JVM's time zone) are
/// rejected instead.
///
/// Reading: the bytes as text with schema `OPTIONAL_STRING`; invalid UTF-8 sequences become
/// U+FFFD, as Java's `new String(bytes, UTF_8)` does; a null record gives a null value (still
/// with schema `OPTIONAL_STRING`, as Kafka does).
#[derive(Debug, Clone, Copy, Default)]
pub struct StringConverter;

impl Converter for StringConverter {
    fn from_connect(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConverterError> {
        if value.is_null() {
            return Ok(None);
        }
        let mut text = String::new();
        java_to_string(&mut text, value)?;
        Ok(Some(text.into_bytes()))
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConverterError> {
        let value = match bytes {
            None => Value::Null,
            Some(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        };
        Ok(SchemaAndValue::new(
            Some(Schema::new_optional(Type::String)),
            value,
        ))
    }
}

/// Appends what Java's `String.valueOf(value)` prints.
fn java_to_string(out: &mut String, value: &Value) -> Result<(), DataError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::String(s) => out.push_str(s),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int8(v) => push_display(out, v),
        Value::Int16(v) => push_display(out, v),
        Value::Int32(v) => push_display(out, v),
        Value::Int64(v) => push_display(out, v),
        Value::Float32(v) => push_java_float(out, f64::from(*v), format!("{v:e}")),
        Value::Float64(v) => push_java_float(out, *v, format!("{v:e}")),
        Value::Decimal(d) => push_display(out, d),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                java_to_string(out, item)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                java_to_string(out, k)?;
                out.push('=');
                java_to_string(out, v)?;
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push_str("Struct{");
            let mut first = true;
            for (name, v) in s.iter().filter(|(_, v)| !v.is_null()) {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(name);
                out.push('=');
                java_to_string(out, v)?;
            }
            out.push('}');
        }
        Value::Bytes(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            return Err(DataError::new(format!(
                "StringConverter cannot write a {} value as text; convert it to a STRING first",
                value.type_name()
            )))
        }
    }
    Ok(())
}

fn push_display(out: &mut String, v: impl std::fmt::Display) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{v}");
}

/// Java's `Double.toString` / `Float.toString` (shortest digits): plain between 10^-3 and 10^7,
/// `1.0E10` style outside. `sci` is Rust's shortest `{:e}` form of the same value.
fn push_java_float(out: &mut String, v: f64, sci: String) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let (neg, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => (true, m),
            None => (false, mantissa),
        };
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        if neg {
            out.push('-');
        }
        if v == 0.0 {
            out.push_str("0.0");
        } else if (-3..7).contains(&exp) {
            if exp < 0 {
                out.push_str("0.");
                out.push_str(&"0".repeat((-exp - 1) as usize));
                out.push_str(&digits);
            } else {
                let int_len = exp as usize + 1;
                if digits.len() <= int_len {
                    out.push_str(&digits);
                    out.push_str(&"0".repeat(int_len - digits.len()));
                    out.push_str(".0");
                } else {
                    out.push_str(&digits[..int_len]);
                    out.push('.');
                    out.push_str(&digits[int_len..]);
                }
            }
        } else {
            out.push_str(&digits[..1]);
            out.push('.');
            out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
            push_display(out, format_args!("E{exp}"));
        }
    }
}

/// Kafka's `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through.
///
/// Writing accepts a BYTES schema or none, and a `Value::Bytes` or null; reading gives schema
/// `OPTIONAL_BYTES` and the bytes (null for a null record).
#[derive(Debug, Clone, Copy, Default)]
pub struct ByteArrayConverter;

impl Converter for ByteArrayConverter {
    fn from_connect(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConverterError> {
        if let Some(schema) = schema {
            if schema.schema_type() != Type::Bytes {
                return Err(DataError::new(format!(
                    "Invalid schema type for ByteArrayConverter: {}",
                    schema.schema_type()
                ))
                .into());
            }
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            other => Err(DataError::new(format!(
                "ByteArrayConverter is not compatible with objects of type {}",
                other.type_name()
            ))
            .into()),
        }
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConverterError> {
        Ok(SchemaAndValue::new(
            Some(Schema::new_optional(Type::Bytes)),
            bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec())),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::connect::{logical, Decimal, Struct};

    #[test]
    fn string_converter_roundtrip_and_nulls() {
        let c = StringConverter;
        let bytes = c
            .from_connect("t", None, &Value::String("héllo".into()))
            .unwrap();
        assert_eq!(bytes.as_deref(), Some("héllo".as_bytes()));
        let back = c.to_connect("t", bytes.as_deref()).unwrap();
        assert_eq!(back.value, Value::String("héllo".into()));
        assert_eq!(back.schema, Some(Schema::new_optional(Type::String)));
        assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
        let null = c.to_connect("t", None).unwrap();
        assert_eq!(null.value, Value::Null);
        assert_eq!(null.schema, Some(Schema::new_optional(Type::String)));
    }

    #[test]
    fn string_converter_replaces_invalid_utf8() {
        let back = StringConverter.to_connect("t", Some(b"a\xffb")).unwrap();
        assert_eq!(back.value, Value::String("a\u{fffd}b".into()));
    }

    #[test]
    fn string_converter_prints_like_java() {
        let cases = [
            (Value::Int32(-42), "-42"),
            (Value::Boolean(true), "true"),
            (Value::Float64(1.0), "1.0"),
            (Value::Float64(0.001), "0.001"),
            (Value::Float64(1e7), "1.0E7"),
            (Value::Float64(1.5e-4), "1.5E-4"),
            (Value::Float64(-1234.5), "-1234.5"),
            (Value::Float64(100.0), "100.0"),
            (Value::Float32(0.1), "0.1"),
            (Value::Float64(f64::NAN), "NaN"),
            (Value::Float64(f64::NEG_INFINITY), "-Infinity"),
            (Value::Decimal(Decimal::from_i128(150, 2)), "1.50"),
            (
                Value::Array(vec![Value::Int8(1), Value::String("a".into())]),
                "[1, a]",
            ),
            (
                Value::Struct(
                    Struct::new()
                        .with("a", Value::Int32(1))
                        .with("b", Value::Null),
                ),
                "Struct{a=1}",
            ),
        ];
        for (value, text) in cases {
            let bytes = StringConverter
                .from_connect("t", None, &value)
                .unwrap()
                .unwrap();
            assert_eq!(String::from_utf8(bytes).unwrap(), text, "{value:?}");
        }
        assert!(StringConverter
            .from_connect("t", None, &Value::Bytes(vec![1]))
            .is_err());
    }

    #[test]
    fn byte_array_converter() {
        let c = ByteArrayConverter;
        let bytes_schema = Schema::new(Type::Bytes);
        assert_eq!(
            c.from_connect("t", Some(&bytes_schema), &Value::Bytes(vec![1, 2]))
                .unwrap(),
            Some(vec![1, 2])
        );
        assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
        let err = c
            .from_connect("t", Some(&Schema::new(Type::String)), &Value::Bytes(vec![]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid schema type for ByteArrayConverter: STRING"
        );
        let err = c.from_connect("t", None, &Value::Int32(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ByteArrayConverter is not compatible with objects of type INT32"
        );
        // A Decimal has a BYTES schema but is no byte array.
        let decimal = logical::decimal_schema(2).build().unwrap();
        assert!(c
            .from_connect(
                "t",
                Some(&decimal),
                &Value::Decimal(Decimal::from_i128(1, 2))
            )
            .is_err());
        let back = c.to_connect("t", Some(&[9])).unwrap();
        assert_eq!(
            back,
            SchemaAndValue::new(
                Some(Schema::new_optional(Type::Bytes)),
                Value::Bytes(vec![9])
            )
        );
        assert_eq!(c.to_connect("t", None).unwrap().value, Value::Null);
    }
}
