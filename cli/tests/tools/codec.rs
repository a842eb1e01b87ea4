//! `strata encode` then `strata decode` through a real registry.

use serde_json::{json, Value};

use crate::{code, run_with_stdin, stdout, write, Server};

fn round_trip(server: &Server, subject: &str, record: &Value, extra: &[&str]) -> Value {
    let mut encode = vec!["encode", "--subject", subject, "--registry", &server.url];
    encode.extend_from_slice(extra);
    let mut decoded = None;
    for encoding in ["raw", "hex", "base64"] {
        let mut args = encode.clone();
        args.extend(["--encoding", encoding]);
        let bytes = run_with_stdin(&args, record.to_string().as_bytes());
        assert_eq!(
            code(&bytes),
            0,
            "encode: {}",
            String::from_utf8_lossy(&bytes.stderr)
        );
        let output = run_with_stdin(
            &["decode", "--registry", &server.url, "--encoding", encoding],
            &bytes.stdout,
        );
        assert_eq!(
            code(&output),
            0,
            "decode: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let value: Value = serde_json::from_str(&stdout(&output)).unwrap();
        if let Some(previous) = &decoded {
            assert_eq!(&value, previous, "{encoding} decodes as the others do");
        }
        decoded = Some(value);
    }
    decoded.unwrap()
}

#[test]
fn avro_json_and_protobuf_records_round_trip() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let avro = write(
        dir.path(),
        "r.avsc",
        r#"{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"name","type":["null","string"],"default":null},{"name":"tags","type":{"type":"array","items":"string"}},{"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B"]}}]}"#,
    );
    let schema = write(
        dir.path(),
        "s.json",
        r#"{"type":"object","properties":{"n":{"type":"integer"},"s":{"type":"string"}},"required":["n"]}"#,
    );
    let proto = write(
        dir.path(),
        "m.proto",
        "syntax = \"proto3\";\npackage t;\nmessage First { int32 x = 1; }\nmessage Outer { message Inner { string s = 1; repeated int64 v = 2; } Inner i = 1; }\n",
    );
    server.ok(&["register", avro.to_str().unwrap(), "--subject", "avro"]);
    server.ok(&["register", schema.to_str().unwrap(), "--subject", "json"]);
    server.ok(&["register", proto.to_str().unwrap(), "--subject", "proto"]);

    let record = json!({"id": 7, "name": "seven", "tags": ["a", "b"], "kind": "B"});
    assert_eq!(round_trip(&server, "avro", &record, &[]), record);
    // The Avro JSON encoding, as Confluent's console tools write it, both ways.
    let bytes = run_with_stdin(
        &["encode", "--subject", "avro", "--registry", &server.url],
        record.to_string().as_bytes(),
    );
    let avro_json = run_with_stdin(
        &["decode", "--registry", &server.url, "--avro-json"],
        &bytes.stdout,
    );
    let wrapped: Value = serde_json::from_str(&stdout(&avro_json)).unwrap();
    assert_eq!(wrapped["name"], json!({"string": "seven"}));
    let again = run_with_stdin(
        &["encode", "--subject", "avro", "--registry", &server.url],
        wrapped.to_string().as_bytes(),
    );
    assert_eq!(again.stdout, bytes.stdout);
    let record = json!({"id": 8, "name": null, "tags": [], "kind": "A"});
    assert_eq!(round_trip(&server, "avro", &record, &[]), record);

    let record = json!({"n": 1, "s": "x"});
    assert_eq!(round_trip(&server, "json", &record, &[]), record);

    let record = json!({"s": "hi", "v": ["1", "2"]});
    assert_eq!(
        round_trip(&server, "proto", &record, &["--message", "t.Outer.Inner"]),
        record
    );
    let record = json!({"x": 5});
    assert_eq!(round_trip(&server, "proto", &record, &[]), record);

    // --schema picks a registered schema explicitly.
    let record = json!({"n": 2});
    assert_eq!(
        round_trip(
            &server,
            "json",
            &record,
            &["--schema", schema.to_str().unwrap()]
        ),
        record
    );

    // Records that do not match the schema, and bytes that are not a record, are errors.
    let bad = run_with_stdin(
        &["encode", "--subject", "json", "--registry", &server.url],
        br#"{"s": "no n"}"#,
    );
    assert_eq!(code(&bad), 2);
    let bad = run_with_stdin(
        &["encode", "--subject", "avro", "--registry", &server.url],
        br#"{"id": "x"}"#,
    );
    assert_eq!(code(&bad), 2);
    let bad = run_with_stdin(
        &["decode", "--registry", &server.url, "--encoding", "hex"],
        b"0100000001",
    );
    assert_eq!(code(&bad), 2);
    let unknown_id = run_with_stdin(
        &["decode", "--registry", &server.url, "--encoding", "hex"],
        b"00000003e8 00",
    );
    assert_eq!(code(&unknown_id), 2);
}

#[test]
fn records_of_schemas_with_references_round_trip() {
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
        r#"{"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"addr","type":"com.acme.Address"}]}"#,
    );
    let dep = write(
        dir.path(),
        "dep.proto",
        "syntax = \"proto3\";\npackage d;\nmessage D { string x = 1; }\n",
    );
    let outer = write(
        dir.path(),
        "m.proto",
        "syntax = \"proto3\";\npackage m;\nimport \"dep.proto\";\nmessage M { d.D d = 1; int32 n = 2; }\n",
    );
    server.ok(&["register", address.to_str().unwrap(), "--subject", "addr"]);
    server.ok(&[
        "register",
        person.to_str().unwrap(),
        "--subject",
        "person",
        "--reference",
        "com.acme.Address=addr:1",
    ]);
    server.ok(&["register", dep.to_str().unwrap(), "--subject", "dep"]);
    server.ok(&[
        "register",
        outer.to_str().unwrap(),
        "--subject",
        "outer",
        "--reference",
        "dep.proto=dep:1",
    ]);
    let record = json!({"name": "Ada", "addr": {"street": "Main"}});
    assert_eq!(round_trip(&server, "person", &record, &[]), record);
    let record = json!({"d": {"x": "y"}, "n": 4});
    assert_eq!(round_trip(&server, "outer", &record, &[]), record);
}
