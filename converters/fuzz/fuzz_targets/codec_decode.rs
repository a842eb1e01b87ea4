//! Any bytes as the payload of a record of the Avro, Protobuf and JSON Schema codecs: decoding
//! never panics, and where a codec's direct path (the compiled plan, the one-pass JSON reader)
//! reads a value, the reference path (apache-avro, prost-reflect, a JSON tree) reads the same.
//! A second Avro codec holds the types apache-avro reads as logical types of its own: a decimal
//! on a fixed, a duration (and a plain fixed beside them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use strata_converters::avro::{AvroCodec, AvroData, AvroFormat};
use strata_converters::connect::{logical, Schema, SchemaBuilder, Type};
use strata_converters::json_schema::{JsonSchemaCodec, JsonSchemaFormat};
use strata_converters::protobuf::{ProtobufCodec, ProtobufFormat};
use strata_converters::registry::Format;

fn s(t: Type) -> Schema {
    Schema::new(t)
}

fn inner() -> SchemaBuilder {
    SchemaBuilder::struct_()
        .name("f.Inner")
        .field("x", s(Type::Int32))
        .field("y", Schema::new_optional(Type::String))
}

/// One field of each primitive type but INT16.
fn scalars(b: SchemaBuilder) -> SchemaBuilder {
    b.field("i8", s(Type::Int8))
        .field("i32", s(Type::Int32))
        .field("i64", s(Type::Int64))
        .field("f32", s(Type::Float32))
        .field("f64", s(Type::Float64))
        .field("flag", s(Type::Boolean))
        .field("text", s(Type::String))
        .field("blob", s(Type::Bytes))
}

/// Every Connect type, logical types and maps included: what the Avro plan and the JSON reader
/// cover.
fn rich() -> Schema {
    scalars(SchemaBuilder::struct_().name("f.Rich"))
        .field("i16", s(Type::Int16))
        .field("amount", logical::decimal_schema(2).build().unwrap())
        .field("day", logical::date_schema().build().unwrap())
        .field("at_time", logical::time_schema().build().unwrap())
        .field("at", logical::timestamp_schema().build().unwrap())
        .field("note", Schema::new_optional(Type::String))
        .field(
            "level",
            SchemaBuilder::int16()
                .default_value(strata_converters::connect::Value::Int16(5))
                .build()
                .unwrap(),
        )
        .field(
            "nums",
            SchemaBuilder::array(s(Type::Int64)).build().unwrap(),
        )
        .field(
            "by_name",
            SchemaBuilder::map(s(Type::String), s(Type::Int32))
                .build()
                .unwrap(),
        )
        .field(
            "by_code",
            SchemaBuilder::map(s(Type::Int32), s(Type::String))
                .build()
                .unwrap(),
        )
        .field("inner", inner().build().unwrap())
        .field("maybe", inner().optional().build().unwrap())
        .build()
        .unwrap()
}

/// What the Protobuf plan covers: scalars, nested messages, repeated fields.
fn flat() -> Schema {
    scalars(SchemaBuilder::struct_().name("f.Flat"))
        .field("maybe", Schema::new_optional(Type::Int64))
        .field("inner", inner().optional().build().unwrap())
        .field(
            "nums",
            SchemaBuilder::array(s(Type::Int64)).build().unwrap(),
        )
        .field(
            "inners",
            SchemaBuilder::array(inner().build().unwrap())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// An Avro record of fixed types, written as an Avro schema (not mapped from Connect).
const FIXED: &str = r#"{"type":"record","name":"X","fields":[
    {"name":"dec","type":{"type":"fixed","name":"F","size":5,"logicalType":"decimal","precision":11,"scale":3}},
    {"name":"d","type":{"type":"fixed","name":"D","size":12,"logicalType":"duration"}},
    {"name":"g","type":{"type":"fixed","name":"G","size":2}},
    {"name":"opt","type":["null",{"type":"fixed","name":"H","size":3,"logicalType":"decimal","precision":6}]}]}"#;

struct Codecs {
    avro: AvroCodec,
    fixed: AvroCodec,
    protobuf: ProtobufCodec,
    json: JsonSchemaCodec,
}

fn codecs() -> &'static Codecs {
    static CODECS: OnceLock<Codecs> = OnceLock::new();
    CODECS.get_or_init(|| {
        let avro = AvroFormat::default()
            .compile_connect(&rich())
            .unwrap()
            .codec;
        assert!(avro.is_planned());
        let protobuf = ProtobufFormat.compile_connect(&flat()).unwrap().codec;
        assert!(protobuf.is_planned());
        let json = JsonSchemaFormat::default()
            .compile_connect(&rich())
            .unwrap()
            .codec;
        let json_schema: serde_json::Value = serde_json::from_str(FIXED).unwrap();
        let connect = AvroData::default().to_connect_schema(&json_schema).unwrap();
        let fixed = AvroCodec::new(FIXED, connect).unwrap();
        assert!(fixed.is_planned());
        Codecs {
            avro,
            fixed,
            protobuf,
            json,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let c = codecs();
    if let Ok(v) = c.avro.decode(data) {
        assert_eq!(Ok(v), c.avro.decode_generic(data));
    }
    if let Ok(v) = c.fixed.decode(data) {
        assert_eq!(Ok(v), c.fixed.decode_generic(data));
    }
    if let Ok(v) = c.protobuf.decode(data) {
        assert_eq!(Ok(v), c.protobuf.decode_dynamic(data));
    }
    if let Ok(v) = c.json.decode(data) {
        assert_eq!(Ok(v), c.json.decode_tree(data));
    }
});
