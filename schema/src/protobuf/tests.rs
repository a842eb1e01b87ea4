#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Unit tests of the Protobuf format.
