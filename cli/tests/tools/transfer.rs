//! `strata export` from one registry and `strata import` into an empty one.

use serde_json::Value;

use crate::{write, Server};

const ADDRESS: &str = r#"{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}"#;
const PERSON: &str = r#"{"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"addr","type":"com.acme.Address"}]}"#;
const V1: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
const V2: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}"#;
const V3: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"y"}]}"#;
const JSON_SCHEMA: &str = r#"{"type":"object","properties":{"n":{"type":"integer"}}}"#;
const JSON_SCHEMA_2: &str =
    r#"{"type":"object","properties":{"n":{"type":"integer"},"m":{"type":"string"}}}"#;
const PROTO: &str = "syntax = \"proto3\";\npackage p;\nmessage M { string s = 1; }\n";
const GAP: &str = r#"{"type":"enum","name":"E","symbols":["A"]}"#;

/// Fills a registry with every kind of state an export must carry.
fn populate(server: &Server) {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| write(dir.path(), name, text).display().to_string();
    let (v1, v2, v3) = (
        file("v1.avsc", V1),
        file("v2.avsc", V2),
        file("v3.avsc", V3),
    );
    // An id gap: a schema registered, then removed for good.
    server.ok(&["register", &file("gap.avsc", GAP), "--subject", "gap"]);
    server.ok(&["delete", "--subject", "gap", "--permanent"]);
    server.ok(&[
        "register",
        &file("address.avsc", ADDRESS),
        "--subject",
        "addr",
    ]);
    server.ok(&[
        "register",
        &file("person.avsc", PERSON),
        "--subject",
        "person",
        "--reference",
        "com.acme.Address=addr:1",
    ]);
    for v in [&v1, &v2, &v3] {
        server.ok(&["register", v, "--subject", "orders/value x"]);
    }
    server.ok(&["delete", "--subject", "orders/value x", "--version", "2"]);
    server.ok(&[
        "register",
        &file("s.json", JSON_SCHEMA),
        "--subject",
        "json-subject",
    ]);
    server.ok(&[
        "register",
        &file("s.proto", PROTO),
        "--subject",
        "proto-subject",
    ]);
    // Metadata and rules are part of a version.
    server.ok(&[
        "register",
        &file("s2.json", JSON_SCHEMA_2),
        "--subject",
        "meta-subject",
        "--metadata",
        &file("metadata.json", r#"{"properties":{"owner":"team-a"}}"#),
        "--rule-set",
        &file(
            "rules.json",
            r#"{"domainRules":[{"name":"checkN","kind":"CONDITION","mode":"WRITE","type":"CEL","expr":"message.n > 0"}]}"#,
        ),
    ]);
    // A subject of another context, with ids of its own.
    server.ok(&["register", &v2, "--subject", ":.tenant:orders"]);
    // The same schema under a second subject keeps its id.
    server.ok(&["register", &v1, "--subject", "gone"]);
    server.ok(&["delete", "--subject", "gone"]);
    server.ok(&["config", "--set", "FULL"]);
    server.ok(&["config", "--subject", "json-subject", "--set", "NONE"]);
    server.ok(&["mode", "--subject", "proto-subject", "--set", "READONLY"]);
}

fn export_json(server: &Server, dir: &std::path::Path, name: &str) -> Value {
    let path = dir.join(name);
    server.ok(&["export", "--output", path.to_str().unwrap()]);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn subject<'a>(export: &'a Value, name: &str) -> &'a Value {
    export["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == name)
        .unwrap_or_else(|| panic!("subject {name} missing from {export:#}"))
}

#[test]
fn export_then_import_reproduces_the_registry_and_a_second_import_changes_nothing() {
    let source = Server::start();
    populate(&source);
    let dir = tempfile::tempdir().unwrap();
    let exported = export_json(&source, dir.path(), "source.json");

    // The export holds what was put in.
    assert_eq!(exported["globalConfig"]["compatibilityLevel"], "FULL");
    assert_eq!(exported["globalMode"], "READWRITE");
    let orders = subject(&exported, "orders/value x");
    let deleted: Vec<bool> = orders["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["deleted"].as_bool().unwrap())
        .collect();
    assert_eq!(deleted, vec![false, true, false]);
    assert_eq!(subject(&exported, "gone")["versions"][0]["deleted"], true);
    assert_eq!(
        subject(&exported, "gone")["versions"][0]["id"],
        orders["versions"][0]["id"]
    );
    assert_eq!(
        subject(&exported, "json-subject")["config"]["compatibilityLevel"],
        "NONE"
    );
    assert_eq!(subject(&exported, "proto-subject")["mode"], "READONLY");
    assert_eq!(
        subject(&exported, "proto-subject")["versions"][0]["schemaType"],
        "PROTOBUF"
    );
    let person = subject(&exported, "person");
    assert_eq!(person["versions"][0]["references"][0]["subject"], "addr");
    assert!(
        exported["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["subject"] != "gap"),
        "a permanently deleted subject is gone"
    );
    let first_id = subject(&exported, "addr")["versions"][0]["id"]
        .as_i64()
        .unwrap();
    assert!(first_id > 1, "the id gap is there to be kept");

    assert_eq!(
        exported["contexts"],
        serde_json::json!([".", ".tenant"]),
        "{exported:#}"
    );
    assert_eq!(
        subject(&exported, ":.tenant:orders")["versions"][0]["id"],
        1
    );

    // A dry run says what would happen and writes nothing.
    let target = Server::start();
    let source_file = dir.path().join("source.json");
    let summary = target.json(&[
        "import",
        "--input",
        source_file.to_str().unwrap(),
        "--json",
        "--dry-run",
    ]);
    assert_eq!(
        summary,
        serde_json::json!({"registered": 10, "alreadyPresent": 0, "softDeleted": 2,
            "configsChanged": 2, "modesChanged": 1})
    );
    assert_eq!(target.ok(&["subjects", "--deleted"]), "");
    assert_eq!(target.json(&["config"])["compatibilityLevel"], "BACKWARD");

    // A run that stopped half-way: only two subjects made it.
    let mut partial = exported.clone();
    partial["subjects"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["subject"] == "addr" || s["subject"] == "orders/value x");
    let partial_path = write(dir.path(), "partial.json", &partial.to_string());
    let summary = target.json(&[
        "import",
        "--input",
        partial_path.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(summary["registered"], 4, "{summary:#}");
    assert_eq!(summary["softDeleted"], 1, "{summary:#}");

    // Run again with everything, from the directory form. Entering IMPORT mode removes the
    // soft-deleted version 2 of "orders/value x", so it is registered and deleted again.
    let as_dir = dir.path().join("source-dir");
    source.ok(&["export", "--output", as_dir.to_str().unwrap()]);
    assert!(as_dir.join("registry.json").is_file());
    assert!(as_dir.join("subjects/orders%2Fvalue%20x.json").is_file());
    let summary = target.json(&["import", "--input", as_dir.to_str().unwrap(), "--json"]);
    assert_eq!(summary["registered"], 7, "{summary:#}");
    assert_eq!(summary["alreadyPresent"], 3, "{summary:#}");
    assert_eq!(summary["softDeleted"], 2, "{summary:#}");

    let imported = export_json(&target, dir.path(), "target.json");
    assert_eq!(imported, exported, "the target reads back as the source");
    // The global mode is back to what the target had, and registrations work again.
    assert_eq!(target.json(&["mode"])["mode"], "READWRITE");
    let got = target.json(&[
        "get",
        "--subject",
        "orders/value x",
        "--version",
        "2",
        "--deleted",
    ]);
    assert_eq!(got["id"], orders["versions"][1]["id"]);
    assert_eq!(got["schema"], V2);

    // Again, from the single file: nothing to do, nothing changes.
    let output = target.run(&["import", "--input", source_file.to_str().unwrap(), "--json"]);
    assert_eq!(crate::code(&output), 0);
    // No progress bar when stderr is not a terminal.
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["registered"], 0, "{summary:#}");
    assert_eq!(summary["alreadyPresent"], 10, "{summary:#}");
    assert_eq!(summary["softDeleted"], 0, "{summary:#}");
    assert_eq!(summary["configsChanged"], 0, "{summary:#}");
    assert_eq!(summary["modesChanged"], 0, "{summary:#}");
    let again = export_json(&target, dir.path(), "target-again.json");
    assert_eq!(again, exported);

    // A registry whose ids collide with the export is refused before anything is written.
    let scratch = tempfile::tempdir().unwrap();
    let first = write(scratch.path(), "first.avsc", GAP);
    let other_schema = write(scratch.path(), "x.avsc", V1);
    for (setup, why) in [
        (vec![&other_schema], "with id"),
        (vec![&first, &other_schema], "another schema"),
    ] {
        let other = Server::start();
        for (i, file) in setup.iter().enumerate() {
            let subject = if i + 1 == setup.len() {
                "addr"
            } else {
                "first"
            };
            other.ok(&["register", file.to_str().unwrap(), "--subject", subject]);
        }
        let before = other.ok(&["subjects"]);
        let output = other.run(&["import", "--input", source_file.to_str().unwrap()]);
        assert_eq!(crate::code(&output), 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("refusing to overwrite") && stderr.contains(why),
            "{stderr}"
        );
        assert_eq!(other.ok(&["subjects"]), before);
        assert_eq!(other.json(&["mode"])["mode"], "READWRITE");
    }
}

#[test]
fn import_rejects_files_that_are_not_exports() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "x.json",
        r#"{"format":"something-else","formatVersion":1}"#,
    );
    let output = crate::run([
        "import",
        "--input",
        path.to_str().unwrap(),
        "--registry",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(crate::code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a strata export"));
}
