//! Arbitrary text parsed as a Protobuf schema must give a schema or an error, never a panic, a stack
//! overflow or a hang; a schema that parses must also survive a compatibility check with itself in
//! both directions and re-parse from its canonical and normalized texts.
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
    for options in [ParseOptions::default(), ParseOptions::stored()] {
        let Ok(schema) = parse(SchemaType::Protobuf, text, &[], &NoReferences, &options) else {
            continue;
        };
        let previous = [PreviousVersion {
            version: Some(1),
            schema: &schema,
        }];
        let verdict = check_compatibility(CompatibilityLevel::FullTransitive, &schema, &previous);
        assert!(verdict.is_compatible, "a schema must be compatible with itself: {text}");
        for again in [schema.canonical(), schema.normalized()] {
            let reparsed = parse(SchemaType::Protobuf, again, &[], &NoReferences, &ParseOptions::stored());
            assert!(reparsed.is_ok(), "canonical text must parse again: {again}");
        }
    }
});
