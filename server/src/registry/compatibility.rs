//! The registry rules: compatibility.

use super::*;

impl<S: Store> Registry<S> {
    /// Checks `candidate` against `previous` (newest first) at the subject's level; returns the
    /// messages, empty when compatible.
    pub(super) async fn compatibility_messages(
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
        let live = live_newest_first(&versions);
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
}
