//! The codecs' direct paths (Avro and Protobuf binary over compiled plans, JSON in one pass)
//! against their references (apache-avro values, prost-reflect `DynamicMessage`s, JSON trees):
//! the same bytes for the same value, the same value for the same bytes, for random schemas and
//! values, the torture record, and random (hostile) bytes.

use crate::json_roundtrip::schema_and_value;
use crate::torture;
use proptest::prelude::*;
use strata_converters::avro::{AvroCodec, AvroFormat};
use strata_converters::connect::{Schema, Value};
use strata_converters::json_schema::{JsonSchemaCodec, JsonSchemaFormat};
use strata_converters::protobuf::{ProtobufCodec, ProtobufFormat};
use strata_converters::registry::Format;

fn avro(schema: &Schema) -> Option<AvroCodec> {
    AvroFormat::default()
        .compile_connect(schema)
        .ok()
        .map(|c| c.codec)
}

fn protobuf(schema: &Schema) -> Option<ProtobufCodec> {
    ProtobufFormat.compile_connect(schema).ok().map(|c| c.codec)
}

fn json(schema: &Schema) -> Option<JsonSchemaCodec> {
    JsonSchemaFormat::default()
        .compile_connect(schema)
        .ok()
        .map(|c| c.codec)
}

/// Whether a value holds a map of several entries (apache-avro and prost-reflect write map
/// entries in hash order, the plans in the value's order: the bytes may differ, not the value).
fn has_big_map(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.len() > 1 || m.iter().any(|(k, v)| has_big_map(k) || has_big_map(v)),
        Value::Array(items) => items.iter().any(has_big_map),
        Value::Struct(s) => s.iter().any(|(_, v)| has_big_map(v)),
        _ => false,
    }
}

fn check_avro(codec: &AvroCodec, value: &Value) -> Result<(), TestCaseError> {
    let generic = codec.encode_generic(value);
    let planned = codec.encode(value);
    match (&generic, &planned) {
        (Ok(g), Ok(p)) => {
            if !has_big_map(value) {
                prop_assert_eq!(g, p);
            }
            prop_assert_eq!(&codec.decode(p).unwrap(), value);
            prop_assert_eq!(&codec.decode_generic(p).unwrap(), value);
            prop_assert_eq!(&codec.decode(g).unwrap(), value);
        }
        (Err(g), Err(p)) => prop_assert_eq!(g, p),
        _ => prop_assert!(false, "generic {generic:?}, planned {planned:?}"),
    }
    Ok(())
}

fn check_protobuf(codec: &ProtobufCodec, value: &Value) -> Result<(), TestCaseError> {
    let mut generic = Vec::new();
    let generic = codec.encode_dynamic(value, &mut generic).map(|()| generic);
    let planned = codec.encode(value);
    match (&generic, &planned) {
        (Ok(g), Ok(p)) => {
            if !has_big_map(value) {
                prop_assert_eq!(g, p);
            }
            prop_assert_eq!(codec.decode(p).unwrap(), codec.decode_dynamic(p).unwrap());
        }
        (Err(g), Err(p)) => prop_assert_eq!(g, p),
        _ => prop_assert!(false, "dynamic {generic:?}, planned {planned:?}"),
    }
    Ok(())
}

fn check_json(codec: &JsonSchemaCodec, value: &Value) -> Result<(), TestCaseError> {
    let tree = codec
        .to_json(value)
        .and_then(|j| serde_json::to_vec(&j).map_err(|e| panic!("{e}")));
    let direct = codec.encode(value);
    match (&tree, &direct) {
        (Ok(t), Ok(d)) => {
            prop_assert_eq!(t, d);
            let back = codec.decode_tree(d).unwrap();
            prop_assert_eq!(&codec.decode(d).unwrap(), &back);
            // Each one-pass reader on its own: the byte scanner, then serde_json.
            for v in codec.decode_each_pass(d).into_iter().flatten() {
                prop_assert_eq!(&v, &back);
            }
        }
        (Err(t), Err(d)) => prop_assert_eq!(t, d),
        _ => prop_assert!(false, "tree {tree:?}, direct {direct:?}"),
    }
    Ok(())
}

#[test]
fn torture_record_takes_the_direct_paths_with_the_references_bytes() {
    let schema = torture::schema();
    let value = torture::value();
    let a = avro(&schema).unwrap();
    assert!(a.is_planned(), "every Connect type has an Avro plan");
    check_avro(&a, &value).unwrap();
    let j = json(&schema).unwrap();
    check_json(&j, &value).unwrap();
    // The torture record has maps and logical types: prost-reflect handles it.
    let p = protobuf(&schema).unwrap();
    check_protobuf(&p, &value).unwrap();
}

#[test]
fn avro_maps_keep_their_order_both_ways() {
    // apache-avro lists map entries in hash order; the plan writes the value's order and reads
    // the writer's, so a record read and written again is the same bytes.
    let schema = torture::schema();
    let codec = avro(&schema).unwrap();
    let bytes = codec.encode(&torture::value()).unwrap();
    let again = codec.encode(&codec.decode(&bytes).unwrap()).unwrap();
    assert_eq!(bytes, again);
}

#[test]
fn avro_decimal_of_no_bytes_is_refused_as_apache_avro_refuses_it() {
    use strata_converters::connect::{logical, SchemaBuilder};
    // Found by the codec_decode fuzz target: the plan read it as 0.
    let schema = SchemaBuilder::struct_()
        .name("r.D")
        .field("amount", logical::decimal_schema(2).build().unwrap())
        .build()
        .unwrap();
    let codec = avro(&schema).unwrap();
    assert!(codec.is_planned());
    assert!(codec.decode_generic(&[0]).is_err());
    let err = codec.decode(&[0]).unwrap_err();
    assert!(err.message().contains("a decimal of no bytes"), "{err}");
}

#[test]
fn avro_array_block_of_a_billion_items_allocates_nothing() {
    // Found by the codec_decode fuzz target: apache-avro reserves a block's stated item count
    // (gigabytes here), so a refused payload is not handed to it.
    use strata_converters::connect::{SchemaBuilder, Type};
    let schema = SchemaBuilder::struct_()
        .name("r.A")
        .field(
            "nums",
            SchemaBuilder::array(Schema::new(Type::Int64))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let codec = avro(&schema).unwrap();
    // Block count 2^31 (zig-zag varint), then one item and the end of the input.
    let payload = [0x80, 0x80, 0x80, 0x80, 0x10, 0x02];
    let err = codec.decode(&payload).unwrap_err();
    assert!(err.message().contains("Avro decoding failed"), "{err}");
}

#[test]
fn refused_values_get_the_references_errors() {
    use strata_converters::connect::{SchemaBuilder, Struct, Type};
    let schema = SchemaBuilder::struct_()
        .name("r.R")
        .field("a", Schema::new(Type::Int32))
        .field("b", Schema::new_optional(Type::String))
        .build()
        .unwrap();
    let bad = [
        Value::Struct(Struct::new().with("b", Value::String("x".into()))),
        Value::Struct(Struct::new().with("a", Value::Int64(1))),
        Value::Struct(
            Struct::new()
                .with("a", Value::Int32(1))
                .with("c", Value::Int32(1)),
        ),
        Value::Int32(3),
    ];
    let a = avro(&schema).unwrap();
    let p = protobuf(&schema).unwrap();
    let j = json(&schema).unwrap();
    assert!(a.is_planned() && p.is_planned());
    for v in &bad {
        let expected = schema.validate(v).unwrap_err();
        assert_eq!(a.encode(v).unwrap_err(), expected);
        assert_eq!(p.encode(v).unwrap_err(), expected);
        assert_eq!(j.encode(v).unwrap_err(), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn avro_plan_matches_apache_avro((schema, value) in schema_and_value()) {
        let Some(codec) = avro(&schema) else { return Ok(()) };
        prop_assert!(codec.is_planned(), "no plan for {:?}", codec.avro_text());
        check_avro(&codec, &value)?;
    }

    #[test]
    fn protobuf_plan_matches_prost_reflect((schema, value) in schema_and_value()) {
        let Some(codec) = protobuf(&schema) else { return Ok(()) };
        check_protobuf(&codec, &value)?;
    }

    #[test]
    fn json_one_pass_matches_the_json_tree((schema, value) in schema_and_value()) {
        let Some(codec) = json(&schema) else { return Ok(()) };
        check_json(&codec, &value)?;
    }

    #[test]
    fn hostile_bytes_read_as_the_references_read_them(
        bytes in proptest::collection::vec(any::<u8>(), 0..96),
    ) {
        let schema = torture::schema();
        let a = avro(&schema).unwrap();
        if let Ok(v) = a.decode(&bytes) {
            prop_assert_eq!(Ok(v), a.decode_generic(&bytes));
        }
        let flat = crate::codecs::flat_schema();
        let p = protobuf(&flat).unwrap();
        prop_assert!(p.is_planned());
        prop_assert_eq!(p.decode(&bytes).ok(), p.decode_dynamic(&bytes).ok());
        let text = String::from_utf8_lossy(&bytes);
        let j = json(&flat).unwrap();
        if let Ok(v) = j.decode(text.as_bytes()) {
            prop_assert_eq!(Ok(v), j.decode_tree(text.as_bytes()));
        }
    }
}

/// A message the Protobuf plan covers: scalars, a nested message, repeated fields.
pub fn flat_schema() -> Schema {
    use strata_converters::connect::{SchemaBuilder, Type};
    let inner = || {
        SchemaBuilder::struct_()
            .name("p.Inner")
            .field("x", Schema::new(Type::Int32))
            .field("y", Schema::new(Type::String))
    };
    SchemaBuilder::struct_()
        .name("p.Flat")
        .field("i8", Schema::new(Type::Int8))
        .field("i32", Schema::new(Type::Int32))
        .field("i64", Schema::new(Type::Int64))
        .field("f32", Schema::new(Type::Float32))
        .field("f64", Schema::new(Type::Float64))
        .field("flag", Schema::new(Type::Boolean))
        .field("text", Schema::new(Type::String))
        .field("blob", Schema::new(Type::Bytes))
        .field("maybe", Schema::new_optional(Type::Int64))
        .field("inner", inner().optional().build().unwrap())
        .field(
            "nums",
            SchemaBuilder::array(Schema::new(Type::Int64))
                .build()
                .unwrap(),
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
