//! The registry-backed converters (Avro, Protobuf, JSON Schema): one implementation of the
//! registry rules, parameterized by the format.
//!
//! Writing a record: the Connect schema (and topic) is looked up in a cache; on a miss the
//! format maps it to its own schema, and the subject (from the configured
//! [`SubjectNameStrategy`](crate::SubjectNameStrategy)) gets it registered
//! (`auto.register.schemas`), its latest version (`use.latest.version`) or a lookup; the id and
//! the compiled encoder are cached. Reading a record: the id of the frame is looked up in a
//! cache; on a miss the schema comes from the registry by id, the format compiles it into a
//! decoder with its Connect schema, and the Connect schema version comes from `connect.version`
//! or, failing that, from a lookup of the schema under the subject (`POST /subjects/{s}` with
//! `deleted=true`), as Confluent's converters do. The warm path of both directions makes no
//! registry call and parses no schema.

use crate::config::{BasicAuthCredentialsSource, ConfigError, RegistryConverterConfig};
use crate::connect::{Schema, Value};
use crate::converter::{AsyncConverter, Converted, SchemaAndValue};
use crate::error::ConverterError;
use crate::wire::{self, SchemaId};
use rustc_hash::FxBuildHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use strata_client::{
    Auth, ClientConfig, RegisterSchemaRequest, RegistryClient, SchemaType, VersionId,
};

/// What a format does for the registry converter: map schemas and encode values.
pub trait Format: Send + Sync + 'static {
    /// A compiled encoder/decoder of one schema, with its Connect schema.
    type Codec: Send + Sync + 'static;

    /// The registry schema type.
    const SCHEMA_TYPE: SchemaType;

    /// Maps a Connect schema to the format: the schema to register, the record's full name
    /// (for the record subject name strategies) and the codec.
    fn compile_connect(&self, schema: &Schema) -> Result<Compiled<Self::Codec>, ConverterError>;

    /// Compiles a schema fetched from the registry (its references resolved by `client`).
    fn compile_registered(
        &self,
        schema: &Registered<'_>,
        references: &strata_client::ResolvedReferences,
    ) -> Result<Compiled<Self::Codec>, ConverterError>;

    /// The codec's Connect schema.
    fn connect_schema(codec: &Self::Codec) -> &Schema;

    /// The codec with the top-level Connect schema's version set.
    fn with_version(codec: Self::Codec, version: i32) -> Result<Self::Codec, ConverterError>;

    /// Appends the wire-format record of `value` (prefix with `id` included) to `out`.
    fn encode(
        &self,
        codec: &Self::Codec,
        id: SchemaId,
        value: &Value,
        out: &mut Vec<u8>,
    ) -> Result<(), ConverterError>;

    /// Reads the value of a record's payload (what follows the id) with the codec's own schema.
    fn decode_value(&self, codec: &Self::Codec, payload: &[u8]) -> Result<Value, ConverterError>;

    /// Reads the value of a record whose prefix has been read (`payload` follows the id), with
    /// its Connect schema: by default the codec's (Protobuf's is that of the message the frame
    /// names).
    fn decode(
        &self,
        codec: &Self::Codec,
        payload: &[u8],
    ) -> Result<SchemaAndValue, ConverterError> {
        let value = self.decode_value(codec, payload)?;
        Ok(SchemaAndValue::new(
            Some(Self::connect_schema(codec).clone()),
            value,
        ))
    }

    /// With `use.latest.version`: the codec of the latest schema that writes records of the
    /// Connect schema whose format name is `record_name` (for Protobuf, the message of that
    /// name when the file has several). The default keeps the codec.
    fn latest_for_record(
        &self,
        codec: Self::Codec,
        record_name: Option<&str>,
    ) -> Result<Self::Codec, ConverterError> {
        let _ = record_name;
        Ok(codec)
    }
}

/// Appends what a codec's direct path writes to `out` or, where there is none or it refuses the
/// value, what its reference path writes (which also explains a refusal). On error `out` is as
/// it was.
pub(crate) fn direct_or_reference(
    out: &mut Vec<u8>,
    direct: Option<impl FnOnce(&mut Vec<u8>) -> Result<(), crate::connect::DataError>>,
    reference: impl FnOnce(&mut Vec<u8>) -> Result<(), crate::connect::DataError>,
) -> Result<(), crate::connect::DataError> {
    let start = out.len();
    if let Some(direct) = direct {
        if direct(out).is_ok() {
            return Ok(());
        }
        out.truncate(start);
    }
    let result = reference(out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// A schema as the registry holds it.
#[derive(Debug, Clone, Copy)]
pub struct Registered<'a> {
    /// Its format.
    pub schema_type: SchemaType,
    /// Its text.
    pub schema: &'a str,
    /// The schemas it references.
    pub references: &'a [strata_client::SchemaReference],
}

/// A schema mapped to a format and compiled.
#[derive(Debug)]
pub struct Compiled<C> {
    /// The schema to register.
    pub request: RegisterSchemaRequest,
    /// The record's fully-qualified name, if it has one.
    pub record_name: Option<String>,
    /// The codec.
    pub codec: C,
}

/// A registry client configured from a converter's settings.
pub fn client_from_config(
    config: &RegistryConverterConfig,
) -> Result<RegistryClient, ConverterError> {
    let mut client_config = ClientConfig::with_urls(config.urls.iter().cloned());
    match config.basic_auth_credentials_source {
        BasicAuthCredentialsSource::Url => {}
        BasicAuthCredentialsSource::UserInfo => {
            if let Some(info) = &config.basic_auth_user_info {
                client_config.auth = Auth::basic(info.user.clone(), info.password.expose());
            }
        }
        BasicAuthCredentialsSource::SaslInherit => {
            return Err(ConfigError::invalid(
                crate::config::BASIC_AUTH_CREDENTIALS_SOURCE,
                "SASL_INHERIT",
                "SASL_INHERIT needs a Kafka client's sasl.jaas.config, which a converter does not have here: use USER_INFO",
            )
            .into())
        }
    }
    RegistryClient::new(client_config).map_err(|e| ConverterError::Registry(e.to_string()))
}

struct WriteEntry<C> {
    topic: String,
    schema: Schema,
    id: SchemaId,
    codec: Arc<C>,
}

/// Encoders by a hash of topic and Connect schema (already a hash: not hashed again).
type WriterCache<C> = HashMap<u64, Vec<WriteEntry<C>>, FxBuildHasher>;

/// Decoders by writer schema id, then topic (looked up without copying the topic). Only ids the
/// registry knows get in (an unknown one fails its fetch): a fast hash serves.
type ReaderCache<C> = HashMap<SchemaId, Vec<(String, Arc<C>)>, FxBuildHasher>;

/// A registry-backed converter for format `F`.
pub struct RegistryConverter<F: Format> {
    format: F,
    config: RegistryConverterConfig,
    client: RegistryClient,
    /// By a hash of the topic and the schema (already a hash: no hashing it again).
    writers: RwLock<WriterCache<F::Codec>>,
    readers: RwLock<ReaderCache<F::Codec>>,
    /// The first reader cached (writer schema id, topic, codec), read without a lock: most
    /// converters read one writer schema, and a warm record then takes no lock at all. An id's
    /// codec never changes, so this entry stays right when the cache above is cleared.
    first_reader: OnceLock<(SchemaId, String, Arc<F::Codec>)>,
    /// The size of the last record written: the next one's buffer is that big from the start.
    last_len: AtomicUsize,
}

impl<F: Format> std::fmt::Debug for RegistryConverter<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryConverter")
            .field("schema_type", &F::SCHEMA_TYPE)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn registry_error(e: strata_client::Error) -> ConverterError {
    ConverterError::Registry(e.to_string())
}

impl<F: Format> RegistryConverter<F> {
    /// A converter of this format, with its own registry client.
    pub fn new(format: F, config: RegistryConverterConfig) -> Result<Self, ConverterError> {
        let client = client_from_config(&config)?;
        Ok(Self::with_client(format, config, client))
    }

    /// A converter sharing a registry client (and its caches) with other converters or
    /// serializers.
    pub fn with_client(format: F, config: RegistryConverterConfig, client: RegistryClient) -> Self {
        RegistryConverter {
            format,
            config,
            client,
            writers: RwLock::new(HashMap::default()),
            readers: RwLock::new(HashMap::default()),
            first_reader: OnceLock::new(),
            last_len: AtomicUsize::new(64),
        }
    }

    /// The registry client.
    pub fn client(&self) -> &RegistryClient {
        &self.client
    }

    /// The format.
    pub fn format(&self) -> &F {
        &self.format
    }

    /// `f` of the cached writer id and codec of `schema` for `topic`, run under the cache's read
    /// lock (a warm record takes no reference count); `None` on a miss.
    fn with_writer<R>(
        &self,
        topic: &str,
        schema: &Schema,
        f: impl FnOnce(SchemaId, &Arc<F::Codec>) -> R,
    ) -> Option<R> {
        let writers = self.writers.read().ok()?;
        let entry = writers
            .get(&writer_key(topic, schema))?
            .iter()
            .find(|e| e.topic == topic && e.schema == *schema)?;
        Some(f(entry.id, &entry.codec))
    }

    /// The writer id and codec of a Connect schema for `topic`: cached, else from the registry.
    pub async fn writer(
        &self,
        topic: &str,
        schema: &Schema,
    ) -> Result<(SchemaId, Arc<F::Codec>), ConverterError> {
        if let Some(hit) = self.with_writer(topic, schema, |id, codec| (id, codec.clone())) {
            return Ok(hit);
        }
        let compiled = self.format.compile_connect(schema)?;
        let subject = self
            .config
            .subject(topic, compiled.record_name.as_deref())
            .ok_or_else(|| {
                ConverterError::Registry(
                    "the subject name strategy needs a record name, and the schema has none".into(),
                )
            })?;
        let normalize = self.config.normalize_schemas;
        let (id, codec) = if self.config.use_latest_version {
            let latest = self
                .client
                .get_version(&subject, VersionId::Latest, false)
                .await
                .map_err(registry_error)?;
            let as_string = Registered {
                schema: &latest.schema,
                schema_type: latest.schema_type,
                references: &latest.references,
            };
            let refs = self
                .client
                .resolve_references(&latest.references)
                .await
                .map_err(registry_error)?;
            if self.config.latest_compatibility_strict {
                check_backward(&as_string, &compiled.request, &refs)?;
            }
            let registered = self.format.compile_registered(&as_string, &refs)?;
            let codec = self
                .format
                .latest_for_record(registered.codec, compiled.record_name.as_deref())?;
            (latest.id, codec)
        } else if self.config.auto_register_schemas {
            let r = self
                .client
                .register_schema(&subject, &compiled.request, normalize)
                .await
                .map_err(registry_error)?;
            (r.id, compiled.codec)
        } else {
            let r = self
                .client
                .lookup_schema(&subject, &compiled.request, normalize, false)
                .await
                .map_err(registry_error)?;
            (r.id, compiled.codec)
        };
        let id = SchemaId(id.0);
        let codec = Arc::new(codec);
        if let Ok(mut writers) = self.writers.write() {
            if writers.values().map(Vec::len).sum::<usize>()
                >= self.config.schemas_cache_size.max(1)
            {
                writers.clear();
            }
            writers
                .entry(writer_key(topic, schema))
                .or_default()
                .push(WriteEntry {
                    topic: topic.to_owned(),
                    schema: schema.clone(),
                    id,
                    codec: codec.clone(),
                });
        }
        Ok((id, codec))
    }

    /// `f` of the cached codec of writer schema `id` for `topic`, run under the cache's read
    /// lock (a warm record takes no reference count); `None` on a miss.
    fn with_reader<R>(
        &self,
        topic: &str,
        id: SchemaId,
        f: impl FnOnce(&Arc<F::Codec>) -> R,
    ) -> Option<R> {
        if let Some((first, first_topic, codec)) = self.first_reader.get() {
            if *first == id && first_topic == topic {
                return Some(f(codec));
            }
        }
        let readers = self.readers.read().ok()?;
        let (_, codec) = readers.get(&id)?.iter().find(|(t, _)| t == topic)?;
        Some(f(codec))
    }

    /// The codec of a writer schema id, for records of `topic`: cached, else from the registry.
    pub async fn reader(&self, topic: &str, id: SchemaId) -> Result<Arc<F::Codec>, ConverterError> {
        if let Some(hit) = self.with_reader(topic, id, Arc::clone) {
            return Ok(hit);
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
        let registered = Registered {
            schema: &fetched.schema,
            schema_type: fetched.schema_type,
            references: &fetched.references,
        };
        let compiled = self.format.compile_registered(&registered, &refs)?;
        let mut codec = compiled.codec;
        if F::connect_schema(&codec).version().is_none() {
            if let Some(subject) = self.config.subject(topic, compiled.record_name.as_deref()) {
                let request =
                    RegisterSchemaRequest::new(fetched.schema_type, fetched.schema.clone())
                        .with_references(fetched.references.clone());
                let found = self
                    .client
                    .lookup_schema(&subject, &request, false, true)
                    .await
                    .map_err(registry_error)?;
                codec = F::with_version(codec, found.version)?;
            }
        }
        let codec = Arc::new(codec);
        // Only the first reader ever gets this slot.
        let _ = self
            .first_reader
            .set((id, topic.to_owned(), Arc::clone(&codec)));
        if let Ok(mut readers) = self.readers.write() {
            if readers.values().map(Vec::len).sum::<usize>()
                >= self.config.schemas_cache_size.max(1)
            {
                readers.clear();
            }
            let entries = readers.entry(id).or_default();
            entries.retain(|(t, _)| t != topic);
            entries.push((topic.to_owned(), codec.clone()));
        }
        Ok(codec)
    }

    /// Serializes a value of `schema` for `topic`.
    pub async fn serialize(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConverterError> {
        let Some(schema) = schema_to_write(schema, value)? else {
            return Ok(None);
        };
        let (id, codec) = self.writer(topic, schema).await?;
        self.write(id, &codec, value).map(Some)
    }

    /// [`serialize`](Self::serialize) where the writer is cached; `None` where the registry
    /// must be asked.
    fn serialize_cached(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Option<Result<Option<Vec<u8>>, ConverterError>> {
        let schema = match schema_to_write(schema, value) {
            Ok(Some(schema)) => schema,
            done => return Some(done.map(|_| None)),
        };
        self.with_writer(topic, schema, |id, codec| {
            self.write(id, codec, value).map(Some)
        })
    }

    /// The record of `value` written with `codec` under `id`.
    fn write(
        &self,
        id: SchemaId,
        codec: &F::Codec,
        value: &Value,
    ) -> Result<Vec<u8>, ConverterError> {
        let mut out = Vec::with_capacity(self.last_len.load(Ordering::Relaxed));
        self.format.encode(codec, id, value, &mut out)?;
        self.last_len
            .store(out.len().clamp(64, MAX_PRESIZE), Ordering::Relaxed);
        Ok(out)
    }

    /// Deserializes the bytes of a record of `topic`.
    pub async fn deserialize(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConverterError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let frame = wire::decode(bytes)?;
        let codec = self.reader(topic, frame.schema_id).await?;
        self.format.decode(&codec, frame.payload)
    }

    /// [`deserialize`](Self::deserialize) where the reader is cached; `None` where the
    /// registry must be asked.
    fn deserialize_cached(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Option<Result<SchemaAndValue, ConverterError>> {
        let Some(bytes) = bytes else {
            return Some(Ok(SchemaAndValue::NULL));
        };
        let frame = match wire::decode(bytes) {
            Ok(frame) => frame,
            Err(e) => return Some(Err(e.into())),
        };
        self.with_reader(topic, frame.schema_id, |codec| {
            self.format.decode(codec, frame.payload)
        })
    }
}

/// The schema a value is written with; `None` where the record is null (no bytes).
fn schema_to_write<'s>(
    schema: Option<&'s Schema>,
    value: &Value,
) -> Result<Option<&'s Schema>, ConverterError> {
    let Some(schema) = schema else {
        if value.is_null() {
            return Ok(None);
        }
        return Err(ConverterError::Data(crate::connect::DataError::new(
            "a registry-backed converter needs a schema for a non-null value",
        )));
    };
    if value.is_null() && schema.default_value().is_none() {
        if !schema.is_optional() {
            schema.validate(value)?;
        }
        return Ok(None);
    }
    Ok(Some(schema))
}

/// `latest.compatibility.strict`: the latest registered schema must read data written with the
/// record's own schema.
fn check_backward(
    latest: &Registered<'_>,
    own: &RegisterSchemaRequest,
    refs: &strata_client::ResolvedReferences,
) -> Result<(), ConverterError> {
    let options = strata_schema::ParseOptions::default();
    let parse = |t: SchemaType, text: &str, r: &[strata_schema::SchemaReference]| {
        strata_schema::parse(t, text, r, refs, &options)
            .map_err(|e| ConverterError::Registry(e.to_string()))
    };
    let latest_parsed = parse(latest.schema_type, latest.schema, latest.references)?;
    let own_parsed = parse(own.schema_type, &own.schema, &own.references)?;
    let verdict = strata_schema::check_compatibility(
        strata_schema::CompatibilityLevel::Backward,
        &latest_parsed,
        &[strata_schema::PreviousVersion {
            version: None,
            schema: &own_parsed,
        }],
    );
    if verdict.is_compatible {
        Ok(())
    } else {
        Err(ConverterError::Registry(format!(
            "the latest schema of the subject is not backward compatible with the record's schema: {}",
            verdict.messages.join("; ")
        )))
    }
}

impl<F: Format> AsyncConverter for RegistryConverter<F> {
    fn from_connect_async<'a>(
        &'a self,
        topic: &'a str,
        schema: Option<&'a Schema>,
        value: &'a Value,
    ) -> Converted<'a, Result<Option<Vec<u8>>, ConverterError>> {
        // The warm path answers at once and allocates nothing; only a registry round trip is
        // a (boxed) future.
        match self.serialize_cached(topic, schema, value) {
            Some(done) => Converted::ready(done),
            None => Converted::waiting(self.serialize(topic, schema, value)),
        }
    }

    fn to_connect_async<'a>(
        &'a self,
        topic: &'a str,
        bytes: Option<&'a [u8]>,
    ) -> Converted<'a, Result<SchemaAndValue, ConverterError>> {
        match self.deserialize_cached(topic, bytes) {
            Some(done) => Converted::ready(done),
            None => Converted::waiting(self.deserialize(topic, bytes)),
        }
    }
}

/// The largest buffer a record's size makes the next one start with.
const MAX_PRESIZE: usize = 1 << 16;

fn writer_key(topic: &str, schema: &Schema) -> u64 {
    // The schema's hash was computed when it was built: no walk over it per record. Topics
    // come from the application, not from records: a fast hash serves.
    let mut h = rustc_hash::FxHasher::default();
    topic.hash(&mut h);
    schema.structural_hash().hash(&mut h);
    h.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::connect::SchemaBuilder;

    #[test]
    fn equal_schemas_share_a_cache_key_and_different_ones_do_not() {
        let a = SchemaBuilder::struct_()
            .field(
                "x",
                SchemaBuilder::string()
                    .parameter("a", "1")
                    .parameter("b", "2")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let b = SchemaBuilder::struct_()
            .field(
                "x",
                SchemaBuilder::string()
                    .parameter("b", "2")
                    .parameter("a", "1")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let c = SchemaBuilder::struct_()
            .field(
                "x",
                SchemaBuilder::string()
                    .parameter("a", "2")
                    .parameter("b", "1")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(writer_key("t", &a), writer_key("t", &b));
        assert_ne!(writer_key("t", &a), writer_key("t", &c));
        assert_ne!(writer_key("t", &a), writer_key("u", &a));
        let optional = SchemaBuilder::struct_()
            .optional()
            .field("x", a.fields()[0].schema().clone())
            .build()
            .unwrap();
        assert_ne!(writer_key("t", &a), writer_key("t", &optional));
    }
}
