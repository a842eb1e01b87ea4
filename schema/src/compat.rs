//! Compatibility levels applied to a candidate and the earlier versions of a subject.

use crate::{avro, json, protobuf};
use crate::{CompatibilityLevel, ParsedSchema, SchemaModel};

/// Which way data flows in one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The new schema reads data written with the old one.
    Backward,
    /// The old schema reads data written with the new one.
    Forward,
}

/// An earlier version of the subject, as the caller knows it.
#[derive(Debug, Clone, Copy)]
pub struct PreviousVersion<'a> {
    /// The version number, reported as `{oldSchemaVersion: N}` when it fails; `None` when the
    /// schema is not a registered version (e.g. comparing two files).
    pub version: Option<i32>,
    /// The parsed schema.
    pub schema: &'a ParsedSchema,
}

/// The verdict of a compatibility check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compatibility {
    /// Whether the candidate may be registered.
    pub is_compatible: bool,
    /// Confluent's verbose messages: the errors of the first failing version, then
    /// `{oldSchemaVersion: N}` and `{oldSchema: '…'}`. Empty when compatible.
    pub messages: Vec<String>,
}

impl Compatibility {
    fn compatible() -> Self {
        Compatibility {
            is_compatible: true,
            messages: Vec::new(),
        }
    }
}

/// The message Confluent gives when a schema is compared with one of another type.
pub const DIFFERENT_SCHEMA_TYPE: &str = "Incompatible because of different schema type";

/// Checks `candidate` against the earlier versions of a subject at `level`.
///
/// `previous_newest_first` holds only live versions: the caller leaves soft-deleted versions out,
/// as Confluent never compares against them. A non-transitive level looks at the first entry only;
/// a transitive level walks all of them and stops at the first that fails.
pub fn check_compatibility(
    level: CompatibilityLevel,
    candidate: &ParsedSchema,
    previous_newest_first: &[PreviousVersion<'_>],
) -> Compatibility {
    if level == CompatibilityLevel::None {
        return Compatibility::compatible();
    }
    let previous = if level.is_transitive() {
        previous_newest_first
    } else {
        &previous_newest_first[..previous_newest_first.len().min(1)]
    };
    for old in previous {
        let mut messages = Vec::new();
        if old.schema.schema_type != candidate.schema_type {
            messages.push(DIFFERENT_SCHEMA_TYPE.to_owned());
            return Compatibility {
                is_compatible: false,
                messages,
            };
        }
        // Confluent appends the failing version to the backward errors only: under FULL, errors
        // of the forward check alone come without `{oldSchemaVersion}` / `{oldSchema}`.
        let suffixed = |mut found: Vec<String>| {
            if !found.is_empty() {
                if let Some(version) = old.version {
                    found.push(format!("{{oldSchemaVersion: {version}}}"));
                }
                found.push(format!("{{oldSchema: '{}'}}", old.schema.canonical));
            }
            found
        };
        if level.checks_forward() {
            let forward = errors(candidate, old.schema, Direction::Forward);
            if level.checks_backward() {
                messages.extend(forward);
            } else {
                messages.extend(suffixed(forward));
            }
        }
        if level.checks_backward() {
            messages.extend(suffixed(errors(candidate, old.schema, Direction::Backward)));
        }
        if !messages.is_empty() {
            return Compatibility {
                is_compatible: false,
                messages,
            };
        }
    }
    Compatibility::compatible()
}

/// The incompatibilities between `new` and `old` in one direction; empty when compatible.
pub fn errors(new: &ParsedSchema, old: &ParsedSchema, direction: Direction) -> Vec<String> {
    match (&new.model, &old.model) {
        (SchemaModel::Avro(n), SchemaModel::Avro(o)) => avro::compatibility_errors(n, o, direction),
        (SchemaModel::Json(n), SchemaModel::Json(o)) => json::compatibility_errors(n, o, direction),
        (SchemaModel::Protobuf(n), SchemaModel::Protobuf(o)) => {
            protobuf::compatibility_errors(n, o, direction)
        }
        _ => vec![DIFFERENT_SCHEMA_TYPE.to_owned()],
    }
}
