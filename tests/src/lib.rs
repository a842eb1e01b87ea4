//! End-to-end tests of Strata live in `tests/it`; this library is empty.
