//! The registry subcommands against a real `strata serve`.

use serde_json::Value;

use crate::{code, stdout, write, Server};

const V1: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
const V2: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}"#;
const V3_BAD: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"string"}]}"#;

#[test]
fn register_get_subjects_config_mode_delete() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let v1 = write(dir.path(), "v1.avsc", V1);
    let v2 = write(dir.path(), "v2.avsc", V2);
    let bad = write(dir.path(), "bad.avsc", V3_BAD);
    let subject = "team/orders value%?ü";

    let first = server.json(&["register", v1.to_str().unwrap(), "--subject", subject]);
    assert_eq!(first["version"], 1);
    let id1 = first["id"].as_i64().unwrap();
    let again = server.json(&["register", v1.to_str().unwrap(), "--subject", subject]);
    assert_eq!(
        again["id"].as_i64(),
        Some(id1),
        "registration is idempotent"
    );
    let second = server.json(&["register", v2.to_str().unwrap(), "--subject", subject]);
    assert_eq!(second["version"], 2);
    let refused = server.run(&["register", bad.to_str().unwrap(), "--subject", subject]);
    assert_eq!(code(&refused), 2);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("incompatible"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let latest = server.json(&["get", "--subject", subject]);
    assert_eq!(latest["version"], 2);
    assert_eq!(latest["subject"], subject);
    assert_eq!(latest["schemaType"], "AVRO");
    let by_version = server.json(&["get", "--subject", subject, "--version", "1"]);
    assert_eq!(by_version["id"].as_i64(), Some(id1));
    let by_id = server.json(&["get", "--id", &id1.to_string()]);
    assert_eq!(by_id["schema"], V1);
    let text = server.ok(&["get", "--id", &id1.to_string(), "--schema-only"]);
    assert_eq!(text.trim_end(), V1);
    assert_eq!(code(&server.run(&["get", "--id", "999"])), 2);

    let subjects = server.ok(&["subjects"]);
    assert_eq!(subjects.lines().collect::<Vec<_>>(), vec![subject]);
    let as_json = server.json(&["subjects", "--json"]);
    assert_eq!(as_json, serde_json::json!([subject]));

    let global = server.json(&["config"]);
    assert_eq!(global["compatibilityLevel"], "BACKWARD");
    let set = server.json(&["config", "--subject", subject, "--set", "full_transitive"]);
    assert_eq!(set["compatibility"], "FULL_TRANSITIVE");
    let own = server.json(&["config", "--subject", subject]);
    assert_eq!(own["compatibilityLevel"], "FULL_TRANSITIVE");
    server.ok(&["config", "--subject", subject, "--delete"]);
    assert_eq!(code(&server.run(&["config", "--subject", subject])), 2);
    let fallback = server.json(&["config", "--subject", subject, "--default-to-global"]);
    assert_eq!(fallback["compatibilityLevel"], "BACKWARD");

    assert_eq!(server.json(&["mode"])["mode"], "READWRITE");
    assert_eq!(
        server.json(&["mode", "--subject", subject, "--set", "READONLY"])["mode"],
        "READONLY"
    );
    assert_eq!(
        server.json(&["mode", "--subject", subject])["mode"],
        "READONLY"
    );
    server.ok(&["mode", "--subject", subject, "--delete"]);
    assert_eq!(
        server.json(&["mode", "--subject", subject, "--default-to-global"])["mode"],
        "READWRITE"
    );

    // Soft delete of one version, then permanent delete of the subject.
    assert_eq!(
        server.json(&["delete", "--subject", subject, "--version", "1"]),
        serde_json::json!(1)
    );
    let deleted = server.json(&["get", "--subject", subject, "--version", "1", "--deleted"]);
    assert_eq!(deleted["id"].as_i64(), Some(id1));
    assert_eq!(
        code(&server.run(&["get", "--subject", subject, "--version", "1"])),
        2
    );
    let removed = server.json(&["delete", "--subject", subject, "--permanent"]);
    assert_eq!(removed, serde_json::json!([1, 2]));
    assert_eq!(server.ok(&["subjects", "--deleted"]), "");
}

#[test]
fn online_check_uses_the_registry_or_the_engine_at_a_given_level() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let v1 = write(dir.path(), "v1.avsc", V1);
    let v2 = write(dir.path(), "v2.avsc", V2);
    let bad = write(dir.path(), "bad.avsc", V3_BAD);
    let subject = "orders-value";

    // No versions yet: anything goes.
    let first = server.run(&["check", v1.to_str().unwrap(), "--subject", subject]);
    assert_eq!(code(&first), 0, "{}", stdout(&first));
    server.ok(&["register", v1.to_str().unwrap(), "--subject", subject]);

    let ok = server.run(&["check", v2.to_str().unwrap(), "--subject", subject]);
    assert_eq!(code(&ok), 0, "{}", stdout(&ok));
    let refused = server.run(&[
        "check",
        bad.to_str().unwrap(),
        "--subject",
        subject,
        "--format",
        "json",
    ]);
    assert_eq!(code(&refused), 1, "{}", stdout(&refused));
    let verdict: Value = serde_json::from_str(&stdout(&refused)).unwrap();
    assert_eq!(verdict["compatible"], false);
    assert_eq!(
        verdict["errors"][0]["errorType"],
        "READER_FIELD_MISSING_DEFAULT_VALUE"
    );
    assert_eq!(verdict["failingVersion"], 1);

    // Against one version only.
    server.ok(&["register", v2.to_str().unwrap(), "--subject", subject]);
    let one = server.run(&[
        "check",
        bad.to_str().unwrap(),
        "--subject",
        subject,
        "--version",
        "1",
    ]);
    assert_eq!(code(&one), 1, "{}", stdout(&one));
    assert!(stdout(&one).contains("version 1"), "{}", stdout(&one));
    let latest = server.run(&[
        "check",
        v2.to_str().unwrap(),
        "--subject",
        subject,
        "--version",
        "latest",
    ]);
    assert_eq!(code(&latest), 0, "{}", stdout(&latest));
    let missing = server.run(&[
        "check",
        v2.to_str().unwrap(),
        "--subject",
        subject,
        "--version",
        "9",
    ]);
    assert_eq!(code(&missing), 2, "{}", stdout(&missing));

    // With --level the engine decides locally: FORWARD accepts the new required field.
    let local = server.run(&[
        "check",
        bad.to_str().unwrap(),
        "--subject",
        subject,
        "--level",
        "FORWARD",
    ]);
    assert_eq!(code(&local), 0, "{}", stdout(&local));
    let local = server.run(&[
        "check",
        bad.to_str().unwrap(),
        "--subject",
        subject,
        "--level",
        "FULL",
    ]);
    assert_eq!(code(&local), 1, "{}", stdout(&local));
    assert!(stdout(&local).contains("version 2"), "{}", stdout(&local));

    // An unreachable registry is an error, not a verdict.
    let output = crate::run([
        "check",
        v2.to_str().unwrap(),
        "--subject",
        subject,
        "--registry",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(code(&output), 2);
    // Environment variables work as the flags do.
    let output = crate::strata()
        .args(["subjects"])
        .env("STRATA_REGISTRY_URL", &server.url)
        .output()
        .unwrap();
    assert_eq!(stdout(&output).trim(), subject);
}

#[test]
fn online_check_of_a_schema_with_registered_references() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let address = write(
        dir.path(),
        "address.avsc",
        r#"{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}"#,
    );
    let person = write(
        dir.path(),
        "person.avsc",
        r#"{"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"addr","type":"com.acme.Address"}]}"#,
    );
    let person_bad = write(
        dir.path(),
        "person2.avsc",
        r#"{"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"addr","type":"com.acme.Address"},{"name":"age","type":"int"}]}"#,
    );
    server.ok(&["register", address.to_str().unwrap(), "--subject", "addr"]);
    let reference = "com.acme.Address=addr:1";
    server.ok(&[
        "register",
        person.to_str().unwrap(),
        "--subject",
        "person",
        "--reference",
        reference,
    ]);
    for level in [None, Some("BACKWARD_TRANSITIVE")] {
        let mut args = vec![
            "check",
            person.to_str().unwrap(),
            "--subject",
            "person",
            "--registered-reference",
            reference,
        ];
        args.extend(level.map(|l| ["--level", l]).into_iter().flatten());
        let same = server.run(&args);
        assert_eq!(code(&same), 0, "{level:?}: {}", stdout(&same));
        args[1] = person_bad.to_str().unwrap();
        let bad = server.run(&args);
        assert_eq!(code(&bad), 1, "{level:?}: {}", stdout(&bad));
        assert!(stdout(&bad).contains("'age'"), "{}", stdout(&bad));
    }
    // Without the reference the new schema does not parse: an error.
    let missing = server.run(&[
        "check",
        person.to_str().unwrap(),
        "--subject",
        "person",
        "--level",
        "BACKWARD",
    ]);
    assert_eq!(code(&missing), 2);
}
