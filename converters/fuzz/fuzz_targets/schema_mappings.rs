//! Any bytes as an Avro schema and as a JSON Schema: mapping to Connect never panics, and every
//! Connect schema read maps to the format and back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_converters::avro::AvroData;
use strata_converters::json_schema::JsonSchemaData;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(schema) = AvroData::default().to_connect_schema(&json) {
        let avro = AvroData::default()
            .from_connect_schema(&schema)
            .expect("a Connect schema read from Avro maps back to Avro");
        let again = AvroData::default()
            .to_connect_schema(&avro)
            .expect("what the mapping writes, it reads");
        assert_eq!(again, schema);
    }
    if let Ok(schema) = JsonSchemaData.to_connect_schema(&json) {
        let back = JsonSchemaData
            .from_connect_schema(&schema)
            .expect("a Connect schema read from JSON Schema maps back");
        let again = JsonSchemaData
            .to_connect_schema(&back)
            .expect("what the mapping writes, it reads");
        assert_eq!(again, schema);
    }
});
