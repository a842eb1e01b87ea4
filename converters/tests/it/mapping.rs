//! Connect → format schema → Connect is the identity, for the schema and for a value, without a
//! registry.

use crate::torture;
use strata_converters::avro::{AvroCodec, AvroData};

#[test]
fn avro_mapping_round_trips_the_torture_record() {
    let schema = torture::schema();
    let data = AvroData::default();
    let avro = data.from_connect_schema(&schema).unwrap();
    let back = data.to_connect_schema(&avro).unwrap();
    eprintln!("{avro}");
    assert_eq!(back, schema, "{avro}");
    let codec = AvroCodec::new(&avro.to_string(), back).unwrap();
    let bytes = codec.encode(&torture::value()).unwrap();
    assert_eq!(codec.decode(&bytes).unwrap(), torture::value());
}
