//! Arbitrary text parsed as a Protobuf schema must give a schema or an error, never a panic, a stack
//! overflow or a hang; a schema that parses must also survive a compatibility check with itself in
//! both directions; a new schema's canonical and normalized texts (what the registry stores) must load
//! again as stored schemas.
//!
//! Self-compatibility is asserted only for schemas protoc could compile: Confluent accepts some that
//! it cannot (two fields with one number, say), and its diff, keyed by field number, does not find
//! those identical to themselves either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_schema::{
    check_compatibility, parse, CompatibilityLevel, NoReferences, ParseOptions, PreviousVersion,
    SchemaModel, SchemaType,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (options, is_new) in [(ParseOptions::default(), true), (ParseOptions::stored(), false)] {
        let Ok(schema) = parse(SchemaType::Protobuf, text, &[], &NoReferences, &options) else {
            continue;
        };
        let previous = [PreviousVersion {
            version: Some(1),
            schema: &schema,
        }];
        let verdict = check_compatibility(CompatibilityLevel::FullTransitive, &schema, &previous);
        let compiles = match schema.model() {
            SchemaModel::Protobuf(model) => model.descriptor_error().is_none(),
            _ => false,
        };
        assert!(
            verdict.is_compatible || !compiles,
            "a schema must be compatible with itself: {text}"
        );
        if !is_new {
            continue;
        }
        for again in [schema.canonical(), schema.normalized()] {
            let reparsed = parse(SchemaType::Protobuf, again, &[], &NoReferences, &ParseOptions::stored());
            assert!(reparsed.is_ok(), "canonical text must parse again: {again}");
        }
    }
});
