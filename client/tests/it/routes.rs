//! Every client method sends the method, path, query and body the REST API documents, and reads
//! the documented answer.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use serde_json::{json, Value};
use strata_client::{
    CompatibilityLevel, ConfigUpdate, GetVersionOptions, ListSchemasOptions, ListSubjectsOptions,
    ListVersionsOptions, Mode, RegisterSchemaRequest, RegistryClient, SchemaByIdOptions, SchemaId,
    SchemaType, VersionId,
};

use crate::support::{fast_config, serve};

#[derive(Default)]
struct Recorder {
    /// (method, path and query, body) of every request.
    requests: Vec<(Method, String, String)>,
    /// What the next request is answered with: status and body.
    reply: (u16, String),
}

type Shared = Arc<Mutex<Recorder>>;

async fn record(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> impl IntoResponse {
    let mut recorder = state.lock().unwrap();
    let path = uri
        .path_and_query()
        .map(ToString::to_string)
        .unwrap_or_default();
    recorder
        .requests
        .push((method, path, String::from_utf8(body.to_vec()).unwrap()));
    let (status, body) = recorder.reply.clone();
    (StatusCode::from_u16(status).unwrap(), body)
}

struct Harness {
    client: RegistryClient,
    state: Shared,
}

impl Harness {
    async fn new() -> Self {
        let state: Shared = Arc::default();
        let router = Router::new().fallback(record).with_state(state.clone());
        let mut config = fast_config([serve(router).await]);
        config.cache = strata_client::CacheConfig::disabled();
        Harness {
            client: RegistryClient::new(config).unwrap(),
            state,
        }
    }

    /// Sets the answer of the next request.
    fn reply(&self, body: Value) {
        self.reply_raw(200, &body.to_string());
    }

    fn reply_raw(&self, status: u16, body: &str) {
        self.state.lock().unwrap().reply = (status, body.to_owned());
    }

    /// Checks the last request.
    fn expect(&self, method: Method, path_and_query: &str) -> String {
        let recorder = self.state.lock().unwrap();
        let (m, p, body) = recorder.requests.last().cloned().unwrap();
        assert_eq!((m, p.as_str()), (method, path_and_query));
        body
    }
}

fn schema_object() -> Value {
    json!({"subject": "s/1", "version": 2, "id": 7, "schema": "\"int\"", "guid": "g-1", "ts": 5, "deleted": false})
}

#[tokio::test]
async fn every_route_sends_what_the_api_documents() {
    let h = Harness::new().await;
    let c = &h.client;
    let avro = RegisterSchemaRequest::new(SchemaType::Avro, "\"int\"");

    h.reply(json!(["a", "b"]));
    let subjects = c
        .list_subjects(&ListSubjectsOptions {
            subject_prefix: Some(":.ctx:".into()),
            deleted: true,
            deleted_only: false,
            offset: Some(1),
            limit: Some(10),
        })
        .await
        .unwrap();
    assert_eq!(subjects, ["a", "b"]);
    h.expect(
        Method::GET,
        "/subjects?subjectPrefix=%3A.ctx%3A&deleted=true&offset=1&limit=10",
    );

    h.reply(schema_object());
    let found = c.lookup_schema("s/1", &avro, true, true).await.unwrap();
    assert_eq!((found.id, found.version), (SchemaId(7), 2));
    assert_eq!(found.guid.as_deref(), Some("g-1"));
    let body = h.expect(Method::POST, "/subjects/s%2F1?normalize=true&deleted=true");
    assert_eq!(body, r#"{"schema":"\"int\"","schemaType":"AVRO"}"#);

    h.reply(json!([1, 2]));
    assert_eq!(c.delete_subject("s/1", true).await.unwrap(), [1, 2]);
    h.expect(Method::DELETE, "/subjects/s%2F1?permanent=true");

    h.reply(schema_object());
    c.get_latest_with_metadata("s", &[("owner", "a b"), ("team", "x")], true)
        .await
        .unwrap();
    h.expect(
        Method::GET,
        "/subjects/s/metadata?key=owner&value=a+b&key=team&value=x&deleted=true",
    );

    h.reply(json!([1, -2]));
    let versions = c
        .list_versions(
            "s",
            &ListVersionsOptions {
                deleted_as_negative: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(versions, [1, -2]);
    h.expect(Method::GET, "/subjects/s/versions?deletedAsNegative=true");

    h.reply(json!({"id": 7, "version": 2}));
    let registered = c.register_schema("s", &avro, false).await.unwrap();
    assert_eq!((registered.id, registered.version), (SchemaId(7), Some(2)));
    h.expect(Method::POST, "/subjects/s/versions");

    h.reply(schema_object());
    c.get_version_with(
        "s",
        VersionId::Number(2),
        &GetVersionOptions {
            deleted: true,
            format: Some("serialized".into()),
        },
    )
    .await
    .unwrap();
    h.expect(
        Method::GET,
        "/subjects/s/versions/2?deleted=true&format=serialized",
    );

    h.reply_raw(200, r#"{"type": "record", "name": "R", "fields": []}"#);
    let text = c
        .get_version_schema("s", VersionId::Latest, false)
        .await
        .unwrap();
    assert_eq!(text, r#"{"type": "record", "name": "R", "fields": []}"#);
    h.expect(Method::GET, "/subjects/s/versions/latest/schema");

    h.reply(json!([3, 4]));
    let referrers = c.get_referenced_by("s", 1.into(), false).await.unwrap();
    assert_eq!(referrers, [SchemaId(3), SchemaId(4)]);
    h.expect(Method::GET, "/subjects/s/versions/1/referencedby");

    h.reply(json!(1));
    assert_eq!(c.delete_version("s", 1.into(), false).await.unwrap(), 1);
    h.expect(Method::DELETE, "/subjects/s/versions/1");

    h.reply(json!([schema_object()]));
    let schemas = c
        .list_schemas(&ListSchemasOptions {
            latest_only: true,
            limit: Some(5),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(schemas.len(), 1);
    h.expect(Method::GET, "/schemas?latestOnly=true&limit=5");

    h.reply(json!({"schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF", "maxId": 9}));
    let by_id = c
        .get_schema_by_id_with(
            SchemaId(7),
            &SchemaByIdOptions {
                subject: Some("t-value".into()),
                format: Some("serialized".into()),
                fetch_max_id: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (by_id.schema_type, by_id.max_id),
        (SchemaType::Protobuf, Some(9))
    );
    h.expect(
        Method::GET,
        "/schemas/ids/7?subject=t-value&format=serialized&fetchMaxId=true",
    );

    h.reply_raw(200, "\"int\"");
    assert_eq!(
        c.get_schema_text_by_id(SchemaId(7), None).await.unwrap(),
        "\"int\""
    );
    h.expect(Method::GET, "/schemas/ids/7/schema");

    h.reply(json!(["a"]));
    c.get_subjects_by_id(SchemaId(7), Some("a"), true)
        .await
        .unwrap();
    h.expect(
        Method::GET,
        "/schemas/ids/7/subjects?subject=a&deleted=true",
    );

    h.reply(json!([{"subject": "a", "version": 1}]));
    let holders = c
        .get_versions_by_id(SchemaId(7), None, false)
        .await
        .unwrap();
    assert_eq!(holders[0].subject, "a");
    h.expect(Method::GET, "/schemas/ids/7/versions");

    h.reply(json!({"schema": "{}", "schemaType": "JSON", "guid": "0f-1"}));
    let by_guid = c.get_schema_by_guid("0f-1", None).await.unwrap();
    assert_eq!(by_guid.schema_type, SchemaType::Json);
    h.expect(Method::GET, "/schemas/guids/0f-1");

    h.reply(json!([{"context": ".", "id": 7}]));
    let ids = c.get_ids_by_guid("0f-1").await.unwrap();
    assert_eq!(ids[0].id, SchemaId(7));
    h.expect(Method::GET, "/schemas/guids/0f-1/ids");

    h.reply(json!(["JSON", "PROTOBUF", "AVRO"]));
    assert_eq!(c.get_schema_types().await.unwrap().len(), 3);
    h.expect(Method::GET, "/schemas/types");

    h.reply(json!({"compatibilityLevel": "FULL"}));
    let config = c.get_config(None, true).await.unwrap();
    assert_eq!(config.compatibility_level, Some(CompatibilityLevel::Full));
    h.expect(Method::GET, "/config?defaultToGlobal=true");

    h.reply(json!({"compatibility": "NONE"}));
    let update = c
        .update_config(
            Some("s"),
            &ConfigUpdate::compatibility(CompatibilityLevel::None),
        )
        .await
        .unwrap();
    assert_eq!(update.compatibility, Some(CompatibilityLevel::None));
    let body = h.expect(Method::PUT, "/config/s");
    assert_eq!(body, r#"{"compatibility":"NONE"}"#);

    h.reply(json!({"compatibilityLevel": "NONE"}));
    c.delete_config(Some("s")).await.unwrap();
    h.expect(Method::DELETE, "/config/s");

    h.reply(json!({"mode": "READWRITE"}));
    assert_eq!(c.get_mode(None, false).await.unwrap(), Mode::ReadWrite);
    h.expect(Method::GET, "/mode");

    h.reply(json!({"mode": "IMPORT"}));
    assert_eq!(
        c.update_mode(None, Mode::Import, true).await.unwrap(),
        Mode::Import
    );
    let body = h.expect(Method::PUT, "/mode?force=true");
    assert_eq!(body, r#"{"mode":"IMPORT"}"#);

    h.reply(json!({"mode": "IMPORT"}));
    c.delete_mode(Some("s"), true).await.unwrap();
    h.expect(Method::DELETE, "/mode/s?recursive=true");

    h.reply(json!({"is_compatible": false, "messages": ["m1"]}));
    let check = c
        .check_compatibility("s", Some(VersionId::Latest), &avro, false, true)
        .await
        .unwrap();
    assert_eq!(
        (check.is_compatible, check.messages),
        (false, vec!["m1".to_owned()])
    );
    h.expect(
        Method::POST,
        "/compatibility/subjects/s/versions/latest?verbose=true",
    );

    h.reply(json!({"is_compatible": true}));
    c.check_compatibility("s", None, &avro, true, false)
        .await
        .unwrap();
    h.expect(
        Method::POST,
        "/compatibility/subjects/s/versions?normalize=true",
    );

    h.reply(json!([".", ".ctx"]));
    assert_eq!(c.list_contexts().await.unwrap(), [".", ".ctx"]);
    h.expect(Method::GET, "/contexts");

    h.reply_raw(204, "");
    c.delete_context(".ctx").await.unwrap();
    h.expect(Method::DELETE, "/contexts/.ctx");

    h.reply(json!({}));
    c.ping().await.unwrap();
    h.expect(Method::GET, "/");

    h.reply(json!({"scope": {"path": [], "clusters": {"kafka-cluster": "k", "schema-registry-cluster": "schema-registry"}}}));
    let cluster = c.get_cluster_id().await.unwrap();
    assert_eq!(cluster.scope.clusters["kafka-cluster"], "k");
    h.expect(Method::GET, "/v1/metadata/id");

    h.reply(json!({"version": "8.1.0", "commitId": "abc"}));
    let version = c.get_server_version().await.unwrap();
    assert_eq!(version.version.as_deref(), Some("8.1.0"));
    h.expect(Method::GET, "/v1/metadata/version");
}
