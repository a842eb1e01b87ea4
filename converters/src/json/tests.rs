use super::*;
use crate::connect::logical;

fn with(f: impl FnOnce(&mut JsonConverterConfig)) -> JsonConverter {
    let mut c = JsonConverterConfig::default();
    f(&mut c);
    JsonConverter::new(c)
}

fn text(bytes: Option<Vec<u8>>) -> String {
    String::from_utf8(bytes.expect("a record")).unwrap()
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn opt(b: SchemaBuilder) -> Schema {
    b.optional().build().unwrap()
}

/// (schema, value, exact envelope JSON) — written exactly so, and read back to the same
/// schema and value.
fn roundtrip_cases() -> Vec<(Schema, Value, &'static str)> {
    let mut int_keys = IndexMap::new();
    int_keys.insert(Value::Int32(1), s("a"));
    int_keys.insert(Value::Int32(2), Value::Null);
    let mut str_keys = IndexMap::new();
    str_keys.insert(s("x"), Value::Int64(1));
    str_keys.insert(s("y\"z"), Value::Int64(-2));
    vec![
        // The reference example.
        (
            SchemaBuilder::struct_()
                .name("rec")
                .field("id", Schema::new(Type::Int32))
                .field("amt", opt(logical::decimal_schema(2)))
                .build()
                .unwrap(),
            Value::Struct(
                Struct::new()
                    .with("id", Value::Int32(1))
                    .with("amt", Value::Decimal(Decimal::from_i128(150, 2))),
            ),
            r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"amt"}],"optional":false,"name":"rec"},"payload":{"id":1,"amt":"AJY="}}"#,
        ),
        (
            Schema::new(Type::Boolean),
            Value::Boolean(true),
            r#"{"schema":{"type":"boolean","optional":false},"payload":true}"#,
        ),
        (
            Schema::new(Type::Int8),
            Value::Int8(-128),
            r#"{"schema":{"type":"int8","optional":false},"payload":-128}"#,
        ),
        (
            Schema::new(Type::Int16),
            Value::Int16(32767),
            r#"{"schema":{"type":"int16","optional":false},"payload":32767}"#,
        ),
        (
            Schema::new(Type::Int64),
            Value::Int64(i64::MIN),
            r#"{"schema":{"type":"int64","optional":false},"payload":-9223372036854775808}"#,
        ),
        (
            Schema::new(Type::Float32),
            Value::Float32(0.1),
            r#"{"schema":{"type":"float","optional":false},"payload":0.1}"#,
        ),
        (
            Schema::new(Type::Float64),
            Value::Float64(1.0),
            r#"{"schema":{"type":"double","optional":false},"payload":1.0}"#,
        ),
        (
            Schema::new(Type::Float64),
            Value::Float64(f64::NAN),
            r#"{"schema":{"type":"double","optional":false},"payload":"NaN"}"#,
        ),
        (
            Schema::new(Type::Float32),
            Value::Float32(f32::NEG_INFINITY),
            r#"{"schema":{"type":"float","optional":false},"payload":"-Infinity"}"#,
        ),
        (
            Schema::new(Type::String),
            s("a\"b\\c\n\u{1}é"),
            r#"{"schema":{"type":"string","optional":false},"payload":"a\"b\\c\n\u0001é"}"#,
        ),
        (
            Schema::new(Type::Bytes),
            Value::Bytes(vec![0, 1, 2, 255]),
            r#"{"schema":{"type":"bytes","optional":false},"payload":"AAEC/w=="}"#,
        ),
        (
            Schema::new_optional(Type::String),
            Value::Null,
            r#"{"schema":{"type":"string","optional":true},"payload":null}"#,
        ),
        (
            SchemaBuilder::array(Schema::new_optional(Type::Int32))
                .build()
                .unwrap(),
            Value::Array(vec![Value::Int32(1), Value::Null]),
            r#"{"schema":{"type":"array","items":{"type":"int32","optional":true},"optional":false},"payload":[1,null]}"#,
        ),
        (
            SchemaBuilder::map(Schema::new(Type::Int32), Schema::new_optional(Type::String))
                .build()
                .unwrap(),
            Value::Map(Box::new(int_keys)),
            r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"string","optional":true},"optional":false},"payload":[[1,"a"],[2,null]]}"#,
        ),
        (
            SchemaBuilder::map(Schema::new(Type::String), Schema::new(Type::Int64))
                .build()
                .unwrap(),
            Value::Map(Box::new(str_keys)),
            r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int64","optional":false},"optional":false},"payload":{"x":1,"y\"z":-2}}"#,
        ),
        (
            SchemaBuilder::struct_()
                .field("d", logical::date_schema().build().unwrap())
                .field("t", logical::time_schema().build().unwrap())
                .field("ts", logical::timestamp_schema().build().unwrap())
                .build()
                .unwrap(),
            Value::Struct(
                Struct::new()
                    .with("d", Value::Date(19_000))
                    .with("t", Value::Time(3_600_000))
                    .with("ts", Value::Timestamp(1_700_000_000_000)),
            ),
            r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"d"},{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1,"field":"t"},{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"ts"}],"optional":false},"payload":{"d":19000,"t":3600000,"ts":1700000000000}}"#,
        ),
        (
            SchemaBuilder::int32()
                .optional()
                .name("n")
                .version(2)
                .doc("the doc")
                .parameter("b", "1")
                .parameter("a", "2")
                .default_value(Value::Int32(5))
                .build()
                .unwrap(),
            Value::Int32(7),
            r#"{"schema":{"type":"int32","optional":true,"name":"n","version":2,"doc":"the doc","parameters":{"b":"1","a":"2"},"default":5},"payload":7}"#,
        ),
        (
            SchemaBuilder::struct_()
                .name("outer")
                .field(
                    "inner",
                    SchemaBuilder::struct_()
                        .optional()
                        .field("x", Schema::new(Type::Int8))
                        .build()
                        .unwrap(),
                )
                .field(
                    "list",
                    SchemaBuilder::array(
                        SchemaBuilder::map(Schema::new(Type::String), Schema::new(Type::Bytes))
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
                )
                .build()
                .unwrap(),
            Value::Struct(
                Struct::new()
                    .with(
                        "inner",
                        Value::Struct(Struct::new().with("x", Value::Int8(3))),
                    )
                    .with(
                        "list",
                        Value::Array(vec![Value::Map(
                            [(s("k"), Value::Bytes(b"hi".to_vec()))]
                                .into_iter()
                                .collect::<IndexMap<_, _>>()
                                .into(),
                        )]),
                    ),
            ),
            r#"{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int8","optional":false,"field":"x"}],"optional":true,"field":"inner"},{"type":"array","items":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"bytes","optional":false},"optional":false},"optional":false,"field":"list"}],"optional":false,"name":"outer"},"payload":{"inner":{"x":3},"list":[{"k":"aGk="}]}}"#,
        ),
    ]
}

#[test]
fn envelope_roundtrips_exactly() {
    let c = JsonConverter::default();
    for (schema, value, expected) in roundtrip_cases() {
        let bytes = c.from_connect("t", Some(&schema), &value).unwrap();
        assert_eq!(text(bytes.clone()), expected);
        let back = c.to_connect("t", bytes.as_deref()).unwrap();
        assert_eq!(back.schema.as_ref(), Some(&schema), "{expected}");
        assert_eq!(back.value, value, "{expected}");
    }
}

#[test]
fn payload_only_when_schemas_disabled() {
    let c = with(|c| c.schemas_enable = false);
    for (schema, value, expected) in roundtrip_cases() {
        let bytes = text(c.from_connect("t", Some(&schema), &value).unwrap());
        let payload = &expected[expected.find(",\"payload\":").unwrap() + 11..expected.len() - 1];
        assert_eq!(bytes, payload);
    }
}

#[test]
fn schemaless_reading() {
    let c = with(|c| c.schemas_enable = false);
    let back = c
        .to_connect("t", Some(br#"{"a":1,"b":[true,1.5,null,"s"],"c":{}}"#))
        .unwrap();
    assert_eq!(back.schema, None);
    let expected: IndexMap<Value, Value> = [
        (s("a"), Value::Int64(1)),
        (
            s("b"),
            Value::Array(vec![
                Value::Boolean(true),
                Value::Float64(1.5),
                Value::Null,
                s("s"),
            ]),
        ),
        (s("c"), Value::Map(Box::default())),
    ]
    .into_iter()
    .collect();
    assert_eq!(back.value, Value::Map(Box::new(expected)));
    // Empty input reads as null, as Jackson's missing node does.
    assert_eq!(
        c.to_connect("t", Some(b"  ")).unwrap(),
        SchemaAndValue::NULL
    );
    assert!(c
        .to_connect("t", Some(b"18446744073709551615"))
        .unwrap_err()
        .to_string()
        .contains("out of range"));
}

#[test]
fn schemaless_writing() {
    let c = JsonConverter::default();
    let mut m = IndexMap::new();
    m.insert(
        s("k"),
        Value::Array(vec![Value::Int8(1), Value::Bytes(vec![1])]),
    );
    assert_eq!(
        text(c.from_connect("t", None, &Value::Map(Box::new(m))).unwrap()),
        r#"{"schema":null,"payload":{"k":[1,"AQ=="]}}"#
    );
    let mut m = IndexMap::new();
    m.insert(Value::Int16(1), Value::Boolean(false));
    assert_eq!(
        text(
            with(|c| c.schemas_enable = false)
                .from_connect("t", None, &Value::Map(Box::new(m)))
                .unwrap()
        ),
        r#"[[1,false]]"#
    );
    assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
    assert_eq!(
        c.from_connect("t", None, &Value::Struct(Struct::new()))
            .unwrap_err()
            .to_string(),
        "Mismatching schema."
    );
}

#[test]
fn nulls_and_tombstones() {
    let c = JsonConverter::default();
    assert_eq!(c.to_connect("t", None).unwrap(), SchemaAndValue::NULL);
    let back = c
        .to_connect("t", Some(br#"{"schema":null,"payload":null}"#))
        .unwrap();
    assert_eq!(back, SchemaAndValue::NULL);
    let err = c
        .from_connect("t", Some(&Schema::new(Type::Int32)), &Value::Null)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Conversion error: null value for field that is required and has no default value"
    );
    let err = c
        .to_connect(
            "t",
            Some(br#"{"schema":{"type":"int32","optional":false},"payload":null}"#),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid null value for required INT32 field"
    );
}

#[test]
fn replace_null_with_default() {
    let schema = SchemaBuilder::int32()
        .optional()
        .default_value(Value::Int32(5))
        .build()
        .unwrap();
    let on = JsonConverter::default();
    let off = with(|c| c.replace_null_with_default = false);
    let envelope = |payload: &str| {
        format!(
            r#"{{"schema":{{"type":"int32","optional":true,"default":5}},"payload":{payload}}}"#
        )
    };
    assert_eq!(
        text(on.from_connect("t", Some(&schema), &Value::Null).unwrap()),
        envelope("5")
    );
    assert_eq!(
        text(off.from_connect("t", Some(&schema), &Value::Null).unwrap()),
        envelope("null")
    );
    let null = envelope("null");
    assert_eq!(
        on.to_connect("t", Some(null.as_bytes())).unwrap().value,
        Value::Int32(5)
    );
    assert_eq!(
        off.to_connect("t", Some(null.as_bytes())).unwrap().value,
        Value::Null
    );
    // A missing struct field is a null too.
    let with_field = br#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":true,"default":5,"field":"a"}],"optional":false},"payload":{}}"#;
    assert_eq!(
        on.to_connect("t", Some(with_field)).unwrap().value,
        Value::Struct(Struct::new().with("a", Value::Int32(5)))
    );
}

#[test]
fn decimal_formats() {
    let schema = logical::decimal_schema(2).build().unwrap();
    let numeric = with(|c| c.decimal_format = DecimalFormat::Numeric);
    let cases = [(150, "1.50"), (-5, "-0.05"), (0, "0.00")];
    for (unscaled, expected) in cases {
        let value = Value::Decimal(Decimal::from_i128(unscaled, 2));
        let bytes = numeric.from_connect("t", Some(&schema), &value).unwrap();
        let t = text(bytes.clone());
        assert!(t.ends_with(&format!(r#""payload":{expected}}}"#)), "{t}");
        assert_eq!(
            numeric.to_connect("t", bytes.as_deref()).unwrap().value,
            value
        );
        // Either format reads with either setting.
        assert_eq!(
            JsonConverter::default()
                .to_connect("t", bytes.as_deref())
                .unwrap()
                .value,
            value
        );
    }
    let read = |payload: &str| {
        let doc = format!(
            r#"{{"schema":{{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","parameters":{{"scale":"2"}}}},"payload":{payload}}}"#
        );
        JsonConverter::default().to_connect("t", Some(doc.as_bytes()))
    };
    assert_eq!(
        read("1.5").unwrap().value,
        Value::Decimal(Decimal::from_i128(150, 2))
    );
    assert_eq!(
        read("3").unwrap().value,
        Value::Decimal(Decimal::from_i128(300, 2))
    );
    assert_eq!(
        read("\"/w==\"").unwrap().value,
        Value::Decimal(Decimal::from_i128(-1, 2))
    );
    assert!(read("1.234").unwrap_err().to_string().contains("scale 2"));
    // NUMERIC decimals are read from the number's text: no digit is lost to a float.
    assert_eq!(
        read("-123456789012345678901234567890.12").unwrap().value,
        Value::Decimal("-123456789012345678901234567890.12".parse().unwrap())
    );
    assert_eq!(
        read("1.5e1").unwrap().value,
        Value::Decimal(Decimal::from_i128(1500, 2))
    );
    assert!(read("1e-2000000000").is_err());
    assert!(read("1e2000000000").is_err());
    assert_eq!(
        read("\"\"").unwrap_err().to_string(),
        "Invalid bytes for Decimal field"
    );
    assert_eq!(
        read("true").unwrap_err().to_string(),
        "Invalid type for Decimal, underlying representation should be numeric or bytes but was BOOLEAN"
    );
    // BASE64 needs the schema's scale; writing a mismatching one fails as in Kafka.
    let err = JsonConverter::default()
        .from_connect(
            "t",
            Some(&schema),
            &Value::Decimal(Decimal::from_i128(15, 1)),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "BigDecimal has mismatching scale value for given Decimal schema"
    );
}

#[test]
fn wrong_envelope_is_refused_with_kafkas_message() {
    let c = JsonConverter::default();
    let bad: [&[u8]; 7] = [
        br#"{"a":1}"#,
        br#"{"schema":null}"#,
        br#"{"payload":1}"#,
        br#"{"schema":null,"payload":1,"extra":2}"#,
        br#"[1,2]"#,
        b"42",
        b"",
    ];
    for bytes in bad {
        let err = c.to_connect("t", Some(bytes)).unwrap_err();
        assert_eq!(err, ConverterError::InvalidEnvelope, "{bytes:?}");
        assert_eq!(
            err.to_string(),
            "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration."
        );
    }
    let err = c.to_connect("t", Some(b"{not json")).unwrap_err();
    assert!(matches!(err, ConverterError::Deserialization(_)));
    assert!(err.to_string().starts_with(
        "Converting byte[] to Kafka Connect data failed due to serialization error: "
    ));
}

#[test]
fn bad_schemas_and_payloads() {
    let c = JsonConverter::default();
    let cases: &[(&str, &str)] = &[
        (r#"{"schema":{},"payload":1}"#, "Schema must contain 'type' field"),
        (r#"{"schema":"int32","payload":1}"#, "Schema must contain 'type' field"),
        (r#"{"schema":{"type":"int128"},"payload":1}"#, "Unknown schema type: int128"),
        (r#"{"schema":{"type":"array"},"payload":[]}"#, "Array schema did not specify the element type"),
        (r#"{"schema":{"type":"map","values":{"type":"int8"}},"payload":{}}"#, "Map schema did not specify the key type"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"}},"payload":{}}"#, "Map schema did not specify the value type"),
        (r#"{"schema":{"type":"struct"},"payload":{}}"#, "Struct schema's \"fields\" argument is not an array."),
        (r#"{"schema":{"type":"struct","fields":[{"type":"int8"}]},"payload":{}}"#, "Struct schema's field name not specified properly"),
        (r#"{"schema":{"type":"struct","fields":[{"type":"int8","field":"a"},{"type":"int8","field":"a"}]},"payload":{}}"#, "Cannot create field because of field name duplication a"),
        (r#"{"schema":{"type":"int8","parameters":{"a":1}},"payload":1}"#, "Schema parameters must have string values."),
        (r#"{"schema":{"type":"int8","default":null},"payload":1}"#, "Invalid null value for required INT8 field"),
        (r#"{"schema":{"type":"int8"},"payload":300}"#, "Invalid value for INT8: expected an integer from -128 to 127, found NUMBER"),
        (r#"{"schema":{"type":"int32"},"payload":"1"}"#, "Invalid value for INT32: expected a 32-bit integer, found STRING"),
        (r#"{"schema":{"type":"boolean"},"payload":0}"#, "Invalid value for BOOLEAN: expected a boolean, found NUMBER"),
        (r#"{"schema":{"type":"double"},"payload":1e999}"#, "Invalid value for FLOAT64: expected a number within FLOAT64 range, found NUMBER"),
        (r#"{"schema":{"type":"float"},"payload":1e300}"#, "Invalid value for FLOAT32: expected a number within FLOAT32 range, found NUMBER"),
        (r#"{"schema":null,"payload":[-1e400]}"#, "Number -1e400 is out of range for FLOAT64"),
        (r#"{"schema":{"type":"bytes"},"payload":"not base64!"}"#, "Invalid bytes field"),
        (r#"{"schema":{"type":"struct","fields":[]},"payload":[]}"#, "Structs should be encoded as JSON objects, but found ARRAY"),
        (r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int8"}},"payload":[]}"#, "Maps with string fields should be encoded as JSON objects, but found ARRAY"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":{}}"#, "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[1]}"#, "Found invalid map entry instead of array tuple: NUMBER"),
        (r#"{"schema":{"type":"map","keys":{"type":"int8"},"values":{"type":"int8"}},"payload":[[1]]}"#, "Found invalid map entry, expected length 2 but found :1"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":1.5}"#, "Invalid type for Date, underlying representation should be integer but was NUMBER"),
        (r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time"},"payload":-1}"#, "Time values must use number of milliseconds greater than 0 and less than 86400000"),
        (r#"{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp"},"payload":"x"}"#, "Invalid type for Timestamp, underlying representation should be integral but was STRING"),
        (r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal"},"payload":"AA=="}"#, "Invalid Decimal schema: scale parameter not found."),
    ];
    for (doc, expected) in cases {
        let err = c.to_connect("t", Some(doc.as_bytes())).unwrap_err();
        assert_eq!(err.to_string(), *expected, "{doc}");
    }
}

#[test]
fn lenient_where_nothing_is_lost() {
    let c = JsonConverter::default();
    let back = c
        .to_connect(
            "t",
            Some(br#"{"schema":{"type":"struct","fields":[{"type":"int32","field":"a"},{"type":"bytes","field":"b"}],"optional":"yes","version":1.0},"payload":{"a":2.0,"b":"aGk","unknown":1}}"#),
        )
        .unwrap();
    let schema = back.schema.unwrap();
    assert!(!schema.is_optional());
    // As in Kafka, a version that is not an integral JSON number is ignored.
    assert_eq!(schema.version(), None);
    assert_eq!(
        back.value,
        Value::Struct(
            Struct::new()
                .with("a", Value::Int32(2))
                .with("b", Value::Bytes(b"hi".to_vec()))
        )
    );
}

#[test]
fn writing_checks_value_types() {
    let c = JsonConverter::default();
    let cases = [
        (
            Schema::new(Type::Int32),
            s("1"),
            "Invalid type for INT32: STRING",
        ),
        (
            logical::date_schema().build().unwrap(),
            Value::Int32(1),
            "Invalid type for Date, expected Date but was INT32",
        ),
        (
            SchemaBuilder::struct_().build().unwrap(),
            Value::Struct(Struct::new().with("x", Value::Int8(1))),
            "Mismatching schema: the struct has field \"x\" that its schema does not have",
        ),
    ];
    for (schema, value, expected) in cases {
        let err = c.from_connect("t", Some(&schema), &value).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
}

#[test]
fn config_from_properties() {
    let props: HashMap<String, String> = [
        ("schemas.enable", " FALSE "),
        ("decimal.format", "numeric"),
        ("replace.null.with.default", "false"),
        ("schemas.cache.size", "10"),
        ("unrelated", "x"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let c = JsonConverterConfig::from_properties(&props).unwrap();
    assert_eq!(
        c,
        JsonConverterConfig {
            schemas_enable: false,
            schemas_cache_size: 10,
            decimal_format: DecimalFormat::Numeric,
            replace_null_with_default: false,
        }
    );
    for (key, value) in [
        ("schemas.enable", "yes"),
        ("decimal.format", "hex"),
        ("schemas.cache.size", "-1"),
        ("schema.content", r#"{"type":"int32"}"#),
    ] {
        let props = HashMap::from([(key.to_owned(), value.to_owned())]);
        let err = JsonConverterConfig::from_properties(&props).unwrap_err();
        assert!(err.to_string().contains(key), "{err}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let c = with(|c| c.schemas_enable = false);
    let deep = "[".repeat(100_000);
    assert!(c.to_connect("t", Some(deep.as_bytes())).is_err());
    let deep_schema = format!(
        r#"{{"schema":{}{{"type":"int8"}}{},"payload":[]}}"#,
        r#"{"type":"array","items":"#.repeat(10_000),
        "}".repeat(10_000)
    );
    assert!(JsonConverter::default()
        .to_connect("t", Some(deep_schema.as_bytes()))
        .is_err());
}
