//! The one error type of the schema engine.

use crate::SchemaType;

/// Why a schema could not be parsed or checked.
///
/// `Invalid` carries the message Confluent's own libraries give for the same input wherever it is
/// known, so that a registry built on this engine answers with the same text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// A schema type name other than `AVRO`, `PROTOBUF` or `JSON`.
    #[error("Invalid schema type {0}")]
    UnknownSchemaType(String),
    /// A compatibility level name that does not exist.
    #[error("Invalid compatibility level {0}")]
    UnknownCompatibilityLevel(String),
    /// The schema text is not a valid schema of its type.
    #[error("{message}")]
    Invalid {
        /// The format the text was parsed as.
        schema_type: SchemaType,
        /// What is wrong, in the words of Confluent's libraries where known.
        message: String,
    },
    /// A reference names a subject and version that do not exist.
    #[error("No schema reference found for subject \"{subject}\" and version {version}")]
    ReferenceNotFound {
        /// The referenced subject.
        subject: String,
        /// The referenced version.
        version: i32,
    },
    /// The references of a schema refer back to it.
    #[error("Circular schema reference through subject \"{subject}\" version {version}")]
    CircularReference {
        /// A subject on the cycle.
        subject: String,
        /// Its version.
        version: i32,
    },
    /// A configured limit against hostile input was exceeded.
    #[error("{0}")]
    LimitExceeded(crate::LimitExceeded),
}

impl SchemaError {
    /// Builds an [`SchemaError::Invalid`].
    pub fn invalid(schema_type: SchemaType, message: impl Into<String>) -> Self {
        SchemaError::Invalid {
            schema_type,
            message: message.into(),
        }
    }
}
