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
//! let converter = ConverterConfig::from_worker_properties(&props, false)?.build()?;
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
//! - [`config`]: converters from Connect-style properties, including the registry-backed
//!   (Avro, Protobuf, JSON Schema) settings; those converters themselves are built on the
//!   registry client and are not part of this version.

pub mod config;
pub mod connect;
mod converter;
mod error;
pub mod json;
mod simple;
pub mod wire;

pub use config::{ConverterConfig, ConverterKind, RegistryConverterConfig, SubjectNameStrategy};
pub use converter::{AsyncConverter, BoxFuture, Converter, SchemaAndValue};
pub use error::ConverterError;
pub use json::JsonConverter;
pub use simple::{ByteArrayConverter, StringConverter};
