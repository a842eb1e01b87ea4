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
    assert_eq!(data.to_connect_value(&back, &value).unwrap(), torture::value());
}
