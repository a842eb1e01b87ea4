//! The registry rules: tags.

use super::*;

impl<S: Store> Registry<S> {
    /// `POST /subjects/{subject}/versions/{version}/tags`: writes tags into the schema of a
    /// version and registers the result as a new version.
    pub async fn modify_tags(
        &self,
        subject: &str,
        version: &str,
        request: &crate::tags::TagSchemaRequest,
    ) -> Result<Value, ApiError> {
        let found = self.find_version(subject, version, false).await?;
        let record = self.schema_record(&found.context, found.id).await?;
        let qs = QualifiedSubject::parse(&found.subject);
        if let Some(new_version) = request.new_version {
            let versions = self.store.versions(&found.subject).await?;
            let next = versions.iter().map(|v| v.version + 1).max().unwrap_or(1);
            if new_version != next {
                return Err(ApiError::invalid_schema(
                    "Version is not one more than previous version",
                ));
            }
        }
        let illegal = |message: String| {
            ApiError::invalid_schema(format!("java.lang.IllegalArgumentException: {message}"))
        };
        let text = match record.schema_type {
            SchemaType::Avro | SchemaType::Json => crate::tags::apply_json_tags(
                &record.schema,
                record.schema_type == SchemaType::Avro,
                request,
            )
            .map_err(illegal)?,
            SchemaType::Protobuf => {
                let parsed = self.parse_stored(&qs, &record).await?;
                crate::protobuf_format::with_tags(&parsed, &request.add, &request.remove)
                    .ok_or_else(|| internal("Protobuf tags are not available"))?
                    .map_err(illegal)?
            }
        };
        let mut metadata = request
            .metadata
            .clone()
            .or_else(|| record.metadata.clone())
            .unwrap_or_default();
        metadata.properties.insert(
            CONFLUENT_VERSION.to_owned(),
            request.new_version.unwrap_or(0).to_string(),
        );
        let register = RegisterSchemaRequest {
            schema: Some(text),
            schema_type: Some(record.schema_type.as_str().to_owned()),
            references: record.references.iter().map(|r| Some(r.into())).collect(),
            metadata: Some(metadata),
            rule_set: request.rule_set.clone().or(record.rule_set.clone()),
            id: None,
            version: request.new_version,
        };
        self.register(&found.subject, register, false).await
    }
}
