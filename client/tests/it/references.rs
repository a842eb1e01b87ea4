//! Resolving a reference graph through the registry for the schema engine.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use strata_client::{Error, ReferenceResolver, RegistryClient, SchemaReference, SchemaType};

use crate::support::{fast_config, serve, Counter};

fn reference(name: &str, subject: &str, version: i32) -> SchemaReference {
    SchemaReference {
        name: name.into(),
        subject: subject.into(),
        version,
    }
}

#[tokio::test]
async fn the_whole_graph_is_fetched_once_cycles_included() {
    let counter = Counter::default();
    let hits = counter.clone();
    let router = Router::new().route(
        "/subjects/{subject}/versions/{version}",
        get(move |Path((subject, version)): Path<(String, String)>| {
            hits.hit();
            async move {
                let (text, references) = match (subject.as_str(), version.as_str()) {
                    // a.proto imports b.proto and c.proto; b imports c; c imports a (a cycle).
                    ("a", "1") => (
                        "A",
                        json!([{"name": "b.proto", "subject": "b", "version": 1},
                                              {"name": "c.proto", "subject": "c", "version": -1}]),
                    ),
                    ("b", "1") => (
                        "B",
                        json!([{"name": "c.proto", "subject": "c", "version": -1}]),
                    ),
                    ("c", "latest") => (
                        "C",
                        json!([{"name": "a.proto", "subject": "a", "version": 1}]),
                    ),
                    _ => {
                        return (
                            StatusCode::NOT_FOUND,
                            Json(json!({"error_code": 40402, "message": "Version not found."})),
                        )
                            .into_response()
                    }
                };
                let body: Response = Json(json!({
                    "subject": subject, "version": 1, "id": 1, "schemaType": "PROTOBUF",
                    "schema": text, "references": references,
                }))
                .into_response();
                body
            }
        }),
    );
    let client = RegistryClient::new(fast_config([serve(router).await])).unwrap();
    let resolved = client
        .resolve_references(&[reference("a.proto", "a", 1)])
        .await
        .unwrap();
    assert_eq!(resolved.len(), 3);
    assert_eq!(counter.get(), 3);
    let c = resolved.resolve(&reference("c.proto", "c", -1)).unwrap();
    assert_eq!(
        (c.schema_type, c.schema.as_str()),
        (SchemaType::Protobuf, "C")
    );
    assert_eq!(c.references, [reference("a.proto", "a", 1)]);
    assert!(resolved.resolve(&reference("x", "x", 1)).is_err());

    match client.resolve_references(&[reference("z", "z", 4)]).await {
        Err(Error::VersionNotFound { .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert!(client.resolve_references(&[]).await.unwrap().is_empty());
}
