//! Arbitrary text parsed as a Avro schema must give a schema or an error, never a panic, a stack
//! overflow or a hang; a schema that parses must also survive a compatibility check with itself in
//! both directions; a new schema's canonical and normalized texts (what the registry stores) must load
//! again as stored schemas.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_schema::{
    check_compatibility, parse, CompatibilityLevel, NoReferences, ParseOptions, PreviousVersion,
    SchemaType,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (options, is_new) in [(ParseOptions::default(), true), (ParseOptions::stored(), false)] {
        let Ok(schema) = parse(SchemaType::Avro, text, &[], &NoReferences, &options) else {
            continue;
        };
        let previous = [PreviousVersion {
            version: Some(1),
            schema: &schema,
        }];
        let verdict = check_compatibility(CompatibilityLevel::FullTransitive, &schema, &previous);
        assert!(verdict.is_compatible, "a schema must be compatible with itself: {text}");
        if !is_new {
            continue;
        }
        for again in [schema.canonical(), schema.normalized()] {
            let reparsed = parse(SchemaType::Avro, again, &[], &NoReferences, &ParseOptions::stored());
            assert!(reparsed.is_ok(), "canonical text must parse again: {again}");
        }
    }
});
