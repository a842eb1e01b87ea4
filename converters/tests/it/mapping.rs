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
