//! The registry rules: subjects and versions.

use super::*;

impl<S: Store> Registry<S> {
    /// Follows a subject's alias, if its own configuration names one.
    pub(super) async fn resolve_alias(
        &self,
        subject: QualifiedSubject,
    ) -> Result<QualifiedSubject, ApiError> {
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

    /// The stored schema a version points at, through the id cache.
    pub(super) async fn schema_record(
        &self,
        context: &Arc<str>,
        id: i32,
    ) -> Result<Arc<SchemaRecord>, ApiError> {
        let key = (Arc::clone(context), id);
        if let Some(record) = self.ids.records.get(&key) {
            return Ok(record);
        }
        let generation = self.ids.generation.current();
        let record =
            self.store.schema(context, id).await?.ok_or_else(|| {
                internal(format!("version points at missing schema {context}/{id}"))
            })?;
        let record = Arc::new(record);
        self.ids.generation.fill(generation, || {
            self.ids.insert(Arc::clone(context), Arc::clone(&record))
        });
        Ok(record)
    }

    /// The versions of every subject starting with `prefix` (`:*:` or none: all subjects).
    pub(super) async fn versions_under(
        &self,
        prefix: Option<&str>,
    ) -> Result<Vec<VersionRecord>, ApiError> {
        Ok(match prefix {
            None | Some(":*:") | Some("") => self.store.all_versions().await?,
            Some(p) => self.store.versions_with_prefix(p).await?,
        })
    }

    /// `GET /subjects`.
    pub async fn list_subjects(
        &self,
        prefix: Option<&str>,
        deleted: bool,
        deleted_only: bool,
    ) -> Result<Vec<String>, ApiError> {
        let all = self.versions_under(prefix).await?;
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
                subjects.push(subject.to_string());
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
    pub(super) fn select(
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
    pub(super) async fn find_version(
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
}
