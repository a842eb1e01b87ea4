//! `strata check` offline: the golden corpus judged by Confluent, references, exit codes and
//! output formats.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{code, run, stdout, write};

/// The pair whose oracle run crashed during BACKWARD (see schema/tests/golden/README.md).
const ORACLE_ERROR: &str = "json-exclusiveMaximum-10-5";

const LEVELS: [&str; 7] = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
];

fn golden(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schema/tests/golden")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn extension(schema_type: &str) -> &'static str {
    match schema_type {
        "AVRO" => "avsc",
        "PROTOBUF" => "proto",
        "JSON" => "json",
        other => panic!("unknown type {other}"),
    }
}

/// Writes a schema and its references (each next to it, under its reference name or, for Avro,
/// under a file name of its own) into `dir`.
fn write_with_refs(dir: &Path, name: &str, text: &str, refs: &Value, schema_type: &str) -> PathBuf {
    for (i, r) in refs.as_array().into_iter().flatten().enumerate() {
        let ref_name = r["name"].as_str().unwrap();
        let file = if schema_type == "AVRO" {
            format!("ref{i}.avsc")
        } else {
            ref_name.to_owned()
        };
        write(dir, &file, r["schema"].as_str().unwrap());
    }
    write(dir, name, text)
}

fn expected(want: &Value) -> i32 {
    let messages = want.as_array().expect("golden verdict is a list");
    i32::from(!messages.is_empty())
}

#[test]
fn pairs_agree_with_confluent_at_backward_and_forward() {
    let corpus = golden("corpus.json");
    let golden = golden("golden.json");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let mut disagreements = Vec::new();
    let mut message_disagreements = Vec::new();
    for pair in corpus["compat"].as_array().unwrap() {
        let id = pair["id"].as_str().unwrap();
        if id == ORACLE_ERROR {
            continue;
        }
        let ty = pair["type"].as_str().unwrap();
        let ext = extension(ty);
        let base = dir.path().join(id);
        let old = write_with_refs(
            &base.join("old"),
            &format!("old.{ext}"),
            pair["old"].as_str().unwrap(),
            &pair["old_refs"],
            ty,
        );
        let new = write_with_refs(
            &base.join("new"),
            &format!("new.{ext}"),
            pair["new"].as_str().unwrap(),
            &pair["new_refs"],
            ty,
        );
        for level in ["BACKWARD", "FORWARD"] {
            let want = expected(&golden["compat"][id][level]);
            let output = run([
                OsStr::new("check"),
                new.as_os_str(),
                OsStr::new("--against"),
                old.as_os_str(),
                OsStr::new("--level"),
                OsStr::new(level),
                OsStr::new("--format"),
                OsStr::new("json"),
            ]);
            checked += 1;
            if code(&output) != want {
                disagreements.push(format!(
                    "{id} {level}: exit {} want {want}: {}{}",
                    code(&output),
                    stdout(&output),
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
            // Confluent's messages, unchanged; the oracle compared two schemas with no version
            // numbers, the CLI numbers its one earlier file 1.
            let verdict: Value = serde_json::from_str(&stdout(&output))
                .unwrap_or_else(|e| panic!("{id} {level}: {e}: {}", stdout(&output)));
            let ours: Vec<&Value> = verdict["messages"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m.as_str() != Some("{oldSchemaVersion: 1}"))
                .collect();
            let theirs: Vec<&Value> = golden["compat"][id][level]
                .as_array()
                .unwrap()
                .iter()
                .collect();
            if ours != theirs {
                message_disagreements.push(format!("{id} {level}: {ours:?} want {theirs:?}"));
            }
        }
    }
    println!(
        "golden pairs: {}/{checked} exit codes agree with Confluent",
        checked - disagreements.len()
    );
    assert!(checked >= 380, "only {checked} checks ran");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(
        message_disagreements.is_empty(),
        "{message_disagreements:#?}"
    );
}

#[test]
fn chains_agree_with_confluent_at_every_level() {
    let corpus = golden("corpus.json");
    let golden = golden("golden.json");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let mut disagreements = Vec::new();
    let mut message_disagreements = Vec::new();
    for chain in corpus["chains"].as_array().unwrap() {
        let id = chain["id"].as_str().unwrap();
        let types: Vec<&str> = chain["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let versions = chain["versions"].as_array().unwrap();
        let history = dir.path().join(id).join("history");
        std::fs::create_dir_all(&history).unwrap();
        let (last, earlier) = versions.split_last().unwrap();
        // Names whose byte order differs from their natural order (v5, v10, v15): the
        // directory must be read in natural order.
        for (i, text) in earlier.iter().enumerate() {
            let name = format!("v{}.{}", (i + 1) * 5, extension(types[i]));
            write(&history, &name, text.as_str().unwrap());
        }
        let new = write(
            &dir.path().join(id),
            &format!("new.{}", extension(types[versions.len() - 1])),
            last.as_str().unwrap(),
        );
        for level in LEVELS {
            let want = expected(&golden["chains"][id][level]);
            let output = run([
                OsStr::new("check"),
                new.as_os_str(),
                OsStr::new("--against"),
                history.as_os_str(),
                OsStr::new("--level"),
                OsStr::new(level),
                OsStr::new("--format"),
                OsStr::new("json"),
            ]);
            checked += 1;
            if code(&output) != want {
                disagreements.push(format!(
                    "{id} {level}: exit {} want {want}: {}{}",
                    code(&output),
                    stdout(&output),
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
            // The verdict carries Confluent's own messages, unchanged.
            let verdict: Value = serde_json::from_str(&stdout(&output)).unwrap();
            if verdict["messages"] != golden["chains"][id][level] {
                message_disagreements.push(format!(
                    "{id} {level}: {} want {}",
                    verdict["messages"], golden["chains"][id][level]
                ));
            }
        }
    }
    println!(
        "golden chains: {}/{checked} exit codes agree with Confluent",
        checked - disagreements.len()
    );
    assert_eq!(checked, 36 * 7);
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(
        message_disagreements.is_empty(),
        "{message_disagreements:#?}"
    );
}

/// One format's schema with a reference, the referenced schema, and an incompatible change of
/// the referenced schema.
struct RefCase {
    ext: &'static str,
    name: &'static str,
    schema: &'static str,
    reference: &'static str,
    changed_reference: &'static str,
}

const REF_CASES: [RefCase; 3] = [
    RefCase {
        ext: "avsc",
        name: "com.acme.Address",
        schema: r#"{"type": "record", "name": "P", "namespace": "com.acme", "fields": [{"name": "addr", "type": "com.acme.Address"}]}"#,
        reference: r#"{"type": "record", "name": "Address", "namespace": "com.acme", "fields": [{"name": "street", "type": "string"}]}"#,
        changed_reference: r#"{"type": "record", "name": "Address", "namespace": "com.acme", "fields": [{"name": "street", "type": "string"}, {"name": "zip", "type": "string"}]}"#,
    },
    RefCase {
        ext: "json",
        name: "customer.json",
        schema: r#"{"type": "object", "properties": {"c": {"$ref": "customer.json"}}}"#,
        reference: r#"{"type": "object", "properties": {"id": {"type": "integer"}}}"#,
        changed_reference: r#"{"type": "object", "properties": {"id": {"type": "string"}}}"#,
    },
    RefCase {
        ext: "proto",
        name: "dep.proto",
        schema:
            "syntax = \"proto3\";\npackage m;\nimport \"dep.proto\";\nmessage M { d.D d = 1; }\n",
        reference: "syntax = \"proto3\";\npackage d;\nmessage D { string x = 1; }\n",
        changed_reference: "syntax = \"proto3\";\npackage d;\nmessage D { int32 x = 1; }\n",
    },
];

fn check_code(args: &[&Path], extra: &[&str]) -> (i32, String) {
    let mut all: Vec<std::ffi::OsString> = vec!["check".into()];
    all.push(args[0].into());
    for old in &args[1..] {
        all.push("--against".into());
        all.push((*old).into());
    }
    all.extend(extra.iter().map(Into::into));
    let output = run(all);
    (
        code(&output),
        format!(
            "{}{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn references_resolve_next_to_the_file_through_a_directory_and_by_name() {
    for case in REF_CASES {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ref_file = if case.ext == "avsc" {
            "address.avsc"
        } else {
            case.name
        };
        // Next to the referring file: old and new each see their own version of the reference.
        let old = write(&d.join("old"), &format!("s.{}", case.ext), case.schema);
        write(&d.join("old"), ref_file, case.reference);
        let same = write(&d.join("same"), &format!("s.{}", case.ext), case.schema);
        write(&d.join("same"), ref_file, case.reference);
        let changed = write(&d.join("changed"), &format!("s.{}", case.ext), case.schema);
        write(&d.join("changed"), ref_file, case.changed_reference);
        let (c, out) = check_code(&[&same, &old], &[]);
        assert_eq!(c, 0, "{} same reference: {out}", case.ext);
        let (c, out) = check_code(&[&changed, &old], &["--level", "FULL"]);
        assert_eq!(c, 1, "{} changed reference: {out}", case.ext);

        // Without the reference anywhere: an error, not a verdict.
        let lone_old = write(&d.join("lone_old"), &format!("s.{}", case.ext), case.schema);
        let lone_new = write(&d.join("lone_new"), &format!("s.{}", case.ext), case.schema);
        let (c, out) = check_code(&[&lone_new, &lone_old], &[]);
        assert_eq!(c, 2, "{} missing reference: {out}", case.ext);

        // --references DIR.
        let refs = d.join("refs");
        write(&refs, ref_file, case.reference);
        let dir_arg = refs.display().to_string();
        let (c, out) = check_code(&[&lone_new, &lone_old], &["--references", &dir_arg]);
        assert_eq!(c, 0, "{} --references: {out}", case.ext);

        // --reference NAME=FILE, with an incompatible change in the new schema itself.
        let mapping = format!("{}={}", case.name, refs.join(ref_file).display());
        let (c, out) = check_code(&[&lone_new, &lone_old], &["--reference", &mapping]);
        assert_eq!(c, 0, "{} --reference: {out}", case.ext);
        let broken = match case.ext {
            "avsc" => r#"{"type": "record", "name": "P", "namespace": "com.acme", "fields": [{"name": "addr", "type": "com.acme.Address"}, {"name": "n", "type": "int"}]}"#,
            "json" => r#"{"type": "object", "properties": {"c": {"$ref": "customer.json"}}, "additionalProperties": false}"#,
            _ => "syntax = \"proto3\";\npackage m;\nimport \"dep.proto\";\nmessage M { string d = 1; }\n",
        };
        let new_broken = write(&d.join("broken"), &format!("s.{}", case.ext), broken);
        let (c, out) = check_code(
            &[&new_broken, &lone_old],
            &["--reference", &mapping, "--level", "FULL"],
        );
        assert_eq!(c, 1, "{} --reference incompatible: {out}", case.ext);
    }
}

#[test]
fn exit_codes_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v1 = write(
        d,
        "v1.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
    );
    let v2 = write(
        d,
        "v2.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#,
    );
    let bad = write(
        d,
        "bad.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"a"#,
    );
    let unknown = write(d, "v1.txt", "x");

    let (c, out) = check_code(&[&v2, &v1], &[]);
    assert_eq!(c, 1, "{out}");
    assert!(out.contains("INCOMPATIBLE with version 1"), "{out}");
    assert!(out.contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{out}");
    assert!(out.contains("'b'"), "{out}");
    assert_eq!(check_code(&[&v2, &v1], &["--level", "forward"]).0, 0);
    assert_eq!(check_code(&[&v2, &v1], &["--level", "NONE"]).0, 0);
    assert_eq!(check_code(&[&bad, &v1], &[]).0, 2);
    assert_eq!(check_code(&[&v2, &bad], &[]).0, 2);
    assert_eq!(check_code(&[&v2, &unknown], &[]).0, 2);
    assert_eq!(check_code(&[&v2, &d.join("missing.avsc")], &[]).0, 2);
    assert_eq!(check_code(&[&v2], &[]).0, 2, "nothing to check against");
    assert_eq!(check_code(&[&v2, &v1], &["--level", "SIDEWAYS"]).0, 2);
    // --type overrides the extension.
    assert_eq!(check_code(&[&unknown, &v1], &["--type", "avro"]).0, 2);

    let output = run([
        "check",
        v2.to_str().unwrap(),
        "--against",
        v1.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 1);
    let verdict: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(verdict["compatible"], false);
    assert_eq!(verdict["level"], "BACKWARD");
    assert_eq!(verdict["failingVersion"], 1);
    assert_eq!(
        verdict["errors"][0]["errorType"],
        "READER_FIELD_MISSING_DEFAULT_VALUE"
    );
    assert_eq!(verdict["errors"][0]["additionalInfo"], "b");

    let output = run([
        "check",
        bad.to_str().unwrap(),
        "--against",
        v1.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 2);
    let error: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(error["error"].as_str().unwrap().contains("bad.avsc"));

    let output = run([
        "check",
        v2.to_str().unwrap(),
        "--against",
        v1.to_str().unwrap(),
        "--format",
        "github",
    ]);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!("::error file={},title=", v2.display())),
        "{text}"
    );
    assert!(
        text.contains("::READER_FIELD_MISSING_DEFAULT_VALUE: The field 'b'"),
        "{text}"
    );

    let github = |new: &Path, old: &Path| {
        run([
            OsStr::new("check"),
            new.as_os_str(),
            OsStr::new("--against"),
            old.as_os_str(),
            OsStr::new("--format"),
            OsStr::new("github"),
        ])
    };
    let output = github(&v1, &v1);
    assert_eq!(code(&output), 0);
    assert!(
        stdout(&output).starts_with("::notice file="),
        "{}",
        stdout(&output)
    );
    let output = github(&bad, &v1);
    assert_eq!(code(&output), 2);
    let prefix = format!("::error file={},title=Schema check failed::", bad.display());
    assert!(stdout(&output).starts_with(&prefix), "{}", stdout(&output));
}

#[test]
fn transitive_levels_walk_a_directory_in_natural_order() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    // v2 (second, by natural order) has field b without default; v10 (last) drops it again.
    write(
        &history,
        "v1.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
    );
    write(
        &history,
        "v2.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}"#,
    );
    write(
        &history,
        "v10.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#,
    );
    let new = write(
        dir.path(),
        "new.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#,
    );
    // Against the latest (v10) only: compatible. Transitively, v2's int b cannot be read as string.
    let (c, out) = check_code(&[&new, &history], &["--level", "BACKWARD"]);
    assert_eq!(c, 0, "{out}");
    let (c, out) = check_code(&[&new, &history], &["--level", "BACKWARD_TRANSITIVE"]);
    assert_eq!(c, 1, "{out}");
    assert!(out.contains("version 2 ("), "{out}");
    assert!(out.contains("v2.avsc"), "{out}");

    // A broken old version matters only to the levels that read it.
    write(&history, "v0.avsc", "{ not a schema");
    assert_eq!(check_code(&[&new, &history], &["--level", "BACKWARD"]).0, 0);
    assert_eq!(check_code(&[&new, &history], &["--level", "NONE"]).0, 0);
    let (c, out) = check_code(&[&new, &history], &["--level", "FORWARD_TRANSITIVE"]);
    assert_eq!(c, 2, "{out}");
    assert!(out.contains("v0.avsc"), "{out}");
}

#[test]
fn corpus_schemas_are_valid_or_refused_as_confluent_decided() {
    let corpus = golden("corpus.json");
    let golden = golden("golden.json");
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for schema in corpus["schemas"].as_array().unwrap() {
        let id = schema["id"].as_str().unwrap();
        let ty = schema["type"].as_str().unwrap();
        let ext = extension(ty);
        let text = schema["schema"].as_str().unwrap();
        let base = dir.path().join(id);
        let new = write_with_refs(&base, &format!("new.{ext}"), text, &schema["refs"], ty);
        let old = write(&base, &format!("old.{ext}"), text);
        let valid = golden["schemas"][id]["valid"].as_bool().unwrap();
        // A valid schema is compatible with itself at every level; an invalid one is an error.
        let want = if valid { 0 } else { 2 };
        let output = run([
            OsStr::new("check"),
            new.as_os_str(),
            OsStr::new("--against"),
            old.as_os_str(),
            OsStr::new("--level"),
            OsStr::new("FULL_TRANSITIVE"),
        ]);
        checked += 1;
        if code(&output) != want {
            disagreements.push(format!(
                "{id}: exit {} want {want}: {}{}",
                code(&output),
                stdout(&output),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    println!(
        "golden schemas: {}/{checked} exit codes agree with Confluent's validity",
        checked - disagreements.len()
    );
    assert!(checked > 100);
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn references_of_references_resolve_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let refs = d.join("protos");
    write(
        &refs,
        "acme/money.proto",
        "syntax = \"proto3\";\npackage acme;\nmessage Money { int64 cents = 1; }\n",
    );
    write(
        &refs,
        "acme/line.proto",
        "syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nmessage Line { Money price = 1; }\n",
    );
    let order = "syntax = \"proto3\";\npackage shop;\nimport \"acme/line.proto\";\nimport \"google/protobuf/timestamp.proto\";\nmessage Order { repeated acme.Line lines = 1; google.protobuf.Timestamp at = 2; }\n";
    let old = write(&d.join("old"), "order.proto", order);
    let new = write(&d.join("new"), "order.proto", order);
    let refs_arg = refs.display().to_string();
    let (c, out) = check_code(&[&new, &old], &["--references", &refs_arg]);
    assert_eq!(c, 0, "{out}");
    assert_eq!(
        check_code(&[&new, &old], &[]).0,
        2,
        "unresolved imports are errors"
    );
    // An incompatible change two references deep is found.
    let changed = d.join("changed");
    write(
        &changed,
        "acme/money.proto",
        "syntax = \"proto3\";\npackage acme;\nmessage Money { string cents = 1; }\n",
    );
    write(
        &changed,
        "acme/line.proto",
        &std::fs::read_to_string(refs.join("acme/line.proto")).unwrap(),
    );
    let newer = write(&changed, "order.proto", order);
    // (--references comes before the referring file's directory: each side keeps its own copies.)
    for file in ["acme/money.proto", "acme/line.proto"] {
        write(
            &d.join("old"),
            file,
            &std::fs::read_to_string(refs.join(file)).unwrap(),
        );
    }
    let (c, out) = check_code(&[&newer, &old], &[]);
    assert_eq!(c, 1, "{out}");
    assert!(out.contains("FIELD_SCALAR_KIND_CHANGED"), "{out}");
    // The same chain of JSON Schema files, with a $ref inside a referenced schema.
    let json_refs = d.join("json");
    write(
        &json_refs,
        "money.json",
        r#"{"type":"object","properties":{"cents":{"type":"integer"}}}"#,
    );
    write(
        &json_refs,
        "line.json",
        r#"{"type":"object","properties":{"price":{"$ref":"money.json"}}}"#,
    );
    let order =
        r#"{"type":"object","properties":{"lines":{"type":"array","items":{"$ref":"line.json"}}}}"#;
    let old = write(&d.join("jold"), "order.json", order);
    let new = write(&d.join("jnew"), "order.json", order);
    let refs_arg = json_refs.display().to_string();
    let (c, out) = check_code(
        &[&new, &old],
        &["--references", &refs_arg, "--level", "FULL"],
    );
    assert_eq!(c, 0, "{out}");
    // Avro: a type from a scanned file that itself uses a type of a third file.
    let avro_refs = d.join("avro");
    write(
        &avro_refs,
        "money.avsc",
        r#"{"type":"record","name":"Money","namespace":"acme","fields":[{"name":"cents","type":"long"}]}"#,
    );
    write(
        &avro_refs,
        "line.avsc",
        r#"{"type":"record","name":"Line","namespace":"acme","fields":[{"name":"price","type":"acme.Money"}]}"#,
    );
    let order = r#"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"lines","type":{"type":"array","items":"acme.Line"}}]}"#;
    let old = write(&d.join("aold"), "order.avsc", order);
    let new = write(&d.join("anew"), "order.avsc", order);
    let refs_arg = avro_refs.display().to_string();
    let (c, out) = check_code(
        &[&new, &old],
        &["--references", &refs_arg, "--level", "FULL"],
    );
    assert_eq!(c, 0, "{out}");
}
