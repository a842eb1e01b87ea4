#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Unit tests of the Protobuf format: references, bundled imports, descriptors and message
//! indexes, base64 input, limits.

use std::collections::HashMap;

use crate::{
    check_compatibility, parse, CompatibilityLevel, LimitExceeded, NoReferences, ParseOptions,
    ParsedSchema, PreviousVersion, ReferenceResolver, ResolvedReference, SchemaError, SchemaModel,
    SchemaReference, SchemaType,
};

use super::ProtobufModel;

/// Resolves `(subject, version)` from texts in memory, each with its own references.
#[derive(Default)]
struct Registry(HashMap<(String, i32), (String, Vec<SchemaReference>)>);

impl Registry {
    fn with(mut self, subject: &str, text: &str, references: Vec<SchemaReference>) -> Self {
        self.0
            .insert((subject.to_owned(), 1), (text.to_owned(), references));
        self
    }
}

impl ReferenceResolver for Registry {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        let (schema, references) = self
            .0
            .get(&(reference.subject.clone(), reference.version))
            .ok_or_else(|| SchemaError::ReferenceNotFound {
                subject: reference.subject.clone(),
                version: reference.version,
            })?;
        Ok(ResolvedReference {
            schema_type: SchemaType::Protobuf,
            schema: schema.clone(),
            references: references.clone(),
        })
    }
}

/// References of a test case: `(import name, text)`.
type Refs = &'static [(&'static str, &'static str)];

fn reference(name: &str, subject: &str) -> SchemaReference {
    SchemaReference {
        name: name.to_owned(),
        subject: subject.to_owned(),
        version: 1,
    }
}

fn proto(text: &str) -> ParsedSchema {
    parse(
        SchemaType::Protobuf,
        text,
        &[],
        &NoReferences,
        &ParseOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn model(schema: &ParsedSchema) -> &ProtobufModel {
    match schema.model() {
        SchemaModel::Protobuf(m) => m,
        _ => panic!("not a Protobuf model"),
    }
}

fn error(text: &str, references: &[SchemaReference], resolver: &dyn ReferenceResolver) -> String {
    match parse(
        SchemaType::Protobuf,
        text,
        references,
        resolver,
        &ParseOptions::default(),
    ) {
        Ok(p) => panic!("accepted: {}", p.canonical()),
        Err(e) => e.to_string(),
    }
}

const DEP: &str = "syntax = \"proto3\";\npackage dep;\nmessage D {\n  int32 v = 1;\n}\n";
const HOLDER: &str =
    "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage H {\n  dep.D d = 1;\n}\n";

#[test]
fn resolves_an_imported_registered_dependency() {
    let registry = Registry::default().with("dep", DEP, vec![]);
    let references = [reference("dep.proto", "dep")];
    let parsed = parse(
        SchemaType::Protobuf,
        HOLDER,
        &references,
        &registry,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(
        parsed.canonical(),
        "syntax = \"proto3\";\n\nimport \"dep.proto\";\n\nmessage H {\n  dep.D d = 1;\n}\n"
    );
    assert!(parsed.normalized().contains("  .dep.D d = 1;\n"));
    let m = model(&parsed);
    assert_eq!(m.descriptor_error(), None);
    let field = m
        .descriptor_pool()
        .get_message_by_name("H")
        .and_then(|h| h.get_field_by_name("d"))
        .unwrap();
    assert_eq!(
        field.kind().as_message().map(|d| d.full_name().to_owned()),
        Some("dep.D".into())
    );
    assert_eq!(m.file_descriptor_proto().dependency, ["dep.proto"]);
}

#[test]
fn missing_or_misnamed_references_behave_like_confluent() {
    // Without the reference the type does not resolve.
    assert_eq!(
        error(HOLDER, &[], &NoReferences),
        "Could not resolve type: dep.D"
    );
    // Confluent resolves types through every referenced schema, whatever name it is given.
    let registry = Registry::default().with("dep", DEP, vec![]);
    let parsed = parse(
        SchemaType::Protobuf,
        HOLDER,
        &[reference("other.proto", "dep")],
        &registry,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(model(&parsed).descriptor_error(), None);
}

#[test]
fn resolves_nested_dependencies() {
    let base = "syntax = \"proto3\";\npackage base;\nmessage B { string s = 1; }\n";
    let middle =
        "syntax = \"proto3\";\npackage mid;\nimport \"base.proto\";\nmessage M { base.B b = 1; }\n";
    let top =
        "syntax = \"proto3\";\npackage top;\nimport \"mid.proto\";\nmessage T { mid.M m = 1; }\n";
    let registry = Registry::default().with("base", base, vec![]).with(
        "mid",
        middle,
        vec![reference("base.proto", "base")],
    );
    let parsed = parse(
        SchemaType::Protobuf,
        top,
        &[reference("mid.proto", "mid")],
        &registry,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(parsed.dependencies().len(), 2);
    let m = model(&parsed);
    assert_eq!(m.descriptor_error(), None);
    let pool = m.descriptor_pool();
    let b = pool
        .get_message_by_name("mid.M")
        .and_then(|mm| mm.get_field_by_name("b"))
        .and_then(|f| f.kind().as_message().map(|d| d.full_name().to_owned()));
    assert_eq!(b.as_deref(), Some("base.B"));
}

#[test]
fn bundled_imports_need_no_reference() {
    let cases = [
        (
            "syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage A { google.protobuf.Timestamp t = 1; }\n",
            "google.protobuf.Timestamp",
        ),
        (
            "syntax = \"proto3\";\nimport \"google/type/date.proto\";\nmessage A { google.type.Date t = 1; }\n",
            "google.type.Date",
        ),
        (
            "syntax = \"proto3\";\nimport \"confluent/meta.proto\";\nmessage A { confluent.Meta t = 1 [(confluent.field_meta) = { tags: \"PII\" }]; }\n",
            "confluent.Meta",
        ),
        (
            "syntax = \"proto3\";\nimport \"confluent/type/decimal.proto\";\nmessage A { confluent.type.Decimal t = 1; }\n",
            "confluent.type.Decimal",
        ),
    ];
    for (text, type_name) in cases {
        let parsed = proto(text);
        let m = model(&parsed);
        assert_eq!(m.descriptor_error(), None, "{text}");
        let t = m
            .descriptor_pool()
            .get_message_by_name("A")
            .and_then(|a| a.get_field_by_name("t"))
            .and_then(|f| f.kind().as_message().map(|d| d.full_name().to_owned()));
        assert_eq!(t.as_deref(), Some(type_name), "{text}");
    }
}

const NESTED: &str = "syntax = \"proto3\";\npackage p;\n\
message A { message B { string b = 1; } message C { message D { int32 d = 1; } D d = 1; } }\n\
enum E { E0 = 0; }\n\
message F { map<string, int32> m = 1; message G { string g = 1; } }\n";

#[test]
fn message_index_paths_both_ways() {
    let parsed = proto(NESTED);
    let m = model(&parsed);
    assert_eq!(m.descriptor_error(), None);
    assert_eq!(m.first_message().as_deref(), Some("p.A"));
    let cases: [(&str, &[i32]); 6] = [
        ("p.A", &[0]),
        ("p.A.B", &[0, 0]),
        ("p.A.C", &[0, 1]),
        ("p.A.C.D", &[0, 1, 0]),
        ("p.F", &[1]),
        // The declared nested message comes before the generated map entry.
        ("p.F.G", &[1, 0]),
    ];
    for (name, path) in cases {
        assert_eq!(m.message_index_path(name).as_deref(), Some(path), "{name}");
        assert_eq!(
            m.message_by_index_path(path)
                .map(|d| d.full_name().to_owned())
                .as_deref(),
            Some(name),
            "{path:?}"
        );
    }
    assert_eq!(m.message_index_path(".p.A.C.D"), Some(vec![0, 1, 0]));
    assert_eq!(
        m.message_by_index_path(&[])
            .map(|d| d.full_name().to_owned()),
        Some("p.A".into())
    );
    assert!(m.message_by_index_path(&[2]).is_none());
    assert!(m.message_by_index_path(&[-1]).is_none());
    assert!(m.message_index_path("p.E").is_none());
    // Types of the bundled files are not the schema's messages.
    assert!(m.message_index_path("google.protobuf.Timestamp").is_none());
}

#[test]
fn base64_descriptor_round_trips() {
    let parsed = proto(NESTED);
    let serialized = model(&parsed).serialized();
    let again = proto(&serialized);
    let m = model(&again);
    assert_eq!(m.descriptor_error(), None);
    assert_eq!(m.message_index_path("p.A.C.D"), Some(vec![0, 1, 0]));
    // Confluent reads a map field of a descriptor as a repeated field of its entry message,
    // which normalization folds back into the map: the normalized text survives the trip.
    assert!(
        again.canonical().contains("  repeated mEntry m = 1;\n"),
        "{}",
        again.canonical()
    );
    assert_eq!(again.normalized(), parsed.normalized());
    // As Java's decoder: padding optional, whitespace refused.
    let unpadded = serialized.trim_end_matches('=');
    assert_ne!(unpadded, serialized);
    assert_eq!(proto(unpadded).canonical(), again.canonical());
    assert!(proto_lenient(&format!("{serialized}\n")).is_err());
    // After one trip the descriptor is a fixed point.
    let twice = proto(&m.serialized());
    assert_eq!(model(&twice).serialized(), m.serialized());
    // Garbage is neither text nor a descriptor: the text parser's error is reported.
    assert_eq!(
        error("message {", &[], &NoReferences),
        "Could not parse Protobuf - Syntax error in :1:9: expected a word"
    );
}

#[test]
fn deep_nesting_is_rejected_without_overflow() {
    let depth = 5_000;
    let text = format!(
        "syntax = \"proto3\";\n{}{}",
        "message M {".repeat(depth),
        "}".repeat(depth)
    );
    match parse(
        SchemaType::Protobuf,
        &text,
        &[],
        &NoReferences,
        &ParseOptions::default(),
    ) {
        Err(SchemaError::LimitExceeded(LimitExceeded::TooDeep { .. })) => {}
        other => panic!("unexpected {other:?}"),
    }
    // The parser bounds its own recursion even when the caller's limit is generous.
    let options = ParseOptions {
        limits: crate::Limits {
            max_depth: 100_000,
            ..crate::Limits::default()
        },
        ..ParseOptions::default()
    };
    let nested_option = format!(
        "syntax = \"proto3\";\noption (x) = {}1{};\n",
        "{ a: ".repeat(depth),
        " }".repeat(depth)
    );
    for text in [&text, &nested_option] {
        let result = parse(SchemaType::Protobuf, text, &[], &NoReferences, &options);
        assert!(result.is_err(), "accepted a schema nested {depth} deep");
    }
    // A binary descriptor is held to the configured depth too.
    let shallow = ParseOptions {
        limits: crate::Limits {
            max_depth: 3,
            ..crate::Limits::default()
        },
        ..ParseOptions::default()
    };
    let four_deep =
        proto("syntax = \"proto3\";\nmessage A { message B { message C { message D {} } } }\n");
    match parse(
        SchemaType::Protobuf,
        &model(&four_deep).serialized(),
        &[],
        &NoReferences,
        &shallow,
    ) {
        Err(SchemaError::LimitExceeded(LimitExceeded::TooDeep { max: 3 })) => {}
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn rejects_what_confluent_rejects_and_field_number_zero() {
    let cases = [
        (
            "syntax = \"proto4\";",
            "Could not parse Protobuf - Syntax error in :1:1: unexpected syntax: proto4",
        ),
        (
            "syntax = \"proto3\";\nmessage M { Missing a = 1; }\n",
            "Could not resolve type: Missing",
        ),
        (
            "syntax = \"proto3\";\nmessage M { string a = 1; }\nmessage M { string b = 1; }\n",
            "Could not parse Protobuf - M (:3:1) is already defined at :2:1",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(error(text, &[], &NoReferences), want);
    }
    let zero = "syntax = \"proto3\";\nmessage M { string a = 0; }\n";
    assert!(error(zero, &[], &NoReferences).contains("number 0"));
    // A stored schema is loaded as it is, even when its types no longer resolve.
    for text in [zero, "syntax = \"proto3\";\nmessage M { Missing a = 1; }\n"] {
        assert!(proto_lenient(text).is_ok(), "{text}");
    }
}

#[test]
fn compatibility_reports_confluent_messages() {
    let old = proto("syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n");
    let new = proto("syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n}\n");
    let verdict = check_compatibility(
        CompatibilityLevel::Full,
        &new,
        &[PreviousVersion {
            version: Some(1),
            schema: &old,
        }],
    );
    assert_eq!(
        verdict.messages,
        [
            "{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\"The kind of a SCALAR field at path '#/M/1' in the old schema does not match its kind in the new schema\"}",
            "{errorType:\"FIELD_SCALAR_KIND_CHANGED\", description:\"The kind of a SCALAR field at path '#/M/1' in the new schema does not match its kind in the old schema\"}",
            "{oldSchemaVersion: 1}",
            "{oldSchema: 'syntax = \"proto3\";\n\nmessage M {\n  string a = 1;\n}\n'}",
        ]
    );
}

#[test]
fn referenced_message_changes_are_compared_by_content() {
    // The same local name from another subject is compared structurally.
    let v1 = "syntax = \"proto3\";\npackage dep;\nmessage D { int32 v = 1; }\n";
    let v2 = "syntax = \"proto3\";\npackage dep;\nmessage D { string v = 1; }\n";
    let registry = Registry::default()
        .with("dep1", v1, vec![])
        .with("dep2", v2, vec![]);
    let load = |subject: &str| {
        parse(
            SchemaType::Protobuf,
            HOLDER,
            &[reference("dep.proto", subject)],
            &registry,
            &ParseOptions::default(),
        )
        .unwrap()
    };
    let (old, new) = (load("dep1"), load("dep2"));
    let verdict = check_compatibility(
        CompatibilityLevel::Backward,
        &new,
        &[PreviousVersion {
            version: None,
            schema: &old,
        }],
    );
    assert!(!verdict.is_compatible);
    assert!(
        verdict.messages[0].contains("FIELD_SCALAR_KIND_CHANGED"),
        "{:?}",
        verdict.messages
    );
    assert!(
        verdict.messages[0].contains("'#/D/1'"),
        "{:?}",
        verdict.messages
    );
    assert!(
        verdict.messages[1].contains("FIELD_NAMED_TYPE_CHANGED"),
        "{:?}",
        verdict.messages
    );
}

#[test]
fn prints_without_custom_options() {
    let parsed = proto(
        "syntax = \"proto3\";\nimport \"confluent/meta.proto\";\noption (x.y) = 1;\nmessage A {\n  string a = 1 [(confluent.field_meta) = { tags: \"PII\" }, (foo) = 2];\n}\n",
    );
    assert_eq!(
        model(&parsed).text_without_extensions(),
        "syntax = \"proto3\";\n\nimport \"confluent/meta.proto\";\n\nmessage A {\n  string a = 1 [(confluent.field_meta) = {\n    tags: \"PII\"\n  }];\n}\n"
    );
}

/// Every valid schema of the golden corpus compiles into a pool (except the duplicate field
/// number Confluent tolerates), so converters can use every schema the registry accepts.
#[test]
fn golden_schemas_compile_into_descriptor_pools() {
    let corpus: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/golden/corpus.json")).unwrap();
    let mut compiled = 0;
    for s in corpus["schemas"].as_array().unwrap() {
        if s["type"] != "PROTOBUF" || s["refs"].as_array().is_some_and(|r| !r.is_empty()) {
            continue;
        }
        let Ok(parsed) = parse(
            SchemaType::Protobuf,
            s["schema"].as_str().unwrap(),
            &[],
            &NoReferences,
            &ParseOptions::default(),
        ) else {
            continue;
        };
        let m = model(&parsed);
        if s["id"] == "proto-dup-number" {
            assert!(m.descriptor_error().is_some());
            continue;
        }
        assert_eq!(m.descriptor_error(), None, "{}", s["id"]);
        compiled += 1;
    }
    assert!(compiled > 25, "only {compiled} schemas compiled");
}

#[test]
fn nesting_at_the_limit_goes_through_every_stage() {
    let depth = 99;
    let text = format!(
        "syntax = \"proto3\";\n{}{}",
        (0..depth)
            .map(|i| format!("message M{i} {{ M{i} self = 1; map<string, M{i}> m = 2; "))
            .collect::<String>(),
        "}".repeat(depth)
    );
    let old = proto(&text);
    let new = proto(&text.replace("self = 1", "renamed = 1"));
    let verdict = check_compatibility(
        CompatibilityLevel::FullTransitive,
        &new,
        &[PreviousVersion {
            version: None,
            schema: &old,
        }],
    );
    assert!(verdict.is_compatible, "{:?}", verdict.messages);
    let m = model(&old);
    assert_eq!(m.descriptor_error(), None);
    assert_eq!(
        m.message_index_path(
            &(0..depth)
                .map(|i| format!("M{i}"))
                .collect::<Vec<_>>()
                .join(".")
        )
        .map(|p| p.len()),
        Some(depth)
    );
    // A binary descriptor decodes up to protobuf's recursion limit (100 levels, map entries
    // and the file included), so the round trip is checked less deep.
    let depth = 40;
    let text = format!(
        "syntax = \"proto3\";\n{}{}",
        (0..depth)
            .map(|i| format!("message M{i} {{ M{i} self = 1; map<string, M{i}> m = 2; "))
            .collect::<String>(),
        "}".repeat(depth)
    );
    let m = proto(&text);
    let again = proto(&model(&m).serialized());
    assert_eq!(again.normalized(), m.normalized());
}

/// Inputs shaped to make a careless implementation quadratic: many top-level types, extend
/// blocks, imports, fields and option-map keys. Each completes in well under a second.
#[test]
fn large_flat_schemas_stay_linear() {
    let n: usize = 10_000;
    let messages: String = (0..n)
        .map(|i| {
            format!(
                "message M{i} {{ M{} f{i} = {}; }}\n",
                i.saturating_sub(1),
                i + 1
            )
        })
        .collect();
    let extends: String = (0..n).map(|i| format!("extend M{i} {{ }}\n")).collect();
    let imports: String = (0..n)
        .map(|i| format!("import \"i{i}.proto\";\n"))
        .collect();
    let keys: String = (0..n).map(|i| format!("k{i}: {i} ")).collect();
    let fields: String = (1..=n).map(|i| format!("int32 f{i} = {i}; ")).collect();
    let text = format!(
        "syntax = \"proto3\";\n{imports}option (big) = {{ {keys} }};\n{messages}{extends}message Wide {{ {fields} }}\n"
    );
    let start = std::time::Instant::now();
    let old = proto(&text);
    let new = proto(&text.replace("int32 f7 = 7;", "string f7 = 7;"));
    let verdict = check_compatibility(
        CompatibilityLevel::Full,
        &new,
        &[PreviousVersion {
            version: None,
            schema: &old,
        }],
    );
    assert!(!verdict.is_compatible);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

/// Confluent 7.9's `format=serialized` answers (HTTP conformance data, scenario
/// `proto-descriptors`): the same bytes, schema by schema.
const CONFLUENT_SERIALIZED: [(&str, &str); 7] = [
    (
        "syntax = \"proto3\";\npackage a.b;\nmessage Outer {\n  message Inner {\n    string x = 1;\n  }\n  Inner i = 1;\n  repeated Inner is = 2;\n  enum Kind {\n    K0 = 0;\n  }\n  Kind k = 3;\n}\n",
        "CgdkZWZhdWx0EgNhLmIiWwoFT3V0ZXISDgoBaRgBKAsyBUlubmVyEhEKAmlzGAIgAygLMgVJbm5lchINCgFrGAMoDjIES2luZBoQCgVJbm5lchIHCgF4GAEoCSIOCgRLaW5kEgYKAkswEABiBnByb3RvMw==",
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  optional int32 a = 1;\n  repeated string b = 2 [packed = false];\n  map<int32, M> c = 3;\n}\n",
        "CgdkZWZhdWx0ImQKAU0SDgoBYRgBIAEoBUgAiAEBEg0KAWIYAiADKAlCAhAAEg8KAWMYAyADMgZjRW50cnkaJwoGY0VudHJ5EgkKA2tleRgBKAUSDgoFdmFsdWUYAigLMgFNOgI4AUIGCgJfYRIAYgZwcm90bzM=",
    ),
    (
        "syntax = \"proto2\";\nmessage M {\n  required int32 a = 1;\n  optional string b = 2 [default = \"hi\"];\n  extensions 100 to 199;\n}\nextend M {\n  optional int32 ext = 100;\n}\n",
        "CgdkZWZhdWx0IiYKAU0SCQoBYRgBIAIoBRINCgFiGAIgASgJOgJoaSoHCGQQyAEaADoOCgNleHQSAU0YZCABKAViBnByb3RvMg==",
    ),
    (
        "syntax = \"proto3\";\nenum E {\n  option allow_alias = true;\n  A = 0;\n  B = 0;\n  reserved 5, 7 to 9;\n  reserved \"X\";\n}\n",
        "CgdkZWZhdWx0KiQKAUUSBQoBQRAAEgUKAUIQABoCEAEiBAgFEAUiBAgHEAkqAVhiBnByb3RvMw==",
    ),
    (
        "syntax = \"proto3\";\nimport \"google/protobuf/any.proto\";\nimport \"google/protobuf/wrappers.proto\";\nmessage M {\n  google.protobuf.Any a = 1;\n  google.protobuf.StringValue s = 2;\n}\n",
        "CgdkZWZhdWx0Ghlnb29nbGUvcHJvdG9idWYvYW55LnByb3RvGh5nb29nbGUvcHJvdG9idWYvd3JhcHBlcnMucHJvdG8iRwoBTRIcCgFhGAEoCzITZ29vZ2xlLnByb3RvYnVmLkFueRIkCgFzGAIoCzIbZ29vZ2xlLnByb3RvYnVmLlN0cmluZ1ZhbHVlYgZwcm90bzM=",
    ),
    (
        "syntax = \"proto3\";\noption go_package = \"x/y\";\noption java_multiple_files = true;\noption optimize_for = SPEED;\nmessage M {\n  string a = 1 [deprecated = true];\n}\nservice S {\n  rpc A (stream M) returns (stream M);\n  rpc B (M) returns (M) {\n    option deprecated = true;\n  }\n}\n",
        "CgdkZWZhdWx0IhAKAU0SCwoBYRgBKAlCAhgBMiYKAVMSDQoBQRIBTRoBTSgBMAESEgoBQhIBTRoBTSIDiAIBKAAwAEIJSAFQAVoDeC95YgZwcm90bzM=",
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  .M self = 1;\n  oneof o {\n    string a = 2;\n    M b = 3;\n  }\n}\n",
        "CgdkZWZhdWx0IjcKAU0SCwoBYRgCIAEoCUgAEg4KAWIYAyABKAsyAU1IABIOCgRzZWxmGAEoCzICLk1CBQoBbxIAYgZwcm90bzM=",
    ),
];

#[test]
fn serialized_matches_confluent_byte_for_byte() {
    for (text, want) in CONFLUENT_SERIALIZED {
        assert_eq!(model(&proto(text)).serialized(), want, "{text}");
    }
    // With a reference (scenario step 30).
    let registry = Registry::default().with("dep", DEP, vec![]);
    let holder = "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage H {\n  dep.D d = 1;\n}\n";
    let parsed = parse(
        SchemaType::Protobuf,
        holder,
        &[reference("dep.proto", "dep")],
        &registry,
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(
        model(&parsed).serialized(),
        "CgdkZWZhdWx0GglkZXAucHJvdG8iEwoBSBIOCgFkGAEoCzIFZGVwLkRiBnByb3RvMw=="
    );
}

/// Every Protobuf registration of the HTTP conformance scenarios, with Confluent 7.9's answer:
/// accepted (`None`) or the error it gave. Left out: the empty schema (refused by the registry
/// before parsing) and field number 0 (which Confluent accepts and we refuse on purpose).
/// References are `(name, text)`, registered under the subject `ref<i>`.
const CONFLUENT_REGISTRATIONS: [(&str, Refs, Option<&str>); 31] = [
    (
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n  int32 b = 2;\n}\n",
        &[],
        None,
    ),
    (
        "message {",
        &[],
        Some("Could not parse Protobuf - Syntax error in :1:9: expected a word"),
    ),
    (
        "syntax = \"proto3\";\n\n\nmessage   M { string a = 1; }\n",
        &[],
        None,
    ),
    (
        "\"string\"",
        &[],
        Some("Could not parse Protobuf - Syntax error in :1:1: expected a word"),
    ),
    (
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}",
        &[],
        Some("Could not parse Protobuf - Syntax error in :1:1: expected a word"),
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  Missing a = 1;\n}\n",
        &[],
        Some("Could not resolve type: Missing"),
    ),
    (
        "syntax = \"proto4\";",
        &[],
        Some("Could not parse Protobuf - Syntax error in :1:1: unexpected syntax: proto4"),
    ),
    (
        "syntax = \"proto3\";\nimport \"missing.proto\";\nmessage M { string a = 1; }\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nmessage M { string a = 1; }\nmessage M { string b = 1; }\n",
        &[],
        Some("Could not parse Protobuf - M (:3:1) is already defined at :2:1"),
    ),
    (
        "syntax = \"proto3\";\npackage p.q;\nmessage M {\n  string a = 1;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nmessage A {\n  string a = 1;\n}\nmessage B {\n  A a = 1;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage T {\n  google.protobuf.Timestamp ts = 1;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nenum E {\n  E_UNKNOWN = 0;\n  E_A = 1;\n}\nmessage M {\n  E e = 1;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto2\";\nmessage M {\n  optional string a = 1 [default = \"x\"];\n}\n",
        &[],
        None,
    ),
    (
        "message M {\n  optional string a = 1;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  map<string, int32> m = 1;\n  oneof o {\n    string x = 2;\n    int32 y = 3;\n  }\n  reserved 5, 7 to 9;\n  reserved \"z\";\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\noption java_package = \"a.b\";\nmessage M {\n  string a = 1 [deprecated = true, json_name = \"A\"];\n}\nservice S {\n  rpc Get (M) returns (M);\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\npackage dep;\nmessage D {\n  int32 v = 1;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage H {\n  dep.D d = 1;\n}\n",
        &[("dep.proto", "syntax = \"proto3\";\npackage dep;\nmessage D {\n  int32 v = 1;\n}\n")],
        None,
    ),
    (
        "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage H {\n  dep.D d = 1;\n}\n",
        &[],
        Some("Could not resolve type: dep.D"),
    ),
    (
        "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage H {\n  dep.D d = 1;\n}\n",
        &[("other.proto", "syntax = \"proto3\";\npackage dep;\nmessage D {\n  int32 v = 1;\n}\n")],
        None,
    ),
    (
        "syntax = \"proto3\";\npackage a.b;\nmessage Outer {\n  message Inner {\n    string x = 1;\n  }\n  Inner i = 1;\n  repeated Inner is = 2;\n  enum Kind {\n    K0 = 0;\n  }\n  Kind k = 3;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  optional int32 a = 1;\n  repeated string b = 2 [packed = false];\n  map<int32, M> c = 3;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto2\";\nmessage M {\n  required int32 a = 1;\n  optional string b = 2 [default = \"hi\"];\n  extensions 100 to 199;\n}\nextend M {\n  optional int32 ext = 100;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nenum E {\n  option allow_alias = true;\n  A = 0;\n  B = 0;\n  reserved 5, 7 to 9;\n  reserved \"X\";\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nimport \"google/protobuf/any.proto\";\nimport \"google/protobuf/wrappers.proto\";\nmessage M {\n  google.protobuf.Any a = 1;\n  google.protobuf.StringValue s = 2;\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\noption go_package = \"x/y\";\noption java_multiple_files = true;\noption optimize_for = SPEED;\nmessage M {\n  string a = 1 [deprecated = true];\n}\nservice S {\n  rpc A (stream M) returns (stream M);\n  rpc B (M) returns (M) {\n    option deprecated = true;\n  }\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  .M self = 1;\n  oneof o {\n    string a = 2;\n    M b = 3;\n  }\n}\n",
        &[],
        None,
    ),
    (
        "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage H {\n  dep.D d = 1;\n}\n",
        &[("dep.proto", "syntax = \"proto3\";\npackage dep;\nmessage D {\n  int32 v = 1;\n}\n")],
        None,
    ),
    (
        "syntax = \"proto3\";\npackage p;\nmessage M {\n  message Inner {\n    string x = 1;\n  }\n  Inner i = 1;\n}\n",
        &[],
        None,
    ),
];

#[test]
fn registrations_agree_with_confluent() {
    for (text, refs, want) in CONFLUENT_REGISTRATIONS {
        let mut registry = Registry::default();
        let mut references = Vec::new();
        for (i, (name, schema)) in refs.iter().enumerate() {
            let subject = format!("ref{i}");
            registry = registry.with(&subject, schema, vec![]);
            references.push(reference(name, &subject));
        }
        let got = parse(
            SchemaType::Protobuf,
            text,
            &references,
            &registry,
            &ParseOptions::default(),
        );
        assert_eq!(got.err().map(|e| e.to_string()).as_deref(), want, "{text}");
    }
}

/// Stored texts from the HTTP conformance answers: `(registered text, references, whether the
/// answer is `format=ignore_extensions`, Confluent's text)`.
const CONFLUENT_TEXTS: [(&str, Refs, bool, &str); 24] = [
    (
        "syntax = \"proto3\";\nmessage M {\n  string a = 1;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nmessage M {\n  string a = 1;\n}\n",
    ),
    (
        "syntax = \"proto3\";\npackage p.q;\nmessage M {\n  string a = 1;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\npackage p.q;\n\nmessage M {\n  string a = 1;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nmessage A {\n  string a = 1;\n}\nmessage B {\n  A a = 1;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nmessage A {\n  string a = 1;\n}\nmessage B {\n  A a = 1;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage T {\n  google.protobuf.Timestamp ts = 1;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nimport \"google/protobuf/timestamp.proto\";\n\nmessage T {\n  google.protobuf.Timestamp ts = 1;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nenum E {\n  E_UNKNOWN = 0;\n  E_A = 1;\n}\nmessage M {\n  E e = 1;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nmessage M {\n  E e = 1;\n}\nenum E {\n  E_UNKNOWN = 0;\n  E_A = 1;\n}\n",
    ),
    (
        "syntax = \"proto2\";\nmessage M {\n  optional string a = 1 [default = \"x\"];\n}\n",
        &[],
        false,
        "syntax = \"proto2\";\n\nmessage M {\n  optional string a = 1 [default = \"x\"];\n}\n",
    ),
    (
        "message M {\n  optional string a = 1;\n}\n",
        &[],
        false,
        "\nmessage M {\n  optional string a = 1;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  map<string, int32> m = 1;\n  oneof o {\n    string x = 2;\n    int32 y = 3;\n  }\n  reserved 5, 7 to 9;\n  reserved \"z\";\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nmessage M {\n  reserved 5, 7 to 9;\n  reserved \"z\";\n\n  map<string, int32> m = 1;\n\n  oneof o {\n    string x = 2;\n    int32 y = 3;\n  }\n}\n",
    ),
    (
        "syntax = \"proto3\";\noption java_package = \"a.b\";\nmessage M {\n  string a = 1 [deprecated = true, json_name = \"A\"];\n}\nservice S {\n  rpc Get (M) returns (M);\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\noption java_package = \"a.b\";\n\nmessage M {\n  string a = 1 [\n    deprecated = true,\n    json_name = \"A\"\n  ];\n}\n\nservice S {\n  rpc Get (M) returns (M);\n}\n",
    ),
    (
        "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage H {\n  dep.D d = 1;\n}\n",
        &[("dep.proto", "syntax = \"proto3\";\npackage dep;\nmessage D {\n  int32 v = 1;\n}\n")],
        false,
        "syntax = \"proto3\";\n\nimport \"dep.proto\";\n\nmessage H {\n  dep.D d = 1;\n}\n",
    ),
    (
        "syntax = \"proto3\";\npackage a.b;\nmessage Outer {\n  message Inner {\n    string x = 1;\n  }\n  Inner i = 1;\n  repeated Inner is = 2;\n  enum Kind {\n    K0 = 0;\n  }\n  Kind k = 3;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\npackage a.b;\n\nmessage Outer {\n  Inner i = 1;\n  repeated Inner is = 2;\n  Kind k = 3;\n\n  message Inner {\n    string x = 1;\n  }\n  enum Kind {\n    K0 = 0;\n  }\n}\n",
    ),
    (
        "syntax = \"proto3\";\npackage a.b;\nmessage Outer {\n  message Inner {\n    string x = 1;\n  }\n  Inner i = 1;\n  repeated Inner is = 2;\n  enum Kind {\n    K0 = 0;\n  }\n  Kind k = 3;\n}\n",
        &[],
        true,
        "syntax = \"proto3\";\npackage a.b;\n\nmessage Outer {\n  Inner i = 1;\n  repeated Inner is = 2;\n  Kind k = 3;\n\n  message Inner {\n    string x = 1;\n  }\n  enum Kind {\n    K0 = 0;\n  }\n}\n",
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  optional int32 a = 1;\n  repeated string b = 2 [packed = false];\n  map<int32, M> c = 3;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nmessage M {\n  optional int32 a = 1;\n  repeated string b = 2 [packed = false];\n  map<int32, M> c = 3;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  optional int32 a = 1;\n  repeated string b = 2 [packed = false];\n  map<int32, M> c = 3;\n}\n",
        &[],
        true,
        "syntax = \"proto3\";\n\nmessage M {\n  optional int32 a = 1;\n  repeated string b = 2 [packed = false];\n  map<int32, M> c = 3;\n}\n",
    ),
    (
        "syntax = \"proto2\";\nmessage M {\n  required int32 a = 1;\n  optional string b = 2 [default = \"hi\"];\n  extensions 100 to 199;\n}\nextend M {\n  optional int32 ext = 100;\n}\n",
        &[],
        false,
        "syntax = \"proto2\";\n\nmessage M {\n  required int32 a = 1;\n  optional string b = 2 [default = \"hi\"];\n\n  extensions 100 to 199;\n}\n\nextend M {\n  optional int32 ext = 100;\n}\n",
    ),
    (
        "syntax = \"proto2\";\nmessage M {\n  required int32 a = 1;\n  optional string b = 2 [default = \"hi\"];\n  extensions 100 to 199;\n}\nextend M {\n  optional int32 ext = 100;\n}\n",
        &[],
        true,
        "syntax = \"proto2\";\n\nmessage M {\n  required int32 a = 1;\n  optional string b = 2 [default = \"hi\"];\n}\n",
    ),
    (
        "syntax = \"proto3\";\nenum E {\n  option allow_alias = true;\n  A = 0;\n  B = 0;\n  reserved 5, 7 to 9;\n  reserved \"X\";\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nenum E {\n  reserved 5, 7 to 9;\n  reserved \"X\";\n  option allow_alias = true;\n  A = 0;\n  B = 0;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nenum E {\n  option allow_alias = true;\n  A = 0;\n  B = 0;\n  reserved 5, 7 to 9;\n  reserved \"X\";\n}\n",
        &[],
        true,
        "syntax = \"proto3\";\n\nenum E {\n  reserved 5, 7 to 9;\n  reserved \"X\";\n  option allow_alias = true;\n  A = 0;\n  B = 0;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nimport \"google/protobuf/any.proto\";\nimport \"google/protobuf/wrappers.proto\";\nmessage M {\n  google.protobuf.Any a = 1;\n  google.protobuf.StringValue s = 2;\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nimport \"google/protobuf/any.proto\";\nimport \"google/protobuf/wrappers.proto\";\n\nmessage M {\n  google.protobuf.Any a = 1;\n  google.protobuf.StringValue s = 2;\n}\n",
    ),
    (
        "syntax = \"proto3\";\nimport \"google/protobuf/any.proto\";\nimport \"google/protobuf/wrappers.proto\";\nmessage M {\n  google.protobuf.Any a = 1;\n  google.protobuf.StringValue s = 2;\n}\n",
        &[],
        true,
        "syntax = \"proto3\";\n\nimport \"google/protobuf/any.proto\";\nimport \"google/protobuf/wrappers.proto\";\n\nmessage M {\n  google.protobuf.Any a = 1;\n  google.protobuf.StringValue s = 2;\n}\n",
    ),
    (
        "syntax = \"proto3\";\noption go_package = \"x/y\";\noption java_multiple_files = true;\noption optimize_for = SPEED;\nmessage M {\n  string a = 1 [deprecated = true];\n}\nservice S {\n  rpc A (stream M) returns (stream M);\n  rpc B (M) returns (M) {\n    option deprecated = true;\n  }\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\noption go_package = \"x/y\";\noption java_multiple_files = true;\noption optimize_for = SPEED;\n\nmessage M {\n  string a = 1 [deprecated = true];\n}\n\nservice S {\n  rpc A (stream M) returns (stream M);\n  rpc B (M) returns (M) {\n    option deprecated = true;\n  };\n}\n",
    ),
    (
        "syntax = \"proto3\";\noption go_package = \"x/y\";\noption java_multiple_files = true;\noption optimize_for = SPEED;\nmessage M {\n  string a = 1 [deprecated = true];\n}\nservice S {\n  rpc A (stream M) returns (stream M);\n  rpc B (M) returns (M) {\n    option deprecated = true;\n  }\n}\n",
        &[],
        true,
        "syntax = \"proto3\";\n\noption go_package = \"x/y\";\noption java_multiple_files = true;\noption optimize_for = SPEED;\n\nmessage M {\n  string a = 1 [deprecated = true];\n}\n\nservice S {\n  rpc A (stream M) returns (stream M);\n  rpc B (M) returns (M) {\n    option deprecated = true;\n  };\n}\n",
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  .M self = 1;\n  oneof o {\n    string a = 2;\n    M b = 3;\n  }\n}\n",
        &[],
        false,
        "syntax = \"proto3\";\n\nmessage M {\n  .M self = 1;\n\n  oneof o {\n    string a = 2;\n    M b = 3;\n  }\n}\n",
    ),
    (
        "syntax = \"proto3\";\nmessage M {\n  .M self = 1;\n  oneof o {\n    string a = 2;\n    M b = 3;\n  }\n}\n",
        &[],
        true,
        "syntax = \"proto3\";\n\nmessage M {\n  .M self = 1;\n\n  oneof o {\n    string a = 2;\n    M b = 3;\n  }\n}\n",
    ),
];

#[test]
fn stored_texts_agree_with_confluent() {
    for (text, refs, ignore_extensions, want) in CONFLUENT_TEXTS {
        let mut registry = Registry::default();
        let mut references = Vec::new();
        for (i, (name, schema)) in refs.iter().enumerate() {
            let subject = format!("ref{i}");
            registry = registry.with(&subject, schema, vec![]);
            references.push(reference(name, &subject));
        }
        let parsed = parse(
            SchemaType::Protobuf,
            text,
            &references,
            &registry,
            &ParseOptions::default(),
        )
        .unwrap();
        let got = if ignore_extensions {
            model(&parsed).text_without_extensions()
        } else {
            parsed.canonical().to_owned()
        };
        assert_eq!(got, want, "{text}");
    }
}

/// Truncations and byte insertions of every corpus schema (as text and as a descriptor) parse
/// or fail cleanly, and whatever parses can be printed, serialized and compared.
#[test]
fn mutated_schemas_never_panic() {
    let corpus: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/golden/corpus.json")).unwrap();
    let texts: Vec<String> = corpus["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] == "PROTOBUF")
        .map(|s| s["schema"].as_str().unwrap().to_owned())
        .collect();
    let inserts = [
        "{",
        "}",
        "<",
        ">",
        "[",
        "]",
        "(",
        ")",
        ";",
        "=",
        "\"",
        "'",
        "\\",
        "/",
        "/*",
        "//",
        ".",
        "-",
        "0x",
        "max",
        "to",
        "map<",
        "oneof o {",
        "option (a).b = {",
        "9999999999",
        "\u{e9}",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % (bound.max(1) as u64)).unwrap()
    };
    let check = |text: &str| {
        if let Ok(parsed) = parse(
            SchemaType::Protobuf,
            text,
            &[],
            &NoReferences,
            &ParseOptions::stored(),
        ) {
            let m = model(&parsed);
            let _ = (
                m.serialized(),
                m.text_without_extensions(),
                m.first_message(),
            );
            let _ = check_compatibility(
                CompatibilityLevel::FullTransitive,
                &parsed,
                &[PreviousVersion {
                    version: None,
                    schema: &parsed,
                }],
            );
            let again = proto_lenient(&m.serialized());
            let _ = again.map(|a| a.canonical().to_owned());
        }
    };
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for text in &texts {
        // Byte flips of the binary descriptor, and of protoc's (resolved) form.
        if let Ok(parsed) = proto_lenient(text) {
            let m = model(&parsed);
            let resolved = prost::Message::encode_to_vec(m.file_descriptor_proto());
            for bytes in [b64.decode(m.serialized()).unwrap(), resolved] {
                for _ in 0..12 {
                    let mut flipped = bytes.clone();
                    let at = next(flipped.len());
                    if let Some(b) = flipped.get_mut(at) {
                        *b ^= u8::try_from(next(255) + 1).unwrap();
                    }
                    check(&b64.encode(&flipped));
                }
            }
        }
        let chars: Vec<char> = text.chars().collect();
        for cut in (0..chars.len()).step_by(3) {
            check(&chars[..cut].iter().collect::<String>());
        }
        for _ in 0..20 {
            let at = next(chars.len());
            let insert = inserts[next(inserts.len())];
            let mutated: String = chars[..at]
                .iter()
                .copied()
                .chain(insert.chars())
                .chain(chars[at..].iter().copied())
                .collect();
            check(&mutated);
        }
    }
}

fn proto_lenient(text: &str) -> Result<ParsedSchema, SchemaError> {
    parse(
        SchemaType::Protobuf,
        text,
        &[],
        &NoReferences,
        &ParseOptions::stored(),
    )
}

/// The tags scenario of the HTTP conformance answers (`tags-json-proto`), step by step.
#[test]
fn tags_are_added_and_removed_like_confluent() {
    use super::{SchemaTags, TagEntityType};
    let tag = |path: &str, entity_type, tags: &[&str]| SchemaTags {
        entity_path: path.to_owned(),
        entity_type,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    };
    let v1 = proto("syntax = \"proto3\";\npackage p.q;\nmessage M {\n  string a = 1;\n}\n");
    let v2 = model(&v1)
        .with_tags(&[tag("M.a", TagEntityType::Field, &["PII"])], &[])
        .unwrap();
    assert_eq!(
        v2,
        "syntax = \"proto3\";\npackage p.q;\n\nmessage M {\n  string a = 1 [(confluent.field_meta) = {\n    tags: [\n      \"PII\"\n    ]\n  }];\n}\n"
    );
    let v3 = model(&proto(&v2))
        .with_tags(&[tag("M", TagEntityType::Record, &["R"])], &[])
        .unwrap();
    assert_eq!(
        v3,
        "syntax = \"proto3\";\npackage p.q;\n\nmessage M {\n  option (confluent.message_meta) = {\n    tags: [\n      \"R\"\n    ]\n  };\n\n  string a = 1 [(confluent.field_meta) = {\n    tags: [\n      \"PII\"\n    ]\n  }];\n}\n"
    );
    let v4 = model(&proto(&v3))
        .with_tags(&[], &[tag("M.a", TagEntityType::Field, &["PII"])])
        .unwrap();
    assert_eq!(
        v4,
        "syntax = \"proto3\";\npackage p.q;\n\nmessage M {\n  option (confluent.message_meta) = {\n    tags: [\n      \"R\"\n    ]\n  };\n\n  string a = 1;\n}\n"
    );
    let errors = [
        (
            "M.nope",
            "No matching Field with name 'nope' found in the schema",
        ),
        (
            "Nope.a",
            "No matching Field with name 'a' found in the schema",
        ),
    ];
    for (path, want) in errors {
        let got = model(&v1).with_tags(&[tag(path, TagEntityType::Field, &["X"])], &[]);
        assert_eq!(got.err().map(|e| e.to_string()).as_deref(), Some(want));
    }
    let nested = proto("syntax = \"proto3\";\npackage p;\nmessage M {\n  message Inner {\n    string x = 1;\n  }\n  Inner i = 1;\n}\n");
    assert_eq!(
        model(&nested)
            .with_tags(&[tag("M.Inner.x", TagEntityType::Field, &["T"])], &[])
            .unwrap(),
        "syntax = \"proto3\";\npackage p;\n\nmessage M {\n  Inner i = 1;\n\n  message Inner {\n    string x = 1 [(confluent.field_meta) = {\n      tags: [\n        \"T\"\n      ]\n    }];\n  }\n}\n"
    );
}

/// Confluent writes `confluent.*_meta` options into the serialized descriptor as the
/// `confluent.Meta` extension; a reader that knows `confluent/meta.proto` finds them there.
#[test]
fn serialized_descriptor_carries_confluent_meta() {
    use base64::Engine as _;
    use prost_reflect::{DynamicMessage, Value};
    let parsed = proto(
        "syntax = \"proto3\";\nimport \"confluent/meta.proto\";\noption (confluent.file_meta) = { doc: \"file\" };\nmessage A {\n  option (confluent.message_meta).tags = \"R\";\n  string a = 1 [deprecated = true, (confluent.field_meta) = { tags: [\"PII\", \"X\"], params: [ { key: \"k\" value: \"v\" } ] }];\n  oneof o { int32 b = 2 [(confluent.field_meta).doc = \"in oneof\"]; }\n}\nenum E { option (confluent.enum_meta) = { tags: \"T\" }; E0 = 0 [(confluent.enum_value_meta) = { doc: \"zero\" }]; }\n",
    );
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(model(&parsed).serialized())
        .unwrap();
    let mut pool = prost_reflect::DescriptorPool::global();
    pool.add_file_descriptor_proto(
        super::bundled::bundled().descriptors["confluent/meta.proto"].clone(),
    )
    .unwrap();
    let file = DynamicMessage::decode(
        pool.get_message_by_name("google.protobuf.FileDescriptorProto")
            .unwrap(),
        bytes.as_slice(),
    )
    .unwrap();
    let meta_of = |options: &DynamicMessage, extension: &str| -> String {
        let ext = pool.get_extension_by_name(extension).unwrap();
        let meta = options.get_extension(&ext);
        let meta = meta.as_message().unwrap();
        let doc = meta
            .get_field_by_name("doc")
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let tags: Vec<String> = meta
            .get_field_by_name("tags")
            .unwrap()
            .as_list()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_owned())
            .collect();
        let params = meta
            .get_field_by_name("params")
            .unwrap()
            .as_map()
            .map_or(0, |m| m.len());
        format!("doc={doc} tags={tags:?} params={params}")
    };
    let message = |v: &Value| v.as_message().unwrap().clone();
    let get = |m: &DynamicMessage, name: &str| m.get_field_by_name(name).unwrap().into_owned();
    let options = |m: &DynamicMessage| message(&get(m, "options"));
    assert_eq!(
        meta_of(&options(&file), "confluent.file_meta"),
        "doc=file tags=[] params=0"
    );
    let a = message(&get(&file, "message_type").as_list().unwrap()[0]);
    assert_eq!(
        meta_of(&options(&a), "confluent.message_meta"),
        "doc= tags=[\"R\"] params=0"
    );
    let fields = get(&a, "field");
    let fields = fields.as_list().unwrap();
    // Oneof fields come first in Confluent's descriptor.
    let b = message(&fields[0]);
    assert_eq!(
        meta_of(&options(&b), "confluent.field_meta"),
        "doc=in oneof tags=[] params=0"
    );
    let a_field = message(&fields[1]);
    assert_eq!(
        meta_of(&options(&a_field), "confluent.field_meta"),
        "doc= tags=[\"PII\", \"X\"] params=1"
    );
    assert_eq!(
        options(&a_field)
            .get_field_by_name("deprecated")
            .unwrap()
            .as_bool(),
        Some(true)
    );
    let e = message(&get(&file, "enum_type").as_list().unwrap()[0]);
    assert_eq!(
        meta_of(&options(&e), "confluent.enum_meta"),
        "doc= tags=[\"T\"] params=0"
    );
    let e0 = message(&get(&e, "value").as_list().unwrap()[0]);
    assert_eq!(
        meta_of(&options(&e0), "confluent.enum_value_meta"),
        "doc=zero tags=[] params=0"
    );
}

#[test]
fn a_reference_named_like_a_bundled_file_replaces_it() {
    let registry = Registry::default().with(
        "money",
        "syntax = \"proto3\";\npackage google.type;\nmessage Other {\n  int32 v = 1;\n}\n",
        vec![],
    );
    let references = [reference("google/type/money.proto", "money")];
    let load = |body: &str| {
        parse(
            SchemaType::Protobuf,
            &format!(
                "syntax = \"proto3\";\nimport \"google/type/money.proto\";\nimport \"google/type/date.proto\";\nmessage A {{\n  {body}\n}}\n"
            ),
            &references,
            &registry,
            &ParseOptions::default(),
        )
    };
    // The registered file's types, and those of the other bundled files, resolve...
    let parsed = load("google.type.Other o = 1;\n  google.type.Date d = 2;").unwrap();
    assert!(parsed.normalized().contains(".google.type.Other o = 1;"));
    assert!(parsed.normalized().contains(".google.type.Date d = 2;"));
    // ...but the bundled file of that name is gone.
    assert!(load("google.type.Money m = 1;").is_err());
    assert!(proto(
        "syntax = \"proto3\";\nimport \"google/type/money.proto\";\nmessage A {\n  google.type.Money m = 1;\n}\n"
    )
    .normalized()
    .contains(".google.type.Money m = 1;"));
    // Compatibility sees the same types: the replaced message compares by content.
    let old = load("google.type.Other o = 1;").unwrap();
    let registry2 = Registry::default().with(
        "money2",
        "syntax = \"proto3\";\npackage google.type;\nmessage Other {\n  string v = 1;\n}\n",
        vec![],
    );
    let new = parse(
        SchemaType::Protobuf,
        "syntax = \"proto3\";\nimport \"google/type/money.proto\";\nimport \"google/type/date.proto\";\nmessage A {\n  google.type.Other o = 1;\n}\n",
        &[reference("google/type/money.proto", "money2")],
        &registry2,
        &ParseOptions::default(),
    )
    .unwrap();
    let messages = crate::compatibility_errors(&new, &old, crate::Direction::Backward);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("FIELD_NAMED_TYPE_CHANGED")),
        "{messages:?}"
    );
}
