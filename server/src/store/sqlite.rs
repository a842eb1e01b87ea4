//! The SQLite store: one file, WAL, one transaction per change, one registry process.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::common::{shared_store_helpers, shared_store_methods};
use super::lock_table::{LockGuard, LockTable};
use super::rows::{
    corrupt, schema_json, schema_row, version_rows, Settings, CONFIGS, MODES, SCHEMA_COLUMNS,
    VERSION_COLUMNS,
};
use super::{Change, NewVersion, SchemaRecord, Store, StoreError, VersionRecord, WriteScope};
use crate::generation::{stripe, Generation};

mod group;

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

/// A [`Store`] in one SQLite file, written by one registry process.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The one connection that writes: SQLite lets one writer at a time in anyway, and a
    /// connection that alone changes the file keeps its page cache across transactions
    /// instead of reading the pages again after another connection's commit.
    writes: SqlitePool,
    /// Writes of one subject wait for each other; writes of different subjects do not.
    locks: Arc<LockTable>,
    /// Turns at SQLite's single write lock.
    writer: Arc<Mutex<()>>,
    /// Where the common registrations are written, in groups.
    group: group::GroupCommit,
    /// The versions of subjects, as last read.
    versions: Arc<VersionsCache>,
    /// The identities stored, or about to be.
    identities: Arc<Identities>,
}

/// The identities (fingerprints) of the schemas stored in each context, as 128-bit numbers: a
/// registration of new content learns it is new without asking the database.
///
/// Always a superset of the table: loaded at start, and an identity is added before the write
/// that stores it. An identity that is not a 128-bit hex fingerprint is never claimed absent.
/// A stale member (content retired or displaced) only costs the query it would have cost.
#[derive(Debug, Default)]
struct Identities(
    std::sync::RwLock<std::collections::HashMap<String, std::collections::HashSet<u128>>>,
);

impl Identities {
    fn key(fingerprint: &str) -> Option<u128> {
        (fingerprint.len() == 32)
            .then(|| u128::from_str_radix(fingerprint, 16).ok())
            .flatten()
    }

    /// Whether the identity may be stored: `false` only when it surely is not.
    fn may_hold(&self, context: &str, fingerprint: &str) -> bool {
        let Some(key) = Self::key(fingerprint) else {
            return true;
        };
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(context)
            .is_some_and(|known| known.contains(&key))
    }

    fn add(&self, context: &str, fingerprint: &str) {
        if let Some(key) = Self::key(fingerprint) {
            self.0
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(context.to_owned())
                .or_default()
                .insert(key);
        }
    }
}

/// The versions of subjects as last read, kept exact by every write of this store.
///
/// A SQLite file has one registry process writing it, so this process sees every change and
/// can answer a subject's versions without a round trip to the database. A write that appended
/// one version to a cached subject appends it to the entry too; any other write drops the
/// subject's entry when it ends. A read fills the entry only if no write to the subject ended
/// since the read began (a generation per stripe of subjects, checked and bumped under one
/// lock), so a value read before a write is never cached after it.
#[derive(Debug)]
struct VersionsCache {
    subjects: moka::sync::Cache<Arc<str>, Arc<Vec<VersionRecord>>>,
    generations: Box<[Generation]>,
}

/// Stripes of per-subject generations.
const GENERATION_STRIPES: usize = 256;

/// Most version records held.
const CACHED_VERSIONS: u64 = 200_000;

impl VersionsCache {
    fn new() -> Self {
        VersionsCache {
            subjects: moka::sync::Cache::builder()
                .weigher(|_k: &Arc<str>, v: &Arc<Vec<VersionRecord>>| {
                    u32::try_from(v.len().max(1)).unwrap_or(u32::MAX)
                })
                .max_capacity(CACHED_VERSIONS)
                .build(),
            generations: (0..GENERATION_STRIPES)
                .map(|_| Generation::default())
                .collect(),
        }
    }

    fn generation(&self, subject: &str) -> &Generation {
        &self.generations[stripe(subject, GENERATION_STRIPES)]
    }

    /// Caches versions read while the subject's generation was `generation`, unless a write
    /// committed since.
    fn fill(&self, subject: &str, generation: u64, versions: &[VersionRecord]) {
        self.generation(subject).fill(generation, || {
            self.subjects
                .insert(Arc::from(subject), Arc::new(versions.to_vec()));
        });
    }

    /// Forgets a subject whose versions a committed write changed.
    fn changed(&self, subject: &str) {
        self.generation(subject)
            .advance(|| self.subjects.invalidate(subject));
    }

    /// Adds the version a committed write appended to its subject's entry, if cached. The
    /// subject's writers are serialized, so the entry is the state this write started from, or
    /// (filled by a read that ran after the commit) the state it ended with.
    fn appended(&self, mut record: VersionRecord) {
        self.generation(&record.subject).advance(|| {
            let Some(before) = self.subjects.get(&record.subject) else {
                return;
            };
            if !before.iter().any(|v| v.version == record.version) {
                let mut after = Vec::with_capacity(before.len() + 1);
                after.extend_from_slice(&before);
                // One copy of the names for all the subject's versions.
                if let Some(last) = before.last() {
                    record.subject = Arc::clone(&last.subject);
                    record.context = Arc::clone(&last.context);
                }
                after.push(record);
                self.subjects
                    .insert(Arc::clone(&after[0].subject), Arc::new(after));
            }
        });
    }

    /// Forgets `subjects` when the returned guard drops: at the end of a write, whether it
    /// committed, failed or was cancelled mid-way (a commit may have landed), unless the write
    /// reported the one version it appended.
    fn forget_after<'a>(&'a self, subjects: Vec<&'a str>) -> ForgetAfter<'a> {
        ForgetAfter {
            cache: self,
            subjects,
            appended: None,
        }
    }
}

/// See [`VersionsCache::forget_after`].
struct ForgetAfter<'a> {
    cache: &'a VersionsCache,
    subjects: Vec<&'a str>,
    appended: Option<VersionRecord>,
}

impl ForgetAfter<'_> {
    /// The write committed, and all it did to the versions of its one subject was append
    /// `record`.
    fn committed_append(&mut self, record: VersionRecord) {
        if self.subjects == [&*record.subject] {
            self.appended = Some(record);
        }
    }
}

impl Drop for ForgetAfter<'_> {
    fn drop(&mut self) {
        match self.appended.take() {
            Some(record) => self.cache.appended(record),
            None => {
                for subject in &self.subjects {
                    self.cache.changed(subject);
                }
            }
        }
    }
}

/// A pooled connection running a statement batch that opens and ends its own transaction. If
/// the batch does not run to its end (its future is dropped, or its rollback fails), the
/// connection is closed, which ends the transaction, instead of going back to the pool with
/// the write lock held.
struct Batch(Option<sqlx::pool::PoolConnection<sqlx::Sqlite>>);

impl Batch {
    fn connection(&mut self) -> Result<&mut sqlx::pool::PoolConnection<sqlx::Sqlite>, StoreError> {
        self.0
            .as_mut()
            .ok_or_else(|| StoreError::Database("batch connection already released".into()))
    }

    /// The batch ended its transaction: the connection goes back to the pool.
    fn done(mut self) {
        self.0.take();
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if let Some(connection) = self.0.as_mut() {
            connection.close_on_drop();
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
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        let writes = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        // One row per context: a row is a round trip to the connection's thread.
        let identities = Identities::default();
        let rows = sqlx::query(
            "SELECT context, group_concat(fingerprint, ' ') AS fingerprints FROM schemas \
             GROUP BY context",
        )
        .fetch_all(&pool)
        .await
        .map_err(|e| StoreError::Open(e.to_string()))?;
        for row in &rows {
            let context: String = row.try_get("context").map_err(corrupt)?;
            let fingerprints: String = row.try_get("fingerprints").map_err(corrupt)?;
            for fingerprint in fingerprints.split(' ') {
                identities.add(&context, fingerprint);
            }
        }
        let writer = Arc::new(Mutex::new(()));
        let versions = Arc::new(VersionsCache::new());
        Ok(SqliteStore {
            pool,
            group: group::GroupCommit::start(
                writes.clone(),
                Arc::clone(&writer),
                Arc::clone(&versions),
            ),
            writes,
            locks: Arc::new(LockTable::default()),
            writer,
            versions,
            identities: Arc::new(identities),
        })
    }

    /// A transaction that holds SQLite's write lock from its first statement: a transaction
    /// that reads before it writes can then never fail to upgrade its lock.
    async fn write_transaction(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.writes.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    /// Writers of this process take turns at SQLite's one write lock, so that they queue in
    /// order instead of polling it with the busy handler's sleeps.
    async fn write_turn(&self) -> OwnedMutexGuard<()> {
        Arc::clone(&self.writer).lock_owned().await
    }

    /// A subject's versions, from memory when this process read them since their last change.
    async fn read_versions(&self, subject: &str) -> Result<Vec<VersionRecord>, StoreError> {
        if let Some(cached) = self.versions.subjects.get(subject) {
            return Ok(cached.as_ref().clone());
        }
        let generation = self.versions.generation(subject).current();
        let versions = self.select_versions(subject).await?;
        self.versions.fill(subject, generation, &versions);
        Ok(versions)
    }

    /// The schema stored with an identity; new content is answered without a query.
    async fn read_by_fingerprint(
        &self,
        context: &str,
        fingerprint: &str,
    ) -> Result<Option<SchemaRecord>, StoreError> {
        if !self.identities.may_hold(context, fingerprint) {
            return Ok(None);
        }
        self.select_by_fingerprint(context, fingerprint).await
    }

    /// Held by a write that changes the versions of `subjects`: they are forgotten when it ends.
    fn versions_changing<'a>(&'a self, subjects: Vec<&'a str>) -> ForgetAfter<'a> {
        self.versions.forget_after(subjects)
    }
}

shared_store_helpers!(SqliteStore, sqlx::Sqlite);

/// SQLite takes `?` placeholders as they are written.
fn sql(text: &str) -> String {
    text.to_owned()
}

/// SQLite's default collation (BINARY) already sorts by code point.
const BYTE_ORDER: &str = "";

/// One node owns the file: nobody to tell.
async fn notify(
    _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    _changes: &[Change],
) -> Result<(), StoreError> {
    Ok(())
}

impl Store for SqliteStore {
    type Lock = LockGuard;

    async fn lock(&self, scope: &WriteScope) -> Result<Self::Lock, StoreError> {
        Ok(match scope {
            WriteScope::Everything => self.locks.lock_everything().await,
            WriteScope::Subjects { write, read } => {
                let write: Vec<&str> = write.iter().map(String::as_str).collect();
                let read: Vec<&str> = read.iter().map(String::as_str).collect();
                self.locks.lock(&write, &read).await
            }
        })
    }

    shared_store_methods!();

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

    async fn insert_version(&self, new: NewVersion) -> Result<i32, StoreError> {
        let schema = &new.schema;
        let mut forget = self.versions.forget_after(vec![&new.subject]);
        // Known before it can be stored, so that no reader ever takes it for absent after.
        self.identities.add(&new.context, &schema.fingerprint);
        if new.only_adds() && schema.references.is_empty() {
            // The common case: written with whatever other registrations are waiting, in one
            // transaction.
            let id = self.group.append(&new).await?;
            forget.committed_append(VersionRecord {
                subject: Arc::from(new.subject.as_str()),
                version: new.version,
                context: Arc::from(new.context.as_str()),
                id,
                deleted: false,
            });
            return Ok(id);
        }
        let _turn = self.write_turn().await;
        let mut tx = self.write_transaction().await?;
        displace(&mut tx, &new).await?;
        // The id, and whether its content row was written now. A trigger moves the context's
        // id allocator past every id written.
        let id = match new.id {
            None => {
                // New content takes the next id; known content keeps its own.
                let content = group::Content::of(&new)?;
                let sql = format!("{} RETURNING id", group::NEW_CONTENT);
                let inserted = content
                    .bind(sqlx::query(&sql))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                match inserted {
                    Some(row) => {
                        let id = row.try_get("id").map_err(corrupt)?;
                        insert_references(&mut tx, &new, id).await?;
                        id
                    }
                    None => stored_id(&mut tx, &new)
                        .await?
                        .ok_or_else(|| corrupt("stored content vanished mid-transaction"))?,
                }
            }
            Some(id) => {
                store_schema_at(&mut tx, &new, id).await?;
                id
            }
        };
        commit_version(tx, &new, id).await
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
    fn only_identities_surely_not_stored_are_called_absent() {
        let identities = Identities::default();
        let fingerprint = "0123456789abcdef0123456789abcdef";
        assert!(!identities.may_hold(".", fingerprint));
        identities.add(".", fingerprint);
        assert!(identities.may_hold(".", fingerprint));
        assert!(!identities.may_hold(".other", fingerprint));
        // What is not a fingerprint (retired, displaced content) is never claimed absent.
        assert!(identities.may_hold(".", "retired:7"));
        assert!(identities.may_hold(".", "0123#4"));
    }

    #[test]
    fn versions_read_before_a_write_are_never_cached_after_it() {
        let cache = VersionsCache::new();
        let before = cache.generation("s").current();
        {
            let _write = cache.forget_after(vec!["s"]);
        }
        cache.fill("s", before, &[record(1)]);
        assert!(cache.subjects.get("s").is_none());
        let now = cache.generation("s").current();
        cache.fill("s", now, &[record(1), record(2)]);
        assert_eq!(cache.subjects.get("s").map(|v| v.len()), Some(2));
        // A write that ends in any way forgets the subject.
        drop(cache.forget_after(vec!["s"]));
        assert!(cache.subjects.get("s").is_none());
    }

    #[test]
    fn a_reported_append_extends_the_cached_versions_and_nothing_else() {
        let cache = VersionsCache::new();
        let g = cache.generation("s").current();
        cache.fill("s", g, &[record(1)]);
        let before_append = cache.generation("s").current();
        {
            let mut write = cache.forget_after(vec!["s"]);
            write.committed_append(record(2));
        }
        let cached = cache.subjects.get("s").map(|v| v.as_ref().clone());
        assert_eq!(cached, Some(vec![record(1), record(2)]));
        // A read that ran after the commit may have filled the entry before the write ended:
        // the version is not added twice.
        let g = cache.generation("s").current();
        cache.fill("s", g, &[record(1), record(2), record(3)]);
        {
            let mut write = cache.forget_after(vec!["s"]);
            write.committed_append(record(3));
        }
        let cached = cache.subjects.get("s").map(|v| v.as_ref().clone());
        assert_eq!(cached, Some(vec![record(1), record(2), record(3)]));
        // A read that began before the append does not overwrite it.
        cache.fill("s", before_append, &[record(1)]);
        assert_eq!(cache.subjects.get("s").map(|v| v.len()), Some(3));
        // An append reported for another subject than the write's is not trusted.
        {
            let mut write = cache.forget_after(vec!["s"]);
            let mut other = record(3);
            other.subject = "t".into();
            write.committed_append(other);
        }
        assert!(cache.subjects.get("s").is_none());
        assert!(cache.subjects.get("t").is_none());
        // A subject not cached stays so: the next read fills it from the database.
        {
            let mut write = cache.forget_after(vec!["s"]);
            write.committed_append(record(3));
        }
        assert!(cache.subjects.get("s").is_none());
    }
}
