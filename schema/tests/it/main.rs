//! Integration tests of the schema engine.

mod golden;
