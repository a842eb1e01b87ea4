//! The storage contract, checked against every `Store` implementation (SQLite and PostgreSQL):
//! what the registry rules rely on, independent of HTTP.

use strata_schema::SchemaType;
use strata_server::store::{
    NewSchema, NewVersion, PgSettings, PgStore, SqliteStore, SqliteSync, Store, StoreError,
};
use strata_tests::Postgres;

fn schema(text: &str) -> NewSchema {
    NewSchema {
        schema_type: SchemaType::Avro,
        schema: text.to_owned(),
        references: Vec::new(),
        metadata: None,
        rule_set: None,
        fingerprint: format!("fp-{text}"),
    }
}

fn version(subject: &str, version: i32, text: &str) -> NewVersion {
    NewVersion {
        subject: subject.to_owned(),
        context: ".".to_owned(),
        version,
        id: None,
        schema: schema(text),
        tombstones: Vec::new(),
        displaces: None,
    }
}

async fn sqlite() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    (
        SqliteStore::open(&url, SqliteSync::Normal).await.unwrap(),
        dir,
    )
}

async fn contract(store: &impl Store) {
    // The same content gets the same id, in any subject.
    let a = store.insert_version(version("s", 1, "A")).await.unwrap();
    let again = store.insert_version(version("t", 1, "A")).await.unwrap();
    assert_eq!(a, again);
    let b = store.insert_version(version("s", 2, "B")).await.unwrap();
    assert_ne!(a, b);
    assert_eq!(store.max_id(".").await.unwrap(), b);

    // Prefix listings hold exactly the subjects with that prefix.
    let under_s: Vec<String> = store
        .versions_with_prefix("s")
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.subject)
        .collect();
    assert_eq!(under_s, vec!["s".to_owned(), "s".to_owned()]);
    assert!(store.versions_with_prefix("u").await.unwrap().is_empty());

    // A version number is taken once.
    let clash = store.insert_version(version("s", 2, "C")).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    assert_eq!(store.versions("s").await.unwrap().len(), 2);

    // Soft delete keeps the row; hard delete removes it.
    store.soft_delete("s", &[2], false).await.unwrap();
    let versions = store.versions("s").await.unwrap();
    assert!(versions[1].deleted && !versions[0].deleted);
    store.hard_delete("s", &[2]).await.unwrap();
    assert_eq!(store.versions("s").await.unwrap().len(), 1);

    // An id nothing uses any more is never handed out again, and its content gets a new id.
    assert!(store.usages(".", b).await.unwrap().is_empty());
    let b2 = store.insert_version(version("s", 2, "B")).await.unwrap();
    assert!(b2 > b, "{b2} after {b}");

    // Explicit (imported) ids move the allocator past them.
    let mut imported = version("i", 1, "I");
    imported.id = Some(1000);
    assert_eq!(store.insert_version(imported).await.unwrap(), 1000);
    let next = store.insert_version(version("i", 2, "J")).await.unwrap();
    assert_eq!(next, 1001);

    // An imported id that no version uses any more takes new content; one still in use keeps
    // its own, whatever the writer believed.
    let mut first = version("imp", 1, "K");
    first.id = Some(2000);
    store.insert_version(first).await.unwrap();
    let mut second = version("imp2", 1, "L");
    second.id = Some(2000);
    let refused = store.insert_version(second.clone()).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(store.schema(".", 2000).await.unwrap().unwrap().schema, "K");
    store.hard_delete("imp", &[1]).await.unwrap();
    assert_eq!(store.insert_version(second).await.unwrap(), 2000);
    assert_eq!(store.schema(".", 2000).await.unwrap().unwrap().schema, "L");

    // The identity leaves the type out, but the same text under another type never takes the
    // first type's id.
    let mut other_type = version("typed", 1, "A");
    other_type.schema.schema_type = SchemaType::Json;
    let refused = store.insert_version(other_type).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );

    // Contexts have their own ids.
    let mut in_context = version(":.c:x", 1, "A");
    in_context.context = ".c".to_owned();
    assert_eq!(store.insert_version(in_context).await.unwrap(), 1);
    assert_eq!(store.contexts().await.unwrap(), vec![".c".to_owned()]);

    // Known content keeps its id in another subject.
    assert!(store.versions("r").await.unwrap().is_empty());
    let first = store.insert_version(version("r", 1, "R")).await.unwrap();
    let reused = store.insert_version(version("r2", 1, "R")).await.unwrap();
    assert_eq!(reused, first);
    // Versions read between writes (and so possibly remembered) follow every write.
    assert_eq!(store.versions("r").await.unwrap().len(), 1);
    let second = store.insert_version(version("r", 2, "R2")).await.unwrap();
    let versions: Vec<(i32, i32)> = store
        .versions("r")
        .await
        .unwrap()
        .iter()
        .map(|v| (v.version, v.id))
        .collect();
    assert_eq!(versions, vec![(1, first), (2, second)]);

    // Configuration and modes by scope.
    store.set_config("s", Some("{}")).await.unwrap();
    assert_eq!(store.config("s").await.unwrap().as_deref(), Some("{}"));
    store.set_config("s", None).await.unwrap();
    assert_eq!(store.config("s").await.unwrap(), None);
    store.set_mode("__GLOBAL", Some("READONLY")).await.unwrap();
    assert_eq!(
        store.mode_scopes().await.unwrap(),
        vec!["__GLOBAL".to_owned()]
    );
}

async fn postgres() -> PgStore {
    let url = Postgres::shared().create_database();
    PgStore::open(&url, PgSettings::default()).await.unwrap()
}

#[tokio::test]
async fn postgres_store_keeps_the_storage_contract() {
    contract(&postgres().await).await;
}

#[tokio::test]
async fn sqlite_store_keeps_the_storage_contract() {
    let (store, dir) = sqlite().await;
    contract(&store).await;
    store.insert_version(version("n", 1, "N")).await.unwrap();
    // What it remembers is what the file holds: a store opening the file afresh reads the
    // same versions.
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let fresh = SqliteStore::open(&url, SqliteSync::Normal).await.unwrap();
    assert_eq!(
        store.all_versions().await.unwrap(),
        fresh.all_versions().await.unwrap()
    );
    for subject in ["s", "t", "r", "r2", "n"] {
        assert_eq!(
            store.versions(subject).await.unwrap(),
            fresh.versions(subject).await.unwrap(),
            "{subject}"
        );
    }
}

#[tokio::test]
async fn sqlite_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let id = {
        let store = SqliteStore::open(&url, SqliteSync::Full).await.unwrap();
        store.insert_version(version("s", 1, "A")).await.unwrap()
    };
    let store = SqliteStore::open(&url, SqliteSync::Normal).await.unwrap();
    let versions = store.versions("s").await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].id, id);
    assert_eq!(store.schema(".", id).await.unwrap().unwrap().schema, "A");
}
