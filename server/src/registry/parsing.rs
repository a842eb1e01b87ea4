//! The registry rules: parsing.

use super::*;

impl<S: Store> Registry<S> {
    /// Fetches every schema reachable from `references` (given relative to `owner`).
    pub(super) async fn prefetch(
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
                    schema: record.schema.clone(),
                    references: record.references.clone(),
                },
            );
        }
        Ok(PrefetchedReferences(map))
    }

    /// Turns `-1` reference versions into the latest live version.
    pub(super) async fn concrete_references(
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

    pub(super) fn invalid_schema_error(
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
        // Errors found after parsing (validation, normalization) are reported without the
        // "with refs" part, as Confluent's registry does.
        let (validation_failure, details) = match details.strip_prefix(NORMALIZATION_FAILURE) {
            Some(rest) => (true, rest),
            None => (
                (schema_type == SchemaType::Json && details == "Invalid JSON Schema")
                    || details.starts_with("Could not resolve type"),
                details,
            ),
        };
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
    pub(super) async fn parse_candidate(
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
        // Confluent's registry validates Avro defaults only on the normalizing path, where its
        // normalizer may also fail (the engine reports that separately).
        let options = ParseOptions {
            new_schema: new_schema && (schema_type != SchemaType::Avro || normalize),
            limits: self.settings.limits,
        };
        let parsed = parse(schema_type, &text, &references, &resolver, &options).map_err(|e| {
            Self::invalid_schema_error(subject, request, schema_type, &text, &e.to_string())
        })?;
        if normalize {
            if let SchemaModel::Avro(model) = parsed.model() {
                if let Some(error) = model.normalization_error() {
                    return Err(Self::invalid_schema_error(
                        subject,
                        request,
                        schema_type,
                        &text,
                        &format!("{NORMALIZATION_FAILURE}{error}"),
                    ));
                }
            }
        }
        let stored = parsed.text(normalize).to_owned();
        let fingerprint = identity(&stored, &references, request);
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

    /// A stored schema, parsed; ids never change meaning, so the result is cached for good.
    pub(super) async fn parse_stored(
        &self,
        subject: &QualifiedSubject,
        record: &SchemaRecord,
    ) -> Result<Arc<ParsedSchema>, ApiError> {
        let key = (record.context.clone(), record.id);
        if let Some(parsed) = self.parsed.get(&key).await {
            return Ok(parsed);
        }
        let resolver = self.prefetch(subject, &record.references).await?;
        let parsed = parse(
            record.schema_type,
            &record.schema,
            &record.references,
            &resolver,
            &ParseOptions {
                new_schema: false,
                limits: self.settings.limits,
            },
        )
        .map_err(internal)?;
        let parsed = Arc::new(parsed);
        self.parsed.insert(key, parsed.clone()).await;
        Ok(parsed)
    }
}
