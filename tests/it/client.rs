//! `strata-client` against a real in-process server: every client method, every typed error the
//! server can produce (provoked for real), failover from a dead URL, no retry on 404, and
//! subjects that need percent-encoding.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use strata_client::{
    ClientConfig, CompatibilityLevel, ConfigUpdate, Error, GetVersionOptions, ListSchemasOptions,
    ListSubjectsOptions, ListVersionsOptions, Metadata, Mode, ReferenceResolver,
    RegisterSchemaRequest, RegistryClient, SchemaByIdOptions, SchemaId, SchemaReference,
    SchemaType, TransportErrorKind, VersionId,
};

use crate::common::{on_each_backend, Backend, TestServer};

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
const INCOMPATIBLE: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"required","type":"int"}]}"#;
const ADDRESS: &str = r#"{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"city","type":"string"}]}"#;
const PERSON: &str = r#"{"type":"record","name":"Person","namespace":"com.example","fields":[{"name":"home","type":"com.example.Address"}]}"#;
const PROTO: &str =
    "syntax = \"proto3\";\npackage demo;\n\nmessage Ping {\n  string text = 1;\n}\n";
const JSON_SCHEMA: &str = r#"{"type":"object","properties":{"a":{"type":"string"}}}"#;

fn avro(text: &str) -> RegisterSchemaRequest {
    RegisterSchemaRequest::new(SchemaType::Avro, text)
}

fn client(base: &str) -> RegistryClient {
    let mut config = ClientConfig::new(base);
    config.retry.max_retries = 1;
    config.retry.initial_wait = Duration::from_millis(10);
    RegistryClient::new(config).unwrap()
}

on_each_backend!(
    #[tokio::test]
    every_method_against_the_real_server
);
/// Every public method of the client, each with an assertion on what the real server answers.
async fn every_method_against_the_real_server(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = client(&server.base);
    assert_eq!(client.config().urls, vec![server.base.clone()]);

    // Root and metadata.
    client.ping().await.unwrap();
    let cluster = client.get_cluster_id().await.unwrap();
    assert!(cluster.scope.clusters.contains_key("kafka-cluster"));
    assert!(client.get_server_version().await.unwrap().version.is_some());
    let mut types = client.get_schema_types().await.unwrap();
    types.sort();
    assert_eq!(types, ["AVRO", "JSON", "PROTOBUF"]);

    // Register (idempotent), with and without normalize.
    let first = client
        .register_schema("orders", &avro(V1), false)
        .await
        .unwrap();
    client.clear_caches();
    let again = client
        .register_schema("orders", &avro(V1), false)
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    let spaced = V1.replace(',', ", ");
    let normalized = client
        .register_schema("orders", &avro(&spaced), true)
        .await
        .unwrap();
    assert_eq!(normalized.id, first.id, "normalize finds the same schema");
    let second = client
        .register_schema("orders", &avro(V2), false)
        .await
        .unwrap();
    assert_ne!(second.id, first.id);
    // A plain registration answers `{"id": N}` only; the optional fields, when present, must agree.
    for (response, version, text) in [(&first, 1, V1), (&second, 2, V2)] {
        if let Some(answered) = response.version {
            assert_eq!(answered, version);
        }
        if let Some(answered) = &response.schema {
            assert_eq!(answered, text);
        }
    }

    // Read back: by version, latest, raw text, lookup, list.
    let v1 = client
        .get_version("orders", VersionId::Number(1), false)
        .await
        .unwrap();
    assert_eq!(
        (v1.subject.as_str(), v1.version, v1.id),
        ("orders", 1, first.id)
    );
    assert_eq!(v1.schema, V1);
    assert_eq!(
        client.get_latest_version("orders").await.unwrap().version,
        2
    );
    let with = client
        .get_version_with(
            "orders",
            VersionId::Latest,
            &GetVersionOptions {
                deleted: false,
                format: Some("resolved".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(with.id, second.id);
    assert_eq!(
        client
            .get_version_schema("orders", VersionId::Number(1), false)
            .await
            .unwrap(),
        V1
    );
    let found = client
        .lookup_schema("orders", &avro(V2), false, false)
        .await
        .unwrap();
    assert_eq!((found.version, found.id), (2, second.id));
    let found = client
        .lookup_schema("orders", &avro(&spaced), true, false)
        .await
        .unwrap();
    assert_eq!(found.version, 1);
    assert_eq!(
        client
            .list_versions("orders", &ListVersionsOptions::default())
            .await
            .unwrap(),
        vec![1, 2]
    );

    // Schemas by id, with a subject hint, fetchMaxId, raw text, subjects and versions of an id.
    let by_id = client.get_schema_by_id(first.id).await.unwrap();
    assert_eq!(
        (by_id.schema.as_str(), by_id.schema_type),
        (V1, SchemaType::Avro)
    );
    let hinted = client
        .get_schema_by_id_with(
            second.id,
            &SchemaByIdOptions {
                subject: Some("orders".into()),
                fetch_max_id: true,
                ..SchemaByIdOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(hinted.schema, V2);
    assert_eq!(hinted.max_id, Some(second.id.0));
    // Confluent 8.0+ fills `subject` and `version` for a hinted id; when present they must agree.
    if let Some(subject) = &hinted.subject {
        assert_eq!((subject.as_str(), hinted.version), ("orders", Some(2)));
    }
    assert_eq!(
        client
            .get_schema_text_by_id(first.id, Some("orders"))
            .await
            .unwrap(),
        V1
    );
    client
        .register_schema("orders-copy", &avro(V1), false)
        .await
        .unwrap();
    let mut holders = client
        .get_subjects_by_id(first.id, None, false)
        .await
        .unwrap();
    holders.sort();
    assert_eq!(holders, ["orders", "orders-copy"]);
    let pairs = client
        .get_versions_by_id(first.id, None, false)
        .await
        .unwrap();
    assert!(pairs
        .iter()
        .any(|sv| sv.subject == "orders" && sv.version == 1));
    assert!(pairs
        .iter()
        .any(|sv| sv.subject == "orders-copy" && sv.version == 1));

    // Schemas by guid.
    // The GUID is the identity fingerprint as a UUID. The server does not put it in its answers
    // (`guid` of register and get-version stays `None`), so it is computed here.
    let guid = strata_schema::Fingerprint::compute(V1, &[], None, None).guid();
    if let Some(answered) = &v1.guid {
        assert_eq!(answered, &guid);
    }
    let by_guid = client.get_schema_by_guid(&guid, None).await.unwrap();
    assert_eq!(by_guid.schema, V1);
    let ids = client.get_ids_by_guid(&guid).await.unwrap();
    assert!(ids.iter().any(|c| c.id == first.id), "{ids:?}");

    // Protobuf: the `serialized` format answers the descriptor, not the text.
    let proto = client
        .register_schema(
            "pings",
            &RegisterSchemaRequest::new(SchemaType::Protobuf, PROTO),
            false,
        )
        .await
        .unwrap();
    let text = client.get_schema_by_id(proto.id).await.unwrap();
    assert_eq!(text.schema_type, SchemaType::Protobuf);
    assert!(text.schema.contains("message Ping"));
    let serialized = client
        .get_schema_by_id_with(
            proto.id,
            &SchemaByIdOptions {
                format: Some("serialized".into()),
                ..SchemaByIdOptions::default()
            },
        )
        .await
        .unwrap();
    assert_ne!(serialized.schema, text.schema);
    assert!(
        serialized
            .schema
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
        "base64 descriptor: {}",
        serialized.schema
    );
    let json = client
        .register_schema(
            "json-things",
            &RegisterSchemaRequest::new(SchemaType::Json, JSON_SCHEMA),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        client.get_schema_by_id(json.id).await.unwrap().schema_type,
        SchemaType::Json
    );

    // List schemas with a prefix, latest only.
    let listed = client
        .list_schemas(&ListSchemasOptions {
            subject_prefix: Some("orders".into()),
            latest_only: true,
            ..ListSchemasOptions::default()
        })
        .await
        .unwrap();
    let mut latest: Vec<(String, i32)> = listed
        .iter()
        .map(|s| (s.subject.clone(), s.version))
        .collect();
    latest.sort();
    assert_eq!(
        latest,
        [("orders".to_owned(), 2), ("orders-copy".to_owned(), 1)]
    );
    let subjects = client
        .list_subjects(&ListSubjectsOptions {
            subject_prefix: Some("orders".into()),
            ..ListSubjectsOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(subjects, ["orders", "orders-copy"]);
    let limited = client
        .list_subjects(&ListSubjectsOptions {
            offset: Some(1),
            limit: Some(1),
            ..ListSubjectsOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);

    // References: referencedby and resolve_references.
    let address = client
        .register_schema("address", &avro(ADDRESS), false)
        .await
        .unwrap();
    let reference = SchemaReference {
        name: "com.example.Address".into(),
        subject: "address".into(),
        version: 1,
    };
    let person = client
        .register_schema(
            "person",
            &avro(PERSON).with_references(vec![reference.clone()]),
            false,
        )
        .await
        .unwrap();
    assert_ne!(person.id, address.id);
    assert_eq!(
        client
            .get_referenced_by("address", VersionId::Number(1), false)
            .await
            .unwrap(),
        vec![person.id]
    );
    let person_v1 = client.get_latest_version("person").await.unwrap();
    assert_eq!(person_v1.references, vec![reference.clone()]);
    let resolved = client
        .resolve_references(&person_v1.references)
        .await
        .unwrap();
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved.resolve(&reference).unwrap().schema, ADDRESS);

    // Metadata: the latest version carrying the properties.
    let mut metadata = Metadata::default();
    metadata.properties.insert("owner".into(), "team-a".into());
    let mut tagged = avro(V1);
    tagged.metadata = Some(metadata);
    client
        .register_schema("owned", &tagged, false)
        .await
        .unwrap();
    let owned = client
        .get_latest_with_metadata("owned", &[("owner", "team-a")], false)
        .await
        .unwrap();
    assert_eq!((owned.subject.as_str(), owned.version), ("owned", 1));
    assert!(matches!(
        client
            .get_latest_with_metadata("owned", &[("owner", "team-b")], false)
            .await,
        Err(Error::SchemaNotFound { .. }) | Err(Error::SubjectNotFound { .. })
    ));

    // Compatibility: against one version and against all, verbose.
    let check = client
        .check_compatibility("orders", Some(VersionId::Number(1)), &avro(V2), false, true)
        .await
        .unwrap();
    assert!(check.is_compatible, "{check:?}");
    let check = client
        .check_compatibility("orders", None, &avro(INCOMPATIBLE), false, true)
        .await
        .unwrap();
    assert!(!check.is_compatible);
    assert!(!check.messages.is_empty());
    let quiet = client
        .check_compatibility(
            "orders",
            Some(VersionId::Latest),
            &avro(INCOMPATIBLE),
            false,
            false,
        )
        .await
        .unwrap();
    assert!(!quiet.is_compatible);
    assert!(quiet.messages.is_empty(), "{quiet:?}");

    // Config: global and subject, defaultToGlobal, delete.
    let global = client.get_config(None, false).await.unwrap();
    assert_eq!(
        global.compatibility_level,
        Some(CompatibilityLevel::Backward)
    );
    let updated = client
        .update_config(
            None,
            &ConfigUpdate::compatibility(CompatibilityLevel::Forward),
        )
        .await
        .unwrap();
    assert_eq!(updated.compatibility, Some(CompatibilityLevel::Forward));
    let updated = client
        .update_config(
            Some("orders"),
            &ConfigUpdate::compatibility(CompatibilityLevel::Full),
        )
        .await
        .unwrap();
    assert_eq!(updated.compatibility, Some(CompatibilityLevel::Full));
    assert_eq!(
        client
            .get_config(Some("orders"), false)
            .await
            .unwrap()
            .compatibility_level,
        Some(CompatibilityLevel::Full)
    );
    assert_eq!(
        client
            .delete_config(Some("orders"))
            .await
            .unwrap()
            .compatibility_level,
        Some(CompatibilityLevel::Full)
    );
    assert_eq!(
        client
            .get_config(Some("orders"), true)
            .await
            .unwrap()
            .compatibility_level,
        Some(CompatibilityLevel::Forward)
    );
    assert_eq!(
        client
            .delete_config(None)
            .await
            .unwrap()
            .compatibility_level,
        Some(CompatibilityLevel::Forward)
    );
    assert_eq!(
        client
            .get_config(None, false)
            .await
            .unwrap()
            .compatibility_level,
        Some(CompatibilityLevel::Backward)
    );

    // Mode: global and subject, defaultToGlobal, delete.
    assert_eq!(client.get_mode(None, false).await.unwrap(), Mode::ReadWrite);
    assert_eq!(
        client
            .update_mode(Some("orders"), Mode::ReadOnly, false)
            .await
            .unwrap(),
        Mode::ReadOnly
    );
    assert_eq!(
        client.get_mode(Some("orders"), false).await.unwrap(),
        Mode::ReadOnly
    );
    assert_eq!(
        client.delete_mode(Some("orders"), false).await.unwrap(),
        Mode::ReadOnly
    );
    assert_eq!(
        client.get_mode(Some("orders"), true).await.unwrap(),
        Mode::ReadWrite
    );
    assert_eq!(
        client
            .update_mode(Some("fresh"), Mode::Import, true)
            .await
            .unwrap(),
        Mode::Import
    );
    let mut imported = avro(V1);
    imported.id = Some(SchemaId(5000));
    imported.version = Some(3);
    let response = client
        .register_schema("fresh", &imported, false)
        .await
        .unwrap();
    assert_eq!(response.id, SchemaId(5000));
    assert_eq!(
        client
            .get_version("fresh", VersionId::Number(3), false)
            .await
            .unwrap()
            .id,
        SchemaId(5000)
    );
    client.delete_mode(Some("fresh"), false).await.unwrap();
    assert_eq!(
        client
            .update_mode(None, Mode::ReadWrite, false)
            .await
            .unwrap(),
        Mode::ReadWrite
    );

    // Contexts.
    client
        .register_schema(":.staging:orders", &avro(V1), false)
        .await
        .unwrap();
    let contexts = client.list_contexts().await.unwrap();
    assert_eq!(contexts.first().map(String::as_str), Some("."));
    assert!(contexts.contains(&".staging".to_owned()), "{contexts:?}");

    // Deletes: version soft then permanent, subject soft then permanent, with the listings that
    // see soft-deleted entries.
    assert_eq!(
        client
            .delete_version("orders", VersionId::Number(2), false)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        client
            .list_versions(
                "orders",
                &ListVersionsOptions {
                    deleted_only: true,
                    ..ListVersionsOptions::default()
                }
            )
            .await
            .unwrap(),
        vec![2]
    );
    assert_eq!(
        client
            .list_versions(
                "orders",
                &ListVersionsOptions {
                    deleted: true,
                    ..ListVersionsOptions::default()
                }
            )
            .await
            .unwrap(),
        vec![1, 2]
    );
    let soft = client
        .get_version("orders", VersionId::Number(2), true)
        .await
        .unwrap();
    assert_eq!(soft.id, second.id);
    assert_eq!(
        client
            .delete_version("orders", VersionId::Number(2), true)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        client.get_latest_version("orders").await.unwrap().version,
        1
    );
    assert_eq!(
        client.delete_subject("orders-copy", false).await.unwrap(),
        vec![1]
    );
    let deleted_only = client
        .list_subjects(&ListSubjectsOptions {
            deleted_only: true,
            ..ListSubjectsOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(deleted_only, ["orders-copy"]);
    assert!(client
        .list_subjects(&ListSubjectsOptions {
            deleted: true,
            ..ListSubjectsOptions::default()
        })
        .await
        .unwrap()
        .contains(&"orders-copy".to_owned()));
    assert_eq!(
        client
            .get_subjects_by_id(first.id, None, true)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        client.delete_subject("orders-copy", true).await.unwrap(),
        vec![1]
    );
    assert_eq!(
        client
            .get_subjects_by_id(first.id, None, true)
            .await
            .unwrap(),
        ["orders"]
    );

    // An emptied context can be deleted.
    client
        .delete_subject(":.staging:orders", false)
        .await
        .unwrap();
    client
        .delete_subject(":.staging:orders", true)
        .await
        .unwrap();
    client.delete_context(".staging").await.unwrap();
    assert!(!client
        .list_contexts()
        .await
        .unwrap()
        .contains(&".staging".to_owned()));
}

on_each_backend!(
    #[tokio::test]
    every_typed_error_from_the_real_server
);
/// Each typed error variant, provoked on the real server and matched on the variant.
async fn every_typed_error_from_the_real_server(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = client(&server.base);
    let id = client
        .register_schema("s", &avro(V1), false)
        .await
        .unwrap()
        .id;
    client.register_schema("s", &avro(V2), false).await.unwrap();

    // 40401
    let error = client.get_latest_version("missing").await.unwrap_err();
    assert!(matches!(error, Error::SubjectNotFound { .. }), "{error:?}");
    assert!(error.is_not_found());
    let error = client
        .lookup_schema("missing", &avro(V1), false, false)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SubjectNotFound { .. }), "{error:?}");
    // 40402
    let error = client
        .get_version("s", VersionId::Number(99), false)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::VersionNotFound { .. }), "{error:?}");
    // 40403: an unknown id, an unknown guid, a schema not under the subject.
    let error = client.get_schema_by_id(SchemaId(9999)).await.unwrap_err();
    assert!(matches!(error, Error::SchemaNotFound { .. }), "{error:?}");
    let error = client
        .get_schema_by_guid("00000000-0000-0000-0000-000000000000", None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SchemaNotFound { .. }), "{error:?}");
    let error = client
        .lookup_schema("s", &avro(INCOMPATIBLE), false, false)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SchemaNotFound { .. }), "{error:?}");
    // 40406 and 40407
    client
        .delete_version("s", VersionId::Number(2), false)
        .await
        .unwrap();
    let error = client
        .delete_version("s", VersionId::Number(2), false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::VersionSoftDeleted { .. }),
        "{error:?}"
    );
    let error = client
        .delete_version("s", VersionId::Number(1), true)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::VersionNotSoftDeleted { .. }),
        "{error:?}"
    );
    // 40405 and 40404
    let error = client.delete_subject("s", true).await.unwrap_err();
    assert!(
        matches!(error, Error::SubjectNotSoftDeleted { .. }),
        "{error:?}"
    );
    client.delete_subject("s", false).await.unwrap();
    let error = client.delete_subject("s", false).await.unwrap_err();
    assert!(
        matches!(error, Error::SubjectSoftDeleted { .. }),
        "{error:?}"
    );
    // The id stays readable after a soft delete.
    assert_eq!(client.get_schema_by_id(id).await.unwrap().schema, V1);

    client.register_schema("t", &avro(V1), false).await.unwrap();
    // 40408 and 40409
    let error = client.get_config(Some("t"), false).await.unwrap_err();
    assert!(
        matches!(error, Error::SubjectConfigNotFound { .. }),
        "{error:?}"
    );
    let error = client.get_mode(Some("t"), false).await.unwrap_err();
    assert!(
        matches!(error, Error::SubjectModeNotFound { .. }),
        "{error:?}"
    );
    // 409: incompatible, with the reasons split out.
    let error = client
        .register_schema("t", &avro(INCOMPATIBLE), false)
        .await
        .unwrap_err();
    match &error {
        Error::Incompatible { message, messages } => {
            assert!(!messages.is_empty(), "{message}");
            assert!(messages.iter().all(|m| !m.is_empty()), "{messages:?}");
        }
        other => panic!("incompatible registration: {other:?}"),
    }
    assert_eq!(error.error_code(), Some(40901));
    // 42201
    let error = client
        .register_schema("t", &avro("{not avro"), false)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidSchema { .. }), "{error:?}");
    let error = client
        .register_schema(
            "p",
            &RegisterSchemaRequest::new(SchemaType::Protobuf, "message {"),
            false,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidSchema { .. }), "{error:?}");
    let missing_reference = avro(PERSON).with_references(vec![SchemaReference {
        name: "com.example.Address".into(),
        subject: "nowhere".into(),
        version: 1,
    }]);
    let error = client
        .register_schema("person", &missing_reference, false)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidSchema { .. }), "{error:?}");
    // 42202
    for bad in [0, -2] {
        let error = client
            .get_version("t", VersionId::Number(bad), false)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidVersion { .. }),
            "{bad}: {error:?}"
        );
    }
    // 42204: FORWARD exists (Confluent's leader forwarding) but never on a subject.
    let error = client
        .update_mode(Some("t"), Mode::Forward, false)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidMode { .. }), "{error:?}");
    // 42205: read-only refuses writes; IMPORT without force refused while subjects exist.
    client
        .update_mode(Some("t"), Mode::ReadOnly, false)
        .await
        .unwrap();
    let error = client
        .register_schema("t", &avro(V2), false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::OperationNotPermitted { .. }),
        "{error:?}"
    );
    client.delete_mode(Some("t"), false).await.unwrap();
    let error = client
        .update_mode(None, Mode::Import, false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::OperationNotPermitted { .. }),
        "{error:?}"
    );
    // 42206
    client
        .register_schema("address", &avro(ADDRESS), false)
        .await
        .unwrap();
    client
        .register_schema(
            "person",
            &avro(PERSON).with_references(vec![SchemaReference {
                name: "com.example.Address".into(),
                subject: "address".into(),
                version: 1,
            }]),
            false,
        )
        .await
        .unwrap();
    let error = client
        .delete_version("address", VersionId::Number(1), false)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::ReferenceExists { .. }), "{error:?}");
    let error = client.delete_subject("address", false).await.unwrap_err();
    assert!(matches!(error, Error::ReferenceExists { .. }), "{error:?}");
    // 42208
    for bad in ["__GLOBAL", "bell\u{7}subject"] {
        let error = client
            .register_schema(bad, &avro(V1), false)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidSubject { .. }),
            "{bad:?}: {error:?}"
        );
    }
    // 42211
    client
        .register_schema(":.busy:x", &avro(V1), false)
        .await
        .unwrap();
    let error = client.delete_context(".busy").await.unwrap_err();
    assert!(matches!(error, Error::ContextNotEmpty { .. }), "{error:?}");
    // A route the server does not have: a plain HTTP error.
    let error = client.delete_mode(None, false).await.unwrap_err();
    assert!(
        matches!(error, Error::Http { status: 405, .. }),
        "{error:?}"
    );
    // A body above the server's limit: HTTP 413 without a Confluent code.
    let huge = format!(
        r#"{{"type":"string","doc":"{}"}}"#,
        "x".repeat(17 * 1024 * 1024)
    );
    let error = client
        .register_schema("t", &avro(&huge), false)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Http {
                status: 413,
                error_code: None | Some(413),
                ..
            }
        ),
        "{error:?}"
    );
    // Refused by the client before any request.
    for bad in ["", ".", ".."] {
        let error = client.get_latest_version(bad).await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidArgument(_)),
            "{bad:?}: {error:?}"
        );
    }
}

on_each_backend!(
    #[tokio::test]
    fails_over_from_a_dead_url_to_the_real_server
);
/// The first URL is a dead port: the client fails over to the real server.
async fn fails_over_from_a_dead_url_to_the_real_server(backend: Backend) {
    let server = TestServer::start(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    let mut config = ClientConfig::with_urls([dead.clone(), server.base.clone()]);
    config.retry.initial_wait = Duration::from_millis(10);
    config.connect_timeout = Duration::from_secs(2);
    let client = RegistryClient::new(config).unwrap();
    let registered = client
        .register_schema("failover", &avro(V1), false)
        .await
        .unwrap();
    assert_eq!(
        client.get_latest_version("failover").await.unwrap().id,
        registered.id
    );
    assert_eq!(
        client
            .list_subjects(&ListSubjectsOptions::default())
            .await
            .unwrap(),
        ["failover"]
    );
    // Registry errors of the live server come through failover unchanged.
    assert!(matches!(
        client.get_latest_version("missing").await,
        Err(Error::SubjectNotFound { .. })
    ));

    // The dead URL alone is a transport error of kind connect.
    let mut config = ClientConfig::new(dead);
    config.retry.max_retries = 1;
    config.retry.initial_wait = Duration::from_millis(10);
    let alone = RegistryClient::new(config).unwrap();
    match alone.ping().await {
        Err(Error::Transport { kind, .. }) => assert_eq!(kind, TransportErrorKind::Connect),
        other => panic!("dead URL: {other:?}"),
    }
}

on_each_backend!(
    #[tokio::test]
    a_real_404_is_not_retried
);
/// A 404 of the real server is not retried: with a retry wait of a minute, a retry would hold the
/// call far beyond the generous bound below.
async fn a_real_404_is_not_retried(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut config = ClientConfig::new(server.base.clone());
    config.retry.max_retries = 5;
    config.retry.initial_wait = Duration::from_secs(60);
    config.retry.max_wait = Duration::from_secs(60);
    let client = RegistryClient::new(config).unwrap();
    let answer = tokio::time::timeout(
        Duration::from_secs(30),
        client.get_schema_by_id(SchemaId(42)),
    )
    .await
    .expect("a 404 answers without retrying");
    assert!(
        matches!(answer, Err(Error::SchemaNotFound { .. })),
        "{answer:?}"
    );
    let answer = tokio::time::timeout(Duration::from_secs(30), client.get_latest_version("x"))
        .await
        .expect("a 404 answers without retrying");
    assert!(
        matches!(answer, Err(Error::SubjectNotFound { .. })),
        "{answer:?}"
    );
}

on_each_backend!(
    #[tokio::test]
    hostile_subjects_round_trip
);
/// Subjects that need percent-encoding round-trip through the real server.
async fn hostile_subjects_round_trip(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = client(&server.base);
    let subjects = [
        "a/b",
        "100%",
        "what?",
        "with space",
        "ünïcødé ✓",
        "#hash",
        "a/../b",
        "%2F",
        "x+y&z=1",
    ];
    for (n, subject) in subjects.iter().enumerate() {
        let schema =
            format!(r#"{{"type":"record","name":"R{n}","fields":[{{"name":"f","type":"int"}}]}}"#);
        let registered = client
            .register_schema(subject, &avro(&schema), false)
            .await
            .unwrap();
        let latest = client.get_latest_version(subject).await.unwrap();
        assert_eq!(
            (latest.subject.as_str(), latest.version, latest.id),
            (*subject, 1, registered.id)
        );
        let found = client
            .lookup_schema(subject, &avro(&schema), false, false)
            .await
            .unwrap();
        assert_eq!(found.subject, *subject);
        assert_eq!(
            client
                .get_config(Some(subject), true)
                .await
                .unwrap()
                .compatibility_level,
            Some(CompatibilityLevel::Backward)
        );
        assert!(
            client
                .check_compatibility(subject, None, &avro(&schema), false, false)
                .await
                .unwrap()
                .is_compatible
        );
        assert_eq!(
            client
                .get_subjects_by_id(registered.id, None, false)
                .await
                .unwrap(),
            [*subject]
        );
    }
    let mut listed = client
        .list_subjects(&ListSubjectsOptions::default())
        .await
        .unwrap();
    listed.sort();
    let mut expected: Vec<String> = subjects.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(listed, expected);
    for subject in subjects {
        assert_eq!(
            client.delete_subject(subject, false).await.unwrap(),
            vec![1]
        );
        assert_eq!(client.delete_subject(subject, true).await.unwrap(), vec![1]);
        assert!(matches!(
            client.get_latest_version(subject).await,
            Err(Error::SubjectNotFound { .. })
        ));
    }
    assert!(client
        .list_subjects(&ListSubjectsOptions::default())
        .await
        .unwrap()
        .is_empty());
}

on_each_backend!(
    #[tokio::test]
    client_scenario_against_the_real_server
);
/// A client application's whole life against the real server: register, read, look up, evolve,
/// be refused, configure, switch modes, delete.
async fn client_scenario_against_the_real_server(backend: Backend) {
    let server = TestServer::start(backend).await;
    scenario(&server.base).await;
}

/// Runs the client scenario against the registry at `base_url`.
async fn scenario(base_url: &str) {
    let mut config = ClientConfig::new(base_url);
    config.retry.max_retries = 1;
    let client = RegistryClient::new(config).unwrap();
    let unique = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // A subject with every character that needs encoding in a path.
    let s1 = format!("it-{unique}-orders/value 100% ?#ü");
    let s2 = format!("it-{unique}-copy");

    client.ping().await.unwrap();
    assert!(client
        .get_schema_types()
        .await
        .unwrap()
        .contains(&"AVRO".to_owned()));

    // Register, idempotently.
    let first = client.register_schema(&s1, &avro(V1), false).await.unwrap();
    client.clear_caches();
    let again = client.register_schema(&s1, &avro(V1), false).await.unwrap();
    assert_eq!(first.id, again.id);
    if let Some(version) = again.version {
        assert_eq!(version, 1);
    }
    let id1 = first.id;

    // Read it back every way.
    let by_id = client.get_schema_by_id(id1).await.unwrap();
    assert_eq!(by_id.schema, V1);
    assert_eq!(by_id.schema_type, SchemaType::Avro);
    assert_eq!(client.get_schema_text_by_id(id1, None).await.unwrap(), V1);
    let v1 = client
        .get_version(&s1, VersionId::Number(1), false)
        .await
        .unwrap();
    assert_eq!(
        (v1.subject.as_str(), v1.version, v1.id),
        (s1.as_str(), 1, id1)
    );
    assert_eq!(client.get_latest_version(&s1).await.unwrap().version, 1);
    assert_eq!(
        client
            .get_version_schema(&s1, VersionId::Latest, false)
            .await
            .unwrap(),
        V1
    );
    let found = client
        .lookup_schema(&s1, &avro(V1), false, false)
        .await
        .unwrap();
    assert_eq!((found.version, found.id), (1, id1));
    assert!(client
        .list_subjects(&ListSubjectsOptions::default())
        .await
        .unwrap()
        .contains(&s1));

    // Not found, each with its own code.
    match client.lookup_schema(&s1, &avro(V2), false, false).await {
        Err(Error::SchemaNotFound { .. }) => {}
        other => panic!("lookup of an unregistered schema: {other:?}"),
    }
    match client
        .lookup_schema(&format!("it-{unique}-none"), &avro(V1), false, false)
        .await
    {
        Err(Error::SubjectNotFound { .. }) => {}
        other => panic!("lookup in a missing subject: {other:?}"),
    }
    match client.get_version(&s1, VersionId::Number(99), false).await {
        Err(Error::VersionNotFound { .. }) => {}
        other => panic!("missing version: {other:?}"),
    }
    match client.get_schema_by_id(SchemaId(i32::MAX)).await {
        Err(Error::SchemaNotFound { .. }) => {}
        other => panic!("missing id: {other:?}"),
    }

    // A compatible evolution gets a new id and version, and `latest` follows at once although it
    // was cached: registering forgets it.
    let second = client.register_schema(&s1, &avro(V2), false).await.unwrap();
    assert_ne!(second.id, id1);
    assert_eq!(client.get_latest_version(&s1).await.unwrap().version, 2);
    assert_eq!(
        client
            .list_versions(&s1, &ListVersionsOptions::default())
            .await
            .unwrap(),
        vec![1, 2]
    );

    // An incompatible one is refused, and the check says why.
    let check = client
        .check_compatibility(&s1, None, &avro(INCOMPATIBLE), false, true)
        .await
        .unwrap();
    assert!(!check.is_compatible);
    assert!(!check.messages.is_empty());
    assert!(
        client
            .check_compatibility(&s1, Some(VersionId::Latest), &avro(V2), false, false)
            .await
            .unwrap()
            .is_compatible
    );
    match client
        .register_schema(&s1, &avro(INCOMPATIBLE), false)
        .await
    {
        Err(Error::Incompatible { messages, .. }) => assert!(!messages.is_empty()),
        other => panic!("incompatible registration: {other:?}"),
    }

    // The same schema under another subject keeps its id.
    let copy = client.register_schema(&s2, &avro(V1), false).await.unwrap();
    assert_eq!(copy.id, id1);
    let mut holders = client.get_subjects_by_id(id1, None, false).await.unwrap();
    holders.sort();
    assert!(
        holders.contains(&s1) && holders.contains(&s2),
        "{holders:?}"
    );
    let versions = client.get_versions_by_id(id1, None, false).await.unwrap();
    assert!(versions
        .iter()
        .any(|sv| sv.subject == s1 && sv.version == 1));

    // Subject configuration: PUT answers `compatibility`, GET answers `compatibilityLevel`.
    let updated = client
        .update_config(
            Some(&s1),
            &ConfigUpdate::compatibility(CompatibilityLevel::Full),
        )
        .await
        .unwrap();
    assert_eq!(updated.compatibility, Some(CompatibilityLevel::Full));
    let config = client.get_config(Some(&s1), false).await.unwrap();
    assert_eq!(config.compatibility_level, Some(CompatibilityLevel::Full));
    let deleted = client.delete_config(Some(&s1)).await.unwrap();
    assert_eq!(deleted.compatibility_level, Some(CompatibilityLevel::Full));
    match client.get_config(Some(&s1), false).await {
        Err(Error::SubjectConfigNotFound { .. }) => {}
        other => panic!("config after delete: {other:?}"),
    }
    assert!(client
        .get_config(Some(&s1), true)
        .await
        .unwrap()
        .compatibility_level
        .is_some());

    // Subject mode: read-only refuses registrations.
    match client.get_mode(Some(&s1), false).await {
        Err(Error::SubjectModeNotFound { .. }) => {}
        other => panic!("mode before any: {other:?}"),
    }
    assert_eq!(
        client
            .update_mode(Some(&s1), Mode::ReadOnly, false)
            .await
            .unwrap(),
        Mode::ReadOnly
    );
    assert_eq!(
        client.get_mode(Some(&s1), false).await.unwrap(),
        Mode::ReadOnly
    );
    match client.register_schema(&s1, &avro(V2), false).await {
        // V2 is already registered: a cache or the server may answer it; a new schema may not.
        Ok(response) => assert_eq!(response.id, second.id),
        Err(Error::OperationNotPermitted { .. }) => {}
        Err(error) => panic!("re-registering an existing schema in read-only mode: {error:?}"),
    }
    let v3 = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"more","type":"int","default":0}]}"#;
    match client.register_schema(&s1, &avro(v3), false).await {
        Err(Error::OperationNotPermitted { .. }) => {}
        other => panic!("registration in read-only mode: {other:?}"),
    }
    assert_eq!(
        client.delete_mode(Some(&s1), false).await.unwrap(),
        Mode::ReadOnly
    );

    // Deletes: soft, then permanent, each misuse with its own code.
    assert_eq!(
        client
            .delete_version(&s1, VersionId::Number(2), false)
            .await
            .unwrap(),
        2
    );
    match client
        .delete_version(&s1, VersionId::Number(2), false)
        .await
    {
        Err(Error::VersionSoftDeleted { .. }) => {}
        other => panic!("second soft delete: {other:?}"),
    }
    match client.delete_version(&s1, VersionId::Number(1), true).await {
        Err(Error::VersionNotSoftDeleted { .. }) => {}
        other => panic!("permanent delete first: {other:?}"),
    }
    assert_eq!(
        client
            .delete_version(&s1, VersionId::Number(2), true)
            .await
            .unwrap(),
        2
    );
    assert_eq!(client.get_latest_version(&s1).await.unwrap().version, 1);
    match client.delete_subject(&s1, true).await {
        Err(Error::SubjectNotSoftDeleted { .. }) => {}
        other => panic!("permanent subject delete first: {other:?}"),
    }
    assert_eq!(client.delete_subject(&s1, false).await.unwrap(), vec![1]);
    match client.delete_subject(&s1, false).await {
        Err(Error::SubjectSoftDeleted { .. }) => {}
        other => panic!("second soft subject delete: {other:?}"),
    }
    assert_eq!(client.delete_subject(&s1, true).await.unwrap(), vec![1]);
    match client.get_latest_version(&s1).await {
        Err(Error::SubjectNotFound { .. }) => {}
        other => panic!("latest of a deleted subject: {other:?}"),
    }
    // Ids stay readable while another subject holds them.
    assert_eq!(client.get_schema_by_id(id1).await.unwrap().schema, V1);

    client.delete_subject(&s2, false).await.unwrap();
    client.delete_subject(&s2, true).await.unwrap();
    let left = client
        .list_subjects(&ListSubjectsOptions {
            subject_prefix: Some(format!("it-{unique}")),
            ..ListSubjectsOptions::default()
        })
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        client
            .list_contexts()
            .await
            .unwrap()
            .first()
            .map(String::as_str),
        Some(".")
    );
}
