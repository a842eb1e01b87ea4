//! The crate's error type.

use crate::config::ConfigError;
use crate::connect::DataError;
use crate::wire::WireError;

/// Why a conversion or a converter's construction failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConverterError {
    /// The bytes are not a well-formed wire-format record.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The data does not fit its schema, or a schema is malformed (Kafka's `DataException`).
    #[error(transparent)]
    Data(#[from] DataError),
    /// The converter's configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The bytes are not valid JSON (the JSON converter).
    #[error("Converting byte[] to Kafka Connect data failed due to serialization error: {0}")]
    Deserialization(String),
    /// With `schemas.enable=true`, the JSON is not a `{"schema": …, "payload": …}` envelope.
    #[error("JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.")]
    InvalidEnvelope,
    /// A registry-backed converter (Avro, Protobuf, JSON Schema) was asked for, and it needs the
    /// registry client, which this build step does not provide yet.
    #[error("{converter} requires the registry client, which is not available in this version of strata-converters")]
    RequiresRegistryClient {
        /// The converter's class name.
        converter: &'static str,
    },
}
