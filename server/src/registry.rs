//! The registry rules: modes, idempotence, ids, versions, deletes, references, configuration.
//!
//! Everything here speaks Confluent's semantics and Confluent's error texts; storage is behind
//! [`Store`], the schema engine behind `strata_schema`.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use strata_schema::{
    check_compatibility, parse, CompatibilityLevel, Fingerprint, Metadata, ParseOptions,
    ParsedSchema, PreviousVersion, ReferenceResolver, ResolvedReference, RuleSet, SchemaError,
    SchemaReference, SchemaType,
};
use tokio::sync::Mutex;

use crate::config::{ConfigRecord, Mode};
use crate::error::ApiError;
use crate::model::{metadata_to_string, references_to_string, RegisterSchemaRequest};
use crate::store::{NewSchema, NewVersion, SchemaRecord, Store, VersionRecord};
use crate::subject::{QualifiedSubject, DEFAULT_CONTEXT, GLOBAL_SCOPE};

/// The metadata property Confluent sets when a version is given explicitly.
const CONFLUENT_VERSION: &str = "confluent:version";

/// Most schemas reachable through references from one schema.
const MAX_REFERENCES: usize = 1_000;

/// A version selector from a URL: a number, or `latest` / `-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSelector {
    /// The highest live version.
    Latest,
    /// A version number.
    Number(i32),
}

impl VersionSelector {
    /// Parses `latest` (any case), `-1` or a positive number; anything else is 42202.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("latest") {
            return Ok(VersionSelector::Latest);
        }
        match trimmed.parse::<i32>() {
            Ok(-1) => Ok(VersionSelector::Latest),
            Ok(n) if n >= 1 => Ok(VersionSelector::Number(n)),
            _ => Err(ApiError::invalid_version(text)),
        }
    }

    fn number(self) -> i32 {
        match self {
            VersionSelector::Latest => -1,
            VersionSelector::Number(n) => n,
        }
    }
}

/// Settings of the rules.
#[derive(Debug, Clone)]
pub struct RegistrySettings {
    /// The compatibility level when no configuration says otherwise.
    pub default_compatibility: CompatibilityLevel,
    /// Bounds applied to schemas.
    pub limits: strata_schema::Limits,
}

/// The registry: rules over a [`Store`].
pub struct Registry<S: Store> {
    store: S,
    settings: RegistrySettings,
    /// Serializes every write: per-subject ordering and gap-free versions follow.
    writes: Mutex<()>,
    /// Pre-serialized `GET /schemas/ids/{id}` bodies of the default context.
    id_bodies: moka::future::Cache<(String, i32), Arc<String>>,
}

/// A schema from a request, parsed and ready to store.
struct Candidate {
    parsed: ParsedSchema,
    schema_type: SchemaType,
    text: String,
    references: Vec<SchemaReference>,
    metadata: Option<Metadata>,
    rule_set: Option<RuleSet>,
    fingerprint: String,
}

/// Referenced schemas fetched ahead of a parse: the engine's resolver is synchronous.
struct PrefetchedReferences(HashMap<(String, i32), ResolvedReference>);

impl ReferenceResolver for PrefetchedReferences {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        self.0
            .get(&(reference.subject.clone(), reference.version))
            .cloned()
            .ok_or_else(|| SchemaError::ReferenceNotFound {
                subject: reference.subject.clone(),
                version: reference.version,
            })
    }
}

fn schema_type_name(text: Option<&str>) -> Result<SchemaType, ApiError> {
    match text {
        None => Ok(SchemaType::Avro),
        Some("AVRO") => Ok(SchemaType::Avro),
        Some("JSON") => Ok(SchemaType::Json),
        Some("PROTOBUF") => Ok(SchemaType::Protobuf),
        Some(other) => Err(ApiError::invalid_schema(format!(
            "Invalid schema type {other}"
        ))),
    }
}

/// The fields every schema-bearing response shares.
fn schema_fields(map: &mut Map<String, Value>, record: &SchemaRecord) {
    if record.schema_type != SchemaType::Avro {
        map.insert("schemaType".into(), json!(record.schema_type.as_str()));
    }
    if !record.references.is_empty() {
        map.insert("references".into(), json!(record.references));
    }
    if let Some(metadata) = &record.metadata {
        map.insert("metadata".into(), json!(metadata));
    }
    if let Some(rule_set) = &record.rule_set {
        map.insert("ruleSet".into(), json!(rule_set));
    }
    map.insert("schema".into(), json!(record.schema));
}

/// The Schema entity of a subject version.
fn schema_object(record: &SchemaRecord, subject: &str, version: i32) -> Value {
    let mut map = Map::new();
    map.insert("subject".into(), json!(subject));
    map.insert("version".into(), json!(version));
    map.insert("id".into(), json!(record.id));
    schema_fields(&mut map, record);
    Value::Object(map)
}

fn merge_metadata(base: Option<&Metadata>, over: Option<&Metadata>) -> Option<Metadata> {
    match (base, over) {
        (None, None) => None,
        (Some(b), None) => Some(b.clone()),
        (None, Some(o)) => Some(o.clone()),
        (Some(b), Some(o)) => {
            let mut merged = b.clone();
            for (k, v) in &o.tags {
                merged.tags.entry(k.clone()).or_default().extend(v.clone());
            }
            merged.properties.extend(o.properties.clone());
            merged.sensitive.extend(o.sensitive.clone());
            Some(merged)
        }
    }
}

fn merge_rule_sets(base: Option<&RuleSet>, over: Option<&RuleSet>) -> Option<RuleSet> {
    match (base, over) {
        (None, None) => None,
        (Some(b), None) => Some(b.clone()),
        (None, Some(o)) => Some(o.clone()),
        (Some(b), Some(o)) => {
            let merge = |a: &[strata_schema::Rule], b: &[strata_schema::Rule]| {
                let mut out: Vec<strata_schema::Rule> = a
                    .iter()
                    .filter(|r| !b.iter().any(|x| x.name == r.name))
                    .cloned()
                    .collect();
                out.extend(b.iter().cloned());
                out
            };
            Some(RuleSet {
                migration_rules: merge(&b.migration_rules, &o.migration_rules),
                domain_rules: merge(&b.domain_rules, &o.domain_rules),
                encoding_rules: merge(&b.encoding_rules, &o.encoding_rules),
                enable_at: o.enable_at.clone().or_else(|| b.enable_at.clone()),
            })
        }
    }
}

fn internal(message: impl std::fmt::Display) -> ApiError {
    tracing::error!(%message, "internal error");
    ApiError::new(500, "Internal Server Error")
}

impl<S: Store> Registry<S> {
    /// A registry over `store`.
    pub fn new(store: S, settings: RegistrySettings) -> Self {
        Registry {
            store,
            settings,
            writes: Mutex::new(()),
            id_bodies: moka::future::Cache::builder()
                .weigher(|_k: &(String, i32), v: &Arc<String>| {
                    u32::try_from(v.len()).unwrap_or(u32::MAX)
                })
                .max_capacity(64 * 1024 * 1024)
                .build(),
        }
    }

    // ----- configuration and modes -------------------------------------------------------------

    async fn stored_config(&self, scope: &str) -> Result<Option<ConfigRecord>, ApiError> {
        match self.store.config(scope).await? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text).map(Some).map_err(internal),
        }
    }

    /// The configuration that applies to a subject: its own, else its context's.
    async fn config_in_scope(&self, subject: &QualifiedSubject) -> Result<ConfigRecord, ApiError> {
        let own = subject.qualified();
        if !subject.name.is_empty() || subject.context == DEFAULT_CONTEXT {
            if let Some(config) = self.stored_config(&own).await? {
                if !own.is_empty() || subject.context != DEFAULT_CONTEXT {
                    return Ok(config);
                }
            }
        }
        Ok(self
            .stored_config(&subject.context_scope())
            .await?
            .unwrap_or_default())
    }

    fn level(&self, config: &ConfigRecord) -> CompatibilityLevel {
        config
            .compatibility
            .unwrap_or(self.settings.default_compatibility)
    }

    /// `GET /config` and `GET /config/{subject}`.
    pub async fn get_config(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Value, ApiError> {
        let default = self.settings.default_compatibility;
        let Some(raw) = subject else {
            let config = self.stored_config(GLOBAL_SCOPE).await?.unwrap_or_default();
            return Ok(config.to_get_json(default));
        };
        let qs = QualifiedSubject::parse(raw);
        let scope = qs.qualified();
        if let Some(config) = self.stored_config(&scope).await? {
            return Ok(config.to_get_json(default));
        }
        if default_to_global {
            let config = self.config_in_scope(&qs).await?;
            return Ok(config.to_get_json(default));
        }
        Err(ApiError::new(
            40408,
            format!("Subject '{scope}' does not have subject-level compatibility configured"),
        ))
    }

    /// `PUT /config` and `PUT /config/{subject}`.
    pub async fn put_config(&self, subject: Option<&str>, body: &Value) -> Result<Value, ApiError> {
        let scope = match subject {
            None => GLOBAL_SCOPE.to_owned(),
            Some(raw) => {
                let qs = QualifiedSubject::parse(raw);
                if !qs.is_valid() {
                    return Err(ApiError::invalid_subject(&qs.qualified()));
                }
                if self.mode_in_scope(&qs).await?.is_read_only() {
                    return Err(ApiError::operation_not_permitted(format!(
                        "Subject {} is in read-only mode",
                        qs.qualified()
                    )));
                }
                qs.qualified()
            }
        };
        let update = ConfigRecord::parse_update(body)?;
        let _guard = self.writes.lock().await;
        let current = self.stored_config(&scope).await?.unwrap_or_default();
        let merged = current.merged(&update.update);
        let text = serde_json::to_string(&merged).map_err(internal)?;
        self.store.set_config(&scope, Some(&text)).await?;
        Ok(update.echo)
    }

    /// `DELETE /config` and `DELETE /config/{subject}`.
    pub async fn delete_config(&self, subject: Option<&str>) -> Result<Value, ApiError> {
        let default = self.settings.default_compatibility;
        let _guard = self.writes.lock().await;
        let scope = match subject {
            None => GLOBAL_SCOPE.to_owned(),
            Some(raw) => QualifiedSubject::parse(raw).qualified(),
        };
        let current = self.stored_config(&scope).await?;
        match (current, subject) {
            (Some(config), _) => {
                self.store.set_config(&scope, None).await?;
                Ok(config.to_get_json(default))
            }
            (None, None) => Ok(ConfigRecord::default().to_get_json(default)),
            (None, Some(_)) => Err(ApiError::subject_not_found(&scope)),
        }
    }

    async fn stored_mode(&self, scope: &str) -> Result<Option<Mode>, ApiError> {
        Ok(self.store.mode(scope).await?.and_then(|m| Mode::parse(&m)))
    }

    /// The mode that applies to a subject.
    async fn mode_in_scope(&self, subject: &QualifiedSubject) -> Result<Mode, ApiError> {
        let global = self.stored_mode(GLOBAL_SCOPE).await?;
        if global == Some(Mode::ReadOnlyOverride) {
            return Ok(Mode::ReadOnlyOverride);
        }
        if !subject.name.is_empty() {
            if let Some(mode) = self.stored_mode(&subject.qualified()).await? {
                return Ok(mode);
            }
        }
        if let Some(mode) = self.stored_mode(&subject.context_scope()).await? {
            return Ok(mode);
        }
        Ok(Mode::ReadWrite)
    }

    /// `GET /mode` and `GET /mode/{subject}`.
    pub async fn get_mode(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Value, ApiError> {
        let Some(raw) = subject else {
            let mode = self
                .stored_mode(GLOBAL_SCOPE)
                .await?
                .unwrap_or(Mode::ReadWrite);
            return Ok(json!({"mode": mode.as_str()}));
        };
        let qs = QualifiedSubject::parse(raw);
        if self.stored_mode(GLOBAL_SCOPE).await? == Some(Mode::ReadOnlyOverride) {
            return Ok(json!({"mode": Mode::ReadOnlyOverride.as_str()}));
        }
        if let Some(mode) = self.stored_mode(&qs.qualified()).await? {
            return Ok(json!({"mode": mode.as_str()}));
        }
        if default_to_global {
            let mode = self.mode_in_scope(&qs).await?;
            return Ok(json!({"mode": mode.as_str()}));
        }
        Err(ApiError::new(
            40409,
            format!(
                "Subject '{}' does not have subject-level mode configured",
                qs.qualified()
            ),
        ))
    }

    /// `PUT /mode` and `PUT /mode/{subject}`.
    pub async fn put_mode(
        &self,
        subject: Option<&str>,
        body: &Value,
        force: bool,
    ) -> Result<Value, ApiError> {
        let qs = subject.map(QualifiedSubject::parse);
        if let Some(qs) = &qs {
            if !qs.is_valid() {
                return Err(ApiError::invalid_subject(&qs.qualified()));
            }
        }
        let map = match body {
            Value::Array(_) => {
                return Err(ApiError::bad_request(
                    "Cannot deserialize value of type `ModeUpdateRequest` from Array value \
                     (token `JsonToken.START_ARRAY`)",
                ))
            }
            other => crate::model::object(other, "ModeUpdateRequest")?,
        };
        let text = match map.get("mode") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => return Err(ApiError::new(500, "Internal Server Error")),
            Some(_) => return Err(ApiError::invalid_mode()),
        };
        let mode = Mode::parse(&text).ok_or_else(ApiError::invalid_mode)?;
        let _guard = self.writes.lock().await;
        let scope = qs
            .as_ref()
            .map_or_else(|| GLOBAL_SCOPE.to_owned(), QualifiedSubject::qualified);
        if mode == Mode::Import {
            let current = match &qs {
                None => self.stored_mode(GLOBAL_SCOPE).await?,
                Some(qs) => self.stored_mode(&qs.qualified()).await?,
            };
            if current != Some(Mode::Import) {
                let all = self.store.all_versions().await?;
                let in_scope = |v: &VersionRecord| match &qs {
                    None => true,
                    Some(qs) if qs.is_context() => v.context == qs.context,
                    Some(qs) => v.subject == qs.qualified(),
                };
                if !force && all.iter().any(|v| in_scope(v) && !v.deleted) {
                    return Err(ApiError::operation_not_permitted(
                        "Cannot import since found existing subjects",
                    ));
                }
                let mut by_subject: HashMap<String, Vec<i32>> = HashMap::new();
                for v in all.iter().filter(|v| in_scope(v) && v.deleted) {
                    by_subject
                        .entry(v.subject.clone())
                        .or_default()
                        .push(v.version);
                }
                for (subject, versions) in by_subject {
                    self.store.hard_delete(&subject, &versions).await?;
                }
                self.id_bodies.invalidate_all();
            }
        }
        self.store.set_mode(&scope, Some(mode.as_str())).await?;
        Ok(json!({"mode": text}))
    }

    /// `DELETE /mode` (not routed: Confluent answers 405) and `DELETE /mode/{subject}`.
    pub async fn delete_mode(&self, subject: &str) -> Result<Value, ApiError> {
        let qs = QualifiedSubject::parse(subject);
        let _guard = self.writes.lock().await;
        let global = self.stored_mode(GLOBAL_SCOPE).await?;
        let own = self.stored_mode(&qs.qualified()).await?;
        if own.is_some() {
            self.store.set_mode(&qs.qualified(), None).await?;
        }
        if global == Some(Mode::ReadOnlyOverride) {
            return Ok(json!({"mode": Mode::ReadOnlyOverride.as_str()}));
        }
        match own {
            Some(mode) => Ok(json!({"mode": mode.as_str()})),
            None => Err(ApiError::subject_not_found(&qs.qualified())),
        }
    }

    // ----- subjects and versions ---------------------------------------------------------------

    /// Follows a subject's alias, if its own configuration names one.
    async fn resolve_alias(&self, subject: QualifiedSubject) -> Result<QualifiedSubject, ApiError> {
        if subject.name.is_empty() {
            return Ok(subject);
        }
        if let Some(config) = self.stored_config(&subject.qualified()).await? {
            if let Some(alias) = config.alias {
                return Ok(QualifiedSubject::parse(&alias));
            }
        }
        Ok(subject)
    }

    async fn schema_record(&self, context: &str, id: i32) -> Result<SchemaRecord, ApiError> {
        self.store
            .schema(context, id)
            .await?
            .ok_or_else(|| internal(format!("version points at missing schema {context}/{id}")))
    }

    /// `GET /subjects`.
    pub async fn list_subjects(
        &self,
        prefix: Option<&str>,
        deleted: bool,
        deleted_only: bool,
    ) -> Result<Vec<String>, ApiError> {
        let all = self.store.all_versions().await?;
        let mut subjects: Vec<String> = Vec::new();
        let matches = |subject: &str| match prefix {
            None | Some(":*:") => true,
            Some(p) => subject.starts_with(p),
        };
        let mut i = 0;
        while i < all.len() {
            let subject = &all[i].subject;
            let mut j = i;
            let (mut live, mut dead) = (false, false);
            while j < all.len() && &all[j].subject == subject {
                if all[j].deleted {
                    dead = true;
                } else {
                    live = true;
                }
                j += 1;
            }
            let visible = if deleted_only {
                dead && !live
            } else if deleted {
                true
            } else {
                live
            };
            if visible && matches(subject) {
                subjects.push(subject.clone());
            }
            i = j;
        }
        subjects.sort();
        Ok(subjects)
    }

    /// `GET /subjects/{subject}/versions`.
    pub async fn list_versions(
        &self,
        subject: &str,
        deleted: bool,
        deleted_only: bool,
    ) -> Result<Vec<i32>, ApiError> {
        let qs = self.resolve_alias(QualifiedSubject::parse(subject)).await?;
        let versions = self.store.versions(&qs.qualified()).await?;
        let out: Vec<i32> = versions
            .iter()
            .filter(|v| {
                if deleted_only {
                    v.deleted
                } else {
                    deleted || !v.deleted
                }
            })
            .map(|v| v.version)
            .collect();
        let exists = !versions.is_empty();
        if out.is_empty() && !qs.is_context() && (!deleted_only || !exists) {
            return Err(ApiError::subject_not_found(&qs.qualified()));
        }
        Ok(out)
    }

    /// Finds a version of one exact subject.
    fn select(
        versions: &[VersionRecord],
        selector: VersionSelector,
        deleted: bool,
    ) -> Option<&VersionRecord> {
        match selector {
            VersionSelector::Latest => versions.iter().rev().find(|v| !v.deleted),
            VersionSelector::Number(n) => versions
                .iter()
                .find(|v| v.version == n && (deleted || !v.deleted)),
        }
    }

    /// The version record for a GET, following aliases and, for unqualified subjects, other
    /// contexts.
    async fn find_version(
        &self,
        subject: &str,
        version: &str,
        deleted: bool,
    ) -> Result<VersionRecord, ApiError> {
        let selector = VersionSelector::parse(version)?;
        let qs = self.resolve_alias(QualifiedSubject::parse(subject)).await?;
        let versions = self.store.versions(&qs.qualified()).await?;
        if let Some(found) = Self::select(&versions, selector, deleted) {
            return Ok(found.clone());
        }
        if qs.context == DEFAULT_CONTEXT && !subject.starts_with(":.") {
            for context in self.store.contexts().await? {
                let other = QualifiedSubject::in_context(&context, &qs.name);
                let versions = self.store.versions(&other.qualified()).await?;
                if let Some(found) = Self::select(&versions, selector, deleted) {
                    return Ok(found.clone());
                }
            }
        }
        let visible = versions.iter().any(|v| deleted || !v.deleted);
        if !visible {
            return Err(ApiError::subject_not_found(&qs.qualified()));
        }
        Err(ApiError::version_not_found(selector.number()))
    }

    /// `GET /subjects/{subject}/versions/{version}`.
    pub async fn get_version(
        &self,
        subject: &str,
        version: &str,
        deleted: bool,
    ) -> Result<Value, ApiError> {
        let found = self.find_version(subject, version, deleted).await?;
        let record = self.schema_record(&found.context, found.id).await?;
        Ok(schema_object(&record, &found.subject, found.version))
    }

    /// `GET /subjects/{subject}/versions/{version}/schema`: the stored text.
    pub async fn get_version_text(
        &self,
        subject: &str,
        version: &str,
        deleted: bool,
        format: Option<&str>,
    ) -> Result<String, ApiError> {
        let found = self.find_version(subject, version, deleted).await?;
        let record = self.schema_record(&found.context, found.id).await?;
        self.formatted(&record, format).await
    }

    /// `GET /subjects/{subject}/versions/{version}/referencedby`.
    pub async fn referenced_by(
        &self,
        subject: &str,
        version: &str,
        deleted: bool,
    ) -> Result<Vec<i32>, ApiError> {
        let found = self.find_version(subject, version, true).await?;
        let referrers = self.store.referrers(&found.subject, found.version).await?;
        let ids: BTreeSet<i32> = referrers
            .iter()
            .filter(|r| deleted || !r.deleted)
            .map(|r| r.id)
            .collect();
        Ok(ids.into_iter().collect())
    }

    /// `GET /subjects/{subject}/metadata`.
    pub async fn latest_with_metadata(
        &self,
        subject: &str,
        pairs: &[(String, String)],
        deleted: bool,
    ) -> Result<Value, ApiError> {
        let qs = QualifiedSubject::parse(subject);
        let versions = self.store.versions(&qs.qualified()).await?;
        if !versions.iter().any(|v| deleted || !v.deleted) {
            return Err(ApiError::subject_not_found(&qs.qualified()));
        }
        for v in versions.iter().rev().filter(|v| deleted || !v.deleted) {
            let record = self.schema_record(&v.context, v.id).await?;
            let props = record
                .metadata
                .as_ref()
                .map(|m| m.properties.clone())
                .unwrap_or_default();
            if record.metadata.is_some()
                && pairs
                    .iter()
                    .all(|(k, val)| props.get(k).is_some_and(|p| p == val))
            {
                return Ok(schema_object(&record, &v.subject, v.version));
            }
        }
        Err(ApiError::schema_not_found())
    }

    // ----- parsing ---------------------------------------------------------------------------

    /// Fetches every schema reachable from `references` (given relative to `owner`).
    async fn prefetch(
        &self,
        owner: &QualifiedSubject,
        references: &[SchemaReference],
    ) -> Result<PrefetchedReferences, ApiError> {
        let mut map = HashMap::new();
        let mut stack: Vec<SchemaReference> = references.to_vec();
        while let Some(reference) = stack.pop() {
            let key = (reference.subject.clone(), reference.version);
            if map.contains_key(&key) {
                continue;
            }
            if map.len() >= MAX_REFERENCES {
                break;
            }
            let qualified = owner.qualify_reference(&reference.subject);
            let versions = self.store.versions(&qualified).await?;
            let Some(found) = versions.iter().find(|v| v.version == reference.version) else {
                continue;
            };
            let record = self.schema_record(&found.context, found.id).await?;
            stack.extend(record.references.iter().cloned());
            map.insert(
                key,
                ResolvedReference {
                    schema_type: record.schema_type,
                    schema: record.schema,
                    references: record.references,
                },
            );
        }
        Ok(PrefetchedReferences(map))
    }

    /// Turns `-1` reference versions into the latest live version.
    async fn concrete_references(
        &self,
        owner: &QualifiedSubject,
        request: &RegisterSchemaRequest,
    ) -> Result<Result<Vec<SchemaReference>, String>, ApiError> {
        let mut out = Vec::new();
        for raw in &request.references {
            let Some(raw) = raw else {
                return Ok(Err("Cannot invoke \"io.confluent.kafka.schemaregistry.client.rest.entities.SchemaReference.getName()\" because \"reference\" is null".to_owned()));
            };
            let Some(mut reference) = raw.complete() else {
                let listed = references_to_string(&[Some(raw.clone())]);
                return Ok(Err(format!(
                    "Invalid reference: {}",
                    listed.trim_start_matches('[').trim_end_matches(']')
                )));
            };
            if reference.version < 1 && reference.version != -1 {
                return Ok(Err(format!(
                    "io.confluent.kafka.schemaregistry.exceptions.InvalidVersionException: {}",
                    reference.version
                )));
            }
            if reference.version == -1 {
                let versions = self
                    .store
                    .versions(&owner.qualify_reference(&reference.subject))
                    .await?;
                match versions.iter().rev().find(|v| !v.deleted) {
                    Some(latest) => reference.version = latest.version,
                    None => {
                        return Ok(Err(format!(
                            "No schema reference found for subject \"{}\" and version -1",
                            reference.subject
                        )))
                    }
                }
            }
            out.push(reference);
        }
        Ok(Ok(out))
    }

    fn invalid_schema_error(
        subject: &QualifiedSubject,
        request: &RegisterSchemaRequest,
        schema_type: SchemaType,
        text: &str,
        details: &str,
    ) -> ApiError {
        let refs = references_to_string(&request.references);
        let prefix = format!(
            "Invalid schema {{subject={},version={},id={},schemaType={},references={},metadata={},ruleSet={},schema={},schemaTags=null}}",
            subject.qualified(),
            request.version.unwrap_or(0),
            request.id.unwrap_or(-1),
            schema_type.as_str(),
            refs,
            metadata_to_string(request.metadata.as_ref()),
            if request.rule_set.is_some() { "RuleSet{...}" } else { "null" },
            text,
        );
        let validation_failure = (schema_type == SchemaType::Json
            && details == "Invalid JSON Schema")
            || details.starts_with("Could not resolve type");
        if validation_failure {
            ApiError::invalid_schema(format!("{prefix}, details: {details}"))
        } else {
            ApiError::invalid_schema(format!(
                "{prefix} with refs {refs} of type {}, details: {details}",
                schema_type.as_str()
            ))
        }
    }

    /// Parses the schema of a request as it will be stored.
    async fn parse_candidate(
        &self,
        subject: &QualifiedSubject,
        request: &RegisterSchemaRequest,
        normalize: bool,
        new_schema: bool,
    ) -> Result<Candidate, ApiError> {
        let schema_type = schema_type_name(request.schema_type.as_deref())?;
        let text = request.schema.clone().unwrap_or_default();
        let references = match self.concrete_references(subject, request).await? {
            Ok(references) => references,
            Err(details) => {
                return Err(Self::invalid_schema_error(
                    subject,
                    request,
                    schema_type,
                    &text,
                    &details,
                ))
            }
        };
        let resolver = self.prefetch(subject, &references).await?;
        // Confluent's registry does not validate Avro defaults on registration (only the
        // normalizing path trips over them), so neither do we.
        let options = ParseOptions {
            new_schema: new_schema && (schema_type != SchemaType::Avro || normalize),
            limits: self.settings.limits,
        };
        let parsed = parse(schema_type, &text, &references, &resolver, &options).map_err(|e| {
            Self::invalid_schema_error(subject, request, schema_type, &text, &e.to_string())
        })?;
        let stored = parsed.text(normalize).to_owned();
        let fingerprint = Fingerprint::compute(
            &stored,
            &references,
            request.metadata.as_ref(),
            request.rule_set.as_ref(),
        )
        .to_hex();
        Ok(Candidate {
            parsed,
            schema_type,
            text: stored,
            references,
            metadata: request.metadata.clone(),
            rule_set: request.rule_set.clone(),
            fingerprint,
        })
    }

    async fn parse_stored(
        &self,
        subject: &QualifiedSubject,
        record: &SchemaRecord,
    ) -> Result<ParsedSchema, ApiError> {
        let resolver = self.prefetch(subject, &record.references).await?;
        parse(
            record.schema_type,
            &record.schema,
            &record.references,
            &resolver,
            &ParseOptions {
                new_schema: false,
                limits: self.settings.limits,
            },
        )
        .map_err(internal)
    }

    // ----- compatibility -----------------------------------------------------------------------

    /// Checks `candidate` against `previous` (newest first) at the subject's level; returns the
    /// messages, empty when compatible.
    async fn compatibility_messages(
        &self,
        subject: &QualifiedSubject,
        config: &ConfigRecord,
        candidate: &Candidate,
        previous: &[VersionRecord],
    ) -> Result<Vec<String>, ApiError> {
        let level = self.level(config);
        let configured = level;
        if level == CompatibilityLevel::None {
            return Ok(Vec::new());
        }
        let group_value = |metadata: Option<&Metadata>, group: &str| {
            metadata.and_then(|m| m.properties.get(group).cloned())
        };
        let mut parsed = Vec::new();
        let wanted = if level.is_transitive() { usize::MAX } else { 1 };
        for v in previous {
            if parsed.len() >= wanted {
                break;
            }
            let record = self.schema_record(&v.context, v.id).await?;
            if let Some(group) = &config.compatibility_group {
                if group_value(record.metadata.as_ref(), group)
                    != group_value(candidate.metadata.as_ref(), group)
                {
                    continue;
                }
            }
            parsed.push((v.version, self.parse_stored(subject, &record).await?));
        }
        let previous: Vec<PreviousVersion<'_>> = parsed
            .iter()
            .map(|(version, schema)| PreviousVersion {
                version: Some(*version),
                schema,
            })
            .collect();
        let verdict = check_compatibility(level, &candidate.parsed, &previous);
        if verdict.is_compatible {
            return Ok(Vec::new());
        }
        let mut messages = verdict.messages;
        messages.push(format!(
            "{{validateFields: '{}', compatibility: '{}'}}",
            config.validate_fields.unwrap_or(false),
            configured.as_str()
        ));
        Ok(messages)
    }

    /// `POST /compatibility/subjects/{subject}/versions[/{version}]`.
    pub async fn test_compatibility(
        &self,
        subject: &str,
        version: Option<&str>,
        request: &RegisterSchemaRequest,
        normalize: bool,
        verbose: bool,
    ) -> Result<Value, ApiError> {
        let selector = version.map(VersionSelector::parse).transpose()?;
        let qs = self.resolve_alias(QualifiedSubject::parse(subject)).await?;
        if request
            .schema
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
        {
            return Err(ApiError::invalid_schema("Empty schema"));
        }
        let config = self.config_in_scope(&qs).await?;
        let normalize = normalize || config.normalize.unwrap_or(false);
        let versions = self.store.versions(&qs.qualified()).await?;
        let live: Vec<VersionRecord> = versions
            .iter()
            .rev()
            .filter(|v| !v.deleted)
            .cloned()
            .collect();
        let previous: Vec<VersionRecord> = match selector {
            None => live,
            Some(VersionSelector::Latest) => live.into_iter().take(1).collect(),
            Some(VersionSelector::Number(n)) => match live.into_iter().find(|v| v.version == n) {
                Some(v) => vec![v],
                None => return Err(ApiError::version_not_found(n)),
            },
        };
        let candidate = match self.parse_candidate(&qs, request, normalize, true).await {
            Ok(c) => c,
            Err(e) if verbose && e.code == 42201 => {
                return Ok(json!({"is_compatible": false, "messages": [e.message]}))
            }
            Err(e) => return Err(e),
        };
        let messages = self
            .compatibility_messages(&qs, &config, &candidate, &previous)
            .await?;
        let mut body = json!({"is_compatible": messages.is_empty()});
        if verbose {
            body["messages"] = json!(messages);
        }
        Ok(body)
    }

    // ----- register and lookup -----------------------------------------------------------------

    /// Finds the candidate among the subject's versions: the exact identity first.
    async fn find_in_subject(
        &self,
        qs: &QualifiedSubject,
        candidate: &Candidate,
        deleted: bool,
    ) -> Result<Option<(VersionRecord, SchemaRecord)>, ApiError> {
        if let Some(found) = self.find_exact(qs, &candidate.fingerprint, deleted).await? {
            return Ok(Some(found));
        }
        let asks_version = candidate
            .metadata
            .as_ref()
            .is_some_and(|m| m.properties.contains_key(CONFLUENT_VERSION));
        if asks_version {
            return Ok(None);
        }
        // Without an explicit `confluent:version`, the bookkeeping property does not count.
        let strip = |m: Option<&Metadata>| {
            m.map(|m| {
                let mut m = m.clone();
                m.properties.remove(CONFLUENT_VERSION);
                m
            })
            .filter(|m| !m.is_empty())
        };
        let wanted = strip(candidate.metadata.as_ref());
        let versions = self.store.versions(&qs.qualified()).await?;
        for v in versions.iter().rev().filter(|v| deleted || !v.deleted) {
            let record = self.schema_record(&v.context, v.id).await?;
            let bookkept = record
                .metadata
                .as_ref()
                .is_some_and(|m| m.properties.contains_key(CONFLUENT_VERSION));
            if bookkept
                && record.schema == candidate.text
                && record.references == candidate.references
                && record.rule_set == candidate.rule_set
                && strip(record.metadata.as_ref()) == wanted
            {
                return Ok(Some((v.clone(), record)));
            }
        }
        Ok(None)
    }

    async fn find_exact(
        &self,
        qs: &QualifiedSubject,
        fingerprint: &str,
        deleted: bool,
    ) -> Result<Option<(VersionRecord, SchemaRecord)>, ApiError> {
        let Some(record) = self
            .store
            .schema_by_fingerprint(&qs.context, fingerprint)
            .await?
        else {
            return Ok(None);
        };
        let subject = qs.qualified();
        let usages = self.store.usages(&qs.context, record.id).await?;
        Ok(usages
            .into_iter()
            .filter(|u| u.subject == subject && (deleted || !u.deleted))
            .max_by_key(|u| u.version)
            .map(|u| (u, record)))
    }

    /// `POST /subjects/{subject}`: is this schema registered under the subject?
    pub async fn lookup(
        &self,
        subject: &str,
        request: &RegisterSchemaRequest,
        normalize: bool,
        deleted: bool,
    ) -> Result<Value, ApiError> {
        let qs = self.resolve_alias(QualifiedSubject::parse(subject)).await?;
        let mut candidates = vec![qs.clone()];
        if qs.context == DEFAULT_CONTEXT && !subject.starts_with(":.") {
            for context in self.store.contexts().await? {
                candidates.push(QualifiedSubject::in_context(&context, &qs.name));
            }
        }
        let mut any_subject = false;
        let mut parse_error = None;
        for candidate_subject in &candidates {
            let versions = self.store.versions(&candidate_subject.qualified()).await?;
            if !versions.iter().any(|v| deleted || !v.deleted) {
                continue;
            }
            any_subject = true;
            let config = self.config_in_scope(candidate_subject).await?;
            let normalize = normalize || config.normalize.unwrap_or(false);
            let candidate = match self
                .parse_candidate(candidate_subject, request, normalize, false)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    parse_error.get_or_insert(e);
                    continue;
                }
            };
            if let Some((version, record)) = self
                .find_in_subject(candidate_subject, &candidate, deleted)
                .await?
            {
                return Ok(schema_object(&record, &version.subject, version.version));
            }
        }
        if let Some(e) = parse_error {
            return Err(e);
        }
        let own = self.store.versions(&qs.qualified()).await?;
        if !any_subject || !own.iter().any(|v| deleted || !v.deleted) {
            return Err(ApiError::subject_not_found(&qs.qualified()));
        }
        Err(ApiError::schema_not_found())
    }

    fn full_response(record_like: &NewSchema, id: i32, version: i32) -> Value {
        let record = SchemaRecord {
            context: String::new(),
            id,
            schema_type: record_like.schema_type,
            schema: record_like.schema.clone(),
            references: record_like.references.clone(),
            metadata: record_like.metadata.clone(),
            rule_set: record_like.rule_set.clone(),
            fingerprint: String::new(),
        };
        let mut map = Map::new();
        map.insert("id".into(), json!(id));
        if version > 0 {
            map.insert("version".into(), json!(version));
        }
        schema_fields(&mut map, &record);
        Value::Object(map)
    }

    /// `POST /subjects/{subject}/versions`.
    pub async fn register(
        &self,
        subject: &str,
        request: RegisterSchemaRequest,
        normalize: bool,
    ) -> Result<Value, ApiError> {
        let qs = QualifiedSubject::parse(subject);
        if !qs.is_valid() {
            return Err(ApiError::invalid_subject(&qs.qualified()));
        }
        let qs = self.resolve_alias(qs).await?;
        let mut request = request;
        let config = self.config_in_scope(&qs).await?;
        let normalize = normalize || config.normalize.unwrap_or(false);
        let explicit_version = request.version.unwrap_or(0);
        let has_schema = request
            .schema
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        // Fast path: the schema is already a live version of the subject.
        if explicit_version == 0 && has_schema && !config.has_defaults_or_overrides() {
            let versions = self.store.versions(&qs.qualified()).await?;
            if versions.iter().any(|v| !v.deleted) {
                let candidate = self
                    .parse_candidate(&qs, &request, normalize, false)
                    .await?;
                if let Some((_, record)) = self.find_in_subject(&qs, &candidate, false).await? {
                    if request.id.is_none_or(|id| id < 0 || id == record.id) {
                        return Ok(json!({"id": record.id}));
                    }
                }
            }
        }
        let _guard = self.writes.lock().await;
        let mode = self.mode_in_scope(&qs).await?;
        if mode.is_read_only() {
            return Err(ApiError::operation_not_permitted(format!(
                "Subject {} is in read-only mode",
                qs.qualified()
            )));
        }
        let explicit_id = request.id.filter(|id| *id >= 0);
        match (explicit_id, mode) {
            (Some(_), Mode::Import) | (None, Mode::ReadWrite) => {}
            (Some(_), _) => {
                return Err(ApiError::operation_not_permitted(format!(
                    "Subject {} is not in import mode",
                    qs.qualified()
                )))
            }
            (None, _) => {
                return Err(ApiError::operation_not_permitted(format!(
                    "Subject {} is not in read-write mode",
                    qs.qualified()
                )))
            }
        }
        let versions = self.store.versions(&qs.qualified()).await?;
        let new_version = versions
            .iter()
            .map(|v| v.version + 1)
            .max()
            .unwrap_or(1)
            .max(1);
        let live: Vec<VersionRecord> = versions
            .iter()
            .rev()
            .filter(|v| !v.deleted)
            .cloned()
            .collect();
        let mut modified = false;
        if mode != Mode::Import {
            let previous = match live.first() {
                Some(v) => Some(self.schema_record(&v.context, v.id).await?),
                None => None,
            };
            if !has_schema {
                match &previous {
                    Some(p) => {
                        request.schema = Some(p.schema.clone());
                        request.schema_type = Some(p.schema_type.as_str().to_owned());
                        request.references = p
                            .references
                            .iter()
                            .map(|r| {
                                Some(crate::model::RawReference {
                                    name: Some(r.name.clone()),
                                    subject: Some(r.subject.clone()),
                                    version: Some(r.version),
                                })
                            })
                            .collect();
                        modified = true;
                    }
                    None => return Err(ApiError::invalid_schema("Empty schema")),
                }
            }
            let specific_metadata = request
                .metadata
                .clone()
                .or_else(|| previous.as_ref().and_then(|p| p.metadata.clone()));
            let mut metadata = merge_metadata(
                merge_metadata(config.default_metadata.as_ref(), specific_metadata.as_ref())
                    .as_ref(),
                config.override_metadata.as_ref(),
            );
            let specific_rules = request
                .rule_set
                .clone()
                .or_else(|| previous.as_ref().and_then(|p| p.rule_set.clone()));
            let rule_set = merge_rule_sets(
                merge_rule_sets(config.default_rule_set.as_ref(), specific_rules.as_ref()).as_ref(),
                config.override_rule_set.as_ref(),
            );
            let has_confluent_version = metadata
                .as_ref()
                .is_some_and(|m| m.properties.contains_key(CONFLUENT_VERSION));
            if explicit_version != 0 || has_confluent_version {
                let value = if explicit_version == -1 {
                    live.first().map_or(new_version, |v| v.version)
                } else {
                    new_version
                };
                let mut m = metadata.unwrap_or_default();
                m.properties
                    .insert(CONFLUENT_VERSION.to_owned(), value.to_string());
                metadata = Some(m);
            }
            if metadata.is_some() || rule_set.is_some() {
                request.metadata = metadata;
                request.rule_set = rule_set;
                modified = true;
            }
        } else if !has_schema {
            return Err(ApiError::invalid_schema("Empty schema"));
        }
        let candidate = self
            .parse_candidate(&qs, &request, normalize, explicit_id.is_none())
            .await?;
        let existing = self
            .store
            .schema_by_fingerprint(&qs.context, &candidate.fingerprint)
            .await?;
        let mut schema_id = explicit_id;
        let fingerprint = candidate.fingerprint.clone();
        // IMPORT may give identical content a second id; as in Confluent, the newest id then
        // answers for the content.
        let displaces = match (explicit_id, &existing) {
            (Some(id), Some(existing)) if existing.id != id => Some(existing.id),
            _ => None,
        };
        let new_schema = NewSchema {
            schema_type: candidate.schema_type,
            schema: candidate.text.clone(),
            references: candidate.references.clone(),
            metadata: candidate.metadata.clone(),
            rule_set: candidate.rule_set.clone(),
            fingerprint,
        };
        if let Some(existing) = &existing {
            if explicit_id.is_none_or(|id| id == existing.id) {
                let usages = self.store.usages(&qs.context, existing.id).await?;
                let mine = usages
                    .iter()
                    .filter(|u| u.subject == qs.qualified() && !u.deleted)
                    .max_by_key(|u| u.version);
                if let Some(mine) = mine {
                    if explicit_version == -1 {
                        return Ok(json!({"id": existing.id}));
                    }
                    if explicit_version <= 0 {
                        return Ok(if modified {
                            Self::full_response(&new_schema, existing.id, mine.version)
                        } else {
                            json!({"id": existing.id})
                        });
                    }
                    if mode == Mode::Import && mine.version == explicit_version {
                        return Ok(Self::full_response(&new_schema, existing.id, mine.version));
                    }
                }
                schema_id = Some(existing.id);
            }
        }
        if mode != Mode::Import {
            let messages = self
                .compatibility_messages(&qs, &config, &candidate, &live)
                .await?;
            if !messages.is_empty() {
                return Err(ApiError::new(
                    409,
                    format!(
                        "Schema being registered is incompatible with an earlier schema for \
                         subject \"{}\", details: [{}]",
                        qs.qualified(),
                        messages.join(", ")
                    ),
                ));
            }
        }
        let version = if explicit_version <= 0 {
            new_version
        } else if explicit_version != new_version && mode != Mode::Import {
            return Err(ApiError::invalid_schema(
                "Version is not one more than previous version",
            ));
        } else {
            explicit_version
        };
        if let Some(id) = explicit_id {
            if let Some(stored) = self.store.schema(&qs.context, id).await? {
                let live_usages = self.store.usages(&qs.context, id).await?;
                if stored.fingerprint != new_schema.fingerprint && !live_usages.is_empty() {
                    return Err(ApiError::operation_not_permitted(format!(
                        "Overwrite new schema with id {id} is not permitted."
                    )));
                }
            }
        }
        if mode == Mode::Import && versions.iter().any(|v| v.version == version) {
            self.store.hard_delete(&qs.qualified(), &[version]).await?;
        }
        let tombstones: Vec<i32> = match schema_id {
            Some(id) => versions
                .iter()
                .filter(|v| v.deleted && v.id == id && v.version < version)
                .map(|v| v.version)
                .collect(),
            None => Vec::new(),
        };
        let id = self
            .store
            .insert_version(NewVersion {
                subject: qs.qualified(),
                context: qs.context.clone(),
                version,
                id: schema_id,
                schema: new_schema.clone(),
                tombstones,
                displaces,
            })
            .await
            .map_err(|e| match e {
                crate::store::StoreError::Conflict(_) => {
                    ApiError::operation_not_permitted(format!(
                        "Overwrite new schema with id {} is not permitted.",
                        schema_id.unwrap_or(-1)
                    ))
                }
                other => ApiError::from(other),
            })?;
        Ok(if modified {
            Self::full_response(&new_schema, id, version)
        } else {
            json!({"id": id})
        })
    }

    // ----- deletes ---------------------------------------------------------------------------

    async fn check_not_read_only(&self, qs: &QualifiedSubject) -> Result<(), ApiError> {
        if self.mode_in_scope(qs).await?.is_read_only() {
            return Err(ApiError::operation_not_permitted(format!(
                "Subject {} is in read-only mode",
                qs.qualified()
            )));
        }
        Ok(())
    }

    async fn check_unreferenced(
        &self,
        subject: &str,
        version: i32,
        include_deleted: bool,
    ) -> Result<(), ApiError> {
        let referrers = self.store.referrers(subject, version).await?;
        if referrers
            .iter()
            .any(|r| r.subject != subject && (include_deleted || !r.deleted))
        {
            return Err(ApiError::new(
                42206,
                format!(
                    "One or more references exist to the schema \
                     {{magic=1,keytype=SCHEMA,subject={subject},version={version}}}."
                ),
            ));
        }
        Ok(())
    }

    async fn drop_subject_settings(&self, subject: &str) -> Result<(), ApiError> {
        self.store.set_mode(subject, None).await?;
        self.store.set_config(subject, None).await?;
        Ok(())
    }

    /// `DELETE /subjects/{subject}`.
    pub async fn delete_subject(
        &self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<i32>, ApiError> {
        let qs = self.resolve_alias(QualifiedSubject::parse(subject)).await?;
        let name = qs.qualified();
        self.check_not_read_only(&qs).await?;
        let _guard = self.writes.lock().await;
        let versions = self.store.versions(&name).await?;
        if versions.is_empty() {
            return Err(ApiError::subject_not_found(&name));
        }
        if permanent {
            for v in &versions {
                self.check_unreferenced(&name, v.version, false).await?;
                if !v.deleted {
                    return Err(ApiError::new(
                        40405,
                        format!(
                            "Subject '{name}' was not deleted first before being permanently \
                             deleted"
                        ),
                    ));
                }
            }
            let numbers: Vec<i32> = versions.iter().map(|v| v.version).collect();
            self.store.hard_delete(&name, &numbers).await?;
            self.id_bodies.invalidate_all();
            Ok(numbers)
        } else {
            let live: Vec<i32> = versions
                .iter()
                .filter(|v| !v.deleted)
                .map(|v| v.version)
                .collect();
            if live.is_empty() {
                return Err(ApiError::new(
                    40404,
                    format!(
                        "Subject '{name}' was soft deleted.Set permanent=true to delete permanently"
                    ),
                ));
            }
            for v in &live {
                self.check_unreferenced(&name, *v, false).await?;
            }
            self.store.soft_delete(&name, &live).await?;
            self.drop_subject_settings(&name).await?;
            Ok(live)
        }
    }

    /// `DELETE /subjects/{subject}/versions/{version}`.
    pub async fn delete_version(
        &self,
        subject: &str,
        version: &str,
        permanent: bool,
    ) -> Result<i32, ApiError> {
        let selector = VersionSelector::parse(version)?;
        let qs = self.resolve_alias(QualifiedSubject::parse(subject)).await?;
        let name = qs.qualified();
        self.check_not_read_only(&qs).await?;
        let _guard = self.writes.lock().await;
        let versions = self.store.versions(&name).await?;
        if versions.is_empty() {
            return Err(ApiError::subject_not_found(&name));
        }
        let found = match selector {
            VersionSelector::Latest => versions.iter().rev().find(|v| !v.deleted),
            VersionSelector::Number(n) => versions.iter().find(|v| v.version == n),
        }
        .cloned()
        .ok_or_else(|| ApiError::version_not_found(selector.number()))?;
        if permanent {
            if !found.deleted {
                return Err(ApiError::new(
                    40407,
                    format!(
                        "Subject '{name}' Version {} was not deleted first before being \
                         permanently deleted",
                        found.version
                    ),
                ));
            }
            self.check_unreferenced(&name, found.version, false).await?;
            self.store.hard_delete(&name, &[found.version]).await?;
            self.id_bodies.invalidate_all();
        } else {
            if found.deleted {
                return Err(ApiError::new(
                    40406,
                    format!(
                        "Subject '{name}' Version {} was soft deleted.Set permanent=true to \
                         delete permanently",
                        found.version
                    ),
                ));
            }
            self.check_unreferenced(&name, found.version, false).await?;
            self.store.soft_delete(&name, &[found.version]).await?;
            if !versions
                .iter()
                .any(|v| !v.deleted && v.version != found.version)
            {
                self.drop_subject_settings(&name).await?;
            }
        }
        Ok(found.version)
    }

    // ----- schemas by id ---------------------------------------------------------------------

    /// The record and its usages for `GET /schemas/ids/{id}?subject=…`.
    async fn find_id(
        &self,
        id: i32,
        subject: Option<&str>,
    ) -> Result<Option<(SchemaRecord, Vec<VersionRecord>)>, ApiError> {
        let hint = subject.map(QualifiedSubject::parse);
        let context = hint
            .as_ref()
            .map_or_else(|| DEFAULT_CONTEXT.to_owned(), |h| h.context.clone());
        if let Some(record) = self.store.schema(&context, id).await? {
            let usages = self.store.usages(&context, id).await?;
            if !usages.is_empty() {
                return Ok(Some((record, usages)));
            }
        }
        if let (Some(hint), Some(raw)) = (&hint, subject) {
            if hint.context == DEFAULT_CONTEXT && !raw.starts_with(":.") {
                for other in self.store.contexts().await? {
                    let q = QualifiedSubject::in_context(&other, &hint.name).qualified();
                    if let Some(record) = self.store.schema(&other, id).await? {
                        let usages = self.store.usages(&other, id).await?;
                        if usages.iter().any(|u| u.subject == q) {
                            return Ok(Some((record, usages)));
                        }
                    }
                }
            }
        }
        Ok(None)
    }

    async fn formatted(
        &self,
        record: &SchemaRecord,
        format: Option<&str>,
    ) -> Result<String, ApiError> {
        if record.schema_type != SchemaType::Protobuf {
            return Ok(record.schema.clone());
        }
        match format {
            Some("serialized") | Some("ignore_extensions") => {}
            _ => return Ok(record.schema.clone()),
        }
        let owner = QualifiedSubject::in_context(&record.context, "");
        let parsed = self.parse_stored(&owner, record).await?;
        crate::protobuf_format::render(&parsed, format)
            .ok_or_else(|| internal("cannot render a stored Protobuf schema"))
    }

    /// `GET /schemas/ids/{id}`.
    pub async fn schema_by_id(
        &self,
        id: i32,
        subject: Option<&str>,
        format: Option<&str>,
        fetch_max_id: bool,
    ) -> Result<Arc<String>, ApiError> {
        let cacheable = subject.is_none() && format.is_none() && !fetch_max_id;
        let key = (DEFAULT_CONTEXT.to_owned(), id);
        if cacheable {
            if let Some(body) = self.id_bodies.get(&key).await {
                return Ok(body);
            }
        }
        let Some((record, _)) = self.find_id(id, subject).await? else {
            return Err(ApiError::schema_id_not_found(id));
        };
        let mut map = Map::new();
        let mut shown = record.clone();
        shown.schema = self.formatted(&record, format).await?;
        schema_fields(&mut map, &shown);
        if fetch_max_id {
            map.insert(
                "maxId".into(),
                json!(self.store.max_id(&record.context).await?),
            );
        }
        let body = Arc::new(Value::Object(map).to_string());
        if cacheable {
            self.id_bodies.insert(key, body.clone()).await;
        }
        Ok(body)
    }

    /// `GET /schemas/ids/{id}/schema`.
    pub async fn schema_text_by_id(
        &self,
        id: i32,
        subject: Option<&str>,
        format: Option<&str>,
    ) -> Result<String, ApiError> {
        let Some((record, _)) = self.find_id(id, subject).await? else {
            return Err(ApiError::new(500, "Internal Server Error"));
        };
        self.formatted(&record, format).await
    }

    /// `GET /schemas/ids/{id}/versions` (and `/subjects` when `subjects_only`).
    pub async fn id_usages(
        &self,
        id: i32,
        subject: Option<&str>,
        deleted: bool,
    ) -> Result<Vec<VersionRecord>, ApiError> {
        let Some((_, usages)) = self.find_id(id, subject).await? else {
            return Err(ApiError::schema_not_found());
        };
        Ok(usages
            .into_iter()
            .filter(|u| deleted || !u.deleted)
            .collect())
    }

    /// `GET /schemas/guids/{guid}`.
    pub async fn schema_by_guid(&self, guid: &str) -> Result<Value, ApiError> {
        let hex: String = guid
            .chars()
            .filter(|c| *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        let mut contexts = vec![DEFAULT_CONTEXT.to_owned()];
        contexts.extend(self.store.contexts().await?);
        for context in contexts {
            if let Some(record) = self.store.schema_by_fingerprint(&context, &hex).await? {
                if !self.store.usages(&context, record.id).await?.is_empty() {
                    let mut map = Map::new();
                    schema_fields(&mut map, &record);
                    return Ok(Value::Object(map));
                }
            }
        }
        Err(ApiError::schema_id_not_found(guid))
    }

    /// `GET /schemas`.
    pub async fn list_schemas(
        &self,
        prefix: Option<&str>,
        deleted: bool,
        latest_only: bool,
        aliases: bool,
        rule_type: Option<&str>,
    ) -> Result<Vec<Value>, ApiError> {
        let all = self.store.all_versions().await?;
        let mut out = Vec::new();
        let alias_map = if aliases {
            self.alias_map(&all).await?
        } else {
            HashMap::new()
        };
        let visible: Vec<&VersionRecord> = all
            .iter()
            .filter(|v| deleted || !v.deleted)
            .filter(|v| prefix.is_none_or(|p| p == ":*:" || v.subject.starts_with(p)))
            .collect();
        for (i, v) in visible.iter().enumerate() {
            if latest_only
                && visible
                    .get(i + 1)
                    .is_some_and(|next| next.subject == v.subject)
            {
                continue;
            }
            let record = self.schema_record(&v.context, v.id).await?;
            if let Some(wanted) = rule_type {
                let has = record.rule_set.as_ref().is_some_and(|r| {
                    r.migration_rules
                        .iter()
                        .chain(&r.domain_rules)
                        .chain(&r.encoding_rules)
                        .any(|rule| rule.rule_type.as_deref() == Some(wanted))
                });
                if !has {
                    continue;
                }
            }
            let mut object = schema_object(&record, &v.subject, v.version);
            if let Some(list) = alias_map.get(&v.subject) {
                object["aliases"] = json!(list);
            }
            out.push(object);
        }
        Ok(out)
    }

    async fn alias_map(
        &self,
        all: &[VersionRecord],
    ) -> Result<HashMap<String, Vec<String>>, ApiError> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        let mut seen = BTreeSet::new();
        for v in all {
            seen.insert(v.subject.clone());
        }
        // Aliases are configured on subjects that usually have no versions: scan configs of
        // every scope the registry knows through its subjects and their alias targets.
        for scope in self.store.config_scopes().await? {
            if let Some(config) = self.stored_config(&scope).await? {
                if let Some(alias) = config.alias {
                    let target = QualifiedSubject::parse(&scope).qualify_reference(&alias);
                    map.entry(target).or_default().push(scope.clone());
                }
            }
        }
        for list in map.values_mut() {
            list.sort();
        }
        Ok(map)
    }

    // ----- contexts --------------------------------------------------------------------------

    /// `GET /contexts`.
    pub async fn contexts(&self) -> Result<Vec<String>, ApiError> {
        let mut out = vec![DEFAULT_CONTEXT.to_owned()];
        out.extend(self.store.contexts().await?);
        Ok(out)
    }

    /// `DELETE /contexts/{context}`.
    pub async fn delete_context(&self, context: &str) -> Result<(), ApiError> {
        let context = if context.starts_with('.') {
            context.to_owned()
        } else {
            format!(".{context}")
        };
        let _guard = self.writes.lock().await;
        let known = self.store.contexts().await?;
        if !known.contains(&context) {
            return Err(ApiError::subject_not_found(&context));
        }
        let all = self.store.all_versions().await?;
        if all.iter().any(|v| v.context == context) {
            return Err(ApiError::new(
                42211,
                format!("The specified context '{context}' is not empty."),
            ));
        }
        self.store.delete_context(&context).await?;
        Ok(())
    }

    /// Parses a compatibility level name (for configuration defaults).
    pub fn parse_level(text: &str) -> Option<CompatibilityLevel> {
        CompatibilityLevel::from_str(text).ok()
    }
}
