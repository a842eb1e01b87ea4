//! Connect → format schema → Connect is the identity, for the schema and for a value, without a
//! registry.

use crate::torture;
use strata_converters::avro::{AvroCodec, AvroData};
use strata_converters::json_schema::JsonSchemaData;

#[test]
fn avro_mapping_round_trips_the_torture_record() {
    let schema = torture::schema();
    let data = AvroData::default();
    let avro = data.from_connect_schema(&schema).unwrap();
    let back = data.to_connect_schema(&avro).unwrap();
    assert_eq!(back, schema, "{avro}");
    let codec = AvroCodec::new(&avro.to_string(), back).unwrap();
    let bytes = codec.encode(&torture::value()).unwrap();
    assert_eq!(codec.decode(&bytes).unwrap(), torture::value());
}

#[test]
fn json_schema_mapping_round_trips_the_torture_record() {
    let schema = torture::schema();
    let data = JsonSchemaData;
    let json = data.from_connect_schema(&schema).unwrap();
    let back = data.to_connect_schema(&json).unwrap();
    assert_eq!(back, schema, "{json}");
    let value = data.from_connect_value(&schema, &torture::value()).unwrap();
    assert_eq!(
        data.to_connect_value(&back, &value).unwrap(),
        torture::value()
    );
}

#[test]
fn protobuf_mapping_round_trips_the_torture_record() {
    use strata_converters::protobuf::{parse_proto, ProtobufData};
    let schema = torture::schema();
    let (text, full) = ProtobufData.from_connect_schema(&schema).unwrap();
    let parsed = parse_proto(&text, &[], &strata_schema::NoReferences)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let strata_schema::SchemaModel::Protobuf(model) = parsed.model() else {
        panic!("not protobuf")
    };
    assert_eq!(model.message_index_path(&full), Some(vec![0]));
    let message = model.descriptor_pool().get_message_by_name(&full).unwrap();
    let back = ProtobufData.to_connect_schema(model, &message).unwrap();
    for (a, b) in back.fields().iter().zip(schema.fields()) {
        assert_eq!(a, b, "field {}", b.name());
    }
    assert_eq!(back, schema, "{text}");
}

/// The example of the reference (Confluent's AvroData output for a versioned record with an
/// optional field, a Decimal and a Timestamp), byte for byte.
#[test]
fn avro_mapping_matches_confluents_example() {
    use strata_converters::connect::{logical, Schema, SchemaBuilder, Type};
    let schema = SchemaBuilder::struct_()
        .name("com.example.User")
        .version(2)
        .field("id", Schema::new(Type::Int64))
        .field("name", Schema::new_optional(Type::String))
        .field("amount", logical::decimal_schema(2).build().unwrap())
        .field("ts", logical::timestamp_schema().build().unwrap())
        .build()
        .unwrap();
    let expected = r#"{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"id","type":"long"},
  {"name":"name","type":["null","string"],"default":null},
  {"name":"amount","type":{"type":"bytes","scale":2,"precision":64,"connect.version":1,
     "connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal",
     "logicalType":"decimal"}},
  {"name":"ts","type":{"type":"long","connect.version":1,
     "connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}}],
 "connect.version":2,"connect.name":"com.example.User"}"#;
    let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
    let avro = AvroData::default().from_connect_schema(&schema).unwrap();
    assert_eq!(avro.to_string(), expected.to_string());
    // Reading it back: `connect.name` and `connect.version` win.
    assert_eq!(
        AvroData::default().to_connect_schema(&avro).unwrap(),
        schema
    );
}

/// Schemas Connect cannot represent, or that nest without end, are errors.
#[test]
fn unmappable_avro_schemas_are_errors() {
    let cases = [
        r#"{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}"#,
        r#""null""#,
        r#"{"type":"array"}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
    ];
    for case in cases {
        let json: serde_json::Value = serde_json::from_str(case).unwrap();
        assert!(
            AvroData::default().to_connect_schema(&json).is_err(),
            "{case}"
        );
    }
    // Nesting is bounded (well within a test thread's stack, debug build included).
    let mut deep = String::from(r#""int""#);
    for _ in 0..120 {
        deep = format!(r#"{{"type":"array","items":{deep}}}"#);
    }
    let json: serde_json::Value = serde_json::from_str(&deep).unwrap();
    let err = AvroData::default().to_connect_schema(&json).unwrap_err();
    assert!(err.to_string().contains("too deeply"), "{err}");
}

/// Names apache-avro panics on, and schemas nested beyond what a Connect schema maps to, are
/// refused when a codec is compiled.
#[test]
fn codecs_refuse_names_apache_avro_cannot_take_and_endless_nesting() {
    use strata_converters::connect::{Schema, Type};
    for name in ["a.", "a..b", "1a", "a-b", "é"] {
        let text = format!(r#"{{"type":"record","name":"{name}","fields":[]}}"#);
        let e = AvroCodec::new(&text, Schema::new(Type::Int32)).unwrap_err();
        assert!(
            e.to_string().starts_with("Invalid Avro schema"),
            "{name}: {e}"
        );
    }
    let mut deep = String::from(r#""int""#);
    for _ in 0..300 {
        deep = format!(r#"{{"type":"array","items":{deep}}}"#);
    }
    let e = AvroCodec::new(&deep, Schema::new(Type::Int32)).unwrap_err();
    assert!(e.to_string().contains("nests deeper"), "{e}");
}

/// The deepest schema the mappings accept goes through every mapping and codec, value
/// included, on a test thread's stack in a debug build.
#[test]
fn the_deepest_accepted_schema_round_trips() {
    use strata_converters::connect::{Schema, SchemaBuilder, Struct, Type, Value};
    let mut schema = Schema::new(Type::Int32);
    let mut value = Value::Int32(7);
    for level in 0..60 {
        if level % 2 == 0 {
            schema = SchemaBuilder::array(schema).build().unwrap();
            value = Value::Array(vec![value]);
        } else {
            schema = SchemaBuilder::struct_().field("f", schema).build().unwrap();
            value = Value::Struct(Struct::new().with("f", value));
        }
    }
    let top = SchemaBuilder::struct_()
        .name("Deep")
        .field("d", schema)
        .build()
        .unwrap();
    let value = Value::Struct(Struct::new().with("d", value));
    let avro = AvroData::default().from_connect_schema(&top).unwrap();
    assert_eq!(AvroData::default().to_connect_schema(&avro).unwrap(), top);
    let codec = AvroCodec::new(&avro.to_string(), top.clone()).unwrap();
    assert_eq!(codec.decode(&codec.encode(&value).unwrap()).unwrap(), value);
    let json = JsonSchemaData.from_connect_schema(&top).unwrap();
    assert_eq!(JsonSchemaData.to_connect_schema(&json).unwrap(), top);
    let j = JsonSchemaData.from_connect_value(&top, &value).unwrap();
    assert_eq!(JsonSchemaData.to_connect_value(&top, &j).unwrap(), value);
}

/// Avro-origin field defaults and docs come back as Confluent marks them.
#[test]
fn avro_field_defaults_and_docs_become_parameters() {
    use strata_converters::avro::{FIELD_DEFAULT_PARAM, FIELD_DOC_PARAM_PREFIX, RECORD_DOC_PARAM};
    use strata_converters::connect::Value;
    let json: serde_json::Value = serde_json::from_str(
        r#"{"type":"record","name":"R","doc":"a record","fields":[
            {"name":"a","type":"int","default":5,"doc":"field a"},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}}]}"#,
    )
    .unwrap();
    let s = AvroData::default().to_connect_schema(&json).unwrap();
    assert_eq!(s.name(), Some("R"));
    assert_eq!(s.parameter(RECORD_DOC_PARAM), Some("a record"));
    assert_eq!(
        s.parameter(&format!("{FIELD_DOC_PARAM_PREFIX}a")),
        Some("field a")
    );
    let a = s.field("a").unwrap().schema();
    assert_eq!(a.default_value(), Some(&Value::Int32(5)));
    assert_eq!(a.parameter(FIELD_DEFAULT_PARAM), Some("true"));
    let e = s.field("e").unwrap().schema();
    assert_eq!(e.parameter("io.confluent.connect.avro.Enum"), Some("E"));
    assert_eq!(e.parameter("io.confluent.connect.avro.Enum.Y"), Some("Y"));
    // And values of such a schema convert both ways.
    let codec = AvroCodec::new(&json.to_string(), s.clone()).unwrap();
    let v = Value::Struct(
        strata_converters::connect::Struct::new()
            .with("a", Value::Int32(1))
            .with("e", Value::String("Y".into())),
    );
    assert_eq!(codec.decode(&codec.encode(&v).unwrap()).unwrap(), v);
}

/// Wrapper fields (google/protobuf/wrappers.proto) read as optional primitives, both ways.
#[test]
fn protobuf_wrappers_read_as_optional_primitives() {
    use strata_converters::connect::{Schema, Struct, Type, Value};
    use strata_converters::protobuf::{parse_proto, ProtobufCodec, ProtobufData};
    let text = r#"syntax = "proto3";
package w;
import "google/protobuf/wrappers.proto";
message W {
  google.protobuf.StringValue name = 1;
  google.protobuf.Int32Value count = 2;
  int32 plain = 3;
}
"#;
    let parsed = parse_proto(text, &[], &strata_schema::NoReferences).unwrap();
    let strata_schema::SchemaModel::Protobuf(model) = parsed.model() else {
        panic!()
    };
    let message = model.descriptor_pool().get_message_by_name("w.W").unwrap();
    let schema = ProtobufData.to_connect_schema(model, &message).unwrap();
    assert_eq!(
        schema.field("name").unwrap().schema(),
        &Schema::new_optional(Type::String)
    );
    assert_eq!(
        schema.field("count").unwrap().schema(),
        &Schema::new_optional(Type::Int32)
    );
    assert_eq!(
        schema.field("plain").unwrap().schema(),
        &Schema::new(Type::Int32)
    );
    let codec = ProtobufCodec::new(schema, message, parsed.clone()).unwrap();
    for value in [
        Value::Struct(
            Struct::new()
                .with("name", Value::String("".into()))
                .with("plain", Value::Int32(0)),
        ),
        Value::Struct(
            Struct::new()
                .with("count", Value::Int32(5))
                .with("plain", Value::Int32(1)),
        ),
    ] {
        assert_eq!(codec.decode(&codec.encode(&value).unwrap()).unwrap(), value);
    }
}

/// A general Avro union reads as Confluent's union struct, and writes back as the union.
#[test]
fn avro_general_unions_round_trip() {
    use strata_converters::connect::{Struct, Value};
    let json: serde_json::Value = serde_json::from_str(
        r#"{"type":"record","name":"R","fields":[{"name":"u","type":["null","int","string",{"type":"record","name":"P","fields":[{"name":"x","type":"long"}]}]}]}"#,
    )
    .unwrap();
    let data = AvroData::default();
    let s = data.to_connect_schema(&json).unwrap();
    let u = s.field("u").unwrap().schema();
    assert_eq!(u.name(), Some("io.confluent.connect.avro.Union"));
    assert!(u.is_optional());
    let names: Vec<&str> = u.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["int", "string", "P"]);
    let back = data.from_connect_schema(&s).unwrap();
    assert_eq!(data.to_connect_schema(&back).unwrap(), s);
    let codec = AvroCodec::new(&json.to_string(), s.clone()).unwrap();
    for v in [
        Value::Null,
        Value::Struct(Struct::new().with("string", Value::String("a".into()))),
        Value::Struct(
            Struct::new().with("P", Value::Struct(Struct::new().with("x", Value::Int64(3)))),
        ),
    ] {
        let record = Value::Struct(Struct::new().with("u", v));
        assert_eq!(
            codec.decode(&codec.encode(&record).unwrap()).unwrap(),
            record
        );
    }
}

/// A payload that announces a huge string is refused (bounded allocation), not read.
#[test]
fn avro_payload_announcing_a_huge_length_is_refused() {
    use strata_converters::connect::{Schema, Type};
    let codec = AvroCodec::new(r#""string""#, Schema::new(Type::String)).unwrap();
    let mut payload = Vec::new();
    let mut n: u64 = 2 * 200_000_000; // zigzag of 200 MB
    while n >= 0x80 {
        payload.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    payload.push(n as u8);
    payload.extend_from_slice(b"abc");
    assert!(codec.decode(&payload).is_err());
}

/// A Protobuf enum is a Connect STRING holding the symbol's name both ways: in a field, in a
/// repeated field and as a map's values. A number the enum does not name (an open enum keeps
/// it) reads as its digits and is written back as the same number.
#[test]
fn protobuf_enums_round_trip_as_their_symbols() {
    use indexmap::IndexMap;
    use strata_converters::connect::{Struct, Value};
    use strata_converters::protobuf::{parse_proto, ProtobufCodec, ProtobufData};
    let text = r#"syntax = "proto3";
package shop;
enum Color { RED = 0; GREEN = 1; BLUE = 2; }
message Paint {
  Color color = 1;
  repeated Color mix = 2;
  map<string, Color> by_room = 3;
  Color other = 4;
}
"#;
    let parsed = parse_proto(text, &[], &strata_schema::NoReferences).unwrap();
    let strata_schema::SchemaModel::Protobuf(model) = parsed.model() else {
        panic!("not protobuf")
    };
    let message = model
        .descriptor_pool()
        .get_message_by_name("shop.Paint")
        .unwrap();
    let connect = ProtobufData.to_connect_schema(model, &message).unwrap();
    let codec = ProtobufCodec::new(connect, message, parsed.clone()).unwrap();
    let mut by_room = IndexMap::new();
    by_room.insert(Value::String("hall".into()), Value::String("GREEN".into()));
    by_room.insert(Value::String("kitchen".into()), Value::String("RED".into()));
    let value = Value::Struct(
        Struct::new()
            .with("color", Value::String("BLUE".into()))
            .with(
                "mix",
                Value::Array(vec![
                    Value::String("GREEN".into()),
                    Value::String("RED".into()),
                ]),
            )
            .with("by_room", Value::Map(Box::new(by_room)))
            .with("other", Value::String("7".into())),
    );
    let bytes = codec.encode(&value).unwrap();
    // color = BLUE (field 1, varint 2) comes first, exactly as written.
    assert_eq!(&bytes[..2], &[0x08, 0x02]);
    assert_eq!(codec.decode(&bytes).unwrap(), value);
    let Value::Struct(mut refused) = value else {
        unreachable!()
    };
    refused.put("color", Value::String("PINK".into()));
    let error = codec
        .encode(&Value::Struct(refused))
        .unwrap_err()
        .to_string();
    assert!(error.contains("PINK"), "{error}");
}

/// The Avro types apache-avro gives logical types of its own (a decimal on a fixed, a UUID on a
/// string or on a fixed of 16, a duration) map as Confluent's AvroData maps them, take the
/// compiled plan, and their bytes are the Avro encoding's.
#[test]
fn avro_fixed_decimals_uuids_and_durations_map_and_round_trip() {
    use strata_converters::avro::{FIXED_NAME_PARAM, FIXED_SIZE_PARAM};
    use strata_converters::connect::{Decimal, LogicalType, Struct, Type, Value};
    let uuid = "0b5c6a2e-4f3c-4d3b-9a53-2f0a4f1e6c7d";
    let json: serde_json::Value = serde_json::from_str(
        r#"{"type":"record","name":"R","fields":[
            {"name":"dec","type":{"type":"fixed","name":"F","size":8,"logicalType":"decimal","precision":10,"scale":2}},
            {"name":"u","type":{"type":"string","logicalType":"uuid"}},
            {"name":"uf","type":{"type":"fixed","name":"U16","size":16,"logicalType":"uuid"}},
            {"name":"d","type":{"type":"fixed","name":"D","size":12,"logicalType":"duration"}},
            {"name":"g","type":{"type":"fixed","name":"G","size":3}},
            {"name":"again","type":"G"},
            {"name":"dec2","type":"F"}]}"#,
    )
    .unwrap();
    let data = AvroData::default();
    let s = data.to_connect_schema(&json).unwrap();
    let field = |n: &str| s.field(n).unwrap().schema().clone();
    let dec = field("dec");
    assert_eq!(dec.logical_type(), Some(LogicalType::Decimal { scale: 2 }));
    assert_eq!(dec.parameter("connect.decimal.precision"), Some("10"));
    assert_eq!(dec.parameter(FIXED_SIZE_PARAM), Some("8"));
    assert_eq!(dec.parameter(FIXED_NAME_PARAM), Some("F"));
    assert_eq!(field("dec2"), dec);
    assert_eq!(field("u").schema_type(), Type::String);
    for (n, name, size) in [
        ("uf", "U16", "16"),
        ("d", "D", "12"),
        ("g", "G", "3"),
        ("again", "G", "3"),
    ] {
        assert_eq!(field(n).schema_type(), Type::Bytes, "{n}");
        assert_eq!(field(n).name(), Some(name), "{n}");
        assert_eq!(field(n).parameter(FIXED_SIZE_PARAM), Some(size), "{n}");
    }

    // Back to Avro: fixed types again, of the same sizes, the one used twice defined once.
    let back = data.from_connect_schema(&s).unwrap();
    let types: Vec<&serde_json::Value> = back["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["type"])
        .collect();
    assert_eq!(types[0]["type"], "fixed");
    assert_eq!(types[0]["name"], "F");
    assert_eq!(types[0]["size"], 8);
    assert_eq!(types[0]["logicalType"], "decimal");
    assert_eq!(types[0]["precision"], 10);
    assert_eq!(types[1], "string");
    assert_eq!(
        (&types[2]["type"], &types[2]["name"], &types[2]["size"]),
        (&"fixed".into(), &"U16".into(), &16.into())
    );
    assert_eq!(
        (&types[3]["type"], &types[3]["size"]),
        (&"fixed".into(), &12.into())
    );
    assert_eq!(
        (&types[4]["type"], &types[4]["size"]),
        (&"fixed".into(), &3.into())
    );
    assert_eq!(types[5], "G");
    // The fixed decimal used twice is defined once, under its own name.
    assert_eq!(types[6], "F");
    assert_eq!(data.to_connect_schema(&back).unwrap(), s);

    let value = |unscaled: i128| {
        Value::Struct(
            Struct::new()
                .with("dec", Value::Decimal(Decimal::from_i128(unscaled, 2)))
                .with("u", Value::String(uuid.into()))
                .with("uf", Value::Bytes((1..=16).collect()))
                .with("d", Value::Bytes(vec![9; 12]))
                .with("g", Value::Bytes(vec![1, 2, 3]))
                .with("again", Value::Bytes(vec![0xab; 3]))
                .with("dec2", Value::Decimal(Decimal::from_i128(5, 2))),
        )
    };
    for text in [json.to_string(), back.to_string()] {
        let codec = AvroCodec::new(&text, s.clone()).unwrap();
        assert!(codec.is_planned(), "{text}");
        let bytes = codec.encode(&value(-200)).unwrap();
        // The decimal sign-extended to 8 bytes, the string with its length, the fixed as they are.
        let mut expected = vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x38, 72];
        expected.extend_from_slice(uuid.as_bytes());
        expected.extend(1..=16);
        expected.extend([9; 12]);
        expected.extend([1, 2, 3, 0xab, 0xab, 0xab]);
        expected.extend([0, 0, 0, 0, 0, 0, 0, 5]);
        assert_eq!(bytes, expected);
        assert_eq!(codec.decode(&bytes).unwrap(), value(-200));
        for unscaled in [
            0,
            1,
            127,
            128,
            -128,
            -129,
            i128::from(i64::MAX),
            i128::from(i64::MIN),
        ] {
            let v = value(unscaled);
            assert_eq!(
                codec.decode(&codec.encode(&v).unwrap()).unwrap(),
                v,
                "{unscaled}"
            );
        }
        // A decimal too large for its fixed is refused (by the plan, then by apache-avro, which
        // cannot follow the reference to a fixed decimal and says so rather than panic).
        assert!(codec.encode(&value(i128::from(i64::MAX) + 1)).is_err());
    }
}

/// A Connect Decimal kept in an Avro fixed: a default fills the fixed, and a value too large
/// for it is refused on both paths (apache-avro would panic on it).
#[test]
fn fixed_decimal_defaults_fill_the_fixed_and_large_values_are_refused() {
    use strata_converters::avro::{AvroFormat, FIXED_NAME_PARAM, FIXED_SIZE_PARAM};
    use strata_converters::connect::{logical, Decimal, SchemaBuilder, Struct, Value};
    use strata_converters::registry::Format;
    let schema = SchemaBuilder::struct_()
        .name("R")
        .field(
            "d",
            logical::decimal_schema(2)
                .parameter(FIXED_SIZE_PARAM, "8")
                .default_value(Value::Decimal(Decimal::from_i128(-100, 2)))
                .build()
                .unwrap(),
        )
        .field(
            "plain",
            logical::decimal_schema(1)
                .default_value(Value::Decimal(Decimal::from_i128(7, 1)))
                .build()
                .unwrap(),
        )
        .field(
            "small",
            logical::decimal_schema(0)
                .parameter(FIXED_SIZE_PARAM, "2")
                .optional()
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    // apache-avro refuses any default of a decimal field: the codec compiles the schema without
    // them, and the text registered keeps them.
    let codec = AvroFormat::default()
        .compile_connect(&schema)
        .unwrap()
        .codec;
    assert!(codec.is_planned());
    let avro: serde_json::Value = serde_json::from_str(codec.avro_text()).unwrap();
    assert_eq!(
        avro["fields"][0]["default"],
        "\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{9c}"
    );
    assert_eq!(avro["fields"][1]["default"], "\u{7}");
    assert_eq!(avro["fields"][2]["default"], serde_json::Value::Null);
    // The two fixed decimals have the Decimal's name, numbered for the second.
    assert_eq!(avro["fields"][0]["type"]["name"], "Decimal");
    assert_eq!(avro["fields"][2]["type"][1]["name"], "Decimal2");
    // The text reads back as the same decimals, in fixed types of the same sizes; the second
    // fixed keeps its numbered name.
    let back = AvroData::default().to_connect_schema(&avro).unwrap();
    for (i, f) in schema.fields().iter().enumerate() {
        let b = back.fields()[i].schema();
        assert_eq!(b.logical_type(), f.schema().logical_type(), "{}", f.name());
        assert_eq!(
            b.default_value(),
            f.schema().default_value(),
            "{}",
            f.name()
        );
        assert_eq!(
            b.parameter(FIXED_SIZE_PARAM),
            f.schema().parameter(FIXED_SIZE_PARAM),
            "{}",
            f.name()
        );
    }
    assert_eq!(back.fields()[0].schema().parameter(FIXED_NAME_PARAM), None);
    assert_eq!(
        back.fields()[2].schema().parameter(FIXED_NAME_PARAM),
        Some("org.apache.kafka.connect.data.Decimal2")
    );
    let record = |small: i128| {
        Value::Struct(
            Struct::new()
                .with("d", Value::Decimal(Decimal::from_i128(5, 2)))
                .with("plain", Value::Decimal(Decimal::from_i128(-5, 1)))
                .with("small", Value::Decimal(Decimal::from_i128(small, 0))),
        )
    };
    for small in [32767, -32768] {
        let v = record(small);
        assert_eq!(codec.decode(&codec.encode(&v).unwrap()).unwrap(), v);
    }
    for small in [32768, -32769] {
        let e = codec.encode(&record(small)).unwrap_err();
        assert!(
            e.to_string().contains("more than its Avro fixed of 2"),
            "{e}"
        );
        assert!(codec.encode_generic(&record(small)).is_err());
    }
}
