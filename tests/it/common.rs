//! A server started in-process for one test.

use std::net::SocketAddr;

use strata_server::{Server, ServerConfig};
use tempfile::TempDir;

/// A running server and the directory holding its database.
pub struct TestServer {
    #[allow(dead_code)]
    pub addr: SocketAddr,
    pub base: String,
    _dir: TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Binds first, then spawns: the address is usable as soon as this returns.
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("strata.db").display());
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
