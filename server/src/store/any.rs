//! [`AnyStore`]: the store named by the database URL, chosen at run time.

use super::{
    NewVersion, PgLock, PgSettings, PgStore, SchemaRecord, SqliteStore, SqliteSync, Store,
    StoreError, VersionRecord, WriteScope,
};

/// One of the stores, by the scheme of its URL.
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// `sqlite://…`: one node.
    Sqlite(SqliteStore),
    /// `postgres://…` or `postgresql://…`: any number of nodes.
    Postgres(PgStore),
}

/// The lock of an [`AnyStore`].
#[derive(Debug)]
pub struct AnyLock(Held);

/// Held for what dropping it releases, or handed to the write it ends.
#[derive(Debug)]
enum Held {
    Sqlite(super::LockGuard),
    Postgres(PgLock),
}

impl AnyStore {
    /// Whether `url` names a PostgreSQL database.
    pub fn is_postgres_url(url: &str) -> bool {
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    /// Opens the store `url` names; `None` when the scheme is neither SQLite nor PostgreSQL.
    pub async fn open(
        url: &str,
        sqlite: SqliteSync,
        postgres: PgSettings,
    ) -> Option<Result<AnyStore, StoreError>> {
        if Self::is_postgres_url(url) {
            Some(PgStore::open(url, postgres).await.map(AnyStore::Postgres))
        } else if url.starts_with("sqlite:") {
            Some(SqliteStore::open(url, sqlite).await.map(AnyStore::Sqlite))
        } else {
            None
        }
    }
}

/// Forwards a call to whichever store this is.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($store) => $call.await,
            AnyStore::Postgres($store) => $call.await,
        }
    };
}

impl Store for AnyStore {
    type Lock = AnyLock;

    async fn lock(&self, scope: &WriteScope) -> Result<AnyLock, StoreError> {
        Ok(AnyLock(match self {
            AnyStore::Sqlite(s) => Held::Sqlite(s.lock(scope).await?),
            AnyStore::Postgres(s) => Held::Postgres(s.lock(scope).await?),
        }))
    }

    async fn versions(&self, subject: &str) -> Result<Vec<VersionRecord>, StoreError> {
        dispatch!(self, s => s.versions(subject))
    }

    async fn versions_with_prefix(&self, prefix: &str) -> Result<Vec<VersionRecord>, StoreError> {
        dispatch!(self, s => s.versions_with_prefix(prefix))
    }

    async fn all_versions(&self) -> Result<Vec<VersionRecord>, StoreError> {
        dispatch!(self, s => s.all_versions())
    }

    async fn schema(&self, context: &str, id: i32) -> Result<Option<SchemaRecord>, StoreError> {
        dispatch!(self, s => s.schema(context, id))
    }

    async fn schema_by_fingerprint(
        &self,
        context: &str,
        fingerprint: &str,
    ) -> Result<Option<SchemaRecord>, StoreError> {
        dispatch!(self, s => s.schema_by_fingerprint(context, fingerprint))
    }

    async fn versions_and_schema(
        &self,
        subject: &str,
        context: &str,
        fingerprint: &str,
    ) -> Result<(Vec<VersionRecord>, Option<SchemaRecord>), StoreError> {
        dispatch!(self, s => s.versions_and_schema(subject, context, fingerprint))
    }

    async fn usages(&self, context: &str, id: i32) -> Result<Vec<VersionRecord>, StoreError> {
        dispatch!(self, s => s.usages(context, id))
    }

    async fn referrers(
        &self,
        subject: &str,
        version: i32,
    ) -> Result<Vec<VersionRecord>, StoreError> {
        dispatch!(self, s => s.referrers(subject, version))
    }

    async fn max_id(&self, context: &str) -> Result<i32, StoreError> {
        dispatch!(self, s => s.max_id(context))
    }

    async fn contexts(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, s => s.contexts())
    }

    async fn insert_version(&self, version: NewVersion) -> Result<i32, StoreError> {
        dispatch!(self, s => s.insert_version(version))
    }

    async fn insert_version_unlocking(
        &self,
        lock: AnyLock,
        version: NewVersion,
    ) -> Result<i32, StoreError> {
        match (self, lock.0) {
            (AnyStore::Sqlite(s), Held::Sqlite(lock)) => {
                s.insert_version_unlocking(lock, version).await
            }
            (AnyStore::Postgres(s), Held::Postgres(lock)) => {
                s.insert_version_unlocking(lock, version).await
            }
            _ => Err(StoreError::Database(
                "a write was given the lock of another store".into(),
            )),
        }
    }

    async fn soft_delete(
        &self,
        subject: &str,
        versions: &[i32],
        drop_settings: bool,
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.soft_delete(subject, versions, drop_settings))
    }

    async fn hard_delete(&self, subject: &str, versions: &[i32]) -> Result<(), StoreError> {
        dispatch!(self, s => s.hard_delete(subject, versions))
    }

    async fn set_mode_purging(
        &self,
        scope: &str,
        mode: &str,
        purge: &[(String, i32)],
    ) -> Result<(), StoreError> {
        dispatch!(self, s => s.set_mode_purging(scope, mode, purge))
    }

    async fn delete_context(&self, context: &str) -> Result<(), StoreError> {
        dispatch!(self, s => s.delete_context(context))
    }

    async fn config(&self, scope: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, s => s.config(scope))
    }

    async fn config_scopes(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, s => s.config_scopes())
    }

    async fn set_config(&self, scope: &str, config: Option<&str>) -> Result<(), StoreError> {
        dispatch!(self, s => s.set_config(scope, config))
    }

    async fn mode(&self, scope: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self, s => s.mode(scope))
    }

    async fn mode_scopes(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, s => s.mode_scopes())
    }

    async fn set_mode(&self, scope: &str, mode: Option<&str>) -> Result<(), StoreError> {
        dispatch!(self, s => s.set_mode(scope, mode))
    }
}
