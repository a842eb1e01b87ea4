//! The SQLite store: one file, WAL, one transaction per change.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::rows::{
    corrupt, schema_json, schema_row, version_row, Settings, CONFIGS, MODES, SCHEMA_COLUMNS,
    VERSION_COLUMNS,
};
use super::{NewVersion, SchemaRecord, Store, StoreError, VersionRecord, WriteScope};

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

impl Store for SqliteStore {
    type Lock = tokio::sync::OwnedMutexGuard<()>;

    async fn lock(&self, _scope: &WriteScope) -> Result<Self::Lock, StoreError> {
        Ok(Arc::clone(&self.writes).lock_owned().await)
    }

    async fn versions(&self, subject: &str) -> Result<Vec<VersionRecord>, StoreError> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM subject_versions WHERE subject = ? ORDER BY version"
        );
        let rows = sqlx::query(&sql)
            .bind(subject)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(version_row).collect()
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
        let mut tx = self.write_transaction().await?;
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
        let stored = sqlx::query("SELECT fingerprint FROM schemas WHERE context = ? AND id = ?")
            .bind(&new.context)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let stored: Option<String> = stored
            .map(|r| r.try_get("fingerprint").map_err(corrupt))
            .transpose()?;
        if stored
            .as_ref()
            .is_some_and(|f| *f != new.schema.fingerprint)
        {
            // An imported id whose earlier content no version uses any more: replace it.
            for table in ["schemas", "schema_references"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE context = ? AND id = ?"))
                    .bind(&new.context)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            }
        }
        if stored.as_ref() != Some(&new.schema.fingerprint) {
            let schema = &new.schema;
            let (refs, metadata, rule_set) = schema_json(schema)?;
            sqlx::query(
                "INSERT INTO schemas (context, id, schema_type, schema, refs, metadata, rule_set, \
                 fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&new.context)
            .bind(id)
            .bind(schema.schema_type.as_str())
            .bind(&schema.schema)
            .bind(refs)
            .bind(metadata)
            .bind(rule_set)
            .bind(&schema.fingerprint)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
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
        sqlx::query(
            "INSERT INTO id_allocators (context, next_id) VALUES (?, ?) \
             ON CONFLICT (context) DO UPDATE SET next_id = MAX(next_id, excluded.next_id)",
        )
        .bind(&new.context)
        .bind(id.saturating_add(1))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
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
             VALUES (?, ?, ?, ?, FALSE)",
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
        let mut tx = self.write_transaction().await?;
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
                "UPDATE subject_versions SET deleted = TRUE WHERE subject = ? AND version = ?",
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
        let mut tx = self.write_transaction().await?;
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
        let mut tx = self.write_transaction().await?;
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
