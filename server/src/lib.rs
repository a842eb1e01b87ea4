//! The Strata registry server: Confluent Schema Registry's REST API over a [`store::Store`].
//!
//! - [`api`]: one dispatcher over Confluent's routes (raw-path routing, so subjects may hold
//!   `/`), content types, and Confluent's error body for everything ([`ApiError`]).
//! - [`registry`]: the rules: modes, idempotent registration, ids per context, gap-free
//!   versions, soft and hard deletes, references, configuration, tags. Writes are serialized per
//!   subject by the store's locks (across nodes on PostgreSQL);
//!   `GET /schemas/ids/{id}` is answered from pre-serialized bodies, compatibility checks from
//!   parsed schemas cached by id (ids never change meaning).
//! - [`store`]: the storage trait and its implementations, each with embedded migrations and
//!   one transaction per change: SQLite (WAL, one node) and PostgreSQL (any number of
//!   stateless nodes on one database, no leader: subject locks in the database, ids from
//!   sequences, cache invalidation by `LISTEN`/`NOTIFY`).
//!
//! ```no_run
//! # async fn run() -> Result<(), strata_server::ServerError> {
//! let config = strata_server::ServerConfig {
//!     bind: "127.0.0.1:0".into(),
//!     database_url: "sqlite://strata.db".into(),
//!     ..strata_server::ServerConfig::default()
//! };
//! let server = strata_server::Server::bind(config).await?;
//! println!("listening on {}", server.local_addr());
//! server.run(std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

pub mod api;
pub mod config;
pub mod error;
mod generation;
pub mod model;
mod protobuf_format;
pub mod registry;
pub mod store;
pub mod subject;
pub mod tags;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use strata_schema::{CompatibilityLevel, Limits};
use tokio::net::TcpListener;

pub use error::ApiError;
pub use store::{PgSettings, SqliteSync};

/// How the server runs.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to listen on, e.g. `0.0.0.0:8081`.
    pub bind: String,
    /// `sqlite://file.db` or `sqlite:///absolute/path.db` (created on first start), or
    /// `postgres://user:password@host:port/database` (the database must exist; its tables are
    /// created on first start).
    pub database_url: String,
    /// Compatibility level when none is configured.
    pub default_compatibility: CompatibilityLevel,
    /// Largest request body, in bytes (larger bodies get 413).
    pub max_body_bytes: usize,
    /// SQLite durability: `Normal` survives process crashes, `Full` also power loss.
    pub sqlite_sync: SqliteSync,
    /// Pool and timeouts of a PostgreSQL database.
    pub postgres: PgSettings,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "0.0.0.0:8081".into(),
            database_url: "sqlite://strata.db".into(),
            default_compatibility: CompatibilityLevel::Backward,
            max_body_bytes: 16 * 1024 * 1024,
            sqlite_sync: SqliteSync::Normal,
            postgres: PgSettings::default(),
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url))
            .field("default_compatibility", &self.default_compatibility)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("sqlite_sync", &self.sqlite_sync)
            .field("postgres", &self.postgres)
            .finish()
    }
}

/// The URL with the password of its user information, if any, replaced by `***`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The address could not be bound, or serving failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The database URL names a database this build does not support.
    #[error("unsupported database URL {0:?}: use sqlite:// or postgres://")]
    UnsupportedDatabase(String),
}

/// A bound, not yet serving, registry server.
pub struct Server {
    listener: TcpListener,
    app: axum::Router,
    /// Follows other nodes' changes (PostgreSQL only); stopped with the server.
    watcher: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Opens the database and binds the address; serving starts with [`Server::run`].
    pub async fn bind(config: ServerConfig) -> Result<Server, ServerError> {
        let store =
            store::AnyStore::open(&config.database_url, config.sqlite_sync, config.postgres)
                .await
                .ok_or_else(|| {
                    ServerError::UnsupportedDatabase(redact_url(&config.database_url))
                })??;
        let registry = registry::Registry::new(
            store,
            registry::RegistrySettings {
                default_compatibility: config.default_compatibility,
                limits: Limits::default(),
            },
        );
        let state = Arc::new(api::AppState {
            registry,
            max_body_bytes: config.max_body_bytes,
        });
        let listener = TcpListener::bind(&config.bind).await?;
        let watcher = match state.registry.store() {
            store::AnyStore::Postgres(pg) => {
                let state = Arc::downgrade(&state);
                Some(pg.watch_changes(move |change| {
                    if let Some(state) = state.upgrade() {
                        state.registry.apply_change(&change);
                    }
                }))
            }
            store::AnyStore::Sqlite(_) => None,
        };
        Ok(Server {
            listener,
            app: api::router(state),
            watcher,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let served = axum::serve(self.listener, self.app)
            .with_graceful_shutdown(shutdown)
            .await;
        if let Some(watcher) = self.watcher {
            watcher.abort();
        }
        served?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_database_passwords() {
        let config = ServerConfig {
            database_url: "postgres://strata:s3cret@db:5432/strata".into(),
            ..ServerConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://strata:***@db:5432/strata"),
            "{shown}"
        );
        assert_eq!(redact_url("sqlite://strata.db"), "sqlite://strata.db");
    }
}
