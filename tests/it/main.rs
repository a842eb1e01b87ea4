//! End-to-end tests: a real `strata` server on 127.0.0.1:0 over a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod client;
mod common;
mod concurrency;
mod replay;
mod routes;
mod store;
