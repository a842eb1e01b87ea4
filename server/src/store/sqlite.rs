//! The SQLite store: one file, WAL, one transaction per change.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::common::{shared_store_helpers, shared_store_methods};
use super::rows::{
    corrupt, schema_json, schema_row, version_row, Settings, CONFIGS, MODES, SCHEMA_COLUMNS,
    VERSION_COLUMNS,
};
use super::{Change, NewVersion, SchemaRecord, Store, StoreError, VersionRecord, WriteScope};

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
    /// One node owns the file: one process-wide lock serializes every write.
    writes: Arc<tokio::sync::Mutex<()>>,
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
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Open(e.to_string()))?;
        Ok(SqliteStore {
            pool,
            writes: Arc::new(tokio::sync::Mutex::new(())),
        })
    }
}

impl SqliteStore {
    /// A transaction that holds SQLite's write lock from its first statement: a transaction
    /// that reads before it writes can then never fail to upgrade its lock, even with several
    /// processes on one file (waiting is bounded by the busy timeout).
    async fn write_transaction(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
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
    type Lock = tokio::sync::OwnedMutexGuard<()>;

    async fn lock(&self, _scope: &WriteScope) -> Result<Self::Lock, StoreError> {
        Ok(Arc::clone(&self.writes).lock_owned().await)
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
        let mut tx = self.write_transaction().await?;
        displace(&mut tx, &new).await?;
        let existing = sqlx::query("SELECT id FROM schemas WHERE context = ? AND fingerprint = ?")
            .bind(&new.context)
            .bind(&new.schema.fingerprint)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let existing: Option<i32> = existing
            .map(|r| r.try_get("id").map_err(corrupt))
            .transpose()?;
        let id = match (new.id, existing) {
            (Some(id), _) => id,
            (None, Some(id)) => id,
            (None, None) => {
                let row = sqlx::query("SELECT next_id FROM id_allocators WHERE context = ?")
                    .bind(&new.context)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                match row {
                    Some(row) => row.try_get("next_id").map_err(corrupt)?,
                    None => 1,
                }
            }
        };
        store_schema_at(&mut tx, &new, id).await?;
        sqlx::query(
            "INSERT INTO id_allocators (context, next_id) VALUES (?, ?) \
             ON CONFLICT (context) DO UPDATE SET next_id = MAX(next_id, excluded.next_id)",
        )
        .bind(&new.context)
        .bind(id.saturating_add(1))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        commit_version(tx, &new, id).await
    }
}
