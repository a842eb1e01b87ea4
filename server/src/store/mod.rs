//! Storage: an async [`Store`] trait, dialect-neutral, with a SQLite implementation (one node)
//! and a PostgreSQL one (any number of nodes on one database), and [`AnyStore`] to pick one at
//! run time.
//!
//! The store knows rows, not rules: the registry decides what to write, the store writes each
//! change in one transaction so that nothing is ever half-written. Database errors are turned
//! into [`StoreError`] here; nothing above this module sees a database type.

mod any;
mod common;
mod lock_table;
mod postgres;
mod rows;
mod sqlite;

use std::future::Future;
use std::sync::Arc;

use strata_schema::{Metadata, RuleSet, SchemaReference, SchemaType};

pub use any::{AnyLock, AnyStore};
pub use lock_table::LockGuard;
pub use postgres::{PgLock, PgSettings, PgStore, CHANNEL};
pub use sqlite::{SqliteStore, SqliteSync};

/// What a write holds while it reads, decides and writes ([`Store::lock`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteScope {
    /// Everything: excludes every other write (mode switches that purge, scope-wide settings,
    /// context deletes).
    Everything,
    /// Some subjects: `write` exclusively, `read` shared (subjects whose versions the write
    /// depends on, such as referenced subjects, which must not be deleted meanwhile).
    Subjects {
        /// Qualified subjects (or settings scopes) written.
        write: Vec<String>,
        /// Qualified subjects read.
        read: Vec<String>,
    },
}

impl WriteScope {
    /// One subject, written.
    pub fn subject(subject: impl Into<String>) -> Self {
        WriteScope::Subjects {
            write: vec![subject.into()],
            read: Vec::new(),
        }
    }
}

/// What a committed write changed that other nodes may hold in a cache.
///
/// On PostgreSQL, subject versions are not cached (every request reads them from the database;
/// only SQLite, written by one process, keeps them), so a write that only adds or deletes
/// versions announces nothing: on PostgreSQL a notifying transaction takes a
/// database-wide lock at commit, which the hot path of registration does not pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The configuration or mode of a scope.
    Settings(String),
    /// Ids of a context changed content or stopped being used (imports, hard deletes).
    Ids(String),
    /// Anything: forget every cache.
    Everything,
}

impl Change {
    /// The notification payload.
    pub fn encode(&self) -> String {
        match self {
            Change::Settings(s) => format!("C{s}"),
            Change::Ids(c) => format!("I{c}"),
            Change::Everything => "*".to_owned(),
        }
    }

    /// Reads a payload written by [`Change::encode`]; `None` for anything else.
    pub fn decode(payload: &str) -> Option<Change> {
        let mut chars = payload.chars();
        let kind = chars.next()?;
        let rest = chars.as_str().to_owned();
        match kind {
            'C' => Some(Change::Settings(rest)),
            'I' => Some(Change::Ids(rest)),
            '*' if rest.is_empty() => Some(Change::Everything),
            _ => None,
        }
    }
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error("cannot open the database: {0}")]
    Open(String),
    /// A uniqueness rule was violated (a concurrent writer won).
    #[error("conflicting write: {0}")]
    Conflict(String),
    /// A stored row could not be decoded.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database did not answer in time (no connection, or a statement timed out).
    #[error("database timeout: {0}")]
    Timeout(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(String),
}

/// A stored schema: immutable once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaRecord {
    /// The context the id belongs to (`.` for the default context).
    pub context: String,
    /// The id, unique within the context.
    pub id: i32,
    /// The format.
    pub schema_type: SchemaType,
    /// The stored (canonical or normalized) text.
    pub schema: String,
    /// Its references, with qualified subjects and concrete versions.
    pub references: Vec<SchemaReference>,
    /// Metadata, when given.
    pub metadata: Option<Metadata>,
    /// Rule set, when given.
    pub rule_set: Option<RuleSet>,
    /// The identity fingerprint, hex.
    pub fingerprint: String,
}

/// One version of a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// The qualified subject (shared by the records of one subject: copying a subject's
    /// versions copies no text).
    pub subject: Arc<str>,
    /// The version number.
    pub version: i32,
    /// The subject's context.
    pub context: Arc<str>,
    /// The schema id in that context.
    pub id: i32,
    /// Whether the version is soft-deleted.
    pub deleted: bool,
}

/// The content of a schema to store when its fingerprint is not stored yet.
#[derive(Debug, Clone)]
pub struct NewSchema {
    /// The format.
    pub schema_type: SchemaType,
    /// The text to store.
    pub schema: String,
    /// References (qualified, concrete versions).
    pub references: Vec<SchemaReference>,
    /// Metadata.
    pub metadata: Option<Metadata>,
    /// Rule set.
    pub rule_set: Option<RuleSet>,
    /// The identity fingerprint, hex.
    pub fingerprint: String,
}

impl NewSchema {
    /// The record of this content once stored at `id` in `context`.
    pub fn to_record(&self, context: &str, id: i32) -> SchemaRecord {
        SchemaRecord {
            context: context.to_owned(),
            id,
            schema_type: self.schema_type,
            schema: self.schema.clone(),
            references: self.references.clone(),
            metadata: self.metadata.clone(),
            rule_set: self.rule_set.clone(),
            fingerprint: self.fingerprint.clone(),
        }
    }
}

/// A new subject version, written in one transaction.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// The qualified subject.
    pub subject: String,
    /// Its context.
    pub context: String,
    /// The version number to create.
    pub version: i32,
    /// The id to use: an existing id, or an explicit one in IMPORT mode; `None` allocates the
    /// id of the content (reusing it when the fingerprint is stored, else a new one).
    pub id: Option<i32>,
    /// The content.
    pub schema: NewSchema,
    /// Versions of the same subject to remove in the same transaction: soft-deleted versions
    /// of the same id, or (IMPORT) the version being overwritten.
    pub tombstones: Vec<i32>,
    /// An id whose content is the same (IMPORT of known content under a new id): it gives up
    /// its identity to the new id in the same transaction.
    pub displaces: Option<i32>,
}

impl NewVersion {
    /// Whether the write only adds: an id allocated (or its content's), nothing removed or
    /// displaced. Such a write changes no id and nothing another node caches.
    pub fn only_adds(&self) -> bool {
        self.id.is_none() && self.displaces.is_none() && self.tombstones.is_empty()
    }
}

/// The storage of a registry.
///
/// Every method is one statement or one transaction. Implementations must make
/// [`Store::insert_version`] atomic: the schema row, the id allocation and the version row are
/// written together or not at all.
pub trait Store: Send + Sync + 'static {
    /// Held by a write from before it reads until after it commits; dropping it lets the next
    /// writer of the same subjects in.
    type Lock: Send + 'static;

    /// Waits until no other writer (on any node sharing the database) holds `scope`.
    fn lock(
        &self,
        scope: &WriteScope,
    ) -> impl Future<Output = Result<Self::Lock, StoreError>> + Send;

    /// All stored versions of a subject, soft-deleted included, ascending.
    fn versions(
        &self,
        subject: &str,
    ) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// The stored versions of the subjects starting with `prefix`, ordered by subject then
    /// version.
    fn versions_with_prefix(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// Every stored version of every subject, ordered by subject then version.
    fn all_versions(&self) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// The schema with an id in a context.
    fn schema(
        &self,
        context: &str,
        id: i32,
    ) -> impl Future<Output = Result<Option<SchemaRecord>, StoreError>> + Send;

    /// The schema with a fingerprint in a context.
    fn schema_by_fingerprint(
        &self,
        context: &str,
        fingerprint: &str,
    ) -> impl Future<Output = Result<Option<SchemaRecord>, StoreError>> + Send;

    /// [`Store::versions`] of `subject` and [`Store::schema_by_fingerprint`] together: what a
    /// registration reads first. A store may answer both with one query.
    fn versions_and_schema(
        &self,
        subject: &str,
        context: &str,
        fingerprint: &str,
    ) -> impl Future<Output = Result<(Vec<VersionRecord>, Option<SchemaRecord>), StoreError>> + Send
    {
        async move {
            let versions = self.versions(subject).await?;
            Ok((
                versions,
                self.schema_by_fingerprint(context, fingerprint).await?,
            ))
        }
    }

    /// The subject versions that use an id, ordered by subject then version.
    fn usages(
        &self,
        context: &str,
        id: i32,
    ) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// The subject versions whose schema references `subject` at `version`.
    fn referrers(
        &self,
        subject: &str,
        version: i32,
    ) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// The highest id ever allocated or imported in a context.
    fn max_id(&self, context: &str) -> impl Future<Output = Result<i32, StoreError>> + Send;

    /// The non-default contexts that ever held a subject, sorted.
    fn contexts(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Writes a new version (and its schema, when new); returns the schema id.
    fn insert_version(
        &self,
        version: NewVersion,
    ) -> impl Future<Output = Result<i32, StoreError>> + Send;

    /// [`Store::insert_version`] as the last write under `lock`, which it releases: a store may
    /// commit the write in the same transaction that holds the lock.
    fn insert_version_unlocking(
        &self,
        lock: Self::Lock,
        version: NewVersion,
    ) -> impl Future<Output = Result<i32, StoreError>> + Send {
        async move {
            let id = self.insert_version(version).await;
            drop(lock);
            id
        }
    }

    /// Marks versions of a subject soft-deleted; with `drop_settings` (the subject has no live
    /// version left) its configuration and mode go in the same transaction.
    fn soft_delete(
        &self,
        subject: &str,
        versions: &[i32],
        drop_settings: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes versions of a subject for good.
    fn hard_delete(
        &self,
        subject: &str,
        versions: &[i32],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Sets the mode of a scope and removes `purge` (soft-deleted versions) for good, in one
    /// transaction: what switching a scope into IMPORT does.
    fn set_mode_purging(
        &self,
        scope: &str,
        mode: &str,
        purge: &[(String, i32)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Forgets a context.
    fn delete_context(&self, context: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The configuration stored for a scope, as JSON text.
    fn config(
        &self,
        scope: &str,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Every scope with a stored configuration.
    fn config_scopes(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Stores (or with `None` removes) the configuration of a scope.
    fn set_config(
        &self,
        scope: &str,
        config: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The mode stored for a scope.
    fn mode(&self, scope: &str) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Every scope with a stored mode.
    fn mode_scopes(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Stores (or with `None` removes) the mode of a scope.
    fn set_mode(
        &self,
        scope: &str,
        mode: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_survive_the_notification_payload() {
        let changes = [
            Change::Settings(":.ctx:orders/v1 é".into()),
            Change::Settings(String::new()),
            Change::Settings("__GLOBAL".into()),
            Change::Ids(".".into()),
            Change::Everything,
        ];
        for change in changes {
            assert_eq!(Change::decode(&change.encode()), Some(change));
        }
        for foreign in ["", "*x", "?orders", "Sorders"] {
            assert_eq!(Change::decode(foreign), None, "{foreign:?}");
        }
    }
}
