//! Integration tests of strata-client over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fake_registry;
mod references;
mod resilience;
mod routes;
mod scenario;
mod support;
mod tls;
