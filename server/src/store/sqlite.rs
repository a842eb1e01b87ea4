//! The SQLite store: one file, WAL, one transaction per change.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use strata_schema::SchemaType;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{NewVersion, SchemaRecord, Store, StoreError, VersionRecord};

/// How hard SQLite works to keep a committed write.
///
/// `Normal` (with WAL) survives a crash of the process, `kill -9` included: a commit is in the
/// operating system's page cache before it is acknowledged. Only `Full` also survives a power
/// loss or a kernel crash, at the price of an fsync per commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// Survives process crashes.
    #[default]
    Normal,
    /// Survives power loss.
    Full,
}

impl FromStr for SqliteSync {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "normal" => Ok(SqliteSync::Normal),
            "full" => Ok(SqliteSync::Full),
            other => Err(format!(
                "unknown SQLite sync level {other:?}: use normal or full"
            )),
        }
    }
}

/// A [`Store`] in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Turns at SQLite's single write lock.
    writer: Arc<Mutex<()>>,
    /// The versions of subjects, as last read.
    versions: Arc<VersionsCache>,
}

/// The versions of subjects as last read, kept exact by every write of this store.
///
/// A SQLite file has one registry process writing it, so this process sees every change and
/// can answer a subject's versions without a round trip to the database. Each write drops the
/// subject's entry after it commits; a read fills the entry only if no write to the subject
/// committed since the read began (a generation per stripe of subjects, checked and bumped
/// under one lock), so a value read before a write is never cached after it.
#[derive(Debug)]
struct VersionsCache {
    subjects: moka::sync::Cache<String, Arc<Vec<VersionRecord>>>,
    generations: Box<[std::sync::Mutex<u64>]>,
}

/// Stripes of per-subject generations.
const GENERATION_STRIPES: usize = 256;

/// Most version records held.
const CACHED_VERSIONS: u64 = 200_000;

impl VersionsCache {
    fn new() -> Self {
        VersionsCache {
            subjects: moka::sync::Cache::builder()
                .weigher(|_k: &String, v: &Arc<Vec<VersionRecord>>| {
                    u32::try_from(v.len().max(1)).unwrap_or(u32::MAX)
                })
                .max_capacity(CACHED_VERSIONS)
                .build(),
            generations: (0..GENERATION_STRIPES)
                .map(|_| std::sync::Mutex::new(0))
                .collect(),
        }
    }

    fn generation(&self, subject: &str) -> std::sync::MutexGuard<'_, u64> {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        subject.hash(&mut hasher);
        let stripe = usize::try_from(hasher.finish() % GENERATION_STRIPES as u64).unwrap_or(0);
        self.generations[stripe]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Caches versions read while the subject's generation was `generation`, unless a write
    /// committed since.
    fn fill(&self, subject: &str, generation: u64, versions: &[VersionRecord]) {
        let current = self.generation(subject);
        if *current == generation {
            self.subjects
                .insert(subject.to_owned(), Arc::new(versions.to_vec()));
        }
    }

    /// Forgets a subject whose versions a committed write changed.
    fn changed(&self, subject: &str) {
        let mut generation = self.generation(subject);
        *generation += 1;
        self.subjects.invalidate(subject);
    }

    /// Forgets `subjects` when the returned guard drops: at the end of a write, whether it
    /// committed, failed or was cancelled mid-way (a commit may have landed).
    fn forget_after<'a>(&'a self, subjects: Vec<&'a str>) -> ForgetAfter<'a> {
        ForgetAfter {
            cache: self,
            subjects,
        }
    }
}

/// See [`VersionsCache::forget_after`].
struct ForgetAfter<'a> {
    cache: &'a VersionsCache,
    subjects: Vec<&'a str>,
}

impl Drop for ForgetAfter<'_> {
    fn drop(&mut self) {
        for subject in &self.subjects {
            self.cache.changed(subject);
        }
    }
}

fn db(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(inner) = &error {
        if inner.is_unique_violation() {
            return StoreError::Conflict(inner.message().to_owned());
        }
    }
    StoreError::Database(error.to_string())
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

impl SqliteStore {
    /// Opens (creating when missing) the database at `url` (`sqlite://file.db`,
    /// `sqlite:///absolute/path.db`) and applies the embedded migrations.
    pub async fn open(url: &str, sync: SqliteSync) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Open(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match sync {
                SqliteSync::Normal => SqliteSynchronous::Normal,
                SqliteSync::Full => SqliteSynchronous::Full,
            })
            .busy_timeout(Duration::from_secs(10));
        // A connection to a local file does not go stale: no ping (a round trip to the
        // connection's thread) before each use.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(SqliteStore {
            pool,
            writer: Arc::new(Mutex::new(())),
            versions: Arc::new(VersionsCache::new()),
        })
    }
}

/// Removes one version for good, inside a transaction.
async fn remove_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    subject: &str,
    version: i32,
) -> Result<(), StoreError> {
    let row = sqlx::query(
        "DELETE FROM subject_versions WHERE subject = ? AND version = ? \
         RETURNING context, schema_id",
    )
    .bind(subject)
    .bind(version)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db)?;
    let Some(row) = row else {
        return Ok(());
    };
    let context: String = row.try_get("context").map_err(corrupt)?;
    let id: i32 = row.try_get("schema_id").map_err(corrupt)?;
    retire_if_unused(tx, &context, id).await
}

/// An id no version uses any more keeps its number (ids are never reused) but gives up its
/// identity: registering the same content again allocates a new id.
async fn retire_if_unused(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    context: &str,
    id: i32,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE schemas SET fingerprint = 'retired:' || id WHERE context = ? AND id = ? \
         AND NOT EXISTS (SELECT 1 FROM subject_versions WHERE context = ? AND schema_id = ?)",
    )
    .bind(context)
    .bind(id)
    .bind(context)
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// The id of content already stored, inside a write transaction. The identity leaves the type
/// out: the same text under another type is another schema, refused rather than given the
/// first one's id.
async fn known_id(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    new: &NewVersion,
) -> Result<i32, StoreError> {
    let row =
        sqlx::query("SELECT id, schema_type FROM schemas WHERE context = ? AND fingerprint = ?")
            .bind(&new.context)
            .bind(&new.schema.fingerprint)
            .fetch_one(&mut **tx)
            .await
            .map_err(db)?;
    let schema_type: String = row.try_get("schema_type").map_err(corrupt)?;
    if schema_type != new.schema.schema_type.as_str() {
        return Err(StoreError::Conflict(
            "the same schema is stored under another type".into(),
        ));
    }
    row.try_get("id").map_err(corrupt)
}

/// Removes the content of an imported id that no version uses any more, so that the id can
/// take new content. An id some version still uses keeps its content, whatever the writer
/// believed when it decided.
async fn replace_unused(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    context: &str,
    id: i32,
) -> Result<(), StoreError> {
    let used = sqlx::query("SELECT 1 FROM subject_versions WHERE context = ? AND schema_id = ?")
        .bind(context)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
    if used.is_some() {
        return Err(StoreError::Conflict(format!(
            "id {id} is in use with other content"
        )));
    }
    for table in ["schemas", "schema_references"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE context = ? AND id = ?"))
            .bind(context)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}

impl SqliteStore {
    /// A transaction that holds SQLite's write lock from its first statement: a transaction
    /// that reads before it writes can then never fail to upgrade its lock, even with several
    /// processes on one file (waiting is bounded by the busy timeout).
    ///
    /// Writers of this process take turns on an async mutex first, so that they queue in
    /// order instead of polling SQLite's lock with its busy handler's sleeps.
    async fn write_transaction(
        &self,
    ) -> Result<
        (
            OwnedMutexGuard<()>,
            sqlx::Transaction<'static, sqlx::Sqlite>,
        ),
        StoreError,
    > {
        let turn = self.writer.clone().lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        Ok((turn, tx))
    }
}

fn version_row(row: &SqliteRow) -> Result<VersionRecord, StoreError> {
    Ok(VersionRecord {
        subject: row.try_get("subject").map_err(corrupt)?,
        version: row.try_get("version").map_err(corrupt)?,
        context: row.try_get("context").map_err(corrupt)?,
        id: row.try_get("schema_id").map_err(corrupt)?,
        deleted: row.try_get::<i64, _>("deleted").map_err(corrupt)? != 0,
    })
}

fn schema_row(row: &SqliteRow) -> Result<SchemaRecord, StoreError> {
    let schema_type: String = row.try_get("schema_type").map_err(corrupt)?;
    let refs: String = row.try_get("refs").map_err(corrupt)?;
    let metadata: Option<String> = row.try_get("metadata").map_err(corrupt)?;
    let rule_set: Option<String> = row.try_get("rule_set").map_err(corrupt)?;
    Ok(SchemaRecord {
        context: row.try_get("context").map_err(corrupt)?,
        id: row.try_get("id").map_err(corrupt)?,
        schema_type: SchemaType::from_str(&schema_type).map_err(corrupt)?,
        schema: row.try_get("schema").map_err(corrupt)?,
        references: serde_json::from_str(&refs).map_err(corrupt)?,
        metadata: metadata
            .map(|m| serde_json::from_str(&m))
            .transpose()
            .map_err(corrupt)?,
        rule_set: rule_set
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(corrupt)?,
        fingerprint: row.try_get("fingerprint").map_err(corrupt)?,
    })
}

/// Stores content unless its identity is stored already, under the next id of its context.
/// Parameters: ?1 context, ?2 type, ?3 text, ?4 references, ?5 metadata, ?6 rule set,
/// ?7 fingerprint.
const NEW_CONTENT: &str = "INSERT INTO schemas (context, id, schema_type, schema, refs, \
     metadata, rule_set, fingerprint) \
     SELECT ?1, COALESCE((SELECT next_id FROM id_allocators WHERE context = ?1), 1), \
     ?2, ?3, ?4, ?5, ?6, ?7 \
     WHERE NOT EXISTS (SELECT 1 FROM schemas WHERE context = ?1 AND fingerprint = ?7)";

const VERSION_COLUMNS: &str = "subject, version, context, schema_id, deleted";
const SCHEMA_COLUMNS: &str =
    "context, id, schema_type, schema, refs, metadata, rule_set, fingerprint";

impl Store for SqliteStore {
    async fn versions(&self, subject: &str) -> Result<Vec<VersionRecord>, StoreError> {
        if let Some(cached) = self.versions.subjects.get(subject) {
            return Ok(cached.as_ref().clone());
        }
        let generation = *self.versions.generation(subject);
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM subject_versions WHERE subject = ? ORDER BY version"
        );
        let rows = sqlx::query(&sql)
            .bind(subject)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let versions = rows
            .iter()
            .map(version_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.versions.fill(subject, generation, &versions);
        Ok(versions)
    }

    async fn versions_with_prefix(&self, prefix: &str) -> Result<Vec<VersionRecord>, StoreError> {
        // A range on the primary key: every string starting with `prefix` sorts between the
        // prefix itself and the prefix followed by the highest code point.
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM subject_versions WHERE subject >= ? AND subject < ? \
             ORDER BY subject, version"
        );
        let rows = sqlx::query(&sql)
            .bind(prefix)
            .bind(format!("{prefix}\u{10FFFF}"))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(version_row)
            .filter(|v| v.as_ref().map_or(true, |v| v.subject.starts_with(prefix)))
            .collect()
    }

    async fn all_versions(&self) -> Result<Vec<VersionRecord>, StoreError> {
        let sql =
            format!("SELECT {VERSION_COLUMNS} FROM subject_versions ORDER BY subject, version");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(version_row).collect()
    }

    async fn schema(&self, context: &str, id: i32) -> Result<Option<SchemaRecord>, StoreError> {
        let sql = format!("SELECT {SCHEMA_COLUMNS} FROM schemas WHERE context = ? AND id = ?");
        let row = sqlx::query(&sql)
            .bind(context)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(schema_row).transpose()
    }

    async fn schema_by_fingerprint(
        &self,
        context: &str,
        fingerprint: &str,
    ) -> Result<Option<SchemaRecord>, StoreError> {
        let sql =
            format!("SELECT {SCHEMA_COLUMNS} FROM schemas WHERE context = ? AND fingerprint = ?");
        let row = sqlx::query(&sql)
            .bind(context)
            .bind(fingerprint)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(schema_row).transpose()
    }

    async fn usages(&self, context: &str, id: i32) -> Result<Vec<VersionRecord>, StoreError> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM subject_versions WHERE context = ? AND schema_id = ? \
             ORDER BY subject, version"
        );
        let rows = sqlx::query(&sql)
            .bind(context)
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(version_row).collect()
    }

    async fn referrers(
        &self,
        subject: &str,
        version: i32,
    ) -> Result<Vec<VersionRecord>, StoreError> {
        let sql = "SELECT v.subject, v.version, v.context, v.schema_id, v.deleted \
                   FROM schema_references r JOIN subject_versions v \
                   ON v.context = r.context AND v.schema_id = r.id \
                   WHERE r.ref_subject = ? AND r.ref_version = ? ORDER BY v.schema_id, v.subject, v.version";
        let rows = sqlx::query(sql)
            .bind(subject)
            .bind(version)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(version_row).collect()
    }

    async fn max_id(&self, context: &str) -> Result<i32, StoreError> {
        let row = sqlx::query("SELECT next_id FROM id_allocators WHERE context = ?")
            .bind(context)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        match row {
            Some(row) => Ok(row.try_get::<i32, _>("next_id").map_err(corrupt)? - 1),
            None => Ok(0),
        }
    }

    async fn contexts(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT context FROM contexts ORDER BY context")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| r.try_get("context").map_err(corrupt))
            .collect()
    }

    async fn insert_version(&self, new: NewVersion) -> Result<i32, StoreError> {
        let schema = &new.schema;
        let refs = serde_json::to_string(&schema.references).map_err(corrupt)?;
        let metadata = schema
            .metadata
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(corrupt)?;
        let rule_set = schema
            .rule_set
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(corrupt)?;
        // Binds the content columns after context and id.
        macro_rules! content {
            ($query:expr) => {
                $query
                    .bind(schema.schema_type.as_str())
                    .bind(&schema.schema)
                    .bind(&refs)
                    .bind(&metadata)
                    .bind(&rule_set)
                    .bind(&schema.fingerprint)
            };
        }
        let _forget = self.versions.forget_after(vec![&new.subject]);
        let (_turn, mut tx) = self.write_transaction().await?;
        if new.id.is_none()
            && new.displaces.is_none()
            && new.tombstones.is_empty()
            && schema.references.is_empty()
        {
            // The common case, in one round trip: the content (new content takes the next id),
            // the version on the content's id (none when the same text is stored under another
            // type), the context.
            let sql = format!(
                "{NEW_CONTENT}; \
                 INSERT INTO subject_versions (subject, version, context, schema_id, deleted) \
                 SELECT ?8, ?9, ?1, id, 0 FROM schemas \
                 WHERE context = ?1 AND fingerprint = ?7 AND schema_type = ?2 \
                 RETURNING schema_id; \
                 INSERT OR IGNORE INTO contexts (context) SELECT ?1 WHERE ?1 <> '.';"
            );
            let rows = content!(sqlx::query(&sql).bind(&new.context))
                .bind(&new.subject)
                .bind(new.version)
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
            let Some(row) = rows.first() else {
                return Err(StoreError::Conflict(
                    "the same schema is stored under another type".into(),
                ));
            };
            let id = row.try_get("schema_id").map_err(corrupt)?;
            tx.commit().await.map_err(db)?;
            return Ok(id);
        }
        if let Some(old) = new.displaces {
            sqlx::query(
                "UPDATE schemas SET fingerprint = fingerprint || '#' || id \
                 WHERE context = ? AND id = ?",
            )
            .bind(&new.context)
            .bind(old)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        // The id, and whether its content row was written now. A trigger moves the context's
        // id allocator past every id written.
        let (id, written) = match new.id {
            None => {
                // New content takes the next id; known content keeps its own.
                let sql = format!("{NEW_CONTENT} RETURNING id");
                let inserted = content!(sqlx::query(&sql).bind(&new.context))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                match inserted {
                    Some(row) => (row.try_get("id").map_err(corrupt)?, true),
                    None => (known_id(&mut tx, &new).await?, false),
                }
            }
            Some(id) => {
                let stored =
                    sqlx::query("SELECT fingerprint FROM schemas WHERE context = ? AND id = ?")
                        .bind(&new.context)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                let stored: Option<String> = stored
                    .map(|r| r.try_get("fingerprint").map_err(corrupt))
                    .transpose()?;
                if stored.as_ref().is_some_and(|f| *f != schema.fingerprint) {
                    replace_unused(&mut tx, &new.context, id).await?;
                }
                let write = stored.as_ref() != Some(&schema.fingerprint);
                if write {
                    content!(sqlx::query(
                        "INSERT INTO schemas (context, id, schema_type, schema, refs, metadata, \
                         rule_set, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(&new.context)
                    .bind(id))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
                (id, write)
            }
        };
        if written {
            for reference in &schema.references {
                sqlx::query(
                    "INSERT INTO schema_references (context, id, ref_subject, ref_version) \
                     VALUES (?, ?, ?, ?)",
                )
                .bind(&new.context)
                .bind(id)
                .bind(&reference.subject)
                .bind(reference.version)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            }
        }
        let mut removed_ids = Vec::new();
        for version in &new.tombstones {
            let row = sqlx::query(
                "DELETE FROM subject_versions WHERE subject = ? AND version = ? \
                 RETURNING schema_id",
            )
            .bind(&new.subject)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            if let Some(row) = row {
                removed_ids.push(row.try_get::<i32, _>("schema_id").map_err(corrupt)?);
            }
        }
        sqlx::query(
            "INSERT INTO subject_versions (subject, version, context, schema_id, deleted) \
             VALUES (?, ?, ?, ?, 0)",
        )
        .bind(&new.subject)
        .bind(new.version)
        .bind(&new.context)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        for removed in removed_ids {
            retire_if_unused(&mut tx, &new.context, removed).await?;
        }
        if new.context != "." {
            sqlx::query("INSERT OR IGNORE INTO contexts (context) VALUES (?)")
                .bind(&new.context)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn soft_delete(
        &self,
        subject: &str,
        versions: &[i32],
        drop_settings: bool,
    ) -> Result<(), StoreError> {
        let _forget = self.versions.forget_after(vec![subject]);
        let (_turn, mut tx) = self.write_transaction().await?;
        if drop_settings {
            for table in ["configs", "modes"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE scope = ?"))
                    .bind(subject)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            }
        }
        for version in versions {
            sqlx::query(
                "UPDATE subject_versions SET deleted = 1 WHERE subject = ? AND version = ?",
            )
            .bind(subject)
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn hard_delete(&self, subject: &str, versions: &[i32]) -> Result<(), StoreError> {
        let _forget = self.versions.forget_after(vec![subject]);
        let (_turn, mut tx) = self.write_transaction().await?;
        for version in versions {
            remove_version(&mut tx, subject, *version).await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn set_mode_purging(
        &self,
        scope: &str,
        mode: &str,
        purge: &[(String, i32)],
    ) -> Result<(), StoreError> {
        let _forget = self
            .versions
            .forget_after(purge.iter().map(|(s, _)| s.as_str()).collect());
        let (_turn, mut tx) = self.write_transaction().await?;
        for (subject, version) in purge {
            remove_version(&mut tx, subject, *version).await?;
        }
        sqlx::query(
            "INSERT INTO modes (scope, mode) VALUES (?, ?) \
             ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode",
        )
        .bind(scope)
        .bind(mode)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn delete_context(&self, context: &str) -> Result<(), StoreError> {
        let _turn = self.writer.lock().await;
        sqlx::query("DELETE FROM contexts WHERE context = ?")
            .bind(context)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn config(&self, scope: &str) -> Result<Option<String>, StoreError> {
        self.setting(CONFIGS, scope).await
    }

    async fn config_scopes(&self) -> Result<Vec<String>, StoreError> {
        self.setting_scopes(CONFIGS).await
    }

    async fn set_config(&self, scope: &str, config: Option<&str>) -> Result<(), StoreError> {
        self.set_setting(CONFIGS, scope, config).await
    }

    async fn mode(&self, scope: &str) -> Result<Option<String>, StoreError> {
        self.setting(MODES, scope).await
    }

    async fn mode_scopes(&self) -> Result<Vec<String>, StoreError> {
        self.setting_scopes(MODES).await
    }

    async fn set_mode(&self, scope: &str, mode: Option<&str>) -> Result<(), StoreError> {
        self.set_setting(MODES, scope, mode).await
    }
}

/// A table of per-scope settings (configs, modes): `(scope PRIMARY KEY, <value column>)`.
struct Settings {
    table: &'static str,
    column: &'static str,
}

const CONFIGS: Settings = Settings {
    table: "configs",
    column: "config",
};

const MODES: Settings = Settings {
    table: "modes",
    column: "mode",
};

impl SqliteStore {
    async fn setting(&self, s: Settings, scope: &str) -> Result<Option<String>, StoreError> {
        let sql = format!("SELECT {} FROM {} WHERE scope = ?", s.column, s.table);
        let row = sqlx::query(&sql)
            .bind(scope)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| r.try_get(s.column).map_err(corrupt))
            .transpose()
    }

    async fn setting_scopes(&self, s: Settings) -> Result<Vec<String>, StoreError> {
        let sql = format!("SELECT scope FROM {} ORDER BY scope", s.table);
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter()
            .map(|r| r.try_get("scope").map_err(corrupt))
            .collect()
    }

    /// Sets the scope's value, or removes it when `value` is `None`.
    async fn set_setting(
        &self,
        s: Settings,
        scope: &str,
        value: Option<&str>,
    ) -> Result<(), StoreError> {
        let _turn = self.writer.lock().await;
        match value {
            Some(value) => {
                let sql = format!(
                    "INSERT INTO {t} (scope, {c}) VALUES (?, ?) \
                     ON CONFLICT (scope) DO UPDATE SET {c} = excluded.{c}",
                    t = s.table,
                    c = s.column
                );
                sqlx::query(&sql)
                    .bind(scope)
                    .bind(value)
                    .execute(&self.pool)
                    .await
                    .map_err(db)?
            }
            None => {
                let sql = format!("DELETE FROM {} WHERE scope = ?", s.table);
                sqlx::query(&sql)
                    .bind(scope)
                    .execute(&self.pool)
                    .await
                    .map_err(db)?
            }
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(version: i32) -> VersionRecord {
        VersionRecord {
            subject: "s".into(),
            version,
            context: ".".into(),
            id: version,
            deleted: false,
        }
    }

    #[test]
    fn versions_read_before_a_write_are_never_cached_after_it() {
        let cache = VersionsCache::new();
        let before = *cache.generation("s");
        {
            let _write = cache.forget_after(vec!["s"]);
        }
        cache.fill("s", before, &[record(1)]);
        assert!(cache.subjects.get("s").is_none());
        let now = *cache.generation("s");
        cache.fill("s", now, &[record(1), record(2)]);
        assert_eq!(cache.subjects.get("s").map(|v| v.len()), Some(2));
        // A write that ends in any way forgets the subject.
        drop(cache.forget_after(vec!["s"]));
        assert!(cache.subjects.get("s").is_none());
    }
}
