//! The storage contract, checked against every `Store` implementation (SQLite and PostgreSQL):
//! what the registry rules rely on, independent of HTTP.

use strata_schema::SchemaType;
use strata_server::store::{
    NewSchema, NewVersion, PgSettings, PgStore, SqliteStore, SqliteSync, Store, StoreError,
    WriteScope,
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

    // A subject's versions and a schema by identity, read together.
    let (versions, stored) = store.versions_and_schema("s", ".", "fp-A").await.unwrap();
    assert_eq!(versions, store.versions("s").await.unwrap());
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(stored, store.schema(".", a).await.unwrap());
    let (versions, stored) = store
        .versions_and_schema("none", ".", "fp-B")
        .await
        .unwrap();
    assert!(versions.is_empty());
    assert_eq!(stored.map(|s| s.id), Some(b));
    let (_, stored) = store.versions_and_schema("s", ".c", "fp-A").await.unwrap();
    assert_eq!(stored, None);

    // Prefix listings hold exactly the subjects with that prefix.
    let under_s: Vec<String> = store
        .versions_with_prefix("s")
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.subject.to_string())
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

/// Two nodes on one database, each with `settings`.
async fn two_postgres_nodes(settings: PgSettings) -> (PgStore, PgStore) {
    let url = Postgres::shared().create_database();
    let a = PgStore::open(&url, settings).await.unwrap();
    let b = PgStore::open(&url, settings).await.unwrap();
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_nodes_storing_the_same_content_at_once_give_it_one_id() {
    let (a, b) = two_postgres_nodes(PgSettings::default()).await;
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..20 {
        // Different subjects (so no lock orders them), the same new content, on both nodes.
        let writes: Vec<_> = (0..8)
            .map(|i| {
                let store = if i % 2 == 0 { a.clone() } else { b.clone() };
                let mut new = version(&format!(":.c:s{round}-{i}"), 1, &format!("X{round}"));
                new.context = ".c".to_owned();
                tokio::spawn(async move { store.insert_version(new).await })
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        for write in writes {
            ids.insert(write.await.unwrap().unwrap());
        }
        assert_eq!(ids.len(), 1, "round {round}: {ids:?}");
        let id = *ids.first().unwrap();
        assert!(seen.insert(id), "id {id} given to two contents");
        assert_eq!(a.usages(".c", id).await.unwrap().len(), 8);
        let stored = b.schema_by_fingerprint(".c", &format!("fp-X{round}")).await;
        assert_eq!(stored.unwrap().unwrap().id, id);
    }
    assert_eq!(a.contexts().await.unwrap(), vec![".c".to_owned()]);
    // The default context numbers on its own.
    assert_eq!(a.insert_version(version("d", 1, "X0")).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_locks_given_up_while_waiting_leave_no_connection_inside_a_transaction() {
    // Few connections, so that later writes reuse the ones that waited.
    let settings = PgSettings {
        max_connections: 3,
        statement_timeout: std::time::Duration::from_millis(300),
        ..PgSettings::default()
    };
    let (a, b) = two_postgres_nodes(settings).await;
    let held = a.lock(&WriteScope::subject("s")).await.unwrap();
    // One wait abandoned by its caller, one ended by the database's statement timeout.
    let abandoned = tokio::time::timeout(
        std::time::Duration::from_millis(50),
        b.lock(&WriteScope::subject("s")),
    )
    .await;
    assert!(abandoned.is_err(), "the lock is held by the other node");
    let timed_out = b.lock(&WriteScope::subject("s")).await;
    assert!(
        matches!(timed_out, Err(StoreError::Timeout(_))),
        "{timed_out:?}"
    );
    drop(held);

    // Every later write on that node commits (none runs inside a left-over transaction), and
    // the subject's lock is free again for both nodes.
    for i in 0..6 {
        let lock = b.lock(&WriteScope::subject("s")).await.unwrap();
        b.insert_version(version("s", i + 1, &format!("after-{i}")))
            .await
            .unwrap();
        drop(lock);
    }
    let lock = loop {
        // The abandoned wait may still take and drop the lock once before its connection ends.
        match a.lock(&WriteScope::subject("s")).await {
            Ok(lock) => break lock,
            Err(StoreError::Timeout(_)) => continue,
            Err(other) => panic!("{other:?}"),
        }
    };
    assert_eq!(a.versions("s").await.unwrap().len(), 6);
    drop(lock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_versions_read_with_a_subject_lock_follow_every_write() {
    let (a, b) = two_postgres_nodes(PgSettings::default()).await;
    // The subject is written into the lock's query text: quotes and backslashes stay data.
    for subject in ["plain", "it's", "back\\slash\\", "E'\\'; SELECT 1; --"] {
        let text = |n: i32| format!("{subject}-{n}");
        b.insert_version(version(subject, 1, &text(1)))
            .await
            .unwrap();
        let lock = a.lock(&WriteScope::subject(subject)).await.unwrap();
        let versions = a.versions(subject).await.unwrap();
        assert_eq!(versions.len(), 1, "{subject}: {versions:?}");
        assert_eq!(&*versions[0].subject, subject);
        // Each write under the lock is seen by the next read, on the same node.
        a.insert_version(version(subject, 2, &text(2)))
            .await
            .unwrap();
        assert_eq!(a.versions(subject).await.unwrap().len(), 2, "{subject}");
        a.soft_delete(subject, &[2], false).await.unwrap();
        assert!(a.versions(subject).await.unwrap()[1].deleted, "{subject}");
        drop(lock);
        // Once the lock is gone, the other node's writes are seen too.
        let lock = b.lock(&WriteScope::subject(subject)).await.unwrap();
        b.hard_delete(subject, &[2]).await.unwrap();
        drop(lock);
        assert_eq!(a.versions(subject).await.unwrap().len(), 1, "{subject}");
        assert_eq!(b.versions(subject).await.unwrap().len(), 1, "{subject}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_writes_committed_with_their_lock_keep_every_character_and_free_the_lock() {
    // Few connections, so that a connection left inside a transaction would be used again.
    let settings = PgSettings {
        max_connections: 3,
        ..PgSettings::default()
    };
    let (a, b) = two_postgres_nodes(settings).await;
    let texts = [
        "plain",
        "quote ' backslash \\ both \\' E'x' $$ $q$ NULL ; COMMIT; --",
        "é 漢字 \u{1F600} \t\n",
    ];
    for (n, text) in texts.into_iter().enumerate() {
        let subject = format!("{text}/{n}");
        let lock = a.lock(&WriteScope::subject(&subject)).await.unwrap();
        let mut new = version(&subject, 1, text);
        new.schema.references = vec![strata_schema::SchemaReference {
            name: "r".into(),
            subject: format!("it's {text}"),
            version: 7,
        }];
        let id = a.insert_version_unlocking(lock, new.clone()).await.unwrap();
        // Committed and unlocked: the other node sees it and takes the lock at once.
        let other = b.lock(&WriteScope::subject(&subject)).await.unwrap();
        let stored = b.schema(".", id).await.unwrap().unwrap();
        assert_eq!(stored.schema, text);
        assert_eq!(stored.references, new.schema.references);
        assert_eq!(stored.fingerprint, new.schema.fingerprint);
        let versions = b.versions(&subject).await.unwrap();
        assert_eq!((versions.len(), versions[0].id), (1, id), "{subject}");
        let referrers = b.referrers(&format!("it's {text}"), 7).await.unwrap();
        assert_eq!(referrers.len(), 1, "{subject}");
        drop(other);
    }

    // A write refused inside the lock's transaction rolls it back: the lock is free, and the
    // node's connections all work (none is left in the failed transaction).
    let lock = a.lock(&WriteScope::subject("typed")).await.unwrap();
    let mut other_type = version("typed", 1, "plain");
    other_type.schema.schema_type = SchemaType::Json;
    let refused = a.insert_version_unlocking(lock, other_type).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    for i in 0..6 {
        let lock = b.lock(&WriteScope::subject("typed")).await.unwrap();
        drop(lock);
        let lock = a.lock(&WriteScope::subject("typed")).await.unwrap();
        let id = a
            .insert_version_unlocking(lock, version("typed", i + 1, &format!("typed-{i}")))
            .await
            .unwrap();
        assert_eq!(
            b.schema(".", id).await.unwrap().unwrap().schema,
            format!("typed-{i}")
        );
    }
}
