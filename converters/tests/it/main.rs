//! Integration tests of strata-converters through its public API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod codecs;
mod converters;
mod json_roundtrip;
mod mapping;
mod registry;
mod serdes;
mod torture;
