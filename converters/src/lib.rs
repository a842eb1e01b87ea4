//! Records and bytes: the Confluent wire format, the Kafka Connect data model, and Connect
//! converters built from worker-style properties.
//!
//! ```
//! use std::collections::HashMap;
//! use strata_converters::connect::{Schema, SchemaBuilder, Struct, Type, Value};
//! use strata_converters::{wire, ConverterConfig};
//!
//! // A converter, configured the way a Kafka Connect worker configures one.
//! let props: HashMap<String, String> = [
//!     ("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
//!     ("value.converter.schemas.enable", "false"),
//! ]
//! .into_iter()
//! .map(|(k, v)| (k.to_owned(), v.to_owned()))
//! .collect();
//! let converter = ConverterConfig::from_worker_properties(&props, false)?.build_sync()?;
//!
//! let schema = SchemaBuilder::struct_().field("id", Schema::new(Type::Int64)).build()?;
//! let value = Value::Struct(Struct::new().with("id", Value::Int64(42)));
//! let bytes = converter.from_connect("orders", Some(&schema), &value)?;
//! assert_eq!(bytes.as_deref(), Some(br#"{"id":42}"#.as_slice()));
//!
//! // The wire format: magic byte, schema id, payload.
//! let framed = wire::encode(wire::SchemaId(7), None, b"payload");
//! assert_eq!(wire::decode(&framed)?.schema_id, wire::SchemaId(7));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules:
//! - [`wire`]: the schema-id prefix and Protobuf message indexes; pure, borrowing, no I/O.
//! - [`connect`]: Connect [`Schema`](connect::Schema) and [`Value`](connect::Value), logical
//!   types, validation.
//! - [`Converter`] / [`AsyncConverter`]: Connect data ⇄ bytes, and why there are two traits.
//! - [`json`]: Kafka's `JsonConverter`; [`StringConverter`] and [`ByteArrayConverter`].
//! - [`config`]: converters from Connect-style properties, the registry-backed ones included.
//! - [`avro`], [`protobuf`], [`json_schema`]: the Connect ⇄ format mappings (Confluent's
//!   `AvroData`, `ProtobufData`, `JsonSchemaData`, every `connect.*` detail kept) and the
//!   registry-backed converters, all one [`registry::RegistryConverter`] parameterized by
//!   format: the warm path makes no registry call and parses no schema.
//! - [`serdes`]: plain serializers for application code (serde types, prost messages),
//!   sharing the registry client and its caches.

pub mod avro;
pub mod config;
pub mod connect;
mod converter;
mod error;
pub mod json;
pub mod json_schema;
pub mod protobuf;
pub mod registry;
pub mod serdes;
mod simple;
pub mod wire;

pub use config::{ConverterConfig, ConverterKind, RegistryConverterConfig, SubjectNameStrategy};
pub use converter::{AsyncConverter, BoxFuture, Converted, Converter, SchemaAndValue};
pub use error::ConverterError;
pub use json::JsonConverter;
pub use simple::{ByteArrayConverter, StringConverter};
