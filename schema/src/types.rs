//! Identifiers and enums shared by every format.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::SchemaError;

/// The three schema formats a registry stores.
///
/// Serialized as `AVRO`, `PROTOBUF` and `JSON`, the names Confluent's REST API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchemaType {
    /// Apache Avro.
    Avro,
    /// Protocol Buffers (`.proto` text or a base64 `FileDescriptorProto`).
    Protobuf,
    /// JSON Schema (drafts 4, 6, 7, 2019-09 and 2020-12).
    Json,
}

impl SchemaType {
    /// The REST API name: `AVRO`, `PROTOBUF` or `JSON`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Protobuf => "PROTOBUF",
            SchemaType::Json => "JSON",
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SchemaType {
    type Err = SchemaError;

    /// Parses a schema type name case-insensitively, as Confluent does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "AVRO" => Ok(SchemaType::Avro),
            "PROTOBUF" => Ok(SchemaType::Protobuf),
            "JSON" => Ok(SchemaType::Json),
            _ => Err(SchemaError::UnknownSchemaType(s.to_owned())),
        }
    }
}

/// A reference from one schema to another registered schema.
///
/// `name` is what the referring schema uses: an Avro full name, a JSON Schema `$ref` URL, or a
/// Protobuf import path. `subject` and `version` locate the referenced schema in a registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SchemaReference {
    /// The name the referring schema uses for the referenced one.
    pub name: String,
    /// The subject holding the referenced schema.
    pub subject: String,
    /// The version of that subject.
    pub version: i32,
}

/// A referenced schema, as a [`ReferenceResolver`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedReference {
    /// The format of the referenced schema.
    pub schema_type: SchemaType,
    /// Its text, as stored.
    pub schema: String,
    /// The references it makes in turn (resolved recursively by the engine).
    pub references: Vec<SchemaReference>,
}

/// Finds the text of a referenced schema.
///
/// The server resolves from its store, the CLI from files on disk, converters from a registry
/// client. The engine calls it once per distinct `(subject, version)` reachable from a schema.
pub trait ReferenceResolver {
    /// Returns the referenced schema, or [`SchemaError::ReferenceNotFound`] when it does not exist.
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError>;
}

/// A resolver for schemas that have no references: every lookup fails.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoReferences;

impl ReferenceResolver for NoReferences {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        Err(SchemaError::ReferenceNotFound {
            subject: reference.subject.clone(),
            version: reference.version,
        })
    }
}

/// A compatibility level, as configured per subject or globally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompatibilityLevel {
    /// No check.
    None,
    /// The new schema reads data written with the latest version.
    Backward,
    /// The new schema reads data written with every version.
    BackwardTransitive,
    /// The latest version reads data written with the new schema.
    Forward,
    /// Every version reads data written with the new schema.
    ForwardTransitive,
    /// Backward and forward against the latest version.
    Full,
    /// Backward and forward against every version.
    FullTransitive,
}

impl CompatibilityLevel {
    /// Every level, in Confluent's order.
    pub const ALL: [CompatibilityLevel; 7] = [
        CompatibilityLevel::None,
        CompatibilityLevel::Backward,
        CompatibilityLevel::BackwardTransitive,
        CompatibilityLevel::Forward,
        CompatibilityLevel::ForwardTransitive,
        CompatibilityLevel::Full,
        CompatibilityLevel::FullTransitive,
    ];

    /// The REST API name, e.g. `BACKWARD_TRANSITIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            CompatibilityLevel::None => "NONE",
            CompatibilityLevel::Backward => "BACKWARD",
            CompatibilityLevel::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityLevel::Forward => "FORWARD",
            CompatibilityLevel::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityLevel::Full => "FULL",
            CompatibilityLevel::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Whether the level checks every previous version rather than the latest only.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::FullTransitive
        )
    }

    /// Whether the new schema must read data written with old ones.
    pub fn checks_backward(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::Backward
                | CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::Full
                | CompatibilityLevel::FullTransitive
        )
    }

    /// Whether old schemas must read data written with the new one.
    pub fn checks_forward(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::Forward
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::Full
                | CompatibilityLevel::FullTransitive
        )
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompatibilityLevel {
    type Err = SchemaError;

    /// Parses a level name case-insensitively, as Confluent does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        CompatibilityLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == upper)
            .ok_or_else(|| SchemaError::UnknownCompatibilityLevel(s.to_owned()))
    }
}
