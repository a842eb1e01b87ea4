//! Random Connect schemas with conforming values survive the JSON converter unchanged, in both
//! decimal formats, and validate against their schemas on both sides.

use proptest::prelude::*;
use strata_converters::connect::{logical, Decimal, Schema, SchemaBuilder, Struct, Type, Value};
use strata_converters::json::{DecimalFormat, JsonConverter, JsonConverterConfig};
use strata_converters::Converter;

fn primitive_type() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::Int8),
        Just(Type::Int16),
        Just(Type::Int32),
        Just(Type::Int64),
        Just(Type::Float32),
        Just(Type::Float64),
        Just(Type::Boolean),
        Just(Type::String),
        Just(Type::Bytes),
    ]
}

fn decorate(b: SchemaBuilder, optional: bool, meta: Option<(String, i32, String)>) -> Schema {
    let b = if optional { b.optional() } else { b };
    let b = match meta {
        Some((name, version, doc)) => b.name(name).version(version).doc(doc).parameter("p", "v"),
        None => b,
    };
    b.build().unwrap()
}

fn meta() -> impl Strategy<Value = Option<(String, i32, String)>> {
    proptest::option::weighted(0.2, ("[a-z][a-z0-9.]{0,8}", any::<i32>(), "\\PC{0,8}"))
}

fn leaf_schema() -> impl Strategy<Value = Schema> {
    prop_oneof![
        4 => (primitive_type(), any::<bool>(), meta())
            .prop_map(|(t, optional, meta)| decorate(SchemaBuilder::new(t), optional, meta)),
        1 => (-4i32..12, any::<bool>()).prop_map(|(scale, optional)| {
            decorate(logical::decimal_schema(scale), optional, None)
        }),
        1 => any::<bool>().prop_map(|o| decorate(logical::date_schema(), o, None)),
        1 => any::<bool>().prop_map(|o| decorate(logical::time_schema(), o, None)),
        1 => any::<bool>().prop_map(|o| decorate(logical::timestamp_schema(), o, None)),
    ]
}

fn schema() -> impl Strategy<Value = Schema> {
    leaf_schema().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (inner.clone(), any::<bool>()).prop_map(|(items, o)| decorate(
                SchemaBuilder::array(items),
                o,
                None
            )),
            // Map keys are required: a null key has no JSON object spelling.
            (primitive_type(), inner.clone(), any::<bool>())
                .prop_map(|(k, v, o)| { decorate(SchemaBuilder::map(Schema::new(k), v), o, None) }),
            (
                proptest::collection::vec(inner, 0..4),
                any::<bool>(),
                meta()
            )
                .prop_map(|(fields, o, meta)| {
                    let mut b = SchemaBuilder::struct_();
                    for (i, f) in fields.into_iter().enumerate() {
                        b = b.field(format!("f{i}"), f);
                    }
                    decorate(b, o, meta)
                }),
        ]
    })
}

fn float64() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
    ]
}

fn float32() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => proptest::num::f32::NORMAL | proptest::num::f32::SUBNORMAL | proptest::num::f32::ZERO,
        1 => Just(f32::NAN),
        1 => Just(f32::NEG_INFINITY),
    ]
}

fn value(schema: &Schema) -> BoxedStrategy<Value> {
    let non_null = non_null_value(schema);
    if schema.is_optional() {
        prop_oneof![1 => Just(Value::Null), 4 => non_null].boxed()
    } else {
        non_null
    }
}

fn non_null_value(schema: &Schema) -> BoxedStrategy<Value> {
    use strata_converters::connect::LogicalType;
    match schema.logical_type() {
        Some(LogicalType::Decimal { scale }) => {
            return any::<i128>()
                .prop_map(move |u| Value::Decimal(Decimal::from_i128(u, scale)))
                .boxed()
        }
        Some(LogicalType::Date) => return any::<i32>().prop_map(Value::Date).boxed(),
        Some(LogicalType::Time) => return (0..=86_400_000).prop_map(Value::Time).boxed(),
        Some(LogicalType::Timestamp) => return any::<i64>().prop_map(Value::Timestamp).boxed(),
        None => {}
    }
    match schema.schema_type() {
        Type::Int8 => any::<i8>().prop_map(Value::Int8).boxed(),
        Type::Int16 => any::<i16>().prop_map(Value::Int16).boxed(),
        Type::Int32 => any::<i32>().prop_map(Value::Int32).boxed(),
        Type::Int64 => any::<i64>().prop_map(Value::Int64).boxed(),
        Type::Float32 => float32().prop_map(Value::Float32).boxed(),
        Type::Float64 => float64().prop_map(Value::Float64).boxed(),
        Type::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        Type::String => "\\PC{0,12}".prop_map(Value::String).boxed(),
        Type::Bytes => proptest::collection::vec(any::<u8>(), 0..12)
            .prop_map(Value::Bytes)
            .boxed(),
        Type::Array => proptest::collection::vec(value(schema.value_schema().unwrap()), 0..4)
            .prop_map(Value::Array)
            .boxed(),
        Type::Map => proptest::collection::vec(
            (
                value(schema.key_schema().unwrap()),
                value(schema.value_schema().unwrap()),
            ),
            0..4,
        )
        .prop_map(|entries| Value::Map(Box::new(entries.into_iter().collect())))
        .boxed(),
        Type::Struct => {
            let fields: Vec<_> = schema
                .fields()
                .iter()
                .map(|f| {
                    value(f.schema()).prop_map({
                        let name = f.name().to_owned();
                        move |v| (name.clone(), v)
                    })
                })
                .collect();
            fields
                .prop_map(|fields| {
                    let mut s = Struct::new();
                    for (name, v) in fields {
                        s.put(name, v);
                    }
                    Value::Struct(s)
                })
                .boxed()
        }
    }
}

pub fn schema_and_value() -> impl Strategy<Value = (Schema, Value)> {
    schema().prop_flat_map(|s| {
        let v = value(&s);
        (Just(s), v)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn json_envelope_roundtrip((schema, value) in schema_and_value()) {
        schema.validate(&value).unwrap();
        for decimal_format in [DecimalFormat::Base64, DecimalFormat::Numeric] {
            let converter = JsonConverter::new(JsonConverterConfig {
                decimal_format,
                ..JsonConverterConfig::default()
            });
            let bytes = converter.from_connect("t", Some(&schema), &value).unwrap();
            let back = converter.to_connect("t", bytes.as_deref()).unwrap();
            prop_assert_eq!(back.schema.as_ref(), Some(&schema));
            prop_assert_eq!(&back.value, &value);
            schema.validate(&back.value).unwrap();
        }
    }

    #[test]
    fn json_payload_roundtrip_with_known_schema((schema, value) in schema_and_value()) {
        // Without the envelope the reader has no schema: check the bytes parse as JSON and
        // that writing is deterministic.
        let converter = JsonConverter::new(JsonConverterConfig {
            schemas_enable: false,
            ..JsonConverterConfig::default()
        });
        let a = converter.from_connect("t", Some(&schema), &value).unwrap();
        let b = converter.from_connect("t", Some(&schema), &value).unwrap();
        prop_assert_eq!(&a, &b);
        let bytes = a.unwrap();
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
    }
}
