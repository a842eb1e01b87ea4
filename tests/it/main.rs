//! End-to-end tests: a real `strata` server on 127.0.0.1:0, each test once over a real SQLite file
//! and once over a database of a real PostgreSQL server started by this process.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod client;
mod coherence;
mod common;
mod concurrency;
mod replay;
mod routes;
mod store;
