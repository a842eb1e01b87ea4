//! Request and response bodies of the REST API.
//!
//! Every response type ignores unknown fields, so newer servers work; an absent `schemaType`
//! means Avro and absent `references` mean none, as Confluent servers before 8.0 omit them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use strata_schema::{CompatibilityLevel, Metadata, RuleSet, SchemaReference, SchemaType};

/// A schema id. Ids are global to a registry context and never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchemaId(pub i32);

impl fmt::Display for SchemaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Which version of a subject a request is about: a number or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionId {
    /// The highest version that is not soft-deleted.
    Latest,
    /// A version number (`>= 1`; `-1` also means latest to the server).
    Number(i32),
}

impl VersionId {
    /// The path segment the API expects.
    pub(crate) fn to_segment(self) -> String {
        match self {
            VersionId::Latest => "latest".to_owned(),
            VersionId::Number(n) => n.to_string(),
        }
    }
}

impl From<i32> for VersionId {
    fn from(version: i32) -> Self {
        VersionId::Number(version)
    }
}

impl fmt::Display for VersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_segment())
    }
}

fn schema_type_or_avro<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SchemaType, D::Error> {
    Ok(Option::<SchemaType>::deserialize(deserializer)?.unwrap_or(SchemaType::Avro))
}

fn vec_or_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// The body of register, lookup and compatibility requests (`RegisterSchemaRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterSchemaRequest {
    /// The schema text. Empty on a register means "the latest schema with new metadata or rules".
    pub schema: String,
    /// The format; sent explicitly even for Avro, as Confluent's own clients do since 8.0.
    #[serde(default = "avro", deserialize_with = "schema_type_or_avro")]
    pub schema_type: SchemaType,
    /// The schemas this one references.
    #[serde(
        default,
        deserialize_with = "vec_or_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub references: Vec<SchemaReference>,
    /// Metadata, part of the schema's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Data-contract rules, part of the schema's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set: Option<RuleSet>,
    /// An explicit id: only accepted in IMPORT mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<SchemaId>,
    /// An explicit version: IMPORT mode, or the next version in READWRITE mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

fn avro() -> SchemaType {
    SchemaType::Avro
}

impl RegisterSchemaRequest {
    /// A request for a schema with no references, metadata or rules.
    pub fn new(schema_type: SchemaType, schema: impl Into<String>) -> Self {
        RegisterSchemaRequest {
            schema: schema.into(),
            schema_type,
            references: Vec::new(),
            metadata: None,
            rule_set: None,
            id: None,
            version: None,
        }
    }

    /// The same request with these references.
    pub fn with_references(mut self, references: Vec<SchemaReference>) -> Self {
        self.references = references;
        self
    }
}

/// A schema as registered under a subject: the answer of get-version, lookup and list-schemas.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RegisteredSchema {
    /// The subject.
    pub subject: String,
    /// The version in the subject.
    pub version: i32,
    /// The schema id.
    pub id: SchemaId,
    /// The schema's GUID (servers 8.0+).
    #[serde(default)]
    pub guid: Option<String>,
    /// The format.
    #[serde(default = "avro", deserialize_with = "schema_type_or_avro")]
    pub schema_type: SchemaType,
    /// The schemas it references.
    #[serde(default, deserialize_with = "vec_or_empty")]
    pub references: Vec<SchemaReference>,
    /// Its metadata.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Its rules.
    #[serde(default)]
    pub rule_set: Option<RuleSet>,
    /// The schema text, in the registry's canonical form.
    pub schema: String,
    /// When it was registered, in epoch milliseconds (servers 8.0+).
    #[serde(default)]
    pub ts: Option<i64>,
    /// Whether the version is soft-deleted (servers 8.0+).
    #[serde(default)]
    pub deleted: Option<bool>,
}

/// The answer of a registration.
///
/// Servers up to 7.4 answer only the id; later ones add the version and the schema.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RegisterResponse {
    /// The schema id.
    pub id: SchemaId,
    /// The version in the subject (servers 7.5+).
    #[serde(default)]
    pub version: Option<i32>,
    /// The schema's GUID (servers 8.0+).
    #[serde(default)]
    pub guid: Option<String>,
    /// The format (servers 7.5+; absent means Avro).
    #[serde(default = "avro", deserialize_with = "schema_type_or_avro")]
    pub schema_type: SchemaType,
    /// The schemas it references.
    #[serde(default, deserialize_with = "vec_or_empty")]
    pub references: Vec<SchemaReference>,
    /// Its metadata.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Its rules.
    #[serde(default)]
    pub rule_set: Option<RuleSet>,
    /// The schema text in canonical form (servers 7.5+).
    #[serde(default)]
    pub schema: Option<String>,
}

/// A schema by id or guid (`SchemaString`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SchemaString {
    /// The schema text.
    pub schema: String,
    /// The format.
    #[serde(default = "avro", deserialize_with = "schema_type_or_avro")]
    pub schema_type: SchemaType,
    /// The schemas it references.
    #[serde(default, deserialize_with = "vec_or_empty")]
    pub references: Vec<SchemaReference>,
    /// Its metadata.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Its rules.
    #[serde(default)]
    pub rule_set: Option<RuleSet>,
    /// Its GUID (servers 8.0+).
    #[serde(default)]
    pub guid: Option<String>,
    /// The subject, when a subject hint was given (servers 8.0+).
    #[serde(default)]
    pub subject: Option<String>,
    /// The version, when a subject hint was given (servers 8.0+).
    #[serde(default)]
    pub version: Option<i32>,
    /// The highest id of the registry, when asked for.
    #[serde(default)]
    pub max_id: Option<i32>,
}

impl SchemaString {
    /// An approximate size in bytes, used to bound caches by memory rather than by count.
    pub(crate) fn weight(&self) -> u32 {
        let references: usize = self
            .references
            .iter()
            .map(|r| r.name.len() + r.subject.len() + 16)
            .sum();
        u32::try_from(self.schema.len() + references + 64).unwrap_or(u32::MAX)
    }
}

impl RegisteredSchema {
    /// An approximate size in bytes, used to bound caches by memory rather than by count.
    pub(crate) fn weight(&self) -> u32 {
        let references: usize = self
            .references
            .iter()
            .map(|r| r.name.len() + r.subject.len() + 16)
            .sum();
        u32::try_from(self.schema.len() + self.subject.len() + references + 64).unwrap_or(u32::MAX)
    }
}

/// A `(subject, version)` pair holding a schema id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// The version.
    pub version: i32,
}

/// A `(context, id)` pair holding a schema GUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContextId {
    /// The context, `.` for the default one.
    pub context: String,
    /// The id in that context.
    pub id: SchemaId,
}

/// A registry configuration as `GET /config` answers it.
///
/// Note the field name: Confluent answers `compatibilityLevel` on GET but takes and echoes
/// `compatibility` on PUT ([`ConfigUpdate`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Config {
    /// The compatibility level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_level: Option<CompatibilityLevel>,
    /// Another subject whose configuration this subject uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Whether schemas are normalized on register, lookup and checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// Whether field names are validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_fields: Option<bool>,
    /// Whether rule sets are validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_rules: Option<bool>,
    /// The metadata property that splits a subject into compatibility groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_group: Option<String>,
    /// Metadata given to new schemas that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_metadata: Option<Metadata>,
    /// Metadata forced onto new schemas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_metadata: Option<Metadata>,
    /// Rules given to new schemas that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rule_set: Option<RuleSet>,
    /// Rules forced onto new schemas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_rule_set: Option<RuleSet>,
}

/// A configuration change, as `PUT /config` takes and answers it (`ConfigUpdateRequest`).
///
/// The level is `compatibility` here, not `compatibilityLevel` as in [`Config`]: the real server
/// ignores `compatibilityLevel` in a PUT body. Absent fields are left unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConfigUpdate {
    /// The compatibility level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<CompatibilityLevel>,
    /// Another subject whose configuration this subject uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Whether schemas are normalized on register, lookup and checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// Whether field names are validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_fields: Option<bool>,
    /// Whether rule sets are validated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_rules: Option<bool>,
    /// The metadata property that splits a subject into compatibility groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility_group: Option<String>,
    /// Metadata given to new schemas that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_metadata: Option<Metadata>,
    /// Metadata forced onto new schemas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_metadata: Option<Metadata>,
    /// Rules given to new schemas that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_rule_set: Option<RuleSet>,
    /// Rules forced onto new schemas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_rule_set: Option<RuleSet>,
}

impl ConfigUpdate {
    /// An update that sets the compatibility level only.
    pub fn compatibility(level: CompatibilityLevel) -> Self {
        ConfigUpdate {
            compatibility: Some(level),
            ..ConfigUpdate::default()
        }
    }
}

/// A registry mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    /// Normal operation.
    #[serde(rename = "READWRITE")]
    ReadWrite,
    /// Writes refused.
    #[serde(rename = "READONLY")]
    ReadOnly,
    /// Writes refused, overriding subject modes (deprecated by Confluent).
    #[serde(rename = "READONLY_OVERRIDE")]
    ReadOnlyOverride,
    /// Registrations carry explicit ids and are not checked (migrations).
    #[serde(rename = "IMPORT")]
    Import,
    /// Requests forwarded (Confluent master, global only).
    #[serde(rename = "FORWARD")]
    Forward,
}

impl Mode {
    /// The REST API name, e.g. `READWRITE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadWrite => "READWRITE",
            Mode::ReadOnly => "READONLY",
            Mode::ReadOnlyOverride => "READONLY_OVERRIDE",
            Mode::Import => "IMPORT",
            Mode::Forward => "FORWARD",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = crate::Error;

    /// Parses a mode name case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        [
            Mode::ReadWrite,
            Mode::ReadOnly,
            Mode::ReadOnlyOverride,
            Mode::Import,
            Mode::Forward,
        ]
        .into_iter()
        .find(|mode| mode.as_str() == upper)
        .ok_or_else(|| crate::Error::InvalidArgument(format!("unknown mode {s:?}")))
    }
}

/// The body of mode requests and answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ModeBody {
    pub(crate) mode: Mode,
}

/// The answer of a compatibility check.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CompatibilityCheck {
    /// Whether the schema is compatible.
    pub is_compatible: bool,
    /// Why not, when `verbose` was asked for (empty otherwise).
    #[serde(default, deserialize_with = "vec_or_empty")]
    pub messages: Vec<String>,
}

/// The answer of `GET /v1/metadata/id`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ServerClusterId {
    /// The clusters this registry belongs to.
    #[serde(default)]
    pub scope: ServerScope,
}

/// The scope part of [`ServerClusterId`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ServerScope {
    /// The scope path (usually empty).
    #[serde(default, deserialize_with = "vec_or_empty")]
    pub path: Vec<String>,
    /// Cluster kinds to ids, e.g. `kafka-cluster` and `schema-registry-cluster`.
    #[serde(default)]
    pub clusters: std::collections::BTreeMap<String, String>,
}

/// The answer of `GET /v1/metadata/version`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerVersion {
    /// The server version.
    #[serde(default)]
    pub version: Option<String>,
    /// The commit it was built from.
    #[serde(default)]
    pub commit_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_schema_type_and_references_mean_avro_and_none() {
        let schema: RegisteredSchema = serde_json::from_str(
            r#"{"subject":"s","version":1,"id":3,"schema":"\"int\"","unknownField":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(schema.schema_type, SchemaType::Avro);
        assert!(schema.references.is_empty());
        assert_eq!(schema.id, SchemaId(3));

        let null_type: SchemaString =
            serde_json::from_str(r#"{"schema":"x","schemaType":null,"references":null}"#).unwrap();
        assert_eq!(null_type.schema_type, SchemaType::Avro);
        assert!(null_type.references.is_empty());

        let protobuf: SchemaString = serde_json::from_str(
            r#"{"schema":"syntax = \"proto3\";","schemaType":"PROTOBUF","references":[{"name":"a.proto","subject":"a","version":1}],"maxId":9}"#,
        )
        .unwrap();
        assert_eq!(protobuf.schema_type, SchemaType::Protobuf);
        assert_eq!(protobuf.references.len(), 1);
        assert_eq!(protobuf.max_id, Some(9));
    }

    #[test]
    fn register_response_of_old_and_new_servers() {
        let old: RegisterResponse = serde_json::from_str(r#"{"id":17}"#).unwrap();
        assert_eq!(old.id, SchemaId(17));
        assert_eq!(old.version, None);
        let new: RegisterResponse = serde_json::from_str(
            r#"{"id":17,"version":3,"guid":"g","schemaType":"JSON","schema":"{}"}"#,
        )
        .unwrap();
        assert_eq!(new.version, Some(3));
        assert_eq!(new.schema_type, SchemaType::Json);
    }

    #[test]
    fn register_request_serializes_like_confluent_clients() {
        let request = RegisterSchemaRequest::new(SchemaType::Avro, "\"string\"");
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"schema":"\"string\"","schemaType":"AVRO"}"#
        );
        let with_refs =
            RegisterSchemaRequest::new(SchemaType::Protobuf, "x").with_references(vec![
                SchemaReference {
                    name: "a.proto".into(),
                    subject: "a".into(),
                    version: 2,
                },
            ]);
        let value = serde_json::to_value(&with_refs).unwrap();
        assert_eq!(value["references"][0]["version"], 2);
        assert_eq!(value["schemaType"], "PROTOBUF");
    }

    #[test]
    fn config_and_config_update_use_different_level_keys() {
        let config: Config =
            serde_json::from_str(r#"{"compatibilityLevel":"FULL_TRANSITIVE","normalize":true}"#)
                .unwrap();
        assert_eq!(
            config.compatibility_level,
            Some(CompatibilityLevel::FullTransitive)
        );
        assert_eq!(config.normalize, Some(true));
        let update = ConfigUpdate::compatibility(CompatibilityLevel::Forward);
        assert_eq!(
            serde_json::to_string(&update).unwrap(),
            r#"{"compatibility":"FORWARD"}"#
        );
        // A GET body read as an update does not pick up the level: the keys really differ.
        let crossed: ConfigUpdate =
            serde_json::from_str(r#"{"compatibilityLevel":"FULL"}"#).unwrap();
        assert_eq!(crossed.compatibility, None);
    }

    #[test]
    fn modes_use_confluent_names() {
        for (mode, name) in [
            (Mode::ReadWrite, "READWRITE"),
            (Mode::ReadOnly, "READONLY"),
            (Mode::ReadOnlyOverride, "READONLY_OVERRIDE"),
            (Mode::Import, "IMPORT"),
            (Mode::Forward, "FORWARD"),
        ] {
            assert_eq!(
                serde_json::to_string(&ModeBody { mode }).unwrap(),
                format!(r#"{{"mode":"{name}"}}"#)
            );
            assert_eq!(name.to_lowercase().parse::<Mode>().unwrap(), mode);
        }
        assert!("WRITEONLY".parse::<Mode>().is_err());
    }

    #[test]
    fn compatibility_check_without_messages() {
        let check: CompatibilityCheck = serde_json::from_str(r#"{"is_compatible":true}"#).unwrap();
        assert!(check.is_compatible);
        assert!(check.messages.is_empty());
    }

    #[test]
    fn version_ids_render_as_path_segments() {
        assert_eq!(VersionId::Latest.to_string(), "latest");
        assert_eq!(VersionId::from(7).to_string(), "7");
    }
}
