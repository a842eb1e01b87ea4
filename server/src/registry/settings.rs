//! The registry rules: configuration and modes.

use super::*;

impl<S: Store> Registry<S> {
    pub(super) async fn stored_config(
        &self,
        scope: &str,
    ) -> Result<Option<ConfigRecord>, ApiError> {
        if let Some(cached) = self.settings_cache.configs.get(scope) {
            return Ok(cached);
        }
        let generation = self.settings_cache.generation.current();
        let config = match self.store.config(scope).await? {
            None => None,
            Some(text) => Some(serde_json::from_str(&text).map_err(internal)?),
        };
        self.settings_cache.generation.fill(generation, || {
            self.settings_cache
                .configs
                .insert(scope.to_owned(), config.clone())
        });
        Ok(config)
    }

    /// Forgets what the caches know about a scope's configuration and mode (after a write).
    pub(super) async fn forget_settings(&self, scope: &str) {
        self.settings_cache.forget(scope);
    }

    /// The configuration that applies to a subject: its own, else its context's.
    pub(super) async fn config_in_scope(
        &self,
        subject: &QualifiedSubject,
    ) -> Result<ConfigRecord, ApiError> {
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

    pub(super) fn level(&self, config: &ConfigRecord) -> CompatibilityLevel {
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
        let _guard = self.lock_scope(&scope).await?;
        let current = self.stored_config(&scope).await?.unwrap_or_default();
        let merged = current.merged(&update.update);
        let text = serde_json::to_string(&merged).map_err(internal)?;
        self.store.set_config(&scope, Some(&text)).await?;
        self.forget_settings(&scope).await;
        Ok(update.echo)
    }

    /// `DELETE /config` and `DELETE /config/{subject}`.
    pub async fn delete_config(&self, subject: Option<&str>) -> Result<Value, ApiError> {
        let default = self.settings.default_compatibility;
        let scope = match subject {
            None => GLOBAL_SCOPE.to_owned(),
            Some(raw) => QualifiedSubject::parse(raw).qualified(),
        };
        let _guard = self.lock_scope(&scope).await?;
        let current = self.stored_config(&scope).await?;
        match (current, subject) {
            (Some(config), _) => {
                self.store.set_config(&scope, None).await?;
                self.forget_settings(&scope).await;
                Ok(config.to_get_json(default))
            }
            (None, None) => Ok(ConfigRecord::default().to_get_json(default)),
            (None, Some(_)) => Err(ApiError::subject_not_found(&scope)),
        }
    }

    pub(super) async fn stored_mode(&self, scope: &str) -> Result<Option<Mode>, ApiError> {
        if let Some(cached) = self.settings_cache.modes.get(scope) {
            return Ok(cached);
        }
        let generation = self.settings_cache.generation.current();
        let mode = self.store.mode(scope).await?.and_then(|m| Mode::parse(&m));
        self.settings_cache.generation.fill(generation, || {
            self.settings_cache.modes.insert(scope.to_owned(), mode)
        });
        Ok(mode)
    }

    /// The mode that applies to a subject.
    pub(super) async fn mode_in_scope(&self, subject: &QualifiedSubject) -> Result<Mode, ApiError> {
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
            // Confluent fails with 500 here (a null dereference); a missing mode is an invalid one.
            None | Some(Value::Null) => return Err(ApiError::invalid_mode()),
            Some(_) => return Err(ApiError::invalid_mode()),
        };
        let mode = Mode::parse(&text).ok_or_else(ApiError::invalid_mode)?;
        let scope = qs
            .as_ref()
            .map_or_else(|| GLOBAL_SCOPE.to_owned(), QualifiedSubject::qualified);
        let _guard = self.lock_scope(&scope).await?;
        if mode == Mode::Import {
            let current = match &qs {
                None => self.stored_mode(GLOBAL_SCOPE).await?,
                Some(qs) => self.stored_mode(&qs.qualified()).await?,
            };
            if current != Some(Mode::Import) {
                let all = self.store.all_versions().await?;
                let in_scope = |v: &VersionRecord| match &qs {
                    None => true,
                    Some(qs) if qs.is_context() => *v.context == *qs.context,
                    Some(qs) => *v.subject == *qs.qualified(),
                };
                if !force && all.iter().any(|v| in_scope(v) && !v.deleted) {
                    return Err(ApiError::operation_not_permitted(
                        "Cannot import since found existing subjects",
                    ));
                }
                let purge: Vec<(String, i32)> = all
                    .iter()
                    .filter(|v| in_scope(v) && v.deleted)
                    .map(|v| (v.subject.to_string(), v.version))
                    .collect();
                for (subject, version) in &purge {
                    self.check_unreferenced(subject, *version, false).await?;
                }
                self.store
                    .set_mode_purging(&scope, mode.as_str(), &purge)
                    .await?;
                self.forget_settings(&scope).await;
                self.ids.invalidate_all();
                return Ok(json!({"mode": text}));
            }
        }
        self.store.set_mode(&scope, Some(mode.as_str())).await?;
        self.forget_settings(&scope).await;
        Ok(json!({"mode": text}))
    }

    /// `DELETE /mode` (not routed: Confluent answers 405) and `DELETE /mode/{subject}`.
    pub async fn delete_mode(&self, subject: &str) -> Result<Value, ApiError> {
        let qs = QualifiedSubject::parse(subject);
        let _guard = self.lock_scope(&qs.qualified()).await?;
        let global = self.stored_mode(GLOBAL_SCOPE).await?;
        let own = self.stored_mode(&qs.qualified()).await?;
        if own.is_some() {
            self.store.set_mode(&qs.qualified(), None).await?;
            self.forget_settings(&qs.qualified()).await;
        }
        if global == Some(Mode::ReadOnlyOverride) {
            return Ok(json!({"mode": Mode::ReadOnlyOverride.as_str()}));
        }
        match own {
            Some(mode) => Ok(json!({"mode": mode.as_str()})),
            None => Err(ApiError::subject_not_found(&qs.qualified())),
        }
    }
}
