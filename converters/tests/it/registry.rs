//! Registries for the tests of this crate: the real Strata server in-process (SQLite in a
//! temporary directory), and a minimal counting registry that proves the warm path makes no
//! request.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value as Json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Store {
    /// (schema type, text, references) by id - 1.
    schemas: Vec<(String, String, Json)>,
    /// subject → schema ids by version - 1.
    subjects: Vec<(String, Vec<usize>)>,
}

/// A running test registry.
pub struct TestRegistry {
    /// Its base URL.
    pub url: String,
    requests: Arc<AtomicUsize>,
}

impl TestRegistry {
    /// How many requests it answered.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

#[derive(Clone)]
struct AppState {
    store: Arc<Mutex<Store>>,
}

type Reply = (StatusCode, axum::Json<Json>);

fn not_found(code: u32, message: &str) -> Reply {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"error_code": code, "message": message})),
    )
}

fn parse_body(body: &Bytes) -> (String, String, Json) {
    let j: Json = serde_json::from_slice(body).unwrap();
    (
        j.get("schemaType")
            .and_then(Json::as_str)
            .unwrap_or("AVRO")
            .to_owned(),
        j["schema"].as_str().unwrap().to_owned(),
        j.get("references").cloned().unwrap_or(json!([])),
    )
}

fn registered(store: &Store, subject: &str, version: usize, id: usize) -> Json {
    let (t, s, r) = &store.schemas[id - 1];
    json!({"subject": subject, "version": version, "id": id, "schemaType": t, "schema": s, "references": r})
}

async fn register(State(st): State<AppState>, Path(subject): Path<String>, body: Bytes) -> Reply {
    let schema = parse_body(&body);
    let mut store = st.store.lock().unwrap();
    let id = match store.schemas.iter().position(|s| *s == schema) {
        Some(i) => i + 1,
        None => {
            store.schemas.push(schema);
            store.schemas.len()
        }
    };
    let pos = match store.subjects.iter().position(|(s, _)| *s == subject) {
        Some(p) => p,
        None => {
            store.subjects.push((subject.clone(), Vec::new()));
            store.subjects.len() - 1
        }
    };
    if !store.subjects[pos].1.contains(&id) {
        store.subjects[pos].1.push(id);
    }
    (StatusCode::OK, axum::Json(json!({ "id": id })))
}

async fn lookup(State(st): State<AppState>, Path(subject): Path<String>, body: Bytes) -> Reply {
    let schema = parse_body(&body);
    let store = st.store.lock().unwrap();
    let Some((_, ids)) = store.subjects.iter().find(|(s, _)| *s == subject) else {
        return not_found(40401, "Subject not found.");
    };
    for (v, id) in ids.iter().enumerate() {
        if store.schemas[id - 1] == schema {
            return (
                StatusCode::OK,
                axum::Json(registered(&store, &subject, v + 1, *id)),
            );
        }
    }
    not_found(40403, "Schema not found")
}

async fn by_id(State(st): State<AppState>, Path(id): Path<usize>) -> Reply {
    let store = st.store.lock().unwrap();
    match store.schemas.get(id.wrapping_sub(1)) {
        Some((t, s, r)) => (
            StatusCode::OK,
            axum::Json(json!({"schemaType": t, "schema": s, "references": r})),
        ),
        None => not_found(40403, "Schema not found"),
    }
}

async fn version(State(st): State<AppState>, Path((subject, v)): Path<(String, String)>) -> Reply {
    let store = st.store.lock().unwrap();
    let Some((_, ids)) = store.subjects.iter().find(|(s, _)| *s == subject) else {
        return not_found(40401, "Subject not found.");
    };
    let index = if v == "latest" || v == "-1" {
        ids.len()
    } else {
        v.parse().unwrap_or(0)
    };
    match ids.get(index.wrapping_sub(1)) {
        Some(id) => (
            StatusCode::OK,
            axum::Json(registered(&store, &subject, index, *id)),
        ),
        None => not_found(40402, "Version not found."),
    }
}

/// Starts a registry on 127.0.0.1 (bound before it is served: no sleeps).
pub async fn start() -> TestRegistry {
    let requests = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        store: Arc::default(),
    };
    let counter = requests.clone();
    let app = Router::new()
        .route("/subjects/{subject}/versions", post(register))
        .route("/subjects/{subject}", post(lookup))
        .route("/subjects/{subject}/versions/{version}", get(version))
        .route("/schemas/ids/{id}", get(by_id))
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    next.run(req).await
                }
            },
        ))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    TestRegistry { url, requests }
}

/// A running Strata server, in-process, on a fresh SQLite database.
pub struct RealRegistry {
    /// Its base URL.
    pub url: String,
    dir: std::path::PathBuf,
}

impl Drop for RealRegistry {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts the real server on 127.0.0.1 (bound before it is served: no sleeps).
pub async fn start_real() -> RealRegistry {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "strata-converters-it-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = strata_server::ServerConfig {
        bind: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}", dir.join("registry.db").display()),
        ..strata_server::ServerConfig::default()
    };
    let server = strata_server::Server::bind(config).await.unwrap();
    let url = format!("http://{}", server.local_addr());
    tokio::spawn(server.run(std::future::pending()));
    RealRegistry { url, dir }
}
