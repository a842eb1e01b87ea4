//! What the golden corpus does not cover: references between schemas, `$defs`, recursion,
//! limits, every draft, Confluent's REST answers for JSON schemas, and instance validation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use serde_json::json;

use crate::{
    check_compatibility, parse, CompatibilityLevel, Direction, LimitExceeded, NoReferences,
    ParseOptions, ParsedSchema, PreviousVersion, ReferenceResolver, ResolvedReference, SchemaError,
    SchemaModel, SchemaReference, SchemaType,
};

/// Resolves `(subject, version)` from texts in memory, each with its own references.
#[derive(Default)]
struct Store(HashMap<(String, i32), (String, Vec<SchemaReference>)>);

impl Store {
    fn with(mut self, subject: &str, text: &str, references: Vec<SchemaReference>) -> Self {
        self.0
            .insert((subject.to_owned(), 1), (text.to_owned(), references));
        self
    }
}

impl ReferenceResolver for Store {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        let (schema, references) = self
            .0
            .get(&(reference.subject.clone(), reference.version))
            .cloned()
            .ok_or_else(|| SchemaError::ReferenceNotFound {
                subject: reference.subject.clone(),
                version: reference.version,
            })?;
        Ok(ResolvedReference {
            schema_type: SchemaType::Json,
            schema,
            references,
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

fn json(text: &str) -> Result<ParsedSchema, SchemaError> {
    parse(
        SchemaType::Json,
        text,
        &[],
        &NoReferences,
        &ParseOptions::default(),
    )
}

fn valid(text: &str) -> ParsedSchema {
    json(text).unwrap_or_else(|e| panic!("{text} should be valid: {e}"))
}

fn model(schema: &ParsedSchema) -> &super::JsonModel {
    match schema.model() {
        SchemaModel::Json(m) => m,
        other => panic!("not a JSON model: {other:?}"),
    }
}

/// Error types of one direction, in order.
fn errors(new: &ParsedSchema, old: &ParsedSchema, direction: Direction) -> Vec<String> {
    crate::compatibility_errors(new, old, direction)
        .into_iter()
        .map(|m| {
            m.trim_start_matches("{errorType:\"")
                .split('"')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// A customer schema that references an address schema, which itself references a country.
fn customer_store(country_type: &str) -> Store {
    Store::default()
        .with(
            "country",
            &format!(r#"{{"type":"object","properties":{{"code":{{"type":"{country_type}"}}}}}}"#),
            vec![],
        )
        .with(
            "address",
            r#"{"type":"object","properties":{"street":{"type":"string"},"country":{"$ref":"country.json"}}}"#,
            vec![reference("country.json", "country")],
        )
}

fn customer(store: &Store) -> Result<ParsedSchema, SchemaError> {
    parse(
        SchemaType::Json,
        r#"{"type":"object","properties":{"home":{"$ref":"address.json"}}}"#,
        &[reference("address.json", "address")],
        store,
        &ParseOptions::default(),
    )
}

#[test]
fn references_resolve_transitively_and_changes_inside_them_are_found() {
    let v1 = customer(&customer_store("string")).unwrap();
    let v2 = customer(&customer_store("integer")).unwrap();
    assert_eq!(v1.dependencies().len(), 2);
    assert_eq!(
        crate::compatibility_errors(&v2, &v1, Direction::Backward),
        vec!["{errorType:\"TYPE_CHANGED\", description:\"A type at path '#/properties/home/properties/country/properties/code' is different between the new schema and the old schema'}".to_owned()]
    );
    let same = customer(&customer_store("string")).unwrap();
    assert!(errors(&same, &v1, Direction::Backward).is_empty());
}

#[test]
fn references_are_used_to_validate_instances() {
    let schema = customer(&customer_store("string")).unwrap();
    let m = model(&schema);
    assert!(m.is_valid(&json!({"home": {"country": {"code": "FR"}}})));
    let err = m.validate(&json!({"home": {"country": {"code": 33}}}));
    assert!(err.is_err());
}

#[test]
fn unresolvable_references_are_invalid() {
    let text = r#"{"type":"object","properties":{"d":{"$ref":"dep.json"}}}"#;
    let err = json(text).unwrap_err();
    assert_eq!(err.to_string(), "Invalid JSON Schema");
    // A reference whose own reference is missing fails too.
    let store = Store::default().with(
        "address",
        r#"{"properties":{"c":{"$ref":"country.json"}}}"#,
        vec![],
    );
    let err = parse(
        SchemaType::Json,
        r#"{"properties":{"a":{"$ref":"address.json"}}}"#,
        &[reference("address.json", "address")],
        &store,
        &ParseOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "Invalid JSON Schema");
    // Every referenced schema must be a JSON object, even one that is not used.
    for text in ["5", "[]", "{"] {
        let store = Store::default().with("unused", text, vec![]);
        let err = parse(
            SchemaType::Json,
            r#"{"type":"string"}"#,
            &[reference("unused.json", "unused")],
            &store,
            &ParseOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Invalid JSON Schema", "{text}");
    }
}

#[test]
fn defs_references_are_followed_by_the_diff() {
    for draft in [
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "http://json-schema.org/draft-07/schema#",
    ] {
        let schema = |t: &str| {
            valid(&format!(
                r##"{{"$schema":"{draft}","$defs":{{"x":{{"type":"{t}"}}}},"type":"array","items":{{"$ref":"#/$defs/x"}}}}"##
            ))
        };
        let (old, new) = (schema("string"), schema("number"));
        assert_eq!(
            errors(&new, &old, Direction::Backward),
            vec!["TYPE_CHANGED"],
            "{draft}"
        );
        let inline = valid(&format!(
            r#"{{"$schema":"{draft}","type":"array","items":{{"type":"string"}}}}"#
        ));
        assert!(errors(&inline, &old, Direction::Backward).is_empty());
        assert!(errors(&old, &inline, Direction::Backward).is_empty());
    }
}

#[test]
fn anchors_by_id_resolve() {
    let schema = |t: &str| {
        valid(&format!(
            r##"{{"$id":"http://example.com/root.json","definitions":{{"x":{{"$id":"#foo","type":"{t}"}}}},"properties":{{"a":{{"$ref":"#foo"}}}}}}"##
        ))
    };
    assert_eq!(
        errors(&schema("integer"), &schema("number"), Direction::Backward),
        vec!["TYPE_NARROWED"]
    );
}

#[test]
fn recursive_schemas_terminate_and_still_compare() {
    let tree = |t: &str| {
        valid(&format!(
            r##"{{"type":"object","properties":{{"value":{{"type":"{t}"}},"children":{{"type":"array","items":{{"$ref":"#"}}}},"next":{{"$ref":"#"}}}}}}"##
        ))
    };
    let (a, b) = (tree("string"), tree("integer"));
    assert!(errors(&a, &a, Direction::Backward).is_empty());
    assert_eq!(errors(&b, &a, Direction::Backward), vec!["TYPE_CHANGED"]);
    assert_eq!(errors(&b, &a, Direction::Forward), vec!["TYPE_CHANGED"]);
    // Mutual recursion through definitions.
    let mutual = valid(
        r##"{"definitions":{"a":{"properties":{"b":{"$ref":"#/definitions/b"}}},"b":{"properties":{"a":{"$ref":"#/definitions/a"}}}},"$ref":"#/definitions/a"}"##,
    );
    assert!(errors(&mutual, &mutual, Direction::Backward).is_empty());
}

#[test]
fn long_reference_chains_do_not_overflow_the_stack() {
    let mut definitions = serde_json::Map::new();
    for i in 0..400 {
        definitions.insert(
            format!("d{i}"),
            json!({"type": "object", "properties": {"n": {"$ref": format!("#/definitions/d{}", i + 1)}}}),
        );
    }
    definitions.insert("d400".into(), json!({"type": "string"}));
    let text = json!({"definitions": definitions, "$ref": "#/definitions/d0"}).to_string();
    let schema = valid(&text);
    assert!(errors(&schema, &schema, Direction::Backward).is_empty());
}

#[test]
fn deep_nesting_is_refused() {
    let deep = r#"{"properties":{"a":"#.repeat(200) + "{}" + &"}}".repeat(200);
    match json(&deep) {
        Err(SchemaError::LimitExceeded(LimitExceeded::TooDeep { .. })) => {}
        other => panic!("expected TooDeep, got {other:?}"),
    }
}

#[test]
fn every_draft_is_accepted_and_checked_against_its_own_meta_schema() {
    let drafts = [
        "http://json-schema.org/draft-04/schema#",
        "http://json-schema.org/draft-06/schema#",
        "http://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    ];
    for draft in drafts {
        valid(&format!(
            r#"{{"$schema":"{draft}","type":"object","properties":{{"a":{{"type":"string"}}}},"required":["a"]}}"#
        ));
    }
    // Draft 4's boolean exclusiveMaximum is valid there and nowhere else.
    let boolean_exclusive = |draft: &str| {
        json(&format!(
            r#"{{"$schema":"{draft}","type":"number","maximum":5,"exclusiveMaximum":true}}"#
        ))
    };
    assert!(boolean_exclusive(drafts[0]).is_ok());
    for draft in &drafts[1..] {
        assert!(boolean_exclusive(draft).is_err(), "{draft}");
    }
    // Confluent's loader only knows the `http` spelling of drafts 4 to 7: anything else is draft 7.
    assert!(boolean_exclusive("https://json-schema.org/draft-04/schema#").is_err());
    // 2020-12 tuples use prefixItems.
    valid(
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","prefixItems":[{"type":"string"}],"items":false}"#,
    );
}

/// JSON schemas sent to Confluent 7.9 over REST and its verdicts (accepted, or 42201
/// `Invalid JSON Schema`), recorded in the HTTP conformance data.
#[test]
fn rest_validity_answers_agree_with_confluent() {
    let cases = [
        (
            r#"{"type":"object","properties":{"a":{"type":["string","null"]}}}"#,
            true,
        ),
        (
            r#"{"type":"object","patternProperties":{"^x":{"type":"string"}}}"#,
            true,
        ),
        (r#"{"type":"array","items":[{"type":"string"}]}"#, true),
        (r#"{"oneOf":[{"type":"string"},{"type":"integer"}]}"#, true),
        (r#"{"not":{"type":"string"}}"#, true),
        (r#"{"const":1}"#, true),
        (r#"{"type":"string","format":"date-time"}"#, true),
        (r#"{"type":"object","dependencies":{"a":["b"]}}"#, true),
        (r#"{"$id":"http://x/y","type":"object"}"#, true),
        (
            r##"{"type":"object","properties":{"a":{"$ref":"#"}}}"##,
            true,
        ),
        (r#"{"type":"integer","minimum":1,"maximum":0}"#, true),
        (
            r#"{"$schema":"http://example.com/unknown","type":"object"}"#,
            true,
        ),
        ("[]", true),
        ("12", true),
        (r#""x""#, true),
        ("true", true),
        ("false", true),
        (r#"{"type":"string","pattern":"("}"#, false),
        (r#"{"type":"object","properties":[]}"#, false),
        (r#"{"items":{"type":"nope"}}"#, false),
        (r#"{"type":12}"#, false),
        (r##"{"$ref":"#/definitions/missing"}"##, false),
        (r#"{"minimum":"x"}"#, false),
        (
            r#"{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}"#,
            false,
        ),
        ("null", false),
        // Accepted by Confluent's loader although the meta-schemas forbid them.
        (r#"{"allOf":[]}"#, true),
        (r#"{"anyOf":[]}"#, true),
        (r#"{"type":"object","required":["a","a"]}"#, true),
        (r#"{"type":["string","string"]}"#, true),
        (
            r#"{"$schema":"http://json-schema.org/draft-04/schema#","required":[]}"#,
            true,
        ),
    ];
    for (text, want) in cases {
        let got = json(text);
        assert_eq!(got.is_ok(), want, "{text}: {got:?}");
        if let Err(e) = got {
            assert_eq!(e.to_string(), "Invalid JSON Schema", "{text}");
        }
    }
    assert_eq!(
        json(r#"{"type":"#).unwrap_err().to_string(),
        r#"Invalid JSON {"type":"#
    );
}

#[test]
fn rest_compatibility_answers_agree_with_confluent() {
    let v1 = valid(r#"{"type":"object","properties":{"a":{"type":"string"}}}"#);
    let v2 = valid(r#"{"type":"object","properties":{"a":{"type":"integer"}}}"#);
    let verdict = check_compatibility(
        CompatibilityLevel::Full,
        &v2,
        &[PreviousVersion {
            version: Some(1),
            schema: &v1,
        }],
    );
    assert!(!verdict.is_compatible);
    assert_eq!(
        verdict.messages[..2],
        [
            "{errorType:\"TYPE_CHANGED\", description:\"A type at path '#/properties/a' is different between the old schema and the new schema'}",
            "{errorType:\"TYPE_CHANGED\", description:\"A type at path '#/properties/a' is different between the new schema and the old schema'}",
        ]
    );
}

#[test]
fn canonical_keeps_the_text_and_normalized_sorts_it() {
    let s = valid("{ \"type\" : \"number\", \"multipleOf\" : 1.50, \"maximum\": 1e3, \"title\": \"caf\\u00e9\\u0007\" }");
    assert_eq!(
        s.canonical(),
        "{\"type\":\"number\",\"multipleOf\":1.50,\"maximum\":1E+3,\"title\":\"café\\u0007\"}"
    );
    assert_eq!(
        s.normalized(),
        "{\"maximum\":1E+3,\"multipleOf\":1.50,\"title\":\"café\\u0007\",\"type\":\"number\"}"
    );
    assert_eq!(model(&s).value()["type"], "number");
}

#[test]
fn content_models_follow_confluent() {
    let pairs: [(&str, &str, &[&str], &[&str]); 8] = [
        // Pattern properties cover an added property of a matching name.
        (
            r#"{"type":"object","patternProperties":{"^x":{"type":"string"}},"additionalProperties":false}"#,
            r#"{"type":"object","properties":{"xa":{"type":"string"}},"patternProperties":{"^x":{"type":"string"}},"additionalProperties":false}"#,
            &[],
            &[],
        ),
        // A property with the empty schema may be added to an open model.
        (
            r#"{"type":"object","properties":{}}"#,
            r#"{"type":"object","properties":{"a":{}}}"#,
            &[],
            &[],
        ),
        // Tuples: an item added to an open tuple breaks BACKWARD.
        (
            r#"{"type":"array","items":[{"type":"string"}]}"#,
            r#"{"type":"array","items":[{"type":"string"},{"type":"integer"}]}"#,
            &["ITEM_ADDED_TO_OPEN_CONTENT_MODEL"],
            &[],
        ),
        // Closed tuples: adding is fine, removing is not.
        (
            r#"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#,
            r#"{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}"#,
            &[],
            &["ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"],
        ),
        // `not` reverses the roles.
        (
            r#"{"not":{"type":"string"}}"#,
            r#"{"not":{"type":["string","integer"]}}"#,
            &["NOT_TYPE_EXTENDED"],
            &[],
        ),
        // Subschemas are matched regardless of order.
        (
            r#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#,
            r#"{"anyOf":[{"type":"integer"},{"type":"string"}]}"#,
            &[],
            &[],
        ),
        // multipleOf is compared as exact decimals.
        (
            r#"{"type":"number","multipleOf":0.5}"#,
            r#"{"type":"number","multipleOf":1.5}"#,
            &["MULTIPLE_OF_EXPANDED"],
            &[],
        ),
        (
            r#"{"type":"number","multipleOf":0.5}"#,
            r#"{"type":"number","multipleOf":0.50}"#,
            &[],
            &[],
        ),
    ];
    for (old, new, backward, forward) in pairs {
        let (o, n) = (valid(old), valid(new));
        assert_eq!(
            errors(&n, &o, Direction::Backward),
            backward,
            "{old} -> {new}"
        );
        assert_eq!(
            errors(&n, &o, Direction::Forward),
            forward,
            "{old} -> {new}"
        );
    }
}

#[test]
fn messages_for_several_properties_follow_java_hash_order() {
    // Confluent walks property names in `HashSet` order: "aa" (hash 3104, bucket 0) comes before
    // "b" (hash 98, bucket 2), whatever the document order.
    let old = valid(r#"{"type":"object","properties":{}}"#);
    let new =
        valid(r#"{"type":"object","properties":{"b":{"type":"string"},"aa":{"type":"string"}}}"#);
    let messages = crate::compatibility_errors(&new, &old, Direction::Backward);
    assert_eq!(messages.len(), 2);
    assert!(messages[0].contains("#/properties/aa"), "{messages:?}");
    assert!(messages[1].contains("#/properties/b"), "{messages:?}");
}

#[test]
fn huge_cross_products_finish() {
    let branches: Vec<serde_json::Value> = (0..40)
        .map(|i| json!({"anyOf": (0..40).map(|j| json!({"type": "string", "maxLength": i * 100 + j})).collect::<Vec<_>>()}))
        .collect();
    let text = json!({ "anyOf": branches }).to_string();
    let schema = valid(&text);
    let start = std::time::Instant::now();
    let _ = errors(&schema, &schema, Direction::Backward);
    assert!(start.elapsed().as_secs() < 60);
}

#[test]
fn percent_encoded_pointers_resolve_and_odd_ones_fail_cleanly() {
    let schema = |t: &str| {
        valid(&format!(
            r##"{{"properties":{{"a":{{"$ref":"#/definitions/a%20b"}}}},"definitions":{{"a b":{{"type":"{t}"}}}}}}"##
        ))
    };
    assert_eq!(
        errors(&schema("integer"), &schema("string"), Direction::Backward),
        vec!["TYPE_CHANGED"]
    );
    for text in [
        r##"{"properties":{"a":{"$ref":"#/definitions/%aé"}}}"##,
        r##"{"properties":{"a":{"$ref":"#/definitions/%"}}}"##,
        r##"{"properties":{"a":{"$ref":"::::"}}}"##,
    ] {
        assert_eq!(
            json(text).unwrap_err().to_string(),
            "Invalid JSON Schema",
            "{text}"
        );
    }
}

#[test]
fn a_default_next_to_a_reference_counts_for_required_properties() {
    let old = valid(
        r##"{"definitions":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/s","default":"x"}}}"##,
    );
    let new = valid(
        r##"{"definitions":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/s","default":"x"}},"required":["a"]}"##,
    );
    assert!(errors(&new, &old, Direction::Backward).is_empty());
    let without_default = valid(
        r##"{"definitions":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/s"}},"required":["a"]}"##,
    );
    assert_eq!(
        errors(&without_default, &old, Direction::Backward),
        vec!["REQUIRED_ATTRIBUTE_ADDED"]
    );
}

#[test]
fn parsed_schemas_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<super::JsonModel>();
    shareable::<ParsedSchema>();
}

#[test]
fn reference_loops_without_progress_do_not_hang() {
    let texts = [
        r##"{"$ref":"#"}"##,
        r##"{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"}"##,
        r##"{"properties":{"x":{"$ref":"#/properties/x"}}}"##,
        r##"{"anyOf":[{"$ref":"#"},{"type":"string"}]}"##,
        r##"{"not":{"$ref":"#"}}"##,
    ];
    let parsed: Vec<ParsedSchema> = texts.iter().filter_map(|t| json(t).ok()).collect();
    // Confluent's loader accepts them all; only using them could loop.
    assert_eq!(parsed.len(), texts.len());
    for a in &parsed {
        for b in &parsed {
            let _ = crate::compatibility_errors(a, b, Direction::Backward);
            let _ = crate::compatibility_errors(a, b, Direction::Forward);
            let _ = model(a).validate(&json!({"x": "y"}));
        }
    }
}

/// Confluent's loader accepts these although the meta-schemas forbid them (`allOf: []` is in the
/// golden corpus; the others follow from how the loader reads those keywords).
#[test]
fn loader_leniencies_are_kept() {
    for text in [
        r#"{"allOf":[]}"#,
        r#"{"anyOf":[]}"#,
        r#"{"type":"object","required":["a","a"]}"#,
        r#"{"type":["string","string"]}"#,
        r#"{"$schema":"http://json-schema.org/draft-04/schema#","required":[]}"#,
    ] {
        valid(text);
    }
    // An empty anyOf is satisfied by nothing, an empty allOf by everything.
    let nothing = valid(r#"{"anyOf":[]}"#);
    assert!(!model(&nothing).is_valid(&json!(1)));
    let anything = valid(r#"{"allOf":[]}"#);
    assert!(model(&anything).is_valid(&json!(1)));
}

#[test]
fn huge_difference_lists_are_bounded() {
    // Ten thousand added properties under a 64 KiB property name: the paths alone would take
    // 640 MiB. The check stops early and still refuses the change.
    let long = "n".repeat(64 * 1024);
    let props: serde_json::Map<String, serde_json::Value> = (0..10_000)
        .map(|i| (format!("p{i}"), json!({"type": "string"})))
        .collect();
    let old = valid(
        &json!({"properties": {long.clone(): {"type": "object", "properties": {}}}}).to_string(),
    );
    let new =
        valid(&json!({"properties": {long: {"type": "object", "properties": props}}}).to_string());
    let backward = errors(&new, &old, Direction::Backward);
    assert_eq!(backward, vec!["TYPE_CHANGED"]);
    assert!(errors(&new, &old, Direction::Forward).is_empty());
}

#[test]
fn references_into_a_referenced_schema_and_its_own_ids_resolve() {
    let store = |id_type: &str| {
        Store::default().with(
            "customer",
            &format!(
                r##"{{"$id":"https://example.com/schemas/customer.json","definitions":{{"id":{{"type":"{id_type}"}}}},"properties":{{"id":{{"$ref":"#/definitions/id"}}}}}}"##
            ),
            vec![],
        )
    };
    let schema = |id_type: &str| {
        parse(
            SchemaType::Json,
            r##"{"properties":{"who":{"$ref":"customer.json"},"key":{"$ref":"customer.json#/definitions/id"}}}"##,
            &[reference("customer.json", "customer")],
            &store(id_type),
            &ParseOptions::default(),
        )
        .unwrap()
    };
    let (v1, v2) = (schema("integer"), schema("string"));
    let messages = crate::compatibility_errors(&v2, &v1, Direction::Backward);
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("'#/properties/key'")));
    assert!(messages
        .iter()
        .any(|m| m.contains("'#/properties/who/properties/id'")));
    assert!(model(&v1).is_valid(&json!({"who": {"id": 1}, "key": 2})));
    assert!(!model(&v1).is_valid(&json!({"who": {"id": "x"}})));
}

#[test]
fn enormous_base_uris_are_refused() {
    let id = format!("http://example.com/{}", "x".repeat(10_000));
    let err = json(&json!({"$id": id, "type": "string"}).to_string()).unwrap_err();
    assert_eq!(err.to_string(), "Invalid JSON Schema");
    // Relative ids that add up count too.
    let segment = format!("{}/", "y".repeat(900));
    let mut schema = json!({"type": "string"});
    for _ in 0..12 {
        schema = json!({"$id": segment, "properties": {"a": schema}});
    }
    assert!(json(&schema.to_string()).is_err());
    valid(&json!({"$id": "http://example.com/ok.json", "type": "string"}).to_string());
}

/// The JSON part of the Confluent-judged corpus (tests/golden), held to exact agreement: validity,
/// canonical and normalized text, and the full message list of every pair in both directions.
/// The pair whose oracle run crashed has no verdict for BACKWARD nor FORWARD and is skipped.
#[test]
fn golden_json_corpus_matches_confluent_exactly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let (corpus, golden) = (load("corpus.json"), load("golden.json"));
    let with_refs = |text: &str, refs: &serde_json::Value| {
        let mut store = Store::default();
        let mut list = Vec::new();
        for r in refs.as_array().into_iter().flatten() {
            let name = r["name"].as_str().unwrap();
            let subject = r["subject"].as_str().unwrap_or(name);
            store = store.with(subject, r["schema"].as_str().unwrap(), vec![]);
            list.push(reference(name, subject));
        }
        parse(
            SchemaType::Json,
            text,
            &list,
            &store,
            &ParseOptions::default(),
        )
    };
    let mut checked = 0;
    for s in corpus["schemas"].as_array().unwrap() {
        if s["type"] != "JSON" {
            continue;
        }
        let want = &golden["schemas"][s["id"].as_str().unwrap()];
        let got = with_refs(s["schema"].as_str().unwrap(), &s["refs"]);
        assert_eq!(got.is_ok(), want["valid"] == true, "{}: {got:?}", s["id"]);
        match got {
            Ok(p) => {
                assert_eq!(p.canonical(), want["canonical"], "{}", s["id"]);
                assert_eq!(p.normalized(), want["normalized"], "{}", s["id"]);
            }
            Err(e) => assert_eq!(e.to_string(), want["error"], "{}", s["id"]),
        }
        checked += 1;
    }
    for pair in corpus["compat"].as_array().unwrap() {
        if pair["type"] != "JSON" {
            continue;
        }
        let id = pair["id"].as_str().unwrap();
        let old = with_refs(pair["old"].as_str().unwrap(), &pair["old_refs"]).unwrap();
        let new = with_refs(pair["new"].as_str().unwrap(), &pair["new_refs"]).unwrap();
        for level in [CompatibilityLevel::Backward, CompatibilityLevel::Forward] {
            let Some(want) = golden["compat"][id].get(level.as_str()) else {
                continue;
            };
            if golden["compat"][id].get("error").is_some() {
                continue;
            }
            let ours = check_compatibility(
                level,
                &new,
                &[PreviousVersion {
                    version: None,
                    schema: &old,
                }],
            );
            let theirs: Vec<String> = serde_json::from_value(want.clone()).unwrap();
            assert_eq!(ours.messages, theirs, "{id} {level}");
            checked += 1;
        }
    }
    assert_eq!(checked, 41 + 146);
}

/// Every corpus JSON schema, truncated and mutated, parses or fails cleanly; every valid one is
/// compared with every other in both directions without failing.
#[test]
fn mangled_and_cross_compared_schemas_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let corpus: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("corpus.json")).unwrap()).unwrap();
    let mut texts: Vec<String> = Vec::new();
    for s in corpus["schemas"].as_array().unwrap() {
        if s["type"] == "JSON" {
            texts.push(s["schema"].as_str().unwrap().to_owned());
        }
    }
    for pair in corpus["compat"].as_array().unwrap() {
        if pair["type"] == "JSON" {
            texts.push(pair["old"].as_str().unwrap().to_owned());
            texts.push(pair["new"].as_str().unwrap().to_owned());
        }
    }
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", "$ref", "#", "0", "-1e9", "true",
    ];
    let mut valid_schemas = Vec::new();
    for text in &texts {
        for cut in (0..text.len())
            .step_by(7)
            .filter(|c| text.is_char_boundary(*c))
        {
            let _ = json(&text[..cut]);
        }
        for _ in 0..8 {
            let mut mangled = text.clone();
            let at = (next() as usize) % (mangled.len() + 1);
            if mangled.is_char_boundary(at) {
                mangled.insert_str(at, alphabet[(next() as usize) % alphabet.len()]);
            }
            if let Ok(parsed) = json(&mangled) {
                valid_schemas.push(parsed);
            }
        }
        if let Ok(parsed) = json(text) {
            valid_schemas.push(parsed);
        }
    }
    assert!(valid_schemas.len() > 50);
    for a in valid_schemas.iter().step_by(3) {
        for b in valid_schemas.iter().step_by(2) {
            let _ = crate::compatibility_errors(a, b, Direction::Backward);
            let _ = crate::compatibility_errors(a, b, Direction::Forward);
        }
    }
}
