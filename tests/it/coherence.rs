//! Several nodes on one PostgreSQL database: each learns the others' changes (NOTIFY), and a
//! node whose listening connection was cut forgets its caches once it listens again.

use serde_json::{json, Value};
use strata_tests::Postgres;

use crate::common::{Backend, TestServer};

const JSON: &str = "application/vnd.schemaregistry.v1+json";

async fn level(client: &reqwest::Client, server: &TestServer, subject: &str) -> Value {
    let response = client
        .get(format!("{}/config/{subject}", server.base))
        .send()
        .await
        .unwrap();
    response.json::<Value>().await.unwrap()["compatibilityLevel"].clone()
}

/// Polls `server` until the subject's level is `want`; fails after a generous deadline (what
/// is checked is that it happens, not how fast).
async fn until_level(client: &reqwest::Client, server: &TestServer, subject: &str, want: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while level(client, server, subject).await != json!(want) {
        assert!(
            std::time::Instant::now() < deadline,
            "{subject} never became {want} on {}",
            server.base
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_see_each_others_changes_and_forget_caches_after_losing_the_listener() {
    let postgres = Postgres::shared();
    let url = postgres.create_database();
    let a = TestServer::start_on(Backend::Postgres, url.clone(), None).await;
    let b = TestServer::start_on(Backend::Postgres, url.clone(), None).await;
    let client = reqwest::Client::new();
    let put = |server: &TestServer, level: &str| {
        client
            .put(format!("{}/config/orders", server.base))
            .header("Content-Type", JSON)
            .body(json!({ "compatibility": level }).to_string())
            .send()
    };

    // A change on one node reaches the other's cache; each reads its own writes at once.
    assert_eq!(put(&a, "FULL").await.unwrap().status(), 200);
    assert_eq!(level(&client, &a, "orders").await, json!("FULL"));
    until_level(&client, &b, "orders", "FULL").await;
    assert_eq!(put(&b, "NONE").await.unwrap().status(), 200);
    assert_eq!(level(&client, &b, "orders").await, json!("NONE"));
    until_level(&client, &a, "orders", "NONE").await;

    // Cut every connection of the nodes, then change the row behind their backs (no NOTIFY):
    // only a node that forgets its caches after listening again can see it.
    postgres.psql(
        &url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    postgres.psql(
        &url,
        "UPDATE configs SET config = replace(config, 'NONE', 'FORWARD') WHERE scope = 'orders'",
    );
    until_level(&client, &a, "orders", "FORWARD").await;
    until_level(&client, &b, "orders", "FORWARD").await;
}
