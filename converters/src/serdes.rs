//! Plain serializers for application code: Rust values (serde types, prost-generated messages,
//! `DynamicMessage`s) ⇄ wire-format records, with the registry client and its caches shared
//! with the converters.
//!
//! Each serializer holds its schema compiled once; the schema id is looked up (or registered)
//! once per subject and cached, so the warm path makes no registry call.
//!
//! ```no_run
//! use serde::{Deserialize, Serialize};
//! use strata_client::RegistryClient;
//! use strata_converters::serdes::{AvroDeserializer, AvroSerializer, SerdeConfig};
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct User { id: i64, name: String }
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let client = RegistryClient::from_url("http://localhost:8081")?;
//! let schema = r#"{"type":"record","name":"User","fields":[
//!     {"name":"id","type":"long"},{"name":"name","type":"string"}]}"#;
//! let serializer = AvroSerializer::new(client.clone(), schema, SerdeConfig::default())?;
//! let bytes = serializer.serialize("users", &User { id: 1, name: "Ann".into() }).await?;
//! let deserializer = AvroDeserializer::new(client);
//! let user: User = deserializer.deserialize(&bytes).await?;
//! assert_eq!(user.id, 1);
//! # Ok(())
//! # }
//! ```

use crate::config::SubjectNameStrategy;
use crate::connect::DataError;
use crate::wire::{self, SchemaId};
use crate::ConverterError;
use base64::Engine;
use prost_reflect::{DynamicMessage, ReflectMessage};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};
use strata_client::{RegisterSchemaRequest, RegistryClient, SchemaType, VersionId};
use strata_schema::{ParsedSchema, SchemaModel};

fn err(message: impl Into<String>) -> ConverterError {
    ConverterError::Data(DataError::new(message))
}

fn registry_error(e: strata_client::Error) -> ConverterError {
    ConverterError::Registry(e.to_string())
}

/// How a serializer finds its schema id: Confluent's serializer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerdeConfig {
    /// Whether the records are keys (subject `<topic>-key`) or values.
    pub is_key: bool,
    /// The subject name strategy.
    pub subject_name_strategy: SubjectNameStrategy,
    /// `auto.register.schemas` (default true): register the schema; else look it up.
    pub auto_register_schemas: bool,
    /// `use.latest.version` (default false): write with the subject's latest id.
    pub use_latest_version: bool,
    /// `normalize.schemas` (default false).
    pub normalize_schemas: bool,
}

impl Default for SerdeConfig {
    fn default() -> Self {
        SerdeConfig {
            is_key: false,
            subject_name_strategy: SubjectNameStrategy::TopicName,
            auto_register_schemas: true,
            use_latest_version: false,
            normalize_schemas: false,
        }
    }
}

/// The schema a serializer writes with, and the ids it was given per subject.
struct Registration {
    client: RegistryClient,
    config: SerdeConfig,
    request: RegisterSchemaRequest,
    record_name: Option<String>,
    ids: RwLock<HashMap<String, SchemaId>>,
}

impl Registration {
    async fn id(&self, topic: &str) -> Result<SchemaId, ConverterError> {
        let subject = self
            .config
            .subject_name_strategy
            .subject(topic, self.config.is_key, self.record_name.as_deref())
            .ok_or_else(|| {
                err("the subject name strategy needs a record name, and the schema has none")
            })?;
        if let Some(id) = self
            .ids
            .read()
            .ok()
            .and_then(|ids| ids.get(&subject).copied())
        {
            return Ok(id);
        }
        let normalize = self.config.normalize_schemas;
        let id = if self.config.use_latest_version {
            self.client
                .get_version(&subject, VersionId::Latest, false)
                .await
                .map_err(registry_error)?
                .id
        } else if self.config.auto_register_schemas {
            self.client
                .register_schema(&subject, &self.request, normalize)
                .await
                .map_err(registry_error)?
                .id
        } else {
            self.client
                .lookup_schema(&subject, &self.request, normalize, false)
                .await
                .map_err(registry_error)?
                .id
        };
        let id = SchemaId(id.0);
        if let Ok(mut ids) = self.ids.write() {
            ids.insert(subject, id);
        }
        Ok(id)
    }
}

fn parse(schema_type: SchemaType, text: &str) -> Result<ParsedSchema, ConverterError> {
    strata_schema::parse(
        schema_type,
        text,
        &[],
        &strata_schema::NoReferences,
        &strata_schema::ParseOptions::default(),
    )
    .map_err(|e| err(e.to_string()))
}

/// Fetches and parses the writer schemas of records by id, once each.
struct WriterSchemas {
    client: RegistryClient,
    parsed: RwLock<HashMap<SchemaId, Arc<ParsedSchema>>>,
}

impl WriterSchemas {
    fn new(client: RegistryClient) -> Self {
        WriterSchemas {
            client,
            parsed: RwLock::new(HashMap::new()),
        }
    }

    async fn get(&self, id: SchemaId) -> Result<Arc<ParsedSchema>, ConverterError> {
        if let Some(p) = self.parsed.read().ok().and_then(|p| p.get(&id).cloned()) {
            return Ok(p);
        }
        let fetched = self
            .client
            .get_schema_by_id(strata_client::SchemaId(id.0))
            .await
            .map_err(registry_error)?;
        let refs = self
            .client
            .resolve_references(&fetched.references)
            .await
            .map_err(registry_error)?;
        let parsed = strata_schema::parse(
            fetched.schema_type,
            &fetched.schema,
            &fetched.references,
            &refs,
            &strata_schema::ParseOptions::stored(),
        )
        .map_err(|e| err(e.to_string()))?;
        let parsed = Arc::new(parsed);
        if let Ok(mut cache) = self.parsed.write() {
            cache.insert(id, parsed.clone());
        }
        Ok(parsed)
    }
}

// ---------------------------------------------------------------------------------------------
// Avro

/// Serializes serde values with one Avro schema.
pub struct AvroSerializer<T> {
    registration: Registration,
    schema: apache_avro::Schema,
    _type: PhantomData<fn(&T)>,
}

impl<T> std::fmt::Debug for AvroSerializer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvroSerializer")
            .field("schema", &self.registration.request.schema)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize> AvroSerializer<T> {
    /// A serializer of the Avro schema `schema` (JSON text, self-contained).
    pub fn new(
        client: RegistryClient,
        schema: &str,
        config: SerdeConfig,
    ) -> Result<Self, ConverterError> {
        let parsed = parse(SchemaType::Avro, schema)?;
        let SchemaModel::Avro(model) = parsed.model() else {
            return Err(err("not an Avro schema"));
        };
        let compiled = model.schema().map_err(err)?.clone();
        Ok(AvroSerializer {
            registration: Registration {
                client,
                config,
                request: RegisterSchemaRequest::new(SchemaType::Avro, parsed.canonical()),
                record_name: model.full_name().map(str::to_owned),
                ids: RwLock::new(HashMap::new()),
            },
            schema: compiled,
            _type: PhantomData,
        })
    }

    /// The wire-format record of `value` for `topic`.
    pub async fn serialize(&self, topic: &str, value: &T) -> Result<Vec<u8>, ConverterError> {
        let id = self.registration.id(topic).await?;
        let mut out = Vec::with_capacity(64);
        out.push(0);
        out.extend_from_slice(&id.0.to_be_bytes());
        if apache_avro::write_avro_datum_ref(&self.schema, value, &mut out).is_err() {
            // Named types referenced by name need the general path.
            out.truncate(5);
            let v = apache_avro::to_value(value)
                .and_then(|v| v.resolve(&self.schema))
                .map_err(|e| err(format!("Avro serialization failed: {e}")))?;
            let payload = apache_avro::to_avro_datum(&self.schema, v)
                .map_err(|e| err(format!("Avro serialization failed: {e}")))?;
            out.extend_from_slice(&payload);
        }
        Ok(out)
    }
}

/// Deserializes Avro records into serde values, with the writer schema of each record.
pub struct AvroDeserializer<T> {
    writers: WriterSchemas,
    _type: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for AvroDeserializer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvroDeserializer").finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> AvroDeserializer<T> {
    /// A deserializer reading writer schemas from `client`.
    pub fn new(client: RegistryClient) -> Self {
        AvroDeserializer {
            writers: WriterSchemas::new(client),
            _type: PhantomData,
        }
    }

    /// The value of a wire-format record.
    pub async fn deserialize(&self, bytes: &[u8]) -> Result<T, ConverterError> {
        let frame = wire::decode(bytes)?;
        let parsed = self.writers.get(frame.schema_id).await?;
        let SchemaModel::Avro(model) = parsed.model() else {
            return Err(err("the writer schema is not Avro"));
        };
        let schema = model.schema().map_err(err)?;
        let mut payload = frame.payload;
        let v = apache_avro::from_avro_datum(schema, &mut payload, None)
            .map_err(|e| err(format!("Avro decoding failed: {e}")))?;
        apache_avro::from_value::<T>(&v).map_err(|e| err(format!("Avro decoding failed: {e}")))
    }
}

// ---------------------------------------------------------------------------------------------
// Protobuf

/// Serializes Protobuf messages (prost-generated, or `DynamicMessage`s) of one `.proto` schema.
pub struct ProtobufSerializer {
    registration: Registration,
    parsed: ParsedSchema,
}

impl std::fmt::Debug for ProtobufSerializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtobufSerializer")
            .field("schema", &self.registration.request.schema)
            .finish_non_exhaustive()
    }
}

impl ProtobufSerializer {
    /// A serializer of the messages of a `.proto` file (its imports: the bundled well-known,
    /// `google/type` and Confluent files). `record_name`: the message the record subject name
    /// strategies name (defaults to the first message).
    pub fn from_proto(
        client: RegistryClient,
        proto: &str,
        config: SerdeConfig,
    ) -> Result<Self, ConverterError> {
        let parsed = parse(SchemaType::Protobuf, proto)?;
        Self::with_parsed(client, parsed, config)
    }

    /// A serializer of the messages of the file of a `FileDescriptorSet` (encoded) that defines
    /// `message_full_name` (registered as its base64 descriptor, as Confluent accepts it).
    pub fn from_file_descriptor_set(
        client: RegistryClient,
        file_descriptor_set: &[u8],
        message_full_name: &str,
        config: SerdeConfig,
    ) -> Result<Self, ConverterError> {
        use prost::Message;
        let set = prost_types::FileDescriptorSet::decode(file_descriptor_set)
            .map_err(|e| err(format!("invalid FileDescriptorSet: {e}")))?;
        let name = message_full_name
            .strip_prefix('.')
            .unwrap_or(message_full_name);
        let file = set
            .file
            .iter()
            .find(|f| {
                let package = f.package.as_deref().unwrap_or("");
                f.message_type.iter().any(|m| {
                    let full = if package.is_empty() {
                        m.name().to_owned()
                    } else {
                        format!("{package}.{}", m.name())
                    };
                    name == full || name.starts_with(&format!("{full}."))
                })
            })
            .ok_or_else(|| err(format!("no file of the set defines {name}")))?;
        let text = base64::engine::general_purpose::STANDARD.encode(file.encode_to_vec());
        Self::from_proto(client, &text, config)
    }

    fn with_parsed(
        client: RegistryClient,
        parsed: ParsedSchema,
        config: SerdeConfig,
    ) -> Result<Self, ConverterError> {
        let SchemaModel::Protobuf(model) = parsed.model() else {
            return Err(err("not a Protobuf schema"));
        };
        if let Some(e) = model.descriptor_error() {
            return Err(err(format!("the Protobuf schema does not compile: {e}")));
        }
        let record_name = model.first_message();
        Ok(ProtobufSerializer {
            registration: Registration {
                client,
                config,
                request: RegisterSchemaRequest::new(SchemaType::Protobuf, parsed.canonical()),
                record_name,
                ids: RwLock::new(HashMap::new()),
            },
            parsed,
        })
    }

    fn model(&self) -> Result<&strata_schema::protobuf::ProtobufModel, ConverterError> {
        match self.parsed.model() {
            SchemaModel::Protobuf(m) => Ok(m),
            _ => Err(err("not a Protobuf schema")),
        }
    }

    fn frame(
        &self,
        id: SchemaId,
        full_name: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, ConverterError> {
        let path = self
            .model()?
            .message_index_path(full_name)
            .ok_or_else(|| err(format!("the schema does not define message {full_name}")))?;
        Ok(wire::encode(id, Some(&path), payload))
    }

    /// The wire-format record of a prost-generated message of this schema.
    pub async fn serialize<M: prost::Message + prost::Name>(
        &self,
        topic: &str,
        message: &M,
    ) -> Result<Vec<u8>, ConverterError> {
        let id = self.registration.id(topic).await?;
        self.frame(id, &M::full_name(), &message.encode_to_vec())
    }

    /// The wire-format record of a dynamic message of this schema.
    pub async fn serialize_dynamic(
        &self,
        topic: &str,
        message: &DynamicMessage,
    ) -> Result<Vec<u8>, ConverterError> {
        use prost::Message;
        let id = self.registration.id(topic).await?;
        let full = message.descriptor().full_name().to_owned();
        self.frame(id, &full, &message.encode_to_vec())
    }
}

/// Reads Protobuf records: the writer schema by id, the message by the index path.
pub struct ProtobufDeserializer {
    writers: WriterSchemas,
}

impl std::fmt::Debug for ProtobufDeserializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtobufDeserializer")
            .finish_non_exhaustive()
    }
}

impl ProtobufDeserializer {
    /// A deserializer reading writer schemas from `client`.
    pub fn new(client: RegistryClient) -> Self {
        ProtobufDeserializer {
            writers: WriterSchemas::new(client),
        }
    }

    /// The record as a dynamic message of its writer schema.
    pub async fn deserialize_dynamic(
        &self,
        bytes: &[u8],
    ) -> Result<DynamicMessage, ConverterError> {
        let frame = wire::decode(bytes)?;
        let (indexes, payload) = wire::decode_message_indexes(frame.payload)?;
        let parsed = self.writers.get(frame.schema_id).await?;
        let SchemaModel::Protobuf(model) = parsed.model() else {
            return Err(err("the writer schema is not Protobuf"));
        };
        let desc = model
            .message_by_index_path(indexes.as_slice())
            .ok_or_else(|| err("no message at the record's index path"))?;
        DynamicMessage::decode(desc, payload).map_err(|e| err(format!("invalid Protobuf: {e}")))
    }

    /// The record as a prost-generated message.
    pub async fn deserialize<M: prost::Message + Default>(
        &self,
        bytes: &[u8],
    ) -> Result<M, ConverterError> {
        let frame = wire::decode(bytes)?;
        let (_, payload) = wire::decode_message_indexes(frame.payload)?;
        M::decode(payload).map_err(|e| err(format!("invalid Protobuf: {e}")))
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Schema

/// Serializes serde values as JSON checked against one JSON Schema.
pub struct JsonSchemaSerializer<T> {
    registration: Registration,
    parsed: ParsedSchema,
    _type: PhantomData<fn(&T)>,
}

impl<T> std::fmt::Debug for JsonSchemaSerializer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonSchemaSerializer")
            .field("schema", &self.registration.request.schema)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize> JsonSchemaSerializer<T> {
    /// A serializer of the JSON Schema `schema` (self-contained).
    pub fn new(
        client: RegistryClient,
        schema: &str,
        config: SerdeConfig,
    ) -> Result<Self, ConverterError> {
        let parsed = parse(SchemaType::Json, schema)?;
        let SchemaModel::Json(model) = parsed.model() else {
            return Err(err("not a JSON Schema"));
        };
        let record_name = model
            .value()
            .get("title")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        Ok(JsonSchemaSerializer {
            registration: Registration {
                client,
                config,
                request: RegisterSchemaRequest::new(SchemaType::Json, parsed.canonical()),
                record_name,
                ids: RwLock::new(HashMap::new()),
            },
            parsed,
            _type: PhantomData,
        })
    }

    /// The wire-format record of `value`, refused when it does not conform to the schema.
    pub async fn serialize(&self, topic: &str, value: &T) -> Result<Vec<u8>, ConverterError> {
        let json = serde_json::to_value(value).map_err(|e| err(e.to_string()))?;
        if let SchemaModel::Json(model) = self.parsed.model() {
            model.validate(&json).map_err(|e| {
                err(format!(
                    "the value does not conform to its JSON Schema: {e}"
                ))
            })?;
        }
        let id = self.registration.id(topic).await?;
        let payload = serde_json::to_vec(&json).map_err(|e| err(e.to_string()))?;
        Ok(wire::encode(id, None, &payload))
    }
}

/// Deserializes JSON Schema records into serde values.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonSchemaDeserializer<T> {
    _type: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> JsonSchemaDeserializer<T> {
    /// A deserializer (the JSON is self-describing: no registry call).
    pub fn new() -> Self {
        JsonSchemaDeserializer { _type: PhantomData }
    }

    /// The value of a wire-format record.
    pub fn deserialize(&self, bytes: &[u8]) -> Result<T, ConverterError> {
        let frame = wire::decode(bytes)?;
        serde_json::from_slice(frame.payload).map_err(|e| err(format!("invalid JSON: {e}")))
    }
}
