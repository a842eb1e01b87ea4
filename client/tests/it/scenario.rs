//! One scenario that drives every common route and checks Confluent's semantics through the
//! client. [`run`] takes a base URL, so the same checks run against the in-test fake registry
//! and, with `STRATA_TEST_REGISTRY_URL=http://host:port`, against a real registry (Strata or
//! Confluent). It only creates subjects under a unique prefix and removes them at the end; it
//! never changes global configuration or mode.

use std::time::{SystemTime, UNIX_EPOCH};

use strata_client::{
    ClientConfig, CompatibilityLevel, ConfigUpdate, Error, ListSubjectsOptions,
    ListVersionsOptions, Mode, RegisterSchemaRequest, RegistryClient, SchemaId, SchemaType,
    VersionId,
};

use crate::{fake_registry, support};

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
const INCOMPATIBLE: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"required","type":"int"}]}"#;

fn avro(text: &str) -> RegisterSchemaRequest {
    RegisterSchemaRequest::new(SchemaType::Avro, text)
}

/// Runs the scenario against the registry at `base_url`.
pub async fn run(base_url: &str) {
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

#[tokio::test]
async fn scenario_against_the_fake_registry() {
    let base = support::serve(fake_registry::router()).await;
    run(&base).await;
}

/// Runs only when `STRATA_TEST_REGISTRY_URL` points at a registry.
#[tokio::test]
async fn scenario_against_an_external_registry() {
    match std::env::var("STRATA_TEST_REGISTRY_URL") {
        Ok(url) if !url.is_empty() => run(&url).await,
        _ => eprintln!("STRATA_TEST_REGISTRY_URL not set: skipped"),
    }
}
