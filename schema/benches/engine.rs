//! Parse and compatibility-check costs of the schema engine.
//!
//! `cargo bench -p strata-schema --bench engine`. Figures go in BENCHMARKS.md.

// A benchmark: a panic is its failure report.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use strata_schema::{
    check_compatibility, parse, CompatibilityLevel, NoReferences, ParseOptions, ParsedSchema,
    PreviousVersion, SchemaType,
};

const FIELDS: usize = 50;

fn avro_record(extra: &str) -> String {
    let mut fields: Vec<String> = (0..FIELDS)
        .map(|i| {
            let ty = ["int", "long", "string", "double", "boolean"][i % 5];
            format!(r#"{{"name":"f{i}","type":"{ty}","doc":"field {i}"}}"#)
        })
        .collect();
    if !extra.is_empty() {
        fields.push(format!(
            r#"{{"name":"{extra}","type":["null","string"],"default":null}}"#
        ));
    }
    format!(
        r#"{{"type":"record","name":"Order","namespace":"com.example","fields":[{}]}}"#,
        fields.join(",")
    )
}

/// Versions differ in their description only (compatible both ways under Confluent's STRICT
/// policy, where adding or removing a typed property is not).
fn json_schema(extra: &str) -> String {
    let props: Vec<String> = (0..FIELDS)
        .map(|i| {
            let ty = ["integer", "number", "string", "boolean", "string"][i % 5];
            format!(r#""f{i}":{{"type":"{ty}","description":"field {i}"}}"#)
        })
        .collect();
    format!(
        r#"{{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","description":"{extra}","additionalProperties":false,"properties":{{{}}}}}"#,
        props.join(",")
    )
}

fn proto(extra: &str) -> String {
    let mut fields: Vec<String> = (0..FIELDS)
        .map(|i| {
            let ty = ["int32", "int64", "string", "double", "bool"][i % 5];
            format!("  {ty} f{i} = {};", i + 1)
        })
        .collect();
    if !extra.is_empty() {
        fields.push(format!("  string {extra} = {};", FIELDS + 1));
    }
    format!(
        "syntax = \"proto3\";\npackage com.example;\n\nmessage Order {{\n{}\n}}\n",
        fields.join("\n")
    )
}

fn parse_new(ty: SchemaType, text: &str) -> ParsedSchema {
    parse(ty, text, &[], &NoReferences, &ParseOptions::default()).expect("benchmark schema parses")
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, ty, text) in [
        ("avro_50_fields", SchemaType::Avro, avro_record("")),
        ("json_50_properties", SchemaType::Json, json_schema("")),
        ("proto_50_fields", SchemaType::Protobuf, proto("")),
    ] {
        parse_new(ty, &text);
        group.bench_function(name, |b| {
            b.iter(|| parse(ty, &text, &[], &NoReferences, &ParseOptions::default()))
        });
    }
    group.finish();
}

/// A candidate checked BACKWARD_TRANSITIVE against 1,000 earlier versions, already parsed (as the
/// server's cache holds them). Every version is compatible, so all 1,000 are compared.
fn bench_transitive(c: &mut Criterion) {
    let mut group = c.benchmark_group("backward_transitive_1000");
    group.sample_size(20);
    type Make = fn(&str) -> String;
    for (name, ty, make) in [
        ("avro", SchemaType::Avro, avro_record as Make),
        ("json", SchemaType::Json, json_schema as Make),
        ("proto", SchemaType::Protobuf, proto as Make),
    ] {
        let versions: Vec<ParsedSchema> = (0..1000)
            .map(|i| parse_new(ty, &make(&format!("extra{i}"))))
            .collect();
        let candidate = parse_new(ty, &make("extra_new"));
        let previous: Vec<PreviousVersion<'_>> = versions
            .iter()
            .enumerate()
            .rev()
            .map(|(i, schema)| PreviousVersion {
                version: Some(i as i32 + 1),
                schema,
            })
            .collect();
        let verdict = check_compatibility(
            CompatibilityLevel::BackwardTransitive,
            &candidate,
            &previous,
        );
        // Every chain is built to be compatible; if a format ever rejects it the figure would
        // measure an early exit, so say so loudly.
        if !verdict.is_compatible {
            eprintln!(
                "warning: {name} benchmark chain is not compatible: {:?}",
                verdict.messages
            );
        }
        group.bench_function(name, |b| {
            b.iter_batched(
                || (),
                |()| {
                    check_compatibility(
                        CompatibilityLevel::BackwardTransitive,
                        &candidate,
                        &previous,
                    )
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse, bench_transitive);
criterion_main!(benches);
