//! Building converters from Connect-style properties, the way a Kafka Connect worker does.
//!
//! A worker names each converter by class (`value.converter=io.confluent.connect.avro.AvroConverter`)
//! and configures it with the properties under the same prefix, prefix stripped
//! (`value.converter.schema.registry.url=…` reaches the converter as `schema.registry.url`).
//! [`ConverterConfig::from_worker_properties`] does exactly that; short names (`json`, `string`,
//! `bytes`, `avro`, `protobuf`, `json_schema`) work as well as class names.
//!
//! Unknown keys are ignored (a worker's property map holds much else); known keys with bad
//! values are rejected with an error naming the key. Secrets never appear in errors or in
//! `Debug` output.
//!
//! [`ConverterConfig::build`] builds any converter as an [`AsyncConverter`]: the
//! registry-backed ones (Avro, Protobuf, JSON Schema, configured by [`RegistryConverterConfig`])
//! wait for the registry on a cold cache. [`ConverterConfig::build_sync`] builds the ones that
//! never wait (JSON, String, ByteArray) as plain [`Converter`]s.
//!
//! ```
//! use std::collections::HashMap;
//! use strata_converters::config::{ConverterConfig, SubjectNameStrategy};
//!
//! let props: HashMap<String, String> = [
//!     ("value.converter", "io.confluent.connect.avro.AvroConverter"),
//!     ("value.converter.schema.registry.url", "http://sr1:8081,http://sr2:8081"),
//!     ("value.converter.value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"),
//!     ("key.converter", "string"),
//! ]
//! .into_iter()
//! .map(|(k, v)| (k.to_owned(), v.to_owned()))
//! .collect();
//!
//! let ConverterConfig::Avro(avro) = ConverterConfig::from_worker_properties(&props, false)? else {
//!     unreachable!()
//! };
//! assert_eq!(avro.urls, ["http://sr1:8081", "http://sr2:8081"]);
//! assert_eq!(avro.subject("orders", Some("com.example.Order")).as_deref(), Some("com.example.Order"));
//! assert!(ConverterConfig::from_worker_properties(&props, true)?.build_sync().is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::converter::{AsyncConverter, Converter, IntoAsync};
use crate::error::ConverterError;
use crate::json::{JsonConverter, JsonConverterConfig};
use crate::simple::{ByteArrayConverter, StringConverter};
use std::collections::HashMap;
use std::fmt;

/// A converter property is missing or has a bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required key is absent.
    #[error("Missing required configuration \"{key}\" which has no default value.")]
    Missing {
        /// The key.
        key: String,
    },
    /// A key has a value that is not allowed. Secret values are shown as `[hidden]`.
    #[error("Invalid value {value} for configuration {key}: {reason}")]
    Invalid {
        /// The key.
        key: String,
        /// The value (or `[hidden]` for secrets).
        value: String,
        /// What was expected.
        reason: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(key: &str, value: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key: key.to_owned(),
            value: value.chars().take(200).collect(),
            reason: reason.into(),
        }
    }
}

/// Kafka's boolean parsing: `true`/`false`, any case, surrounding spaces ignored.
pub(crate) fn parse_bool(
    props: &HashMap<String, String>,
    key: &str,
    default: bool,
) -> Result<bool, ConfigError> {
    match props.get(key) {
        None => Ok(default),
        Some(v) if v.trim().eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.trim().eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(ConfigError::invalid(
            key,
            v,
            "Expected value to be either true or false",
        )),
    }
}

/// A non-negative integer.
pub(crate) fn parse_usize(
    props: &HashMap<String, String>,
    key: &str,
    default: usize,
) -> Result<usize, ConfigError> {
    match props.get(key) {
        None => Ok(default),
        // Kafka's INT type: a signed 32-bit integer; sizes must not be negative.
        Some(v) => v
            .trim()
            .parse::<i32>()
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| ConfigError::invalid(key, v, "Expected a non-negative 32-bit integer")),
    }
}

/// The converters a worker can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConverterKind {
    /// `org.apache.kafka.connect.json.JsonConverter` / `json`.
    Json,
    /// `org.apache.kafka.connect.storage.StringConverter` / `string`.
    String,
    /// `org.apache.kafka.connect.converters.ByteArrayConverter` / `bytes`.
    ByteArray,
    /// `io.confluent.connect.avro.AvroConverter` / `avro`.
    Avro,
    /// `io.confluent.connect.protobuf.ProtobufConverter` / `protobuf`.
    Protobuf,
    /// `io.confluent.connect.json.JsonSchemaConverter` / `json_schema`.
    JsonSchema,
}

impl ConverterKind {
    const ALL: [ConverterKind; 6] = [
        ConverterKind::Json,
        ConverterKind::String,
        ConverterKind::ByteArray,
        ConverterKind::Avro,
        ConverterKind::Protobuf,
        ConverterKind::JsonSchema,
    ];

    /// The Kafka / Confluent class name.
    pub fn class_name(&self) -> &'static str {
        match self {
            ConverterKind::Json => "org.apache.kafka.connect.json.JsonConverter",
            ConverterKind::String => "org.apache.kafka.connect.storage.StringConverter",
            ConverterKind::ByteArray => "org.apache.kafka.connect.converters.ByteArrayConverter",
            ConverterKind::Avro => "io.confluent.connect.avro.AvroConverter",
            ConverterKind::Protobuf => "io.confluent.connect.protobuf.ProtobufConverter",
            ConverterKind::JsonSchema => "io.confluent.connect.json.JsonSchemaConverter",
        }
    }

    /// The short name.
    pub fn short_name(&self) -> &'static str {
        match self {
            ConverterKind::Json => "json",
            ConverterKind::String => "string",
            ConverterKind::ByteArray => "bytes",
            ConverterKind::Avro => "avro",
            ConverterKind::Protobuf => "protobuf",
            ConverterKind::JsonSchema => "json_schema",
        }
    }

    /// The kind named by a class name or a short name (surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<ConverterKind> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.class_name() == name || k.short_name() == name)
    }

    /// Whether the converter needs the schema registry.
    pub fn is_registry_backed(&self) -> bool {
        matches!(
            self,
            ConverterKind::Avro | ConverterKind::Protobuf | ConverterKind::JsonSchema
        )
    }
}

impl fmt::Display for ConverterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.class_name())
    }
}

/// A converter's configuration: which converter, and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConverterConfig {
    /// Kafka's JSON converter.
    Json(JsonConverterConfig),
    /// Kafka's String converter (UTF-8).
    String,
    /// Kafka's ByteArray converter.
    ByteArray,
    /// Confluent's Avro converter.
    Avro(RegistryConverterConfig),
    /// Confluent's Protobuf converter.
    Protobuf(RegistryConverterConfig),
    /// Confluent's JSON Schema converter.
    JsonSchema(RegistryConverterConfig),
}

/// String converter key: the character encoding (only UTF-8 is supported).
pub const STRING_CONVERTER_ENCODING: &str = "converter.encoding";

impl ConverterConfig {
    /// Reads the key converter (`is_key`) or the value converter from worker properties:
    /// `key.converter` / `value.converter` names it, and `key.converter.*` / `value.converter.*`
    /// configure it.
    pub fn from_worker_properties(
        props: &HashMap<String, String>,
        is_key: bool,
    ) -> Result<ConverterConfig, ConfigError> {
        let key = if is_key {
            "key.converter"
        } else {
            "value.converter"
        };
        let name = props.get(key).ok_or_else(|| ConfigError::Missing {
            key: key.to_owned(),
        })?;
        let kind = ConverterKind::from_name(name).ok_or_else(|| {
            ConfigError::invalid(
                key,
                name,
                "unknown converter: expected a Kafka or Confluent converter class name or one of json, string, bytes, avro, protobuf, json_schema",
            )
        })?;
        let prefix = format!("{key}.");
        let own: HashMap<String, String> = props
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_owned(), v.clone())))
            .collect();
        ConverterConfig::from_properties(kind, &own, is_key)
    }

    /// Configures a converter from its own properties (prefix already stripped), as Kafka's
    /// `Converter.configure(props, isKey)`.
    pub fn from_properties(
        kind: ConverterKind,
        props: &HashMap<String, String>,
        is_key: bool,
    ) -> Result<ConverterConfig, ConfigError> {
        Ok(match kind {
            ConverterKind::Json => {
                ConverterConfig::Json(JsonConverterConfig::from_properties(props)?)
            }
            ConverterKind::String => {
                if let Some(enc) = props.get(STRING_CONVERTER_ENCODING) {
                    let e = enc.trim();
                    if !(e.eq_ignore_ascii_case("UTF-8") || e.eq_ignore_ascii_case("UTF8")) {
                        return Err(ConfigError::invalid(
                            STRING_CONVERTER_ENCODING,
                            enc,
                            "only UTF-8 is supported",
                        ));
                    }
                }
                ConverterConfig::String
            }
            ConverterKind::ByteArray => ConverterConfig::ByteArray,
            ConverterKind::Avro => {
                ConverterConfig::Avro(RegistryConverterConfig::from_properties(props, is_key)?)
            }
            ConverterKind::Protobuf => {
                ConverterConfig::Protobuf(RegistryConverterConfig::from_properties(props, is_key)?)
            }
            ConverterKind::JsonSchema => ConverterConfig::JsonSchema(
                RegistryConverterConfig::from_properties(props, is_key)?,
            ),
        })
    }

    /// Which converter this configures.
    pub fn kind(&self) -> ConverterKind {
        match self {
            ConverterConfig::Json(_) => ConverterKind::Json,
            ConverterConfig::String => ConverterKind::String,
            ConverterConfig::ByteArray => ConverterKind::ByteArray,
            ConverterConfig::Avro(_) => ConverterKind::Avro,
            ConverterConfig::Protobuf(_) => ConverterKind::Protobuf,
            ConverterConfig::JsonSchema(_) => ConverterKind::JsonSchema,
        }
    }

    /// Builds the converter: any kind, as an [`AsyncConverter`] (the registry-backed ones wait
    /// for the registry on a cold cache).
    pub fn build(&self) -> Result<Box<dyn AsyncConverter>, ConverterError> {
        match self {
            ConverterConfig::Avro(c) => Ok(Box::new(crate::avro::AvroConverter::new(
                crate::avro::AvroFormat {
                    data: crate::avro::AvroData {
                        connect_meta_data: c.connect_meta_data,
                    },
                },
                c.clone(),
            )?)),
            ConverterConfig::JsonSchema(c) => {
                Ok(Box::new(crate::json_schema::JsonSchemaConverter::new(
                    crate::json_schema::JsonSchemaFormat {
                        fail_invalid_schema: c.json_fail_invalid_schema,
                    },
                    c.clone(),
                )?))
            }
            ConverterConfig::Protobuf(c) => Ok(Box::new(crate::protobuf::ProtobufConverter::new(
                crate::protobuf::ProtobufFormat,
                c.clone(),
            )?)),
            other => Ok(other.build_sync()?.into_async()),
        }
    }

    /// Builds a converter that never waits: JSON, String or ByteArray. The registry-backed kinds
    /// are refused with [`ConverterError::Config`]: build them with [`build`](Self::build).
    pub fn build_sync(&self) -> Result<Box<dyn Converter>, ConverterError> {
        match self {
            ConverterConfig::Json(c) => Ok(Box::new(JsonConverter::new(c.clone()))),
            ConverterConfig::String => Ok(Box::new(StringConverter)),
            ConverterConfig::ByteArray => Ok(Box::new(ByteArrayConverter)),
            ConverterConfig::Avro(_)
            | ConverterConfig::Protobuf(_)
            | ConverterConfig::JsonSchema(_) => Err(ConfigError::invalid(
                "converter",
                self.kind().class_name(),
                "a registry-backed converter is asynchronous: use build()",
            )
            .into()),
        }
    }
}

/// A secret (a password): `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(secret.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[hidden]")
    }
}

/// `basic.auth.user.info`: the user and password sent as HTTP basic auth.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UserInfo {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: Secret,
}

/// Where the registry client takes its basic-auth credentials from
/// (`basic.auth.credentials.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasicAuthCredentialsSource {
    /// `URL` (default): the user info of the registry URL, if any.
    #[default]
    Url,
    /// `USER_INFO`: `basic.auth.user.info`.
    UserInfo,
    /// `SASL_INHERIT`: the user and password of the Kafka client's `sasl.jaas.config`.
    SaslInherit,
}

/// How the subject of a record's schema is named (`key.subject.name.strategy`,
/// `value.subject.name.strategy`), as Confluent's `io.confluent.kafka.serializers.subject.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectNameStrategy {
    /// `<topic>-key` / `<topic>-value` (default).
    #[default]
    TopicName,
    /// The record's fully-qualified name (Avro `namespace.name`, Protobuf message full name,
    /// JSON Schema title).
    RecordName,
    /// `<topic>-<fully-qualified record name>`.
    TopicRecordName,
}

impl SubjectNameStrategy {
    /// The Confluent class name.
    pub fn class_name(&self) -> &'static str {
        match self {
            SubjectNameStrategy::TopicName => {
                "io.confluent.kafka.serializers.subject.TopicNameStrategy"
            }
            SubjectNameStrategy::RecordName => {
                "io.confluent.kafka.serializers.subject.RecordNameStrategy"
            }
            SubjectNameStrategy::TopicRecordName => {
                "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"
            }
        }
    }

    /// The strategy named by a Confluent class name, its simple name (`TopicNameStrategy`), or a
    /// short name (`topic`, `record`, `topic_record`, any case).
    pub fn from_name(name: &str) -> Option<SubjectNameStrategy> {
        let name = name.trim();
        let simple = name
            .strip_prefix("io.confluent.kafka.serializers.subject.")
            .unwrap_or(name);
        match simple {
            "TopicNameStrategy" => return Some(SubjectNameStrategy::TopicName),
            "RecordNameStrategy" => return Some(SubjectNameStrategy::RecordName),
            "TopicRecordNameStrategy" => return Some(SubjectNameStrategy::TopicRecordName),
            _ => {}
        }
        if name.contains('.') {
            return None;
        }
        match name.to_ascii_lowercase().as_str() {
            "topic" | "topic_name" => Some(SubjectNameStrategy::TopicName),
            "record" | "record_name" => Some(SubjectNameStrategy::RecordName),
            "topic_record" | "topic_record_name" => Some(SubjectNameStrategy::TopicRecordName),
            _ => None,
        }
    }

    /// The subject for a record of `topic`. `record_full_name` is the record's fully-qualified
    /// name; `None` when the strategy needs it and it is absent (e.g. a schemaless record).
    pub fn subject(
        &self,
        topic: &str,
        is_key: bool,
        record_full_name: Option<&str>,
    ) -> Option<String> {
        match self {
            SubjectNameStrategy::TopicName => {
                Some(format!("{topic}-{}", if is_key { "key" } else { "value" }))
            }
            SubjectNameStrategy::RecordName => record_full_name.map(str::to_owned),
            SubjectNameStrategy::TopicRecordName => {
                record_full_name.map(|name| format!("{topic}-{name}"))
            }
        }
    }
}

/// Registry converter key: the registry URLs, comma-separated.
pub const SCHEMA_REGISTRY_URL: &str = "schema.registry.url";
/// Registry converter key: where basic-auth credentials come from.
pub const BASIC_AUTH_CREDENTIALS_SOURCE: &str = "basic.auth.credentials.source";
/// Registry converter key: `user:password` for `USER_INFO` credentials.
pub const BASIC_AUTH_USER_INFO: &str = "basic.auth.user.info";
/// The older name of [`BASIC_AUTH_USER_INFO`], still read when the new one is absent.
pub const SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: &str = "schema.registry.basic.auth.user.info";
/// Registry converter key: register unknown schemas when writing.
pub const AUTO_REGISTER_SCHEMAS: &str = "auto.register.schemas";
/// Registry converter key: write with the subject's latest schema.
pub const USE_LATEST_VERSION: &str = "use.latest.version";
/// Registry converter key: check that the latest schema is backward compatible with the record's.
pub const LATEST_COMPATIBILITY_STRICT: &str = "latest.compatibility.strict";
/// Registry converter key: normalize schemas when registering or looking them up.
pub const NORMALIZE_SCHEMAS: &str = "normalize.schemas";
/// Registry converter key: subject name strategy of keys.
pub const KEY_SUBJECT_NAME_STRATEGY: &str = "key.subject.name.strategy";
/// Registry converter key: subject name strategy of values.
pub const VALUE_SUBJECT_NAME_STRATEGY: &str = "value.subject.name.strategy";
/// Registry converter key (Avro): keep Connect metadata in `connect.*` schema properties.
pub const CONNECT_META_DATA: &str = "connect.meta.data";
/// Registry converter key: size of the Connect ⇄ format schema caches.
pub const SCHEMAS_CACHE_CONFIG: &str = "schemas.cache.config";
/// Registry converter key (JSON Schema): check values against the JSON Schema.
pub const JSON_FAIL_INVALID_SCHEMA: &str = "json.fail.invalid.schema";

/// The settings of a registry-backed converter (Avro, Protobuf, JSON Schema): the serde keys of
/// Confluent's `AbstractKafkaSchemaSerDeConfig` that matter here, and the converter's own.
///
/// `Debug` hides the basic-auth password, including one embedded in a registry URL.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryConverterConfig {
    /// Whether this converts record keys (else values).
    pub is_key: bool,
    /// `schema.registry.url` (required): the registry URLs, tried in order.
    pub urls: Vec<String>,
    /// `basic.auth.credentials.source` (default `URL`).
    pub basic_auth_credentials_source: BasicAuthCredentialsSource,
    /// `basic.auth.user.info` (required by `USER_INFO`).
    pub basic_auth_user_info: Option<UserInfo>,
    /// `auto.register.schemas` (default true).
    pub auto_register_schemas: bool,
    /// `use.latest.version` (default false).
    pub use_latest_version: bool,
    /// `latest.compatibility.strict` (default true).
    pub latest_compatibility_strict: bool,
    /// `normalize.schemas` (default false).
    pub normalize_schemas: bool,
    /// `key.subject.name.strategy` (default TopicNameStrategy).
    pub key_subject_name_strategy: SubjectNameStrategy,
    /// `value.subject.name.strategy` (default TopicNameStrategy).
    pub value_subject_name_strategy: SubjectNameStrategy,
    /// `connect.meta.data` (default true).
    pub connect_meta_data: bool,
    /// `schemas.cache.config` (default 1000).
    pub schemas_cache_size: usize,
    /// `json.fail.invalid.schema` (default false; JSON Schema only): check every value written
    /// and read against the JSON Schema, as Confluent's serde does when it is set.
    pub json_fail_invalid_schema: bool,
}

impl RegistryConverterConfig {
    /// Reads the settings from converter properties (prefix already stripped).
    pub fn from_properties(
        props: &HashMap<String, String>,
        is_key: bool,
    ) -> Result<RegistryConverterConfig, ConfigError> {
        let raw_urls = props
            .get(SCHEMA_REGISTRY_URL)
            .ok_or_else(|| ConfigError::Missing {
                key: SCHEMA_REGISTRY_URL.to_owned(),
            })?;
        let urls = parse_urls(raw_urls)?;

        let source = match props.get(BASIC_AUTH_CREDENTIALS_SOURCE) {
            None => BasicAuthCredentialsSource::Url,
            Some(v) => match v.trim().to_ascii_uppercase().as_str() {
                "URL" => BasicAuthCredentialsSource::Url,
                "USER_INFO" => BasicAuthCredentialsSource::UserInfo,
                "SASL_INHERIT" => BasicAuthCredentialsSource::SaslInherit,
                _ => {
                    return Err(ConfigError::invalid(
                        BASIC_AUTH_CREDENTIALS_SOURCE,
                        v,
                        "expected URL, USER_INFO or SASL_INHERIT",
                    ))
                }
            },
        };
        let (info_key, info) = match props.get(BASIC_AUTH_USER_INFO).filter(|v| !v.is_empty()) {
            Some(v) => (BASIC_AUTH_USER_INFO, Some(v)),
            None => (
                SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO,
                props
                    .get(SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO)
                    .filter(|v| !v.is_empty()),
            ),
        };
        let basic_auth_user_info = match info {
            None => None,
            Some(v) => match v.split_once(':') {
                Some((user, password)) => Some(UserInfo {
                    user: user.to_owned(),
                    password: Secret::new(password),
                }),
                None => {
                    return Err(ConfigError::invalid(
                        info_key,
                        "[hidden]",
                        "expected user:password",
                    ))
                }
            },
        };
        if source == BasicAuthCredentialsSource::UserInfo && basic_auth_user_info.is_none() {
            return Err(ConfigError::Missing {
                key: BASIC_AUTH_USER_INFO.to_owned(),
            });
        }

        let strategy = |key: &str| -> Result<SubjectNameStrategy, ConfigError> {
            match props.get(key) {
                None => Ok(SubjectNameStrategy::TopicName),
                Some(v) => SubjectNameStrategy::from_name(v).ok_or_else(|| {
                    ConfigError::invalid(
                        key,
                        v,
                        "expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy \
                         (io.confluent.kafka.serializers.subject.*), or topic, record, topic_record",
                    )
                }),
            }
        };

        Ok(RegistryConverterConfig {
            is_key,
            urls,
            basic_auth_credentials_source: source,
            basic_auth_user_info,
            auto_register_schemas: parse_bool(props, AUTO_REGISTER_SCHEMAS, true)?,
            use_latest_version: parse_bool(props, USE_LATEST_VERSION, false)?,
            latest_compatibility_strict: parse_bool(props, LATEST_COMPATIBILITY_STRICT, true)?,
            normalize_schemas: parse_bool(props, NORMALIZE_SCHEMAS, false)?,
            key_subject_name_strategy: strategy(KEY_SUBJECT_NAME_STRATEGY)?,
            value_subject_name_strategy: strategy(VALUE_SUBJECT_NAME_STRATEGY)?,
            connect_meta_data: parse_bool(props, CONNECT_META_DATA, true)?,
            schemas_cache_size: parse_usize(props, SCHEMAS_CACHE_CONFIG, 1000)?,
            json_fail_invalid_schema: parse_bool(props, JSON_FAIL_INVALID_SCHEMA, false)?,
        })
    }

    /// The strategy this converter uses: the key one for a key converter, else the value one.
    pub fn subject_name_strategy(&self) -> SubjectNameStrategy {
        if self.is_key {
            self.key_subject_name_strategy
        } else {
            self.value_subject_name_strategy
        }
    }

    /// The subject of a record of `topic` under this converter's strategy.
    pub fn subject(&self, topic: &str, record_full_name: Option<&str>) -> Option<String> {
        self.subject_name_strategy()
            .subject(topic, self.is_key, record_full_name)
    }
}

impl fmt::Debug for RegistryConverterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls.iter().map(|u| redact_url(u)).collect();
        f.debug_struct("RegistryConverterConfig")
            .field("is_key", &self.is_key)
            .field("urls", &urls)
            .field(
                "basic_auth_credentials_source",
                &self.basic_auth_credentials_source,
            )
            .field("basic_auth_user_info", &self.basic_auth_user_info)
            .field("auto_register_schemas", &self.auto_register_schemas)
            .field("use_latest_version", &self.use_latest_version)
            .field(
                "latest_compatibility_strict",
                &self.latest_compatibility_strict,
            )
            .field("normalize_schemas", &self.normalize_schemas)
            .field("key_subject_name_strategy", &self.key_subject_name_strategy)
            .field(
                "value_subject_name_strategy",
                &self.value_subject_name_strategy,
            )
            .field("connect_meta_data", &self.connect_meta_data)
            .field("schemas_cache_size", &self.schemas_cache_size)
            .field("json_fail_invalid_schema", &self.json_fail_invalid_schema)
            .finish()
    }
}

/// Splits and checks `schema.registry.url`: each entry an `http://` or `https://` URL with a
/// host.
fn parse_urls(raw: &str) -> Result<Vec<String>, ConfigError> {
    let urls: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    if urls.is_empty() {
        return Err(ConfigError::invalid(
            SCHEMA_REGISTRY_URL,
            raw,
            "expected one or more comma-separated http(s) URLs",
        ));
    }
    for url in &urls {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
        let host = authority.map(|a| a.rsplit('@').next().unwrap_or(""));
        if !host.is_some_and(|h| !h.is_empty() && !h.starts_with(':')) {
            return Err(ConfigError::invalid(
                SCHEMA_REGISTRY_URL,
                &redact_url(url),
                "expected an http:// or https:// URL with a host",
            ));
        }
    }
    Ok(urls)
}

/// A URL with the password of its user info replaced by `[hidden]`.
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let after = &url[scheme_end + 3..];
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_end];
    match authority.rfind('@') {
        None => url.to_owned(),
        Some(at) => {
            let user = authority[..at].split(':').next().unwrap_or("");
            format!(
                "{}{user}:[hidden]@{}",
                &url[..scheme_end + 3],
                &after[at + 1..]
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
