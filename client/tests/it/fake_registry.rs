//! A small in-memory registry following Confluent's documented semantics closely enough for the
//! client scenario: ids shared across subjects, soft and permanent deletes, subject configs and
//! modes, and a BACKWARD check for Avro records (a new field needs a default). It stands in for
//! a real registry until one can run in these tests; the scenario runs unchanged against a real
//! one (see `scenario.rs`).

// Handlers return ready-made error responses; their size does not matter in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

#[derive(Clone)]
struct StoredSchema {
    schema_type: String,
    text: String,
    references: Value,
}

#[derive(Clone, Copy)]
struct StoredVersion {
    version: i32,
    id: i32,
    deleted: bool,
}

#[derive(Default)]
struct Registry {
    schemas: Vec<StoredSchema>,
    subjects: BTreeMap<String, Vec<StoredVersion>>,
    configs: BTreeMap<String, String>,
    modes: BTreeMap<String, String>,
}

type Shared = Arc<Mutex<Registry>>;
type Params = Query<HashMap<String, String>>;

fn error(status: u16, code: i32, message: impl Into<String>) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        Json(json!({"error_code": code, "message": message.into()})),
    )
        .into_response()
}

fn flag(params: &HashMap<String, String>, name: &str) -> bool {
    params
        .get(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

struct Candidate {
    schema_type: String,
    text: String,
    references: Value,
}

fn candidate(body: &Bytes) -> Result<Candidate, Response> {
    let body: Value = serde_json::from_slice(body).map_err(|e| error(400, 400, e.to_string()))?;
    let text = body["schema"].as_str().unwrap_or_default();
    let schema_type = body["schemaType"].as_str().unwrap_or("AVRO").to_owned();
    let parsed: Value = serde_json::from_str(text).map_err(|e| {
        error(
            422,
            42201,
            format!("Invalid schema of type {schema_type}, details: {e}"),
        )
    })?;
    Ok(Candidate {
        schema_type,
        text: parsed.to_string(),
        references: body.get("references").cloned().unwrap_or_else(|| json!([])),
    })
}

/// BACKWARD for Avro records: every field the new schema has and the old lacks needs a default.
fn backward_errors(new: &str, old: &str) -> Vec<String> {
    let (Ok(new), Ok(old)) = (
        serde_json::from_str::<Value>(new),
        serde_json::from_str::<Value>(old),
    ) else {
        return Vec::new();
    };
    let names = |v: &Value| -> Vec<String> {
        v["fields"]
            .as_array()
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|f| f["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let old_names = names(&old);
    new["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .filter(|f| {
                    f.get("default").is_none()
                        && !old_names.iter().any(|n| Some(n.as_str()) == f["name"].as_str())
                })
                .map(|f| {
                    format!(
                        "{{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field '{}' has no default value', additionalInfo:'{}'}}",
                        f["name"].as_str().unwrap_or_default(),
                        f["name"].as_str().unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Registry {
    fn live(&self, subject: &str) -> Vec<StoredVersion> {
        self.subjects
            .get(subject)
            .map(|versions| versions.iter().filter(|v| !v.deleted).copied().collect())
            .unwrap_or_default()
    }

    fn schema_object(&self, subject: &str, version: StoredVersion) -> Value {
        let schema = &self.schemas[(version.id - 1) as usize];
        let mut object = json!({
            "subject": subject, "version": version.version, "id": version.id,
            "schema": schema.text,
        });
        if schema.schema_type != "AVRO" {
            object["schemaType"] = json!(schema.schema_type);
        }
        object
    }

    fn mode(&self, subject: &str) -> &str {
        self.modes
            .get(subject)
            .or_else(|| self.modes.get(""))
            .map_or("READWRITE", String::as_str)
    }

    fn level(&self, subject: &str) -> &str {
        self.configs
            .get(subject)
            .or_else(|| self.configs.get(""))
            .map_or("BACKWARD", String::as_str)
    }

    fn find_version(
        &self,
        subject: &str,
        version: &str,
        deleted: bool,
    ) -> Result<StoredVersion, Response> {
        let visible: Vec<StoredVersion> = self
            .subjects
            .get(subject)
            .map(|vs| {
                vs.iter()
                    .filter(|v| deleted || !v.deleted)
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        if visible.is_empty() {
            return Err(error(404, 40401, format!("Subject '{subject}' not found.")));
        }
        let number = if version.eq_ignore_ascii_case("latest") {
            -1
        } else {
            match version.parse::<i32>() {
                Ok(n) if n >= 1 || n == -1 => n,
                _ => {
                    return Err(error(
                        422,
                        42202,
                        format!("The specified version '{version}' is not a valid version id."),
                    ))
                }
            }
        };
        let found = if number == -1 {
            self.live(subject).last().copied()
        } else {
            visible.iter().find(|v| v.version == number).copied()
        };
        found.ok_or_else(|| error(404, 40402, format!("Version {number} not found.")))
    }
}

async fn subjects(State(state): State<Shared>, Query(params): Params) -> Response {
    let registry = state.lock().unwrap();
    let deleted = flag(&params, "deleted");
    let prefix = params.get("subjectPrefix").cloned().unwrap_or_default();
    let names: Vec<&String> = registry
        .subjects
        .iter()
        .filter(|(name, versions)| {
            name.starts_with(&prefix) && versions.iter().any(|v| deleted || !v.deleted)
        })
        .map(|(name, _)| name)
        .collect();
    Json(names).into_response()
}

async fn lookup(
    State(state): State<Shared>,
    Path(subject): Path<String>,
    Query(params): Params,
    body: Bytes,
) -> Response {
    let candidate = match candidate(&body) {
        Ok(c) => c,
        Err(response) => return response,
    };
    let registry = state.lock().unwrap();
    let deleted = flag(&params, "deleted");
    let Some(versions) = registry.subjects.get(&subject) else {
        return error(404, 40401, format!("Subject '{subject}' not found."));
    };
    for version in versions.iter().rev().filter(|v| deleted || !v.deleted) {
        if registry.schemas[(version.id - 1) as usize].text == candidate.text {
            return Json(registry.schema_object(&subject, *version)).into_response();
        }
    }
    error(404, 40403, "Schema not found")
}

async fn register(
    State(state): State<Shared>,
    Path(subject): Path<String>,
    body: Bytes,
) -> Response {
    let candidate = match candidate(&body) {
        Ok(c) => c,
        Err(response) => return response,
    };
    let mut registry = state.lock().unwrap();
    if registry.mode(&subject) != "READWRITE" {
        return error(
            422,
            42205,
            format!("Subject {subject} in context . is in read-only mode"),
        );
    }
    let live = registry.live(&subject);
    for version in &live {
        if registry.schemas[(version.id - 1) as usize].text == candidate.text {
            return Json(json!({"id": version.id, "version": version.version})).into_response();
        }
    }
    if let Some(latest) = live.last() {
        if registry.level(&subject) != "NONE" {
            let old = &registry.schemas[(latest.id - 1) as usize];
            let errors = backward_errors(&candidate.text, &old.text);
            if !errors.is_empty() {
                return error(
                    409,
                    40901,
                    format!(
                        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                        errors.join(", ")
                    ),
                );
            }
        }
    }
    let id = match registry
        .schemas
        .iter()
        .position(|s| s.text == candidate.text && s.schema_type == candidate.schema_type)
    {
        Some(index) => index as i32 + 1,
        None => {
            registry.schemas.push(StoredSchema {
                schema_type: candidate.schema_type,
                text: candidate.text,
                references: candidate.references,
            });
            registry.schemas.len() as i32
        }
    };
    let versions = registry.subjects.entry(subject).or_default();
    let version = versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    versions.push(StoredVersion {
        version,
        id,
        deleted: false,
    });
    Json(json!({"id": id, "version": version})).into_response()
}

async fn delete_subject(
    State(state): State<Shared>,
    Path(subject): Path<String>,
    Query(params): Params,
) -> Response {
    let mut registry = state.lock().unwrap();
    let permanent = flag(&params, "permanent");
    let Some(versions) = registry.subjects.get_mut(&subject) else {
        return error(404, 40401, format!("Subject '{subject}' not found."));
    };
    if permanent {
        if versions.iter().any(|v| !v.deleted) {
            return error(
                404,
                40405,
                format!(
                    "Subject '{subject}' was not deleted first before being permanently deleted"
                ),
            );
        }
        let numbers: Vec<i32> = versions.iter().map(|v| v.version).collect();
        registry.subjects.remove(&subject);
        return Json(numbers).into_response();
    }
    if versions.iter().all(|v| v.deleted) {
        return error(
            404,
            40404,
            format!(
                "Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
            ),
        );
    }
    let mut numbers = Vec::new();
    for version in versions.iter_mut().filter(|v| !v.deleted) {
        version.deleted = true;
        numbers.push(version.version);
    }
    Json(numbers).into_response()
}

async fn versions(
    State(state): State<Shared>,
    Path(subject): Path<String>,
    Query(params): Params,
) -> Response {
    let registry = state.lock().unwrap();
    let deleted = flag(&params, "deleted");
    let numbers: Vec<i32> = registry
        .subjects
        .get(&subject)
        .map(|vs| {
            vs.iter()
                .filter(|v| deleted || !v.deleted)
                .map(|v| v.version)
                .collect()
        })
        .unwrap_or_default();
    if numbers.is_empty() {
        return error(404, 40401, format!("Subject '{subject}' not found."));
    }
    Json(numbers).into_response()
}

async fn version(
    State(state): State<Shared>,
    Path((subject, version)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    let registry = state.lock().unwrap();
    match registry.find_version(&subject, &version, flag(&params, "deleted")) {
        Ok(found) => Json(registry.schema_object(&subject, found)).into_response(),
        Err(response) => response,
    }
}

async fn version_schema(
    State(state): State<Shared>,
    Path((subject, version)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    let registry = state.lock().unwrap();
    match registry.find_version(&subject, &version, flag(&params, "deleted")) {
        Ok(found) => registry.schemas[(found.id - 1) as usize]
            .text
            .clone()
            .into_response(),
        Err(response) => response,
    }
}

async fn delete_version(
    State(state): State<Shared>,
    Path((subject, version)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    let mut registry = state.lock().unwrap();
    let permanent = flag(&params, "permanent");
    let found = match registry.find_version(&subject, &version, true) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let versions = registry.subjects.entry(subject.clone()).or_default();
    if permanent {
        if !found.deleted {
            return error(404, 40407, format!("Subject '{subject}' Version {} was not deleted first before being permanently deleted", found.version));
        }
        versions.retain(|v| v.version != found.version);
    } else {
        if found.deleted {
            return error(404, 40406, format!("Subject '{subject}' Version {} was soft deleted.Set permanent=true to delete permanently", found.version));
        }
        for v in versions.iter_mut().filter(|v| v.version == found.version) {
            v.deleted = true;
        }
    }
    Json(found.version).into_response()
}

fn schema_by_id(registry: &Registry, id: &str) -> Result<(i32, StoredSchema), Response> {
    id.parse::<i32>()
        .ok()
        .filter(|id| *id >= 1)
        .and_then(|id| {
            registry
                .schemas
                .get((id - 1) as usize)
                .map(|s| (id, s.clone()))
        })
        .ok_or_else(|| error(404, 40403, format!("Schema {id} not found")))
}

async fn by_id(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let registry = state.lock().unwrap();
    match schema_by_id(&registry, &id) {
        Ok((_, schema)) => {
            let mut body = json!({"schema": schema.text, "schemaType": schema.schema_type});
            if schema.references.as_array().is_some_and(|r| !r.is_empty()) {
                body["references"] = schema.references;
            }
            Json(body).into_response()
        }
        Err(response) => response,
    }
}

async fn by_id_schema(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let registry = state.lock().unwrap();
    match schema_by_id(&registry, &id) {
        Ok((_, schema)) => schema.text.into_response(),
        Err(response) => response,
    }
}

fn holders(registry: &Registry, id: i32, deleted: bool) -> Vec<(String, i32)> {
    registry
        .subjects
        .iter()
        .flat_map(|(subject, versions)| {
            versions
                .iter()
                .filter(move |v| v.id == id && (deleted || !v.deleted))
                .map(move |v| (subject.clone(), v.version))
        })
        .collect()
}

async fn by_id_subjects(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    let registry = state.lock().unwrap();
    match schema_by_id(&registry, &id) {
        Ok((id, _)) => {
            let mut subjects: Vec<String> = holders(&registry, id, flag(&params, "deleted"))
                .into_iter()
                .map(|(s, _)| s)
                .collect();
            subjects.dedup();
            Json(subjects).into_response()
        }
        Err(response) => response,
    }
}

async fn by_id_versions(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    let registry = state.lock().unwrap();
    match schema_by_id(&registry, &id) {
        Ok((id, _)) => Json(
            holders(&registry, id, flag(&params, "deleted"))
                .into_iter()
                .map(|(subject, version)| json!({"subject": subject, "version": version}))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(response) => response,
    }
}

async fn compatibility(
    State(state): State<Shared>,
    Path(subject): Path<String>,
    Query(params): Params,
    body: Bytes,
) -> Response {
    let candidate = match candidate(&body) {
        Ok(c) => c,
        Err(response) => return response,
    };
    let registry = state.lock().unwrap();
    let messages: Vec<String> = match registry.live(&subject).last() {
        Some(latest) if registry.level(&subject) != "NONE" => backward_errors(
            &candidate.text,
            &registry.schemas[(latest.id - 1) as usize].text,
        ),
        _ => Vec::new(),
    };
    let mut body = json!({"is_compatible": messages.is_empty()});
    if flag(&params, "verbose") {
        body["messages"] = json!(messages);
    }
    Json(body).into_response()
}

const LEVELS: [&str; 7] = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
];

fn get_config_of(registry: &Registry, key: &str, params: &HashMap<String, String>) -> Response {
    match registry.configs.get(key) {
        Some(level) => Json(json!({"compatibilityLevel": level})).into_response(),
        None if key.is_empty() || flag(params, "defaultToGlobal") => {
            Json(json!({"compatibilityLevel": registry.level(key)})).into_response()
        }
        None => error(
            404,
            40408,
            format!("Subject '{key}' does not have subject-level compatibility configured"),
        ),
    }
}

fn put_config_of(registry: &mut Registry, key: String, body: &Bytes) -> Response {
    let body: Value = serde_json::from_slice(body).unwrap_or_default();
    let level = body["compatibility"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !LEVELS.contains(&level.as_str()) {
        return error(422, 42203, "Invalid compatibility level.");
    }
    registry.configs.insert(key, level.clone());
    Json(json!({"compatibility": level})).into_response()
}

fn delete_config_of(registry: &mut Registry, key: &str) -> Response {
    match registry.configs.remove(key) {
        Some(level) => Json(json!({"compatibilityLevel": level})).into_response(),
        None if key.is_empty() => Json(json!({"compatibilityLevel": "BACKWARD"})).into_response(),
        None => error(404, 40401, format!("Subject '{key}' not found.")),
    }
}

fn get_mode_of(registry: &Registry, key: &str, params: &HashMap<String, String>) -> Response {
    match registry.modes.get(key) {
        Some(mode) => Json(json!({"mode": mode})).into_response(),
        None if key.is_empty() || flag(params, "defaultToGlobal") => {
            Json(json!({"mode": registry.mode(key)})).into_response()
        }
        None => error(
            404,
            40409,
            format!("Subject '{key}' does not have subject-level mode configured"),
        ),
    }
}

fn put_mode_of(registry: &mut Registry, key: String, body: &Bytes) -> Response {
    let body: Value = serde_json::from_slice(body).unwrap_or_default();
    let mode = body["mode"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !["READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT"].contains(&mode.as_str()) {
        return error(422, 42204, "Invalid mode.");
    }
    registry.modes.insert(key, mode.clone());
    Json(json!({"mode": mode})).into_response()
}

fn delete_mode_of(registry: &mut Registry, key: &str) -> Response {
    match registry.modes.remove(key) {
        Some(mode) => Json(json!({"mode": mode})).into_response(),
        None if key.is_empty() => Json(json!({"mode": "READWRITE"})).into_response(),
        None => error(404, 40401, format!("Subject '{key}' not found.")),
    }
}

/// The fake registry's routes, with fresh empty state.
pub fn router() -> Router {
    let state: Shared = Arc::default();
    Router::new()
        .route("/", get(|| async { Json(json!({})) }))
        .route("/subjects", get(subjects))
        .route("/subjects/{subject}", post(lookup).delete(delete_subject))
        .route("/subjects/{subject}/versions", get(versions).post(register))
        .route(
            "/subjects/{subject}/versions/{version}",
            get(version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(version_schema),
        )
        .route("/schemas/ids/{id}", get(by_id))
        .route("/schemas/ids/{id}/schema", get(by_id_schema))
        .route("/schemas/ids/{id}/subjects", get(by_id_subjects))
        .route("/schemas/ids/{id}/versions", get(by_id_versions))
        .route(
            "/schemas/types",
            get(|| async { Json(json!(["JSON", "PROTOBUF", "AVRO"])) }),
        )
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(compatibility),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(
                |state: State<Shared>,
                 Path((subject, _version)): Path<(String, String)>,
                 params: Params,
                 body: Bytes| async move {
                    compatibility(state, Path(subject), params, body).await
                },
            ),
        )
        .route(
            "/config",
            get(
                |State(s): State<Shared>, Query(p): Params| async move {
                    get_config_of(&s.lock().unwrap(), "", &p)
                },
            )
            .put(|State(s): State<Shared>, body: Bytes| async move {
                put_config_of(&mut s.lock().unwrap(), String::new(), &body)
            })
            .delete(|State(s): State<Shared>| async move {
                delete_config_of(&mut s.lock().unwrap(), "")
            }),
        )
        .route(
            "/config/{subject}",
            get(
                |State(s): State<Shared>, Path(subject): Path<String>, Query(p): Params| async move {
                    get_config_of(&s.lock().unwrap(), &subject, &p)
                },
            )
            .put(
                |State(s): State<Shared>, Path(subject): Path<String>, body: Bytes| async move {
                    put_config_of(&mut s.lock().unwrap(), subject, &body)
                },
            )
            .delete(
                |State(s): State<Shared>, Path(subject): Path<String>| async move {
                    delete_config_of(&mut s.lock().unwrap(), &subject)
                },
            ),
        )
        .route(
            "/mode",
            get(
                |State(s): State<Shared>, Query(p): Params| async move {
                    get_mode_of(&s.lock().unwrap(), "", &p)
                },
            )
            .put(|State(s): State<Shared>, body: Bytes| async move {
                put_mode_of(&mut s.lock().unwrap(), String::new(), &body)
            }),
        )
        .route(
            "/mode/{subject}",
            get(
                |State(s): State<Shared>, Path(subject): Path<String>, Query(p): Params| async move {
                    get_mode_of(&s.lock().unwrap(), &subject, &p)
                },
            )
            .put(
                |State(s): State<Shared>, Path(subject): Path<String>, body: Bytes| async move {
                    put_mode_of(&mut s.lock().unwrap(), subject, &body)
                },
            )
            .delete(
                |State(s): State<Shared>, Path(subject): Path<String>| async move {
                    delete_mode_of(&mut s.lock().unwrap(), &subject)
                },
            ),
        )
        .route("/contexts", get(|| async { Json(json!(["."])) }))
        .route(
            "/v1/metadata/version",
            get(|| async { Json(json!({"version": "fake", "commitId": "0"})) }),
        )
        .with_state(state)
}
