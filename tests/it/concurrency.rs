//! Many clients at once: one id per schema, gap-free versions per subject, whether the clients
//! write one subject or many.

use serde_json::{json, Value};

use crate::common::{on_each_backend, Backend, TestServer};

async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// Sets the compatibility level at `url` (`/config` or `/config/{subject}`) to NONE.
async fn compatibility_none(client: &reqwest::Client, url: String) {
    let response = client
        .put(url)
        .header("Content-Type", "application/json")
        .body(r#"{"compatibility":"NONE"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

/// A one-field Avro record schema named `name`, as a registration body.
fn record_named(name: &str) -> Value {
    json!({"schema": format!(
        "{{\"type\":\"record\",\"name\":\"{name}\",\"fields\":[{{\"name\":\"a\",\"type\":\"int\"}}]}}"
    )})
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let response = client
        .post(url)
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

on_each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    thirty_two_clients_registering_the_same_schema_get_one_id_and_one_version
);
async fn thirty_two_clients_registering_the_same_schema_get_one_id_and_one_version(
    backend: Backend,
) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let schema = record_named("R");
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let client = client.clone();
            let url = format!("{}/subjects/same/versions", server.base);
            let body = schema.clone();
            tokio::spawn(async move { post(&client, url, body).await })
        })
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
        ids.insert(body["id"].as_i64().unwrap());
    }
    assert_eq!(ids.len(), 1, "one id for one schema: {ids:?}");
    let versions: Value =
        get_json(&client, format!("{}/subjects/same/versions", server.base)).await;
    assert_eq!(versions, json!([1]));
}

on_each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    thirty_two_different_schemas_in_one_subject_get_thirty_two_consecutive_versions
);
async fn thirty_two_different_schemas_in_one_subject_get_thirty_two_consecutive_versions(
    backend: Backend,
) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    compatibility_none(&client, format!("{}/config/many", server.base)).await;
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let client = client.clone();
            let url = format!("{}/subjects/many/versions", server.base);
            let body = record_named(&format!("R{i}"));
            tokio::spawn(async move { post(&client, url, body).await })
        })
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
        ids.insert(body["id"].as_i64().unwrap());
    }
    assert_eq!(ids.len(), 32, "32 schemas, 32 ids");
    let versions: Value =
        get_json(&client, format!("{}/subjects/many/versions", server.base)).await;
    let expected: Vec<i64> = (1..=32).collect();
    assert_eq!(versions, json!(expected));
}

on_each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    one_schema_in_thirty_two_subjects_at_once_gets_one_id_and_new_schemas_distinct_ones
);
async fn one_schema_in_thirty_two_subjects_at_once_gets_one_id_and_new_schemas_distinct_ones(
    backend: Backend,
) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    compatibility_none(&client, format!("{}/config", server.base)).await;
    let same = record_named("Shared");
    // Each subject gets the shared schema and one of its own, all at once.
    let tasks: Vec<_> = (0..32)
        .flat_map(|i| {
            let own = record_named(&format!("Own{i}"));
            [(i, true, same.clone()), (i, false, own)]
        })
        .map(|(i, shared, body)| {
            let client = client.clone();
            let url = format!("{}/subjects/spread-{i}/versions", server.base);
            tokio::spawn(async move { (shared, post(&client, url, body).await) })
        })
        .collect();
    let mut shared_ids = std::collections::BTreeSet::new();
    let mut own_ids = std::collections::BTreeSet::new();
    for task in tasks {
        let (shared, (status, body)) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
        let id = body["id"].as_i64().unwrap();
        if shared {
            shared_ids.insert(id);
        } else {
            own_ids.insert(id);
        }
    }
    assert_eq!(shared_ids.len(), 1, "one id for one schema: {shared_ids:?}");
    assert_eq!(own_ids.len(), 32, "32 schemas, 32 ids: {own_ids:?}");
    assert!(own_ids.is_disjoint(&shared_ids));
    // Every subject has versions 1 and 2, one per schema.
    for i in 0..32 {
        let versions: Value = get_json(
            &client,
            format!("{}/subjects/spread-{i}/versions", server.base),
        )
        .await;
        assert_eq!(versions, json!([1, 2]), "spread-{i}");
    }
}

/// Sends a registration and hangs up without waiting for the answer.
async fn register_and_hang_up(addr: std::net::SocketAddr, subject: String, n: usize) {
    use tokio::io::AsyncWriteExt;
    let body = record_named(&format!("Gone{n}")).to_string();
    let request = format!(
        "POST /subjects/{subject}/versions HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    // Let the request get under way, then reset the connection at some point of it (a client
    // that exits with its connections open).
    tokio::time::sleep(std::time::Duration::from_micros(50 * (n % 40) as u64)).await;
    stream.set_zero_linger().unwrap();
    drop(stream);
}

on_each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    clients_that_hang_up_mid_registration_leave_nothing_locked_or_half_written
);
async fn clients_that_hang_up_mid_registration_leave_nothing_locked_or_half_written(
    backend: Backend,
) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    compatibility_none(&client, format!("{}/config", server.base)).await;
    let tasks: Vec<_> = (0..1000)
        .map(|n| {
            tokio::spawn(register_and_hang_up(
                server.addr,
                format!("gone-{}", n % 8),
                n,
            ))
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    // Writes still go through (a wedged write lock would hold this forever: the guard turns a
    // hang into a failure), and every version a hung-up client left is whole.
    let register = async {
        for n in 0..8 {
            let url = format!("{}/subjects/gone-{n}/versions", server.base);
            let body = json!({"schema": "{\"type\":\"string\"}"});
            let (status, body) = post(&client, url, body).await;
            assert_eq!(status, 200, "{body}");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(120), register)
        .await
        .expect("registrations after clients hung up did not finish");
    for n in 0..8 {
        let versions = get_json(
            &client,
            format!("{}/subjects/gone-{n}/versions", server.base),
        )
        .await;
        let versions: Vec<i64> = serde_json::from_value(versions).unwrap();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected, "gap-free versions in gone-{n}");
        for v in versions {
            let got = get_json(
                &client,
                format!("{}/subjects/gone-{n}/versions/{v}", server.base),
            )
            .await;
            assert!(got["id"].as_i64().is_some(), "{got}");
        }
    }
}
