//! Unit tests of the Avro format beyond the golden corpus: Confluent's exact error texts (from
//! recorded Confluent 7.9 answers), references, recursion, normalization details, hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use crate::{
    check_compatibility, parse, CompatibilityLevel, NoReferences, ParseOptions, ParsedSchema,
    PreviousVersion, ReferenceResolver, ResolvedReference, SchemaError, SchemaModel,
    SchemaReference, SchemaType,
};

fn new_schema(text: &str) -> Result<ParsedSchema, SchemaError> {
    parse(
        SchemaType::Avro,
        text,
        &[],
        &NoReferences,
        &ParseOptions::default(),
    )
}

fn stored_schema(text: &str) -> Result<ParsedSchema, SchemaError> {
    parse(
        SchemaType::Avro,
        text,
        &[],
        &NoReferences,
        &ParseOptions::stored(),
    )
}

fn error(text: &str) -> String {
    match new_schema(text) {
        Ok(p) => panic!("accepted {text}: {}", p.canonical()),
        Err(SchemaError::Invalid { message, .. }) => message,
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
}

/// The `details:` of Confluent 7.9's 42201 answers for these schemas, word for word.
#[test]
fn invalid_schemas_report_javas_exception_texts() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":"1"}]}"#,
            r#"Invalid default for field f: "1" not a "int""#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":1.5}]}"#,
            r#"Invalid default for field f: 1.5 not a "int""#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"boolean","default":0}]}"#,
            r#"Invalid default for field f: 0 not a "boolean""#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":["null","int"],"default":1}]}"#,
            r#"Invalid default for field f: 1 not a ["null","int"]"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":["int","null"],"default":null}]}"#,
            r#"Invalid default for field f: null not a ["int","null"]"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int"}]},"default":{}}]}"#,
            r#"Invalid default for field f: {} not a {"type":"record","name":"In","fields":[{"name":"x","type":"int"}]}"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"array","items":"int"},"default":["x"]}]}"#,
            r#"Cannot invoke "Object.getClass()" because "datum" is null"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"1a","type":"int"}]}"#,
            "Illegal initial character: 1a",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"type":"int"}]}"#,
            r#"No field name: {"type":"int"}"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a"}]}"#,
            r#"No field type: {"name":"a"}"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"sideways"}]}"#,
            "No enum constant org.apache.avro.Schema.Field.Order.SIDEWAYS",
        ),
        (
            r#"{"type":"record","name":"int","fields":[]}"#,
            "Schemas may not be named after primitives: int",
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"R","fields":[]}}]}"#,
            "Can't redefine: R",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["1A"]}"#,
            "Illegal initial character: 1A",
        ),
        (
            r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
            "The Enum Default: B is not in the enum symbol set: [A]",
        ),
        (
            r#"{"type":"enum","name":"E"}"#,
            r#"Enum has no symbols: {"type":"enum","name":"E"}"#,
        ),
        (
            r#"{"type":"fixed","name":"F","size":"4"}"#,
            r#"Invalid or no size: {"type":"fixed","name":"F","size":"4"}"#,
        ),
        (
            r#"{"type":"fixed","name":"F","size":-1}"#,
            "Malformed data. Length is negative: -1",
        ),
        (r#"["int","int"]"#, "Duplicate in union:int"),
        (r#"["int",{"type":"int"}]"#, "Duplicate in union:int"),
        (r#"["null",["int"]]"#, r#"Nested union: ["null",["int"]]"#),
        (
            r#"{"type":"record","name":"R","aliases":"x","fields":[]}"#,
            r#"aliases not an array: {"type":"record","name":"R","aliases":"x","fields":[]}"#,
        ),
        (
            r#"{"type":"record","name":"R","aliases":[1],"fields":[]}"#,
            "alias not a string: 1",
        ),
        (r#"{"type":"map"}"#, r#"Map has no values type: {"type":"map"}"#),
        (r#"{"type":"array"}"#, r#"Array has no items type: {"type":"array"}"#),
        (
            r#"{"type":{"type":"int"}}"#,
            r#"No type: {"type":{"type":"int"}}"#,
        ),
        (r#"{}"#, "No type: {}"),
        (
            r#"{"type":"record","fields":[]}"#,
            r#"No name in schema: {"type":"record","fields":[]}"#,
        ),
        (
            r#"{"type":"record","name":"a.b.1c","fields":[]}"#,
            "Illegal initial character: 1c",
        ),
        (
            r#""string" "x""#,
            r#"dangling content after end of schema: "x""#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":null}]}"#,
            r#"Invalid default for field a: null not a "int""#,
        ),
        (
            r#"{"type":"record","name":"X"}"#,
            r#"Record has no fields: {"type":"record","name":"X"}"#,
        ),
        (r#"{"type":"nosuchtype"}"#, "Type not supported: nosuchtype"),
        (
            r#"{"type":"record","name":"X","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#,
            "Duplicate field a in record X: a type:INT pos:1 and a type:INT pos:0.",
        ),
        (r#""""#, "Empty name"),
        (r#"{"type":"map","values":"nope"}"#, r#"Undefined name: "nope""#),
        (
            r#"{"type":"record","name":"Holder","namespace":"com.x","fields":[{"name":"d","type":"com.x.Dep"}]}"#,
            r#""com.x.Dep" is not a defined name. The type of the "d" field must be a defined name or a {"type": ...} expression."#,
        ),
        ("true", "Schema not yet supported: true"),
        ("/* nothing */", "Cannot parse <null> schema"),
        ("1.5", "Schema not yet supported: 1.5"),
        ("42", "Schema not yet supported: 42"),
        (
            "nul",
            "com.fasterxml.jackson.core.JsonParseException: Unrecognized token 'nul': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 4]",
        ),
        (
            "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n",
            "com.fasterxml.jackson.core.JsonParseException: Unrecognized token 'syntax': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 7]",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(&error(text), want, "for {text}");
    }
}

#[test]
fn schemas_that_cannot_be_normalized_say_why() {
    let text = r#"{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"array","items":"double"},"default":[1]}]}"#;
    let parsed = new_schema(text).unwrap();
    assert_eq!(parsed.normalized(), parsed.canonical());
    let SchemaModel::Avro(model) = parsed.model() else {
        panic!("not avro")
    };
    assert_eq!(
        model.normalization_error(),
        Some(r#"Cannot invoke "Object.getClass()" because "datum" is null"#)
    );
    let fine = new_schema(r#"{"type":"record","name":"R","fields":[]}"#).unwrap();
    let SchemaModel::Avro(model) = fine.model() else {
        panic!("not avro")
    };
    assert_eq!(model.normalization_error(), None);
}

#[test]
fn namespaces_are_not_validated_but_names_are() {
    assert!(new_schema(r#"{"type":"record","name":"R","namespace":"1ns","fields":[]}"#).is_ok());
    assert_eq!(
        error(r#"{"type":"record","name":"R","fields":[],"aliases":["a-b"]}"#),
        "Illegal character in: a-b"
    );
    assert!(new_schema(r#"{"type":"record","name":"Café","fields":[]}"#).is_ok());
}

#[test]
fn stored_schemas_keep_invalid_defaults_and_they_count_as_defaults() {
    let text = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":"x"}]}"#;
    assert!(new_schema(text).is_err());
    let stored = stored_schema(text).expect("stored schemas are lenient about defaults");
    assert_eq!(stored.canonical(), text);
    let writer =
        stored_schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#)
            .unwrap();
    let verdict = check_compatibility(
        CompatibilityLevel::Backward,
        &stored,
        &[PreviousVersion {
            version: Some(1),
            schema: &writer,
        }],
    );
    assert!(verdict.is_compatible, "{:?}", verdict.messages);
}

#[test]
fn canonical_text_follows_java_attribute_order_and_numbers() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"name":"E","symbols":["A"],"type":"enum","aliases":["F"],"x":1,"default":"A","doc":"d","namespace":"n"}"#,
            r#"{"type":"enum","name":"E","namespace":"n","doc":"d","symbols":["A"],"default":"A","x":1,"aliases":["F"]}"#,
        ),
        (
            r#"{"size":4,"type":"fixed","name":"a.F","x":[1.0,1e3]}"#,
            r#"{"type":"fixed","name":"F","namespace":"a","size":4,"x":[1.0,1000.0]}"#,
        ),
        (
            r#"{"type":"record","name":"R","namespace":"a","fields":[{"name":"x","type":{"type":"record","name":"S","namespace":"","fields":[]}}]}"#,
            r#"{"type":"record","name":"R","namespace":"a","fields":[{"name":"x","type":{"type":"record","name":"S","namespace":"","fields":[]}}]}"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"float","default":"NaN"},{"name":"g","type":"double","default":"1e2"}]}"#,
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"float","default":"NaN"},{"name":"g","type":"double","default":100.0}]}"#,
        ),
        (
            r#"{"type":"error","name":"Oops","fields":[],"default":5}"#,
            r#"{"type":"error","name":"Oops","fields":[],"default":5}"#,
        ),
        (
            r#"{"type":"int","doc":"dropped","name":"dropped","connect.version":1}"#,
            r#"{"type":"int","connect.version":1}"#,
        ),
    ];
    for (text, want) in cases {
        let parsed = new_schema(text).unwrap();
        assert_eq!(parsed.canonical(), *want, "for {text}");
    }
}

#[test]
fn normalization_converts_defaults_and_sorts_properties() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"double","default":1}]}"#,
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"double"}]}"#,
        ),
        (
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"float","default":1.1}]}"#,
            r#"{"type":"record","name":"R","fields":[{"name":"f","type":"float","default":1.1}]}"#,
        ),
        (
            r#"{"type":"record","name":"R","namespace":"n","aliases":["Z","B"],"doc":"","fields":[{"name":"f","type":{"type":"map","values":"int"},"default":{"b":1,"a":2},"aliases":["y","x"]}],"z":1,"a":{"d":1,"c":2}}"#,
            r#"{"type":"record","name":"R","namespace":"n","fields":[{"name":"f","type":{"type":"map","values":"int"},"default":{"a":2,"b":1},"aliases":["x","y"]}],"a":{"c":2,"d":1},"z":1,"aliases":["B","Z"]}"#,
        ),
        (
            r#"{"type":"bytes","scale":2,"x":1,"precision":10,"logicalType":"decimal"}"#,
            r#"{"type":"bytes","logicalType":"decimal","precision":10,"scale":2,"x":1}"#,
        ),
    ];
    for (text, want) in cases {
        let parsed = new_schema(text).unwrap();
        assert_eq!(parsed.normalized(), *want, "for {text}");
    }
}

/// Resolves references from an in-memory table keyed by subject.
struct Table(HashMap<String, (String, Vec<SchemaReference>)>);

impl ReferenceResolver for Table {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        let (schema, references) =
            self.0
                .get(&reference.subject)
                .ok_or_else(|| SchemaError::ReferenceNotFound {
                    subject: reference.subject.clone(),
                    version: reference.version,
                })?;
        Ok(ResolvedReference {
            schema_type: SchemaType::Avro,
            schema: schema.clone(),
            references: references.clone(),
        })
    }
}

fn reference(name: &str, subject: &str) -> SchemaReference {
    SchemaReference {
        name: name.to_owned(),
        subject: subject.to_owned(),
        version: 1,
    }
}

#[test]
fn references_resolve_named_types_and_print_them_by_name() {
    let geo = r#"{"type":"record","name":"Geo","namespace":"com.acme","fields":[{"name":"lat","type":"double"}]}"#;
    let address = r#"{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"geo","type":"Geo"}]}"#;
    let table = Table(HashMap::from([
        ("geo".to_owned(), (geo.to_owned(), Vec::new())),
        (
            "address".to_owned(),
            (address.to_owned(), vec![reference("com.acme.Geo", "geo")]),
        ),
    ]));
    let person = r#"{"type":"record","name":"Person","namespace":"org","fields":[{"name":"home","type":"com.acme.Address"},{"name":"where","type":["null","com.acme.Geo"],"default":null}]}"#;
    let parsed = parse(
        SchemaType::Avro,
        person,
        &[reference("com.acme.Address", "address")],
        &table,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(parsed.dependencies().len(), 2);
    assert_eq!(parsed.canonical(), person);
    assert_eq!(parsed.normalized(), person);
    let SchemaModel::Avro(model) = parsed.model() else {
        panic!("not avro")
    };
    assert_eq!(model.full_name(), Some("org.Person"));
    let resolved = model.schema().expect("apache-avro accepts it");
    assert!(matches!(resolved, apache_avro::Schema::Record(_)));

    // Without the reference the named type is unknown.
    let err = parse(
        SchemaType::Avro,
        person,
        &[],
        &table,
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "\"com.acme.Address\" is not a defined name. The type of the \"home\" field must be a defined name or a {\"type\": ...} expression."
    );
}

#[test]
fn references_with_the_same_name_are_parsed_once() {
    // Two versions of one type reachable under the same reference name: Confluent keeps the
    // first resolved, so the type is not defined twice.
    let v1 = r#"{"type":"record","name":"Dep","fields":[]}"#;
    let v2 = r#"{"type":"record","name":"Dep","fields":[{"name":"a","type":"int","default":0}]}"#;
    let mid = r#"{"type":"record","name":"Mid","fields":[{"name":"d","type":"Dep"}]}"#;
    let table = Table(HashMap::from([
        ("dep1".to_owned(), (v1.to_owned(), Vec::new())),
        ("dep2".to_owned(), (v2.to_owned(), Vec::new())),
        (
            "mid".to_owned(),
            (mid.to_owned(), vec![reference("Dep", "dep2")]),
        ),
    ]));
    let top = r#"{"type":"record","name":"Top","fields":[{"name":"m","type":"Mid"},{"name":"d","type":"Dep"}]}"#;
    let parsed = parse(
        SchemaType::Avro,
        top,
        &[reference("Dep", "dep1"), reference("Mid", "mid")],
        &table,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(parsed.canonical(), top);
    let SchemaModel::Avro(model) = parsed.model() else {
        panic!("not avro")
    };
    let apache_avro::Schema::Record(record) = model.schema().unwrap() else {
        panic!("not a record")
    };
    // `Mid` was parsed after the first `Dep`, which has no fields.
    let apache_avro::Schema::Record(mid) = &record.fields[0].schema else {
        panic!("not a record")
    };
    let apache_avro::Schema::Record(dep) = &mid.fields[0].schema else {
        panic!("not a record")
    };
    assert!(dep.fields.is_empty());

    // A dependency that does not parse makes the schema invalid, with the dependency's reason.
    let broken = Table(HashMap::from([(
        "dep1".to_owned(),
        (r#"{"type":"record","name":"Dep"}"#.to_owned(), Vec::new()),
    )]));
    let err = parse(
        SchemaType::Avro,
        r#"{"type":"record","name":"Top","fields":[{"name":"d","type":"Dep"}]}"#,
        &[reference("Dep", "dep1")],
        &broken,
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        r#"Record has no fields: {"type":"record","name":"Dep"}"#
    );
}

#[test]
fn the_apache_avro_schema_is_available_for_encoding() {
    let model = |text: &str| {
        let parsed = new_schema(text).unwrap();
        let SchemaModel::Avro(model) = parsed.model else {
            panic!("not avro")
        };
        model
    };
    let error = model(r#"{"type":"error","name":"Oops","fields":[{"name":"m","type":"string"}]}"#);
    assert!(matches!(error.schema(), Ok(apache_avro::Schema::Record(_))));
    assert_eq!(error.full_name(), Some("Oops"));
    let unicode = model(r#"{"type":"enum","name":"Été","symbols":["A"]}"#);
    assert!(unicode.schema().is_err());
    assert_eq!(unicode.full_name(), None);
}

#[test]
fn recursive_types_parse_print_and_compare() {
    let v1 = r#"{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"kids","type":{"type":"array","items":"Node"}}]}"#;
    let v2 = r#"{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"kids","type":{"type":"array","items":"Node"}},{"name":"w","type":"int","default":0}]}"#;
    let old = new_schema(v1).unwrap();
    let new = new_schema(v2).unwrap();
    assert_eq!(old.canonical(), v1);
    let backward = check_compatibility(
        CompatibilityLevel::Backward,
        &new,
        &[PreviousVersion {
            version: Some(1),
            schema: &old,
        }],
    );
    assert!(backward.is_compatible, "{:?}", backward.messages);
    let forward = check_compatibility(
        CompatibilityLevel::Forward,
        &new,
        &[PreviousVersion {
            version: Some(1),
            schema: &old,
        }],
    );
    assert_eq!(
        forward.messages[0],
        "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the old schema does not match with the new schema', additionalInfo:'reader type: INT not compatible with writer type: LONG'}"
    );
}

#[test]
fn transitive_levels_check_every_earlier_version() {
    let v1 = new_schema(r#"{"type":"record","name":"R","fields":[{"name":"f1","type":"string"}]}"#)
        .unwrap();
    let v2 = new_schema(
        r#"{"type":"record","name":"R","fields":[{"name":"f1","type":"string"},{"name":"f2","type":"string","default":"foo"}]}"#,
    )
    .unwrap();
    let v3 = new_schema(
        r#"{"type":"record","name":"R","fields":[{"name":"f1","type":"string"},{"name":"f2","type":"string"}]}"#,
    )
    .unwrap();
    let previous = [
        PreviousVersion {
            version: Some(2),
            schema: &v2,
        },
        PreviousVersion {
            version: Some(1),
            schema: &v1,
        },
    ];
    assert!(check_compatibility(CompatibilityLevel::Backward, &v3, &previous).is_compatible);
    let transitive = check_compatibility(CompatibilityLevel::BackwardTransitive, &v3, &previous);
    assert!(!transitive.is_compatible);
    assert_eq!(
        transitive.messages[0],
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'f2'}"
    );
    assert_eq!(transitive.messages[1], "{oldSchemaVersion: 1}");
}

#[test]
fn compatibility_reports_name_enum_fixed_and_union_problems() {
    let check = |new: &str, old: &str| {
        let new = new_schema(new).unwrap();
        let old = new_schema(old).unwrap();
        crate::compatibility_errors(&new, &old, crate::Direction::Backward)
    };
    // A writer union read by a non-union reader: each branch is checked from a fresh root.
    assert_eq!(
        check(
            r#"{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}"#,
            r#"["null",{"type":"record","name":"R","fields":[{"name":"y","type":"int"}]}]"#,
        ),
        vec![
            "{errorType:'TYPE_MISMATCH', description:'The type (path '/') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: RECORD not compatible with writer type: NULL'}",
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'x' at path '/fields/0' in the new schema has no default value and is missing in the old schema', additionalInfo:'x'}",
        ]
    );
    // Missing enum symbols are listed sorted.
    assert_eq!(
        check(
            r#"{"type":"enum","name":"E","symbols":["A"]}"#,
            r#"{"type":"enum","name":"E","symbols":["Z","A","C"]}"#,
        ),
        vec!["{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols '[C, Z]' at path '/symbols' in the old schema', additionalInfo:'[C, Z]'}"]
    );
    // Reader aliases are qualified with the reader's namespace.
    assert!(check(
        r#"{"type":"record","name":"S","namespace":"n","aliases":["R"],"fields":[]}"#,
        r#"{"type":"record","name":"R","namespace":"n","fields":[]}"#,
    )
    .is_empty());
    assert_eq!(
        check(
            r#"{"type":"record","name":"S","namespace":"n","aliases":["R"],"fields":[]}"#,
            r#"{"type":"record","name":"R","namespace":"m","fields":[]}"#,
        ),
        vec!["{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', additionalInfo:'expected: m.R'}"]
    );
    // A reader field matching two writer fields aborts the check, as Java throws.
    let messages = check(
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","aliases":["b"]}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#,
    );
    assert_eq!(messages.len(), 1);
    assert!(messages[0].starts_with(
        "Unexpected exception during compatibility check: Reader record field a type:INT pos:0 matches multiple fields"
    ));
}

#[test]
fn hostile_input_is_an_error_not_a_crash() {
    // Deeper than the engine's limit: rejected before parsing.
    let deep = format!("{}\"int\"{}", "[".repeat(5_000), "]".repeat(5_000));
    assert!(new_schema(&deep).is_err());
    // Deep nesting through the Avro module directly (bypassing the engine's pre-check).
    let nested = format!(
        "{}\"int\"{}",
        r#"{"type":"array","items":"#.repeat(2_000),
        "}".repeat(2_000)
    );
    let options = ParseOptions {
        limits: crate::Limits {
            max_depth: usize::MAX,
            ..crate::Limits::default()
        },
        ..ParseOptions::default()
    };
    let result = parse(SchemaType::Avro, &nested, &[], &NoReferences, &options);
    assert!(result.is_err());
    for text in [
        "",
        "   ",
        "{",
        "[",
        "\"",
        "{\"type\":",
        "[1,",
        "\u{0}",
        "1e999999",
    ] {
        assert!(new_schema(text).is_err(), "{text:?}");
    }
}

#[test]
fn deepest_accepted_nesting_parses_prints_and_compares() {
    let options = ParseOptions {
        limits: crate::Limits {
            max_depth: usize::MAX,
            ..crate::Limits::default()
        },
        ..ParseOptions::default()
    };
    let arrays = |depth: usize, leaf: &str| {
        format!(
            "{}\"{leaf}\"{}",
            r#"{"type":"array","items":"#.repeat(depth),
            "}".repeat(depth)
        )
    };
    let old = parse(
        SchemaType::Avro,
        &arrays(127, "int"),
        &[],
        &NoReferences,
        &options,
    )
    .unwrap();
    let new = parse(
        SchemaType::Avro,
        &arrays(127, "long"),
        &[],
        &NoReferences,
        &options,
    )
    .unwrap();
    assert_eq!(old.canonical(), arrays(127, "int"));
    assert!(crate::compatibility_errors(&new, &old, crate::Direction::Backward).is_empty());
    let records = |depth: usize| {
        let mut text = String::new();
        for i in 0..depth {
            text.push_str(&format!(
                r#"{{"type":"record","name":"R{i}","fields":[{{"name":"f","type":"#
            ));
        }
        text.push_str(r#""int""#);
        text.push_str(&"}]}".repeat(depth));
        text
    };
    let deep = parse(SchemaType::Avro, &records(31), &[], &NoReferences, &options).unwrap();
    assert_eq!(deep.canonical(), records(31));
    assert!(crate::compatibility_errors(&deep, &deep, crate::Direction::Forward).is_empty());
}

#[test]
fn long_recursive_cycles_compare_without_overflowing() {
    // Two recursive schemas whose cycles have coprime lengths make many distinct pairs.
    let chain = |n: usize, leaf: &str| {
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                r#"{{"type":"record","name":"N{i}","fields":[{{"name":"v","type":"{leaf}"}},{{"name":"next","type":["null","#
            ));
        }
        text.push_str(r#""N0""#);
        for _ in 0..n {
            text.push_str(r#"],"default":null}]}"#);
        }
        text
    };
    let options = ParseOptions {
        limits: crate::Limits {
            max_depth: 1_000,
            ..crate::Limits::default()
        },
        ..ParseOptions::default()
    };
    let a = parse(
        SchemaType::Avro,
        &chain(30, "int"),
        &[],
        &NoReferences,
        &options,
    )
    .unwrap();
    let b = parse(
        SchemaType::Avro,
        &chain(29, "long"),
        &[],
        &NoReferences,
        &options,
    )
    .unwrap();
    let messages = crate::compatibility_errors(&a, &b, crate::Direction::Backward);
    assert!(!messages.is_empty());
}

#[test]
fn huge_unions_are_compared_within_a_bounded_effort() {
    let union = |prefix: &str, n: usize| {
        let branches: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"type":"record","name":"{prefix}{i}","fields":[]}}"#))
            .collect();
        format!("[{}]", branches.join(","))
    };
    // Branches that cannot match are passed over cheaply: every writer branch is missing.
    let old = new_schema(&union("R", 1_000)).unwrap();
    let new = new_schema(&union("S", 1_000)).unwrap();
    let messages = crate::compatibility_errors(&new, &old, crate::Direction::Backward);
    assert_eq!(messages.len(), 1_000);
    assert_eq!(
        messages[999],
        "{errorType:'MISSING_UNION_BRANCH', description:'The new schema is missing a type inside a union field at path '/999' in the old schema', additionalInfo:'reader union lacking writer type: RECORD'}"
    );
    // Same simple names in other namespaces do match, and each failing pair is computed: past
    // the checker's budget the check gives up rather than run for minutes.
    let required = |space: &str, field: &str, n: usize| {
        let branches: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"type":"record","name":"R","namespace":"{space}{i}","fields":[{{"name":"{field}{i}","type":"int"}}]}}"#
                )
            })
            .collect();
        format!("[{}]", branches.join(","))
    };
    let old = new_schema(&required("a", "f", 600)).unwrap();
    let new = new_schema(&required("b", "g", 600)).unwrap();
    let messages = crate::compatibility_errors(&new, &old, crate::Direction::Backward);
    assert_eq!(
        messages,
        vec!["Unexpected exception during compatibility check: schemas too large to compare"]
    );
    // Identical unions of a thousand branches are within it.
    let old = new_schema(&union("R", 1_000)).unwrap();
    let same = new_schema(&union("R", 1_000)).unwrap();
    assert!(crate::compatibility_errors(&same, &old, crate::Direction::Backward).is_empty());
}

#[test]
fn parsed_schemas_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    let parsed =
        new_schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#).unwrap();
    shared(&parsed);
    // The `apache_avro` form is built on first use, and then kept.
    let SchemaModel::Avro(model) = &parsed.model else {
        panic!("an Avro model");
    };
    let first = model.schema().unwrap() as *const apache_avro::Schema;
    assert_eq!(first, model.schema().unwrap() as *const apache_avro::Schema);
}

#[test]
fn writer_fields_are_found_by_name_in_any_order() {
    let record = |fields: &str| {
        new_schema(&format!(
            r#"{{"type":"record","name":"R","fields":[{fields}]}}"#
        ))
        .unwrap()
    };
    let old = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
    // Reordered, `a` promoted to long, and a new field without default in the middle.
    let new = record(
        r#"{"name":"b","type":"string"},{"name":"c","type":"int"},{"name":"a","type":"long"}"#,
    );
    assert_eq!(
        crate::compatibility_errors(&new, &old, crate::Direction::Backward),
        vec!["{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'c' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'c'}"]
    );
    // Reordered with a type change: the location is the reader's position.
    let new = record(r#"{"name":"b","type":"int"},{"name":"a","type":"int"}"#);
    assert_eq!(
        crate::compatibility_errors(&new, &old, crate::Direction::Backward),
        vec!["{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: INT not compatible with writer type: STRING'}"]
    );
    // A field alias finds the writer's field; a name and an alias both matching is an error.
    let new = record(r#"{"name":"x","type":"int","aliases":["a"]},{"name":"b","type":"string"}"#);
    assert!(crate::compatibility_errors(&new, &old, crate::Direction::Backward).is_empty());
    let new = record(r#"{"name":"b","type":"string","aliases":["a"]}"#);
    let messages = crate::compatibility_errors(&new, &old, crate::Direction::Backward);
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].starts_with(
            "Unexpected exception during compatibility check: Reader record field b type:STRING pos:0 matches multiple fields in writer record schema"
        ),
        "{messages:?}"
    );
}

#[test]
fn record_aliases_name_the_writer_by_full_name() {
    let old = new_schema(
        r#"{"type":"record","name":"Old","namespace":"com.example","fields":[{"name":"a","type":"int"}]}"#,
    )
    .unwrap();
    let renamed = |aliases: &str| {
        new_schema(&format!(
            r#"{{"type":"record","name":"New","namespace":"com.example","aliases":[{aliases}],"fields":[{{"name":"a","type":"int"}}]}}"#
        ))
        .unwrap()
    };
    assert!(crate::compatibility_errors(
        &renamed(r#""com.example.Old""#),
        &old,
        crate::Direction::Backward
    )
    .is_empty());
    // A relative alias takes the record's namespace.
    assert!(
        crate::compatibility_errors(&renamed(r#""Old""#), &old, crate::Direction::Backward)
            .is_empty()
    );
    assert_eq!(
        crate::compatibility_errors(&renamed(r#""other.Old""#), &old, crate::Direction::Backward),
        vec!["{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', additionalInfo:'expected: com.example.Old'}"]
    );
}

#[test]
fn apache_avro_gets_the_schema_without_field_defaults_it_would_refuse() {
    // apache-avro refuses any default of a decimal field, which Avro allows (and Debezium and
    // JDBC sources write): the schema it reads and writes data with leaves those out.
    let text = r#"{"type":"record","name":"R","fields":[
        {"name":"b","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2},"default":"\u0000"},
        {"name":"f","type":{"type":"fixed","name":"F","size":2,"logicalType":"decimal","precision":4,"scale":1},"default":"\u0000\u0007"},
        {"name":"i","type":"int","default":3}]}"#;
    let parsed = parse(
        SchemaType::Avro,
        text,
        &[],
        &NoReferences,
        &ParseOptions::default(),
    )
    .unwrap();
    let SchemaModel::Avro(model) = parsed.model() else {
        panic!("not avro")
    };
    let apache_avro::Schema::Record(record) = model.schema().expect("apache-avro accepts it")
    else {
        panic!("not a record")
    };
    // Only the decimals' defaults are left out: the others fill records written from JSON.
    let defaults: Vec<bool> = record.fields.iter().map(|f| f.default.is_some()).collect();
    assert_eq!(defaults, [false, false, true]);
    // The registered schema keeps them.
    assert!(parsed.canonical().contains(r#""default":3"#));
}
