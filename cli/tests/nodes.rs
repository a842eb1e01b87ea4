//! Scale-out on PostgreSQL: several real `strata serve` processes on one database, no leader.
//!
//! - Three nodes, 64 concurrent clients spread over them registering overlapping schemas into
//!   shared subjects, one node killed with `kill -9` half-way: one id per schema, no
//!   acknowledged registration lost, gap-free versions, every surviving node answers every id.
//! - PostgreSQL stopped and started again under load: requests fail fast with Confluent's
//!   500/50001|50002 meanwhile, and the same nodes serve fully afterwards, nothing lost.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use strata_tests::Postgres;

const JSON: &str = "application/vnd.schemaregistry.v1+json";

/// A `strata serve` process, killed when dropped (a failing test leaves nothing running).
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn node(database_url: &str) -> (Node, String) {
    let (child, base) = strata_tests::serve(
        env!("CARGO_BIN_EXE_strata").as_ref(),
        database_url,
        &["--pg-acquire-timeout-ms", "1000"],
    );
    (Node(child), base)
}

fn schema(i: usize) -> String {
    format!(
        "{{\"type\":\"record\",\"name\":\"R{i}\",\"fields\":[{{\"name\":\"f{i}\",\"type\":\"int\"}}]}}"
    )
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `POST /subjects/{subject}/versions`: the status and body, or `None` if the node is gone.
async fn register(
    client: &reqwest::Client,
    base: &str,
    subject: &str,
    i: usize,
) -> Option<(u16, Value)> {
    let response = client
        .post(format!("{base}/subjects/{subject}/versions"))
        .header("Content-Type", JSON)
        .body(json!({ "schema": schema(i) }).to_string())
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let body = response.json().await.ok()?;
    Some((status, body))
}

async fn get(client: &reqwest::Client, url: String) -> (u16, Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Every version of every subject, read from one node: subject → [(version, id)].
async fn contents(client: &reqwest::Client, base: &str) -> BTreeMap<String, Vec<(i64, i64)>> {
    let (_, subjects) = get(client, format!("{base}/subjects")).await;
    let mut out = BTreeMap::new();
    for subject in subjects.as_array().unwrap() {
        let subject = subject.as_str().unwrap();
        let (_, versions) = get(client, format!("{base}/subjects/{subject}/versions")).await;
        let mut rows = Vec::new();
        for v in versions.as_array().unwrap() {
            let v = v.as_i64().unwrap();
            let (_, body) = get(client, format!("{base}/subjects/{subject}/versions/{v}")).await;
            rows.push((v, body["id"].as_i64().unwrap()));
        }
        out.insert(subject.to_owned(), rows);
    }
    out
}

async fn set_compatibility_none(client: &reqwest::Client, base: &str) {
    let response = client
        .put(format!("{base}/config"))
        .header("Content-Type", JSON)
        .body(r#"{"compatibility":"NONE"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_64_clients_and_a_kill_9_lose_and_duplicate_nothing() {
    const CLIENTS: usize = 64;
    const STEPS: usize = 30;
    const SCHEMAS: usize = 60;
    const SUBJECTS: usize = 8;
    let postgres = Postgres::shared();
    let url = postgres.create_database();
    let mut nodes: Vec<(Node, String)> = (0..3).map(|_| node(&url)).collect();
    let bases: Vec<String> = nodes.iter().map(|(_, base)| base.clone()).collect();
    let client = http();
    set_compatibility_none(&client, &bases[0]).await;

    // Each client registers overlapping schemas into shared subjects on its node; when its node
    // is gone it moves on to the next one and registers the same schema again (idempotent).
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, usize, i64)>();
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (client, bases, tx, acknowledged) = (
            client.clone(),
            bases.clone(),
            tx.clone(),
            acknowledged.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut at = c % bases.len();
            for step in 0..STEPS {
                let i = (c * 7 + step * 11) % SCHEMAS;
                let subject = format!("shared-{}", (c + step) % SUBJECTS);
                loop {
                    match register(&client, &bases[at], &subject, i).await {
                        Some((200, body)) => {
                            let id = body["id"].as_i64().unwrap();
                            tx.send((subject.clone(), i, id)).unwrap();
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        Some((status, body)) => panic!("{status} {body} from {}", bases[at]),
                        None => at = (at + 1) % bases.len(),
                    }
                }
            }
        }));
    }
    drop(tx);

    // Kill node 0 half-way through.
    while acknowledged.load(Ordering::SeqCst) < CLIENTS * STEPS / 2
        && !clients.iter().all(|c| c.is_finished())
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (mut killed, _) = nodes.remove(0);
    killed.0.kill().unwrap(); // SIGKILL
    killed.0.wait().unwrap();
    for task in clients {
        task.await.unwrap();
    }
    let mut acks = Vec::new();
    while let Some(ack) = rx.recv().await {
        acks.push(ack);
    }
    assert_eq!(acks.len(), CLIENTS * STEPS);

    // One id per schema, one schema per id.
    let mut id_of: BTreeMap<usize, BTreeSet<i64>> = BTreeMap::new();
    for (_, i, id) in &acks {
        id_of.entry(*i).or_default().insert(*id);
    }
    for (i, ids) in &id_of {
        assert_eq!(ids.len(), 1, "schema {i} got ids {ids:?}");
    }
    let distinct: BTreeSet<i64> = id_of.values().flatten().copied().collect();
    assert_eq!(distinct.len(), id_of.len(), "two schemas share an id");

    // Every acknowledged registration is there, versions are gap-free and each node sees the
    // same subjects.
    let survivors: Vec<String> = nodes.iter().map(|(_, base)| base.clone()).collect();
    let stored = contents(&client, &survivors[0]).await;
    assert_eq!(stored, contents(&client, &survivors[1]).await);
    for (subject, rows) in &stored {
        let versions: Vec<i64> = rows.iter().map(|(v, _)| *v).collect();
        let expected: Vec<i64> = (1..=i64::try_from(rows.len()).unwrap()).collect();
        assert_eq!(versions, expected, "versions of {subject}");
        let ids: BTreeSet<i64> = rows.iter().map(|(_, id)| *id).collect();
        assert_eq!(ids.len(), rows.len(), "a schema twice in {subject}");
    }
    for (subject, i, id) in &acks {
        assert!(
            stored[subject].iter().any(|(_, stored_id)| stored_id == id),
            "acknowledged schema {i} (id {id}) missing from {subject}"
        );
    }

    // Every surviving node answers every id with its schema.
    for base in &survivors {
        for (i, ids) in &id_of {
            let id = ids.first().unwrap();
            let (status, body) = get(&client, format!("{base}/schemas/ids/{id}")).await;
            assert_eq!(status, 200, "{base} id {id}: {body}");
            assert!(body["schema"]
                .as_str()
                .unwrap()
                .contains(&format!("\"R{i}\"")));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_fail_fast_while_postgres_is_down_and_recover_by_themselves() {
    const WRITERS: usize = 8;
    let postgres = Postgres::start();
    let url = postgres.create_database();
    let nodes: Vec<(Node, String)> = (0..2).map(|_| node(&url)).collect();
    let bases: Vec<String> = nodes.iter().map(|(_, base)| base.clone()).collect();
    let client = http();

    // Writers register new subjects, one after another, on both nodes, and report every answer.
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u16, Value)>();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (client, base, tx, next, stop) = (
            client.clone(),
            bases[w % bases.len()].clone(),
            tx.clone(),
            next.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let (status, body) = register(&client, &base, &format!("restart-{i}"), i)
                    .await
                    .expect("the node answers (a hang or a crash fails the test)");
                tx.send((i, status, body)).unwrap();
            }
        }));
    }
    drop(tx);

    let mut acknowledged: Vec<(usize, i64)> = Vec::new();
    let mut outage_errors = 0;
    // Phase 1: service. Phase 2: PostgreSQL down. Phase 3: PostgreSQL back.
    let mut phase = 1;
    let mut acked_in_phase = 0;
    while let Some((i, status, body)) = rx.recv().await {
        match status {
            200 => {
                acknowledged.push((i, body["id"].as_i64().unwrap()));
                acked_in_phase += 1;
            }
            500 => {
                let code = body["error_code"].as_i64().unwrap();
                assert!(code == 50001 || code == 50002, "{body}");
                assert!(phase >= 2, "an error before the outage: {body}");
                if phase == 2 {
                    outage_errors += 1;
                }
            }
            other => panic!("unexpected {other} {body}"),
        }
        if phase == 1 && acked_in_phase >= 100 {
            tokio::task::block_in_place(|| postgres.stop());
            phase = 2;
            acked_in_phase = 0;
        } else if phase == 2 && outage_errors >= 2 * WRITERS {
            tokio::task::block_in_place(|| postgres.start_again());
            phase = 3;
            acked_in_phase = 0;
        } else if phase == 3 && acked_in_phase >= 100 {
            stop.store(true, Ordering::SeqCst);
        }
    }
    for writer in writers {
        writer.await.unwrap();
    }
    assert_eq!(phase, 3);
    assert!(outage_errors >= 2 * WRITERS);

    // Everything acknowledged, before or after the outage, is there on both nodes, and no
    // registration was half-written: a subject exists only with its one version and schema.
    for base in &bases {
        for (i, id) in &acknowledged {
            let (status, body) =
                get(&client, format!("{base}/subjects/restart-{i}/versions/1")).await;
            assert_eq!(
                (status, body["id"].as_i64()),
                (200, Some(*id)),
                "restart-{i} on {base}"
            );
        }
        let (_, subjects) = get(&client, format!("{base}/subjects")).await;
        for subject in subjects.as_array().unwrap() {
            let subject = subject.as_str().unwrap();
            let (_, versions) = get(&client, format!("{base}/subjects/{subject}/versions")).await;
            assert_eq!(versions, json!([1]), "{subject}");
            let (status, _) = get(
                &client,
                format!("{base}/subjects/{subject}/versions/1/schema"),
            )
            .await;
            assert_eq!(status, 200, "{subject}");
        }
    }
}
