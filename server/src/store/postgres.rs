//! The PostgreSQL store: any number of registry nodes on one database, with no leader.
//!
//! - Writes to a subject are serialized across nodes by a transaction-scoped advisory lock on
//!   the subject ([`PgStore::lock`]); writes that span subjects take an exclusive lock that
//!   every subject write holds shared. A node that dies takes its locks with its connections.
//! - Ids come from one sequence per context, so writers never queue on a shared row; the
//!   unique `(context, fingerprint)` index makes the same content end with one id whichever
//!   node registers it first (a losing writer burns a sequence value: ids have gaps, never
//!   duplicates, and are never reused).
//! - Every write transaction that changes something a node caches (configs, modes, ids that
//!   change content or stop being used) announces it with `pg_notify` on [`CHANNEL`], delivered
//!   to every node on commit; [`PgStore::watch_changes`] turns those into [`Change`]s for the
//!   caches.
//! - Round trips are most of what a registration costs on a small machine, so the common one
//!   takes three queries: the subject's versions with the candidate's identity
//!   ([`Store::versions_and_schema`]); `BEGIN` with the locks and the versions again
//!   (`strata_lock`); and the write with the `COMMIT` that frees the locks
//!   (`strata_insert_version`, [`Store::insert_version_unlocking`]). Both functions are in
//!   migration 0002; the last two queries go in the simple protocol, arguments as literals.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions, PgRow};
use sqlx::{Executor, PgPool, Postgres, Row, Transaction};
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use super::common::{numbered_placeholders, shared_store_helpers, shared_store_methods};
use super::rows::{
    corrupt, schema_json, schema_row, version_rows, Settings, CONFIGS, MODES, SCHEMA_COLUMNS,
    VERSION_COLUMNS,
};
use super::{Change, NewVersion, SchemaRecord, Store, StoreError, VersionRecord, WriteScope};

/// The notification channel every node listens on.
pub const CHANNEL: &str = "strata_changes";

/// How a node uses its PostgreSQL database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgSettings {
    /// Most connections this node opens (one of them listens for other nodes' changes).
    pub max_connections: u32,
    /// Longest wait for a connection, connecting included; a request then fails with 50002.
    pub acquire_timeout: Duration,
    /// Longest a statement may run, waiting for a subject lock included; then 50002.
    pub statement_timeout: Duration,
}

impl Default for PgSettings {
    fn default() -> Self {
        PgSettings {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

/// A [`Store`] in a PostgreSQL database shared by any number of nodes.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Bounds the connections held by subject locks, so that lock holders always find a
    /// connection left for their writes.
    lockers: Arc<Semaphore>,
    /// How long a write waits for its turn to take a lock before it gives up (50002).
    lock_timeout: Duration,
    /// Per-subject turns on this node, by stripe of the subject's lock key.
    turns: Arc<Vec<Arc<tokio::sync::Mutex<()>>>>,
    /// Contexts whose id sequence this node knows to exist.
    sequences: Arc<Mutex<HashSet<String>>>,
    /// The versions of the subjects this node holds the write lock of, read in the same round
    /// trip as the lock. Writers of a subject's versions hold its lock (or the exclusive global
    /// one), so nobody else changes them until this node does: an entry is dropped when this
    /// node's write of the subject starts, and when the lock is.
    locked: LockedVersions,
}

/// Versions by qualified subject, see [`PgStore::locked`].
type LockedVersions = Arc<Mutex<HashMap<String, Vec<VersionRecord>>>>;

/// The entries of `subjects` dropped from `locked`.
fn forget_locked<'a>(locked: &LockedVersions, subjects: impl IntoIterator<Item = &'a str>) {
    let mut locked = locked
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for subject in subjects {
        locked.remove(subject);
    }
}

/// Subject locks held by one write: a connection whose open transaction holds advisory locks,
/// rolled back (and the locks freed) when this is dropped.
#[derive(Debug)]
pub struct PgLock {
    held: Option<Held>,
    /// The subject whose versions were read with the lock, and where they were put.
    read: Option<(String, LockedVersions)>,
}

/// What a [`PgLock`] holds, released in this order (the in-process turn last, so that the next
/// writer of the subject on this node finds the database lock free).
#[derive(Debug)]
struct Held {
    conn: PoolConnection<Postgres>,
    permit: OwnedSemaphorePermit,
    turns: Vec<OwnedMutexGuard<()>>,
}

impl Drop for PgLock {
    fn drop(&mut self) {
        if let Some((subject, locked)) = self.read.take() {
            forget_locked(&locked, [subject.as_str()]);
        }
        if let Some(mut held) = self.held.take() {
            // Rolling back needs a round trip: done by a task, so that the answer to the write
            // does not wait for it.
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        unlock(&mut held.conn).await;
                        drop(held.permit);
                        drop(held.turns);
                    });
                }
                // Closing the connection ends its transaction too.
                Err(_) => held.conn.close_on_drop(),
            }
        }
    }
}

/// Ends the transaction holding a connection's advisory locks. The pool does not know of that
/// transaction (it is begun by hand, to take the locks in the same round trip): a connection
/// that may still be in it is closed rather than handed out again.
async fn unlock(conn: &mut PoolConnection<Postgres>) {
    if conn.execute("ROLLBACK").await.is_err() {
        conn.close_on_drop();
    }
}

/// A connection running a query that begins or ends a transaction by hand: closed if dropped
/// before the query returned (a write given up while it waited), as the pool could otherwise
/// hand it out inside that transaction.
struct Guarded(Option<PoolConnection<Postgres>>);

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Some(conn) = self.0.as_mut() {
            conn.close_on_drop();
        }
    }
}

/// Runs the simple-protocol `query` on `conn`, which comes back with the query's rows unless
/// the caller gave up meanwhile (then it is closed).
async fn run_guarded(
    conn: PoolConnection<Postgres>,
    query: &str,
) -> Result<(PoolConnection<Postgres>, Result<Vec<PgRow>, sqlx::Error>), StoreError> {
    let mut guarded = Guarded(Some(conn));
    let rows = match guarded.0.as_mut() {
        Some(conn) => conn.fetch_all(query).await,
        None => Ok(Vec::new()),
    };
    match guarded.0.take() {
        Some(conn) => Ok((conn, rows)),
        None => Err(StoreError::Database("connection lost".into())),
    }
}

/// Begins a transaction and takes the advisory locks `keys` (`true`: exclusive) in it, in the
/// order given, then reads the versions of `subject` (`strata_lock`, migration 0002), in one
/// round trip: a simple-protocol query with the arguments as literals (the keys are numbers,
/// quoted, and the subject a string literal).
fn lock_statement(keys: &[(i64, bool)], subject: Option<&str>) -> String {
    let list = |items: Vec<String>| items.join(", ");
    let ids = list(keys.iter().map(|(k, _)| format!("'{k}'::bigint")).collect());
    let modes = list(keys.iter().map(|(_, e)| e.to_string()).collect());
    let subject = subject
        .and_then(text_literal)
        .unwrap_or_else(|| "NULL::text".to_owned());
    format!(
        "BEGIN; SELECT {VERSION_COLUMNS} FROM \
         strata_lock(ARRAY[{ids}]::bigint[], ARRAY[{modes}]::boolean[], {subject})"
    )
}

/// In-process turns: writers of one subject on one node queue here, holding neither a
/// connection nor a lock permit, and only the first of them waits in the database.
const TURN_STRIPES: usize = 64;

fn db(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(inner) if inner.is_unique_violation() => {
            StoreError::Conflict(inner.message().to_owned())
        }
        // query_canceled: statement_timeout or lock_timeout.
        sqlx::Error::Database(inner) if inner.code().as_deref() == Some("57014") => {
            StoreError::Timeout(inner.message().to_owned())
        }
        sqlx::Error::PoolTimedOut => StoreError::Timeout(error.to_string()),
        _ => StoreError::Database(error.to_string()),
    }
}

/// A stable 64-bit key for an advisory lock (FNV-1a: the same on every node and build).
fn lock_key(name: &str) -> i64 {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The key every subject write holds shared and [`WriteScope::Everything`] exclusively.
fn everything_key() -> i64 {
    lock_key("strata:everything")
}

/// The id sequence of a context: a name derived from the context, safe in SQL text.
fn sequence_name(context: &str) -> String {
    if context == "." {
        "strata_ids_default".to_owned()
    } else {
        format!("strata_ids_{:016x}", lock_key(context))
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`), applies the embedded
    /// migrations (serialized across nodes by the migrator's own lock) and opens the pool.
    pub async fn open(url: &str, settings: PgSettings) -> Result<Self, StoreError> {
        let statement_timeout = settings.statement_timeout.as_millis().to_string();
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Open(e.to_string()))?
            .options([("statement_timeout", statement_timeout.as_str())])
            .application_name("strata");
        let max_connections = settings.max_connections.max(3);
        // sqlx checks every connection when it is returned (a round trip); checking it again
        // when it is taken would double that on every statement outside a transaction. A
        // connection that broke while idle fails one request (50001), and is then replaced.
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        // One connection listens; of the others, half at most hold locks.
        let lockers = usize::try_from((max_connections - 1) / 2).unwrap_or(1);
        Ok(PgStore {
            pool,
            lockers: Arc::new(Semaphore::new(lockers)),
            lock_timeout: settings.statement_timeout,
            turns: Arc::new(
                (0..TURN_STRIPES)
                    .map(|_| Arc::new(tokio::sync::Mutex::new(())))
                    .collect(),
            ),
            sequences: Arc::new(Mutex::new(HashSet::from([".".to_owned()]))),
            locked: LockedVersions::default(),
        })
    }

    /// Runs `on_change` for every change any node commits, for as long as the returned task
    /// runs. When the listening connection is lost, `on_change(Change::Everything)` follows the
    /// reconnection: what changed in between is unknown.
    pub fn watch_changes(
        &self,
        on_change: impl Fn(Change) + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut listener: Option<PgListener> = None;
            let mut backoff = Duration::from_millis(50);
            loop {
                let Some(active) = listener.as_mut() else {
                    match subscribe(&pool).await {
                        Ok(subscribed) => {
                            listener = Some(subscribed);
                            backoff = Duration::from_millis(50);
                            // Anything committed before the subscription may have been missed.
                            on_change(Change::Everything);
                        }
                        Err(error) => {
                            tracing::warn!(%error, "cannot listen for changes; retrying");
                            tokio::time::sleep(backoff).await;
                            backoff = (backoff * 2).min(Duration::from_secs(2));
                        }
                    }
                    continue;
                };
                match active.try_recv().await {
                    Ok(Some(notification)) => {
                        if let Some(change) = Change::decode(notification.payload()) {
                            on_change(change);
                        }
                    }
                    // Lost and already re-established: notifications in between are gone.
                    Ok(None) => on_change(Change::Everything),
                    Err(error) => {
                        tracing::warn!(%error, "lost the change listener");
                        on_change(Change::Everything);
                        listener = None;
                    }
                }
            }
        })
    }

    /// Waits for this node's turn on the subjects `scope` writes, then for a lock permit.
    async fn turn(
        &self,
        scope: &WriteScope,
    ) -> Result<(Vec<OwnedMutexGuard<()>>, OwnedSemaphorePermit), StoreError> {
        let stripes: std::collections::BTreeSet<usize> = match scope {
            WriteScope::Everything => std::collections::BTreeSet::new(),
            WriteScope::Subjects { write, .. } => write
                .iter()
                .map(|s| usize::try_from(lock_key(s).rem_euclid(TURN_STRIPES as i64)).unwrap_or(0))
                .collect(),
        };
        let mut turns = Vec::with_capacity(stripes.len());
        for stripe in stripes {
            if let Some(turn) = self.turns.get(stripe) {
                turns.push(Arc::clone(turn).lock_owned().await);
            }
        }
        let permit = Arc::clone(&self.lockers)
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        Ok((turns, permit))
    }

    /// Creates the id sequence of a context once (nodes may race: the loser's error is fine).
    async fn ensure_sequence(&self, context: &str) -> Result<String, StoreError> {
        let name = sequence_name(context);
        let known = self
            .sequences
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(context);
        if !known {
            let created = sqlx::query(&format!("CREATE SEQUENCE IF NOT EXISTS {name}"))
                .execute(&self.pool)
                .await;
            if let Err(error) = created {
                let raced = matches!(&error, sqlx::Error::Database(e)
                    if e.is_unique_violation() || e.code().as_deref() == Some("42P07"));
                if !raced {
                    return Err(db(error));
                }
            }
            self.sequences
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(context.to_owned());
        }
        Ok(name)
    }
}

async fn subscribe(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Announces changes to every node; delivered when (and only if) the transaction commits.
async fn notify(tx: &mut Transaction<'_, Postgres>, changes: &[Change]) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = changes.iter().map(Change::encode).collect();
    sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
        .bind(CHANNEL)
        .bind(payloads)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(())
}

impl PgStore {
    /// The id of an explicitly numbered (imported) schema, written like SQLite writes it, and
    /// the context's sequence moved past it.
    async fn place_explicit(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        new: &NewVersion,
        id: i32,
        sequence: &str,
    ) -> Result<(), StoreError> {
        store_schema_at(tx, new, id).await?;
        // The (context, id) key is the backstop if a concurrent allocation already took it.
        sqlx::query(&format!(
            "SELECT setval('{sequence}', GREATEST($1::bigint, last_value)) FROM {sequence}"
        ))
        .bind(i64::from(id))
        .execute(&mut **tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// The id of new content: the winner's when another writer stored the same content first.
    async fn allocate(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        new: &NewVersion,
        sequence: &str,
    ) -> Result<i32, StoreError> {
        let row = sqlx::query(&format!("SELECT nextval('{sequence}') AS id"))
            .fetch_one(&mut **tx)
            .await
            .map_err(db)?;
        let next: i64 = row.try_get("id").map_err(corrupt)?;
        let id = i32::try_from(next).map_err(|_| StoreError::Database("ids exhausted".into()))?;
        if insert_schema(tx, new, id, "ON CONFLICT (context, fingerprint) DO NOTHING").await? {
            return Ok(id);
        }
        stored_id(tx, new)
            .await?
            .ok_or_else(|| StoreError::Conflict("schema identity changed concurrently".into()))
    }
}

impl PgLock {
    /// Whether this lock holds `subject` for writing, and its transaction is open.
    fn writes(&self, subject: &str) -> bool {
        self.held.is_some() && self.read.as_ref().is_some_and(|(s, _)| s == subject)
    }
}

/// A text as an SQL literal that reads the same whatever `standard_conforming_strings` is;
/// `None` for a text PostgreSQL cannot take (a NUL).
fn text_literal(text: &str) -> Option<String> {
    if text.contains('\0') {
        return None;
    }
    Some(format!(
        "E'{}'::text",
        text.replace('\\', "\\\\").replace('\'', "''")
    ))
}

/// The call of `strata_insert_version` for the common registration `new`, ids from `sequence`,
/// as a simple-protocol query with every argument a literal (so that a `COMMIT` can follow in
/// the same round trip).
fn common_insert_statement(new: &NewVersion, sequence: &str) -> Result<String, StoreError> {
    let literal = |text: &str| {
        text_literal(text).ok_or_else(|| {
            StoreError::Database("a text holds a NUL, which PostgreSQL refuses".into())
        })
    };
    let optional = |text: Option<String>| match text {
        Some(text) => literal(&text),
        None => Ok("NULL::text".to_owned()),
    };
    let schema = &new.schema;
    let (refs, metadata, rule_set) = schema_json(schema)?;
    let ref_subjects = schema
        .references
        .iter()
        .map(|r| literal(&r.subject))
        .collect::<Result<Vec<_>, _>>()?;
    let ref_versions: Vec<String> = schema
        .references
        .iter()
        .map(|r| format!("'{}'::integer", r.version))
        .collect();
    let args = [
        literal(&new.subject)?,
        format!("'{}'::integer", new.version),
        literal(&new.context)?,
        literal(sequence)?,
        literal(schema.schema_type.as_str())?,
        literal(&schema.schema)?,
        literal(&refs)?,
        optional(metadata)?,
        optional(rule_set)?,
        literal(&schema.fingerprint)?,
        format!("ARRAY[{}]::text[]", ref_subjects.join(", ")),
        format!("ARRAY[{}]::integer[]", ref_versions.join(", ")),
    ];
    Ok(format!(
        "SELECT strata_insert_version({}) AS id",
        args.join(", ")
    ))
}

impl PgStore {
    /// The common registration (no explicit id, nothing removed or displaced) in one call of
    /// `strata_insert_version` (migration 0002), committed on its own: it changes nothing any
    /// node caches, so it announces nothing.
    async fn insert_common(&self, new: &NewVersion, sequence: &str) -> Result<i32, StoreError> {
        let statement = common_insert_statement(new, sequence)?;
        let row = self.pool.fetch_one(statement.as_str()).await.map_err(db)?;
        row.try_get("id").map_err(corrupt)
    }
}

shared_store_helpers!(PgStore, Postgres);

/// PostgreSQL numbers its placeholders.
fn sql(text: &str) -> String {
    numbered_placeholders(text)
}

/// [`SCHEMA_COLUMNS`] after `context`, which [`PgStore::versions_and_schema`] selects with the
/// version columns.
const SCHEMA_COLUMNS_BUT_CONTEXT: &str =
    "id, schema_type, schema, refs, metadata, rule_set, fingerprint";

/// Sorts text by code point whatever the database's collation.
const BYTE_ORDER: &str = "COLLATE \"C\"";

impl PgStore {
    async fn write_transaction(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool.begin().await.map_err(db)
    }

    /// Writers wait for each other in the database (row and advisory locks), not here.
    async fn write_turn(&self) -> Unshared {
        Unshared
    }

    /// Whether the versions of `subject` came with its lock, held by this node.
    fn has_locked_versions(&self, subject: &str) -> bool {
        self.locked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains_key(subject)
    }

    /// Versions are read from the database (other nodes write them too), or with the
    /// subject's lock while this node holds it.
    async fn read_versions(&self, subject: &str) -> Result<Vec<VersionRecord>, StoreError> {
        let read = self
            .locked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(subject)
            .cloned();
        match read {
            Some(versions) => Ok(versions),
            None => self.select_versions(subject).await,
        }
    }

    /// Schemas are found by identity in the database: other nodes store them too.
    async fn read_by_fingerprint(
        &self,
        context: &str,
        fingerprint: &str,
    ) -> Result<Option<SchemaRecord>, StoreError> {
        self.select_by_fingerprint(context, fingerprint).await
    }

    /// The versions read with the subjects' locks are forgotten before the write starts.
    fn versions_changing(&self, subjects: Vec<&str>) -> Unshared {
        forget_locked(&self.locked, subjects);
        Unshared
    }
}

/// What a PostgreSQL write holds on this node besides its transaction: nothing.
struct Unshared;

impl Store for PgStore {
    type Lock = PgLock;

    async fn lock(&self, scope: &WriteScope) -> Result<PgLock, StoreError> {
        // Bounded like the wait for a lock in the database: while the database is down, queued
        // writers fail as the ones in front of them do.
        let (turns, permit) = tokio::time::timeout(self.lock_timeout, self.turn(scope))
            .await
            .map_err(|_| StoreError::Timeout("no turn to write within the timeout".into()))??;
        // Fixed order on every node: the global key first, then subjects by key.
        let mut keys: BTreeMap<i64, bool> = BTreeMap::new();
        let global_exclusive = match scope {
            WriteScope::Everything => true,
            WriteScope::Subjects { write, read } => {
                for subject in read {
                    keys.entry(lock_key(subject)).or_insert(false);
                }
                for subject in write {
                    keys.insert(lock_key(subject), true);
                }
                false
            }
        };
        let mut ordered = vec![(everything_key(), global_exclusive)];
        ordered.extend(keys);
        // A write of one subject reads its versions next: they come with the lock. (A subject
        // with control characters is never registered; it is read the usual way.)
        let read = match scope {
            WriteScope::Subjects { write, .. } if write.len() == 1 => write
                .first()
                .filter(|s| !s.chars().any(char::is_control))
                .cloned(),
            _ => None,
        };
        let statement = lock_statement(&ordered, read.as_deref());
        let conn = self.pool.acquire().await.map_err(db)?;
        let (mut conn, locked) = run_guarded(conn, &statement).await?;
        let versions: Result<Vec<VersionRecord>, StoreError> =
            locked.map_err(db).and_then(|rows| version_rows(&rows));
        let versions = match versions {
            Ok(versions) => versions,
            Err(error) => {
                unlock(&mut conn).await;
                return Err(error);
            }
        };
        let read = read.map(|subject| {
            self.locked
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(subject.clone(), versions);
            (subject, Arc::clone(&self.locked))
        });
        Ok(PgLock {
            held: Some(Held {
                conn,
                permit,
                turns,
            }),
            read,
        })
    }

    shared_store_methods!();

    /// One query: the subject's versions, then the schema stored with the identity (the row
    /// without a subject), unless this node holds the subject's lock and has its versions.
    async fn versions_and_schema(
        &self,
        subject: &str,
        context: &str,
        fingerprint: &str,
    ) -> Result<(Vec<VersionRecord>, Option<SchemaRecord>), StoreError> {
        if self.has_locked_versions(subject) {
            let versions = self.read_versions(subject).await?;
            return Ok((
                versions,
                self.select_by_fingerprint(context, fingerprint).await?,
            ));
        }
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS}, NULL::integer AS id, NULL::text AS schema_type, \
             NULL::text AS schema, NULL::text AS refs, NULL::text AS metadata, \
             NULL::text AS rule_set, NULL::text AS fingerprint \
             FROM subject_versions WHERE subject = $1 \
             UNION ALL \
             SELECT NULL, NULL, context, NULL, NULL, {SCHEMA_COLUMNS_BUT_CONTEXT} \
             FROM schemas WHERE context = $2 AND fingerprint = $3 \
             ORDER BY version NULLS LAST"
        ))
        .bind(subject)
        .bind(context)
        .bind(fingerprint)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        // The schema's row, if any, is the last (no version: NULLS LAST) and has no subject.
        let (versions, schema) = match rows.split_last() {
            Some((last, versions))
                if last
                    .try_get::<Option<&str>, _>("subject")
                    .map_err(corrupt)?
                    .is_none() =>
            {
                (versions, Some(schema_row(last)?))
            }
            _ => (rows.as_slice(), None),
        };
        Ok((version_rows(versions)?, schema))
    }

    async fn max_id(&self, context: &str) -> Result<i32, StoreError> {
        let name = sequence_name(context);
        let exists = sqlx::query("SELECT to_regclass($1) IS NOT NULL AS present")
            .bind(&name)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        if !exists.try_get::<bool, _>("present").map_err(corrupt)? {
            return Ok(0);
        }
        let row = sqlx::query(&format!(
            "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS top FROM {name}"
        ))
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let top: i64 = row.try_get("top").map_err(corrupt)?;
        Ok(i32::try_from(top).unwrap_or(i32::MAX))
    }

    async fn insert_version_unlocking(
        &self,
        mut lock: PgLock,
        new: NewVersion,
    ) -> Result<i32, StoreError> {
        if !new.only_adds() || !lock.writes(&new.subject) {
            let id = self.insert_version(new).await;
            drop(lock);
            return id;
        }
        let sequence = self.ensure_sequence(&new.context).await?;
        let statement = format!("{}; COMMIT", common_insert_statement(&new, &sequence)?);
        let _forget = self.versions_changing(vec![new.subject.as_str()]);
        let Some(held) = lock.held.take() else {
            return Err(StoreError::Database("lock already released".into()));
        };
        // The write and its commit, which also frees the locks, in one round trip. After an
        // error the rest of the query is skipped: the transaction is still open, and rolled back.
        let Held {
            conn,
            permit,
            turns,
        } = held;
        let (mut conn, written) = run_guarded(conn, &statement).await?;
        let id = match written {
            Ok(rows) => match rows.first() {
                Some(row) => row.try_get("id").map_err(corrupt),
                None => Err(StoreError::Database("no id returned".into())),
            },
            Err(error) => {
                unlock(&mut conn).await;
                Err(db(error))
            }
        };
        drop(conn);
        drop(permit);
        drop(turns);
        id
    }

    async fn insert_version(&self, new: NewVersion) -> Result<i32, StoreError> {
        let _forget = self.versions_changing(vec![new.subject.as_str()]);
        let sequence = self.ensure_sequence(&new.context).await?;
        if new.only_adds() {
            return self.insert_common(&new, &sequence).await;
        }
        let mut tx = self.write_transaction().await?;
        displace(&mut tx, &new).await?;
        let id = match new.id {
            Some(id) => {
                self.place_explicit(&mut tx, &new, id, &sequence).await?;
                id
            }
            None => match stored_id(&mut tx, &new).await? {
                Some(id) => id,
                None => self.allocate(&mut tx, &new, &sequence).await?,
            },
        };
        commit_version(tx, &new, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_and_sequence_names_are_stable() {
        // Nodes of different builds must agree: these values are part of the storage format.
        assert_eq!(
            lock_key(""),
            i64::from_ne_bytes(0xcbf2_9ce4_8422_2325_u64.to_ne_bytes())
        );
        assert_ne!(lock_key("a"), lock_key("b"));
        assert_eq!(sequence_name("."), "strata_ids_default");
        let name = sequence_name(".ctx'; DROP TABLE schemas; --");
        assert!(name
            .strip_prefix("strata_ids_")
            .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit())));
    }
}
