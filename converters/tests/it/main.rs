//! Integration tests of strata-converters through its public API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod json_roundtrip;
