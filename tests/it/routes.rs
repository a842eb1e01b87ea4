//! Routes and error codes over real HTTP, beyond what the Confluent replay covers.

use serde_json::{json, Value};

use crate::common::{on_each_backend, Backend, TestServer};

struct Call<'a> {
    method: &'a str,
    path: &'a str,
    body: Option<&'a str>,
    content_type: Option<&'a str>,
    status: u16,
    error_code: Option<i64>,
}

async fn check(server: &TestServer, call: &Call<'_>) -> Value {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(call.method.as_bytes()).unwrap();
    let mut request = client.request(method, format!("{}{}", server.base, call.path));
    if let Some(body) = call.body {
        request = request.body(body.to_owned());
        if let Some(ct) = call.content_type {
            request = request.header("Content-Type", ct);
        }
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(status, call.status, "{} {}: {text}", call.method, call.path);
    if status != 204 {
        assert_eq!(
            content_type.as_deref(),
            Some("application/vnd.schemaregistry.v1+json"),
            "{} {}",
            call.method,
            call.path
        );
    }
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if let Some(code) = call.error_code {
        assert_eq!(
            body["error_code"],
            json!(code),
            "{} {}: {text}",
            call.method,
            call.path
        );
        assert!(body["message"].is_string());
    }
    body
}

on_each_backend!(
    #[tokio::test]
    http_errors_come_in_confluents_error_body
);
async fn http_errors_come_in_confluents_error_body(backend: Backend) {
    let server = TestServer::start(backend).await;
    let big = format!("{{\"schema\":\"{}\"}}", "x".repeat(17 * 1024 * 1024));
    let nested_body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let calls = [
        Call {
            method: "POST",
            path: "/subjects/a/versions",
            body: Some(&nested_body),
            content_type: None,
            status: 400,
            error_code: Some(400),
        },
        Call {
            method: "GET",
            path: "/nope",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(404),
        },
        Call {
            method: "DELETE",
            path: "/schemas/types",
            body: None,
            content_type: None,
            status: 405,
            error_code: Some(405),
        },
        Call {
            method: "POST",
            path: "/subjects/a/versions",
            body: Some("{"),
            content_type: Some("application/json"),
            status: 400,
            error_code: Some(400),
        },
        Call {
            method: "POST",
            path: "/subjects/a/versions",
            body: Some("{}"),
            content_type: Some("text/plain"),
            status: 415,
            error_code: Some(415),
        },
        Call {
            method: "POST",
            path: "/subjects/a/versions",
            body: Some(&big),
            content_type: Some("application/json"),
            status: 413,
            error_code: Some(413),
        },
        Call {
            method: "GET",
            path: "/subjects/missing/versions",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(40401),
        },
        Call {
            method: "GET",
            path: "/subjects/missing/versions/0",
            body: None,
            content_type: None,
            status: 422,
            error_code: Some(42202),
        },
        Call {
            method: "GET",
            path: "/schemas/ids/12345",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(40403),
        },
        Call {
            method: "GET",
            path: "/config/missing",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(40408),
        },
        Call {
            method: "GET",
            path: "/mode/missing",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(40409),
        },
        Call {
            method: "PUT",
            path: "/config",
            body: Some(r#"{"compatibility":"SIDEWAYS"}"#),
            content_type: None,
            status: 422,
            error_code: Some(42203),
        },
        Call {
            method: "PUT",
            path: "/mode",
            body: Some(r#"{"mode":"SIDEWAYS"}"#),
            content_type: None,
            status: 422,
            error_code: Some(42204),
        },
        Call {
            method: "POST",
            path: "/subjects/__GLOBAL/versions",
            body: Some(r#"{"schema":"\"int\""}"#),
            content_type: None,
            status: 422,
            error_code: Some(42208),
        },
        Call {
            method: "GET",
            path: "/associations/resources/-/topic?resourceType=topic",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(404),
        },
        Call {
            method: "DELETE",
            path: "/contexts/.never",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(40401),
        },
    ];
    for call in &calls {
        check(&server, call).await;
    }
}

on_each_backend!(
    #[tokio::test]
    schemas_beyond_the_engine_limits_are_invalid_not_fatal
);
async fn schemas_beyond_the_engine_limits_are_invalid_not_fatal(backend: Backend) {
    let server = TestServer::start(backend).await;
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let body = serde_json::json!({ "schema": deep }).to_string();
    for path in [
        "/subjects/deep/versions",
        "/compatibility/subjects/deep/versions",
    ] {
        check(
            &server,
            &Call {
                method: "POST",
                path,
                body: Some(&body),
                content_type: None,
                status: 422,
                error_code: Some(42201),
            },
        )
        .await;
    }
    // The server is still there.
    check(
        &server,
        &Call {
            method: "GET",
            path: "/",
            body: None,
            content_type: None,
            status: 200,
            error_code: None,
        },
    )
    .await;
}

on_each_backend!(
    #[tokio::test]
    configuration_modes_and_contexts_round_trip
);
async fn configuration_modes_and_contexts_round_trip(backend: Backend) {
    let server = TestServer::start(backend).await;
    let steps = [
        (
            "PUT",
            "/config/s%2Fwith%20space",
            Some(r#"{"compatibility":"full"}"#),
            200,
            json!({"compatibility": "full"}),
        ),
        (
            "GET",
            "/config/s%2Fwith%20space/",
            None,
            200,
            json!({"compatibilityLevel": "FULL"}),
        ),
        (
            "GET",
            "/config/other?defaultToGlobal=True",
            None,
            200,
            json!({"compatibilityLevel": "BACKWARD"}),
        ),
        (
            "DELETE",
            "/config/s%2Fwith%20space",
            None,
            200,
            json!({"compatibilityLevel": "FULL"}),
        ),
        (
            "PUT",
            "/mode/m",
            Some(r#"{"mode":"READONLY"}"#),
            200,
            json!({"mode": "READONLY"}),
        ),
        ("GET", "/mode/m", None, 200, json!({"mode": "READONLY"})),
        ("DELETE", "/mode/m", None, 200, json!({"mode": "READONLY"})),
        ("GET", "/contexts", None, 200, json!(["."])),
        ("GET", "/", None, 200, json!({})),
        (
            "GET",
            "/schemas/types",
            None,
            200,
            json!(["JSON", "PROTOBUF", "AVRO"]),
        ),
        ("GET", "/subjects", None, 200, json!([])),
        ("GET", "/subjects?deleted_only=True", None, 200, json!([])),
    ];
    for (method, path, body, status, want) in steps {
        let got = check(
            &server,
            &Call {
                method,
                path,
                body,
                content_type: None,
                status,
                error_code: None,
            },
        )
        .await;
        assert_eq!(got, want, "{method} {path}");
    }
}

on_each_backend!(
    #[tokio::test]
    guids_references_and_contexts
);
async fn guids_references_and_contexts(backend: Backend) {
    let server = TestServer::start(backend).await;
    let dep = r#"{"schema":"{\"type\":\"record\",\"name\":\"Dep\",\"namespace\":\"x\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"}]}"}"#;
    let holder = r#"{"schema":"{\"type\":\"record\",\"name\":\"H\",\"namespace\":\"x\",\"fields\":[{\"name\":\"d\",\"type\":\"x.Dep\"}]}","references":[{"name":"x.Dep","subject":"dep","version":1}]}"#;
    let post = |path: &'static str, body: &'static str| Call {
        method: "POST",
        path,
        body: Some(body),
        content_type: Some("application/vnd.schemaregistry.v1+json"),
        status: 200,
        error_code: None,
    };
    let dep_id = check(&server, &post("/subjects/dep/versions", dep)).await["id"].clone();
    let holder_id = check(&server, &post("/subjects/holder/versions", holder)).await["id"].clone();
    let referrers = check(
        &server,
        &Call {
            method: "GET",
            path: "/subjects/dep/versions/1/referencedby",
            body: None,
            content_type: None,
            status: 200,
            error_code: None,
        },
    )
    .await;
    assert_eq!(referrers, json!([holder_id]));
    check(
        &server,
        &Call {
            method: "DELETE",
            path: "/subjects/dep/versions/1",
            body: None,
            content_type: None,
            status: 422,
            error_code: Some(42206),
        },
    )
    .await;

    // The GUID is the identity fingerprint as a UUID.
    let guid = strata_schema::Fingerprint::compute(
        r#"{"type":"record","name":"Dep","namespace":"x","fields":[{"name":"v","type":"int"}]}"#,
        &[],
        None,
        None,
    )
    .guid();
    let client = reqwest::Client::new();
    let by_guid: Value = client
        .get(format!("{}/schemas/guids/{guid}", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_id: Value = client
        .get(format!("{}/schemas/ids/{dep_id}", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_guid, by_id);
    let ids: Value = client
        .get(format!("{}/schemas/guids/{guid}/ids", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids, json!([{"context": ".", "id": dep_id}]));

    // A context exists once a subject lives in it; it can be deleted once empty.
    check(&server, &post("/subjects/%3A.ctx%3Aa/versions", dep)).await;
    let contexts = check(
        &server,
        &Call {
            method: "GET",
            path: "/contexts",
            body: None,
            content_type: None,
            status: 200,
            error_code: None,
        },
    )
    .await;
    assert_eq!(contexts, json!([".", ".ctx"]));
    check(
        &server,
        &Call {
            method: "DELETE",
            path: "/contexts/.ctx",
            body: None,
            content_type: None,
            status: 422,
            error_code: Some(42211),
        },
    )
    .await;
    for path in [
        "/subjects/%3A.ctx%3Aa",
        "/subjects/%3A.ctx%3Aa?permanent=true",
    ] {
        check(
            &server,
            &Call {
                method: "DELETE",
                path,
                body: None,
                content_type: None,
                status: 200,
                error_code: None,
            },
        )
        .await;
    }
    check(
        &server,
        &Call {
            method: "DELETE",
            path: "/contexts/.ctx",
            body: None,
            content_type: None,
            status: 204,
            error_code: None,
        },
    )
    .await;
}

on_each_backend!(
    #[tokio::test]
    head_is_get_without_a_body
);
async fn head_is_get_without_a_body(backend: Backend) {
    let server = TestServer::start(backend).await;
    let response = reqwest::Client::new()
        .head(format!("{}/schemas/types", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.unwrap().is_empty());
}

on_each_backend!(
    #[tokio::test]
    bodies_up_to_the_configured_limit_are_read
);
async fn bodies_up_to_the_configured_limit_are_read(backend: Backend) {
    let server = TestServer::start(backend).await;
    // 3 MB: above axum's own default limit, below the server's 16 MB.
    let body = json!({"schema": "\"string\"", "padding": "x".repeat(3 * 1024 * 1024)}).to_string();
    let response = reqwest::Client::new()
        .post(format!("{}/subjects/big/versions", server.base))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
}

on_each_backend!(
    #[tokio::test]
    same_text_under_another_type_is_refused_not_given_the_first_types_id
);
/// Regression: the same text registered as JSON after AVRO took the Avro schema's id, so the JSON
/// subject's version read back as AVRO. The identity ignores the type (as Confluent's does), so
/// the second registration is refused, as Confluent refuses it.
async fn same_text_under_another_type_is_refused_not_given_the_first_types_id(backend: Backend) {
    let server = TestServer::start(backend).await;
    let ct = Some("application/json");
    let avro = check(
        &server,
        &Call {
            method: "POST",
            path: "/subjects/collide-avro/versions",
            body: Some(r#"{"schema":"\"string\""}"#),
            content_type: ct,
            status: 200,
            error_code: None,
        },
    )
    .await;
    let refused = check(
        &server,
        &Call {
            method: "POST",
            path: "/subjects/collide-json/versions",
            body: Some(r#"{"schema":"\"string\"","schemaType":"JSON"}"#),
            content_type: ct,
            status: 422,
            error_code: Some(42205),
        },
    )
    .await;
    assert_eq!(
        refused["message"],
        json!(format!(
            "Overwrite new schema with id {} is not permitted.",
            avro["id"]
        ))
    );
    check(
        &server,
        &Call {
            method: "GET",
            path: "/subjects/collide-json/versions",
            body: None,
            content_type: None,
            status: 404,
            error_code: Some(40401),
        },
    )
    .await;
}

on_each_backend!(
    #[tokio::test]
    a_version_registered_with_its_number_is_found_among_later_ones_before_and_after_a_restart
);
/// A version registered with an explicit number keeps `confluent:version` in its metadata, and
/// the same schema registered or looked up again without a number is that version. A registry
/// skips the records of versions it knows carry no `confluent:version`: the version must still be
/// found beneath many later ones, by the server that wrote it and by a fresh one that knows
/// nothing yet.
async fn a_version_registered_with_its_number_is_found_among_later_ones_before_and_after_a_restart(
    backend: Backend,
) {
    let (url, dir) = backend.database();
    let first = TestServer::start_on(backend, url.clone(), None).await;
    let later: Vec<String> = (0..30)
        .map(|i| {
            let record = json!({"type": "record", "name": format!("R{i}"), "fields": []});
            json!({ "schema": record.to_string() }).to_string()
        })
        .collect();
    let call = |method, path, body| Call {
        method,
        path,
        body,
        content_type: Some("application/json"),
        status: 200,
        error_code: None,
    };
    let config = r#"{"compatibility":"NONE"}"#;
    check(&first, &call("PUT", "/config/numbered", Some(config))).await;
    let numbered = r#"{"schema":"\"string\"","version":1}"#;
    let registered = "/subjects/numbered/versions";
    let first_id = check(&first, &call("POST", registered, Some(numbered))).await["id"].clone();
    assert!(first_id.is_i64());
    for schema in &later {
        check(&first, &call("POST", registered, Some(schema))).await;
    }
    let again = r#"{"schema":"\"string\""}"#;
    for server in [&first, &TestServer::start_on(backend, url, dir).await] {
        let answer = check(server, &call("POST", registered, Some(again))).await;
        assert_eq!(answer["id"], first_id);
        let found = check(server, &call("POST", "/subjects/numbered", Some(again))).await;
        assert_eq!(found["version"], json!(1));
        assert_eq!(found["id"], first_id);
        let versions = check(server, &call("GET", registered, None)).await;
        assert_eq!(versions.as_array().map(Vec::len), Some(31));
    }
}
