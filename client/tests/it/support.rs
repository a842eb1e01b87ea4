//! Test servers on 127.0.0.1:0 and client configurations suited to tests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use strata_client::ClientConfig;
use tokio::net::TcpListener;

/// Serves `router` on a fresh local port (bound before the task starts, so no sleep is needed)
/// and returns its base URL.
pub async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{address}")
}

/// A URL on which nothing listens: the port was bound, then released.
pub async fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

/// Fast retries and short timeouts, so that failure paths take milliseconds.
pub fn fast_config<I, S>(urls: I) -> ClientConfig
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut config = ClientConfig::with_urls(urls);
    config.retry.max_retries = 3;
    config.retry.initial_wait = Duration::from_millis(5);
    config.retry.max_wait = Duration::from_millis(20);
    config.retry.deadline = Some(Duration::from_secs(10));
    config.request_timeout = Duration::from_secs(5);
    config
}

/// Counts requests.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// Counts one request and returns how many came before it.
    pub fn hit(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst)
    }

    /// How many requests came.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}
