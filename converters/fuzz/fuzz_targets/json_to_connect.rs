//! Any bytes through the JSON converter, envelope and plain: no panic; what reads back writes
//! out and reads back to the same schema and value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_converters::json::{JsonConverter, JsonConverterConfig};
use strata_converters::Converter;

fuzz_target!(|data: &[u8]| {
    for schemas_enable in [true, false] {
        let converter = JsonConverter::new(JsonConverterConfig {
            schemas_enable,
            ..JsonConverterConfig::default()
        });
        let Ok(read) = converter.to_connect("t", Some(data)) else {
            continue;
        };
        let Ok(written) = converter.from_connect("t", read.schema.as_ref(), &read.value) else {
            continue;
        };
        let again = converter
            .to_connect("t", written.as_deref())
            .expect("what the converter writes, it reads");
        if schemas_enable {
            assert_eq!(again.schema, read.schema);
        }
        assert_eq!(again.value, read.value);
    }
});
