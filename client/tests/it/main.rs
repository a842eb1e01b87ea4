//! Integration tests of strata-client over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod references;
mod resilience;
mod routes;
mod support;
mod tls;
