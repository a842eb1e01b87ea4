//! The Strata schema engine: parse, validate, canonicalize, normalize, fingerprint and check the
//! compatibility of Avro, JSON Schema and Protobuf schemas, giving the answers Confluent Schema
//! Registry gives.
//!
//! ```
//! use strata_schema::{check_compatibility, parse, CompatibilityLevel, NoReferences,
//!     ParseOptions, PreviousVersion, SchemaType};
//!
//! let options = ParseOptions::default();
//! let v1 = parse(SchemaType::Avro,
//!     r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
//!     &[], &NoReferences, &options)?;
//! let v2 = parse(SchemaType::Avro,
//!     r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#,
//!     &[], &NoReferences, &options)?;
//! let verdict = check_compatibility(CompatibilityLevel::Backward, &v2,
//!     &[PreviousVersion { version: Some(1), schema: &v1 }]);
//! assert!(!verdict.is_compatible);
//! assert_eq!(v1.canonical(), r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#);
//! # Ok::<(), strata_schema::SchemaError>(())
//! ```
//!
//! The engine is pure: references are resolved through a caller-supplied
//! [`ReferenceResolver`], so a registry resolves from its store, a CLI from files and a converter
//! from a registry client, all with the same rules.

pub mod avro;
mod compat;
mod error;
mod identity;
pub mod json;
mod limits;
mod parse;
pub mod protobuf;
mod types;

pub use compat::{
    check_compatibility, errors as compatibility_errors, Compatibility, Direction, PreviousVersion,
    DIFFERENT_SCHEMA_TYPE,
};
pub use error::SchemaError;
pub use identity::{Fingerprint, Metadata, Rule, RuleSet};
pub use limits::{LimitExceeded, Limits};
pub use parse::{parse, Dependency, ParseOptions, ParsedSchema, SchemaModel};
pub use types::{
    CompatibilityLevel, NoReferences, ReferenceResolver, ResolvedReference, SchemaReference,
    SchemaType,
};
