//! Any bytes as a JSON Schema record, through each of the codec's two one-pass readers (the
//! byte scanner of usual layouts and the serde_json reader) and through the codec: where one
//! reads a value, the JSON tree reads the same. Field names are short, so that the fuzzer finds them;
//! one schema's names are plain (object keys are read as raw bytes), the other's hold a control
//! character (keys are read as checked text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use strata_converters::connect::{Schema, SchemaBuilder, Type, Value};
use strata_converters::json_schema::{JsonSchemaCodec, JsonSchemaFormat};
use strata_converters::registry::Format;

fn schema(last: &str) -> Schema {
    SchemaBuilder::struct_()
        .name("f.Keys")
        .field("a", Schema::new(Type::Int64))
        .field("b", Schema::new(Type::Int32))
        .field("c", Schema::new(Type::Float64))
        .field("d", Schema::new(Type::Boolean))
        .field("e", Schema::new(Type::String))
        .field("f", Schema::new_optional(Type::Int16))
        .field(
            "g",
            SchemaBuilder::float32()
                .default_value(Value::Float32(1.5))
                .build()
                .unwrap(),
        )
        .field(
            "h",
            SchemaBuilder::array(Schema::new(Type::Int8)).build().unwrap(),
        )
        .field(last, Schema::new_optional(Type::String))
        .build()
        .unwrap()
}

fn codecs() -> &'static [JsonSchemaCodec; 2] {
    static CODECS: OnceLock<[JsonSchemaCodec; 2]> = OnceLock::new();
    CODECS.get_or_init(|| {
        ["é", "\t"].map(|last| {
            JsonSchemaFormat::default()
                .compile_connect(&schema(last))
                .unwrap()
                .codec
        })
    })
}

fuzz_target!(|data: &[u8]| {
    for codec in codecs() {
        let tree = codec.decode_tree(data);
        for v in codec.decode_each_pass(data).into_iter().flatten() {
            assert_eq!(Ok(&v), tree.as_ref());
        }
        if let Ok(v) = codec.decode(data) {
            assert_eq!(Ok(v), tree);
        }
    }
});
