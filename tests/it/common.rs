//! A server started in-process for one test, over either store.

use std::net::SocketAddr;

use strata_server::{Server, ServerConfig};
use strata_tests::Postgres;
use tempfile::TempDir;

/// The store a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of this test process.
    Postgres,
}

impl Backend {
    /// A new, empty database of this kind; the directory (SQLite) lives as long as the guard.
    pub fn database(self) -> (String, Option<TempDir>) {
        match self {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("strata.db").display());
                (url, Some(dir))
            }
            Backend::Postgres => (Postgres::shared().create_database(), None),
        }
    }
}

/// Runs the test function `name(backend: Backend)` once per backend, as the tests
/// `name::sqlite` and `name::postgres`, each under the test attributes given.
macro_rules! on_each_backend {
    ($(#[$attr:meta])* $name:ident) => {
        mod $name {
            $(#[$attr])*
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }

            $(#[$attr])*
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    };
}
pub(crate) use on_each_backend;

/// A running server and the database it owns.
pub struct TestServer {
    #[allow(dead_code)]
    pub addr: SocketAddr,
    pub base: String,
    #[allow(dead_code)]
    pub backend: Backend,
    _dir: Option<TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Binds first, then spawns: the address is usable as soon as this returns.
    pub async fn start(backend: Backend) -> TestServer {
        let (url, dir) = backend.database();
        TestServer::start_on(backend, url, dir).await
    }

    /// A server on an existing database (several servers may share a PostgreSQL database).
    pub async fn start_on(backend: Backend, url: String, dir: Option<TempDir>) -> TestServer {
        let server = Server::bind(ServerConfig {
            bind: "127.0.0.1:0".into(),
            database_url: url,
            ..ServerConfig::default()
        })
        .await
        .unwrap();
        let addr = server.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            base: format!("http://{addr}"),
            backend,
            _dir: dir,
            shutdown: Some(tx),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
