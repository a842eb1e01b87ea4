//! The registry rules: schemas by id.

use super::*;

impl<S: Store> Registry<S> {
    /// The record and its usages for `GET /schemas/ids/{id}?subject=…`.
    pub(super) async fn find_id(
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
                        if usages.iter().any(|u| *u.subject == *q) {
                            return Ok(Some((record, usages)));
                        }
                    }
                }
            }
        }
        Ok(None)
    }

    pub(super) async fn formatted(
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
    ) -> Result<bytes::Bytes, ApiError> {
        // Deserializers pass their subject as a hint; for the default context the answer is the
        // same as without it, so both share one pre-serialized body.
        let default_hint = subject.is_none_or(|s| !s.starts_with(":."));
        let cacheable = default_hint && !fetch_max_id;
        let key = (id, BodyFormat::of(format));
        if cacheable {
            if let Some(body) = self.ids.bodies.get(&key) {
                return Ok(body);
            }
        }
        let generation = self.ids.generation.current();
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
        let body = bytes::Bytes::from(Value::Object(map).to_string());
        if cacheable && record.context == DEFAULT_CONTEXT {
            self.ids
                .generation
                .fill(generation, || self.ids.bodies.insert(key, body.clone()));
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
            // Confluent fails with 500 here (a null dereference); the id is simply not found.
            return Err(ApiError::schema_id_not_found(id));
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
        let mut usages: Vec<VersionRecord> = usages
            .into_iter()
            .filter(|u| deleted || !u.deleted)
            .collect();
        // Confluent answers from a hash map keyed by subject; clients see its iteration order.
        let distinct: BTreeSet<&str> = usages.iter().map(|u| &*u.subject).collect();
        let buckets = java_hash_map_capacity(distinct.len());
        let order: HashMap<String, usize> = distinct
            .iter()
            .map(|s| ((*s).to_owned(), java_bucket(s, buckets)))
            .collect();
        usages.sort_by_key(|u| (order.get(&*u.subject).copied().unwrap_or(0), u.version));
        Ok(usages)
    }

    /// The content with a guid in every context where a version uses it, default context first.
    async fn live_by_guid(&self, guid: &str) -> Result<Vec<SchemaRecord>, ApiError> {
        let hex = guid.replace('-', "").to_ascii_lowercase();
        let mut contexts = vec![DEFAULT_CONTEXT.to_owned()];
        contexts.extend(self.store.contexts().await?);
        let mut out = Vec::new();
        for context in contexts {
            if let Some(record) = self.store.schema_by_fingerprint(&context, &hex).await? {
                if !self.store.usages(&context, record.id).await?.is_empty() {
                    out.push(record);
                }
            }
        }
        Ok(out)
    }

    /// `GET /schemas/guids/{guid}`.
    pub async fn schema_by_guid(&self, guid: &str) -> Result<Value, ApiError> {
        let record = self
            .live_by_guid(guid)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::schema_id_not_found(guid))?;
        let mut map = Map::new();
        schema_fields(&mut map, &record);
        Ok(Value::Object(map))
    }

    /// `GET /schemas/guids/{guid}/ids`: the id of the content in every context holding it.
    pub async fn ids_by_guid(&self, guid: &str) -> Result<Value, ApiError> {
        let records = self.live_by_guid(guid).await?;
        Ok(Value::Array(
            records
                .iter()
                .map(|r| json!({"context": r.context, "id": r.id}))
                .collect(),
        ))
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
        let all = self.versions_under(prefix).await?;
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
            if let Some(list) = alias_map.get(&*v.subject) {
                object["aliases"] = json!(list);
            }
            out.push(object);
        }
        Ok(out)
    }

    pub(super) async fn alias_map(
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
}
