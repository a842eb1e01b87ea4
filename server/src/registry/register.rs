//! The registry rules: register and lookup.

use super::*;

impl<S: Store> Registry<S> {
    /// Finds the candidate among the subject's versions: the exact identity first.
    ///
    /// `versions` are the subject's stored versions and `stored` the schema stored with the
    /// candidate's identity, as just read.
    pub(super) async fn find_in_subject(
        &self,
        versions: &[VersionRecord],
        candidate: &Candidate,
        stored: Option<SchemaRecord>,
        deleted: bool,
    ) -> Result<Option<(VersionRecord, SchemaRecord)>, ApiError> {
        if let Some(found) = Self::find_exact(versions, stored, deleted) {
            return Ok(Some(found));
        }
        if carries_version(candidate.metadata.as_ref()) {
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
        let live = versions.iter().rev().filter(|v| deleted || !v.deleted);
        for v in self.ids.maybe_bookkept(live) {
            let record = self.schema_record(&v.context, v.id).await?;
            if carries_version(record.metadata.as_ref())
                && record.schema == candidate.text
                && record.references == candidate.references
                && record.rule_set == candidate.rule_set
                && strip(record.metadata.as_ref()) == wanted
            {
                return Ok(Some((v.clone(), Arc::unwrap_or_clone(record))));
            }
        }
        Ok(None)
    }

    /// The newest of `versions` (the subject's) whose schema is `stored`.
    fn find_exact(
        versions: &[VersionRecord],
        stored: Option<SchemaRecord>,
        deleted: bool,
    ) -> Option<(VersionRecord, SchemaRecord)> {
        let record = stored?;
        versions
            .iter()
            .filter(|v| *v.context == *record.context && v.id == record.id)
            .filter(|v| deleted || !v.deleted)
            .max_by_key(|v| v.version)
            .map(|v| (v.clone(), record))
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
            let stored = self
                .store
                .schema_by_fingerprint(&candidate_subject.context, &candidate.fingerprint)
                .await?;
            if let Some((version, record)) = self
                .find_in_subject(&versions, &candidate, stored, deleted)
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

    pub(super) fn full_response(record_like: &NewSchema, id: i32, version: i32) -> Value {
        let record = record_like.to_record("", id);
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
        let explicit_id = request.id.filter(|id| *id >= 0);
        // Parsing is the expensive part of a registration and depends only on the schema, its
        // type and references: it is done before the subject's writes are serialized. Its error
        // is reported where the rules reach it, so that mode errors still come first.
        let mut early = if has_schema {
            Some(
                self.parse_candidate(&qs, &request, normalize, explicit_id.is_none())
                    .await,
            )
        } else {
            None
        };
        // Fast path: the schema is already a live version of the subject. When the store says
        // its identity is not stored at all, that answer stands under the lock as long as the
        // subject has not changed meanwhile (a writer of another subject storing it first is
        // settled by the store's own write).
        let mut absent_before: Option<(String, Vec<VersionRecord>)> = None;
        if explicit_version == 0 && has_schema && !config.has_defaults_or_overrides() {
            // With the candidate parsed, its identity is read with the versions.
            let (versions, stored) = match &early {
                Some(Ok(candidate)) => {
                    let (versions, stored) = self
                        .store
                        .versions_and_schema(&qs.qualified(), &qs.context, &candidate.fingerprint)
                        .await?;
                    (versions, Some(stored))
                }
                _ => (self.store.versions(&qs.qualified()).await?, None),
            };
            if versions.iter().any(|v| !v.deleted) {
                let reparsed;
                let candidate = match &early {
                    Some(Ok(candidate)) => candidate,
                    _ => {
                        reparsed = self
                            .parse_candidate(&qs, &request, normalize, false)
                            .await?;
                        &reparsed
                    }
                };
                let stored = match stored {
                    Some(stored) => stored,
                    None => {
                        self.store
                            .schema_by_fingerprint(&qs.context, &candidate.fingerprint)
                            .await?
                    }
                };
                if stored.is_none() {
                    absent_before = Some((candidate.fingerprint.clone(), versions.clone()));
                }
                let found = self
                    .find_in_subject(&versions, candidate, stored, false)
                    .await?;
                if let Some((_, record)) = found {
                    if request.id.is_none_or(|id| id < 0 || id == record.id) {
                        return Ok(json!({"id": record.id}));
                    }
                }
            }
        }
        let guard = self.lock_registration(&qs, &request).await?;
        let mode = self.mode_in_scope(&qs).await?;
        if mode.is_read_only() {
            return Err(ApiError::operation_not_permitted(format!(
                "Subject {} is in read-only mode",
                qs.qualified()
            )));
        }
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
        let live = live_newest_first(&versions);
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
                        request.references = p.references.iter().map(|r| Some(r.into())).collect();
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
            if explicit_version != 0 || carries_version(metadata.as_ref()) {
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
        let candidate = match early.take() {
            // Only the identity changed (metadata and rules merged in): the parse stands.
            Some(Ok(candidate)) => candidate.with_identity(&request),
            Some(Err(error)) if !modified => return Err(error),
            _ => {
                self.parse_candidate(&qs, &request, normalize, explicit_id.is_none())
                    .await?
            }
        };
        let existing = match &absent_before {
            Some((fingerprint, before))
                if *fingerprint == candidate.fingerprint && *before == versions =>
            {
                None
            }
            _ => {
                self.store
                    .schema_by_fingerprint(&qs.context, &candidate.fingerprint)
                    .await?
            }
        };
        // The identity leaves the schema type out, as Confluent's does: the same text registered
        // under another type would silently take the first type's id, so it is refused as
        // Confluent refuses it.
        if let Some(existing) = &existing {
            if existing.schema_type != candidate.schema_type {
                return Err(ApiError::operation_not_permitted(format!(
                    "Overwrite new schema with id {} is not permitted.",
                    existing.id
                )));
            }
        }
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
                let mine = versions
                    .iter()
                    .filter(|v| v.id == existing.id && !v.deleted)
                    .max_by_key(|v| v.version);
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
        let mut tombstones: Vec<i32> = match schema_id {
            Some(id) => versions
                .iter()
                .filter(|v| v.deleted && v.id == id && v.version < version)
                .map(|v| v.version)
                .collect(),
            None => Vec::new(),
        };
        if mode == Mode::Import && versions.iter().any(|v| v.version == version) {
            // IMPORT overwrites an existing version, in the same transaction.
            tombstones.push(version);
        }
        // An IMPORT may give an unused id new content, and removed versions may leave an id
        // unused: the id caches are refreshed once the write is done.
        let touches_ids = explicit_id.is_some() || !tombstones.is_empty();
        let generation = self.ids.generation.current();
        let new_version = NewVersion {
            subject: qs.qualified(),
            context: qs.context.clone(),
            version,
            id: schema_id,
            schema: new_schema.clone(),
            tombstones,
            displaces,
        };
        // A write that changes ids keeps the lock until the caches are refreshed; any other
        // lets the store commit it with the lock.
        let written = if touches_ids {
            self.store.insert_version(new_version).await
        } else {
            self.store
                .insert_version_unlocking(guard, new_version)
                .await
        };
        let id = written.map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => ApiError::operation_not_permitted(format!(
                "Overwrite new schema with id {} is not permitted.",
                schema_id.unwrap_or(-1)
            )),
            other => ApiError::from(other),
        })?;
        if touches_ids {
            self.parsed.invalidate(&(qs.context.clone(), id)).await;
            self.ids.invalidate_all();
        } else {
            // The next registration in the subject starts from this version: its record is
            // what was just written (the identity covers text, references, metadata and rules,
            // and the type is checked), so it need not be read back.
            let record = Arc::new(new_schema.to_record(&qs.context, id));
            self.ids.generation.fill(generation, || {
                self.ids.insert(Arc::from(qs.context.as_str()), record)
            });
            // Its compatibility is checked by the next registration too. When the stored text
            // is the text that was parsed, parsing it again gives this same model.
            if request.schema.as_deref() == Some(candidate.text.as_str()) {
                self.parsed
                    .insert((qs.context.clone(), id), Arc::new(candidate.parsed))
                    .await;
            }
        }
        Ok(if modified {
            Self::full_response(&new_schema, id, version)
        } else {
            json!({"id": id})
        })
    }
}
