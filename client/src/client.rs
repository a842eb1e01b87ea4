//! The client: one method per REST route.

use std::sync::Arc;

use reqwest::Method;

use crate::cache::{cached, Caches, IdKey, LatestKey, SchemaKey, VersionKey};
use crate::config::ClientConfig;
use crate::transport::{segment, ApiRequest, Transport};
use crate::types::{
    CompatibilityCheck, Config, ConfigUpdate, ContextId, Mode, ModeBody, RegisterResponse,
    RegisterSchemaRequest, RegisteredSchema, SchemaId, SchemaString, ServerClusterId,
    ServerVersion, SubjectVersion, VersionId,
};
use crate::Result;

/// Filters of [`RegistryClient::list_subjects`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListSubjectsOptions {
    /// Only subjects starting with this prefix (a context prefix such as `:.ctx:` works too).
    pub subject_prefix: Option<String>,
    /// Include subjects whose versions are all soft-deleted.
    pub deleted: bool,
    /// Only subjects whose versions are all soft-deleted.
    pub deleted_only: bool,
    /// Skip this many results.
    pub offset: Option<u32>,
    /// Return at most this many results.
    pub limit: Option<u32>,
}

/// Filters of [`RegistryClient::list_versions`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListVersionsOptions {
    /// Include soft-deleted versions.
    pub deleted: bool,
    /// Only soft-deleted versions.
    pub deleted_only: bool,
    /// Return soft-deleted versions as negative numbers (recent servers only).
    pub deleted_as_negative: bool,
    /// Skip this many results.
    pub offset: Option<u32>,
    /// Return at most this many results.
    pub limit: Option<u32>,
}

/// Filters of [`RegistryClient::list_schemas`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListSchemasOptions {
    /// Only schemas of subjects starting with this prefix.
    pub subject_prefix: Option<String>,
    /// Include soft-deleted versions.
    pub deleted: bool,
    /// Only the latest version of each subject.
    pub latest_only: bool,
    /// Skip this many results.
    pub offset: Option<u32>,
    /// Return at most this many results.
    pub limit: Option<u32>,
}

/// Query parameters of [`RegistryClient::get_version_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetVersionOptions {
    /// Allow a soft-deleted version.
    pub deleted: bool,
    /// A rendering of the schema: `resolved` (Avro), `serialized` or `ignore_extensions`
    /// (Protobuf).
    pub format: Option<String>,
}

/// Query parameters of [`RegistryClient::get_schema_by_id_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaByIdOptions {
    /// The subject the caller expects the id under: picks its context, and fills `subject` and
    /// `version` in the answer.
    pub subject: Option<String>,
    /// A rendering of the schema: `resolved` (Avro), `serialized` or `ignore_extensions`
    /// (Protobuf).
    pub format: Option<String>,
    /// Also return the highest id of the registry (never cached).
    pub fetch_max_id: bool,
}

/// A typed async client of a Confluent-compatible schema registry.
///
/// Cheap to clone: clones share the connection pool, the caches and the sticky URL choice.
#[derive(Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    caches: Option<Caches>,
    config: ClientConfig,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

fn scope(root: &str, subject: Option<&str>) -> Result<Vec<String>> {
    let mut segments = vec![root.to_owned()];
    if let Some(subject) = subject {
        segments.push(segment("subject", subject)?);
    }
    Ok(segments)
}

fn subject_path(subject: &str, rest: &[&str]) -> Result<Vec<String>> {
    let mut segments = vec!["subjects".to_owned(), segment("subject", subject)?];
    segments.extend(rest.iter().map(|s| (*s).to_owned()));
    Ok(segments)
}

fn version_path(subject: &str, version: VersionId, rest: &[&str]) -> Result<Vec<String>> {
    let mut segments = subject_path(subject, &["versions"])?;
    segments.push(version.to_segment());
    segments.extend(rest.iter().map(|s| (*s).to_owned()));
    Ok(segments)
}

fn id_path(id: SchemaId, rest: &[&str]) -> Vec<String> {
    let mut segments = vec!["schemas".to_owned(), "ids".to_owned(), id.to_string()];
    segments.extend(rest.iter().map(|s| (*s).to_owned()));
    segments
}

fn paged(request: ApiRequest, offset: Option<u32>, limit: Option<u32>) -> ApiRequest {
    request.opt("offset", offset).opt("limit", limit)
}

impl RegistryClient {
    /// Builds a client. Fails with [`Error::Config`](crate::Error::Config) when the configuration is invalid; sends
    /// nothing.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let transport = Transport::new(&config)?;
        let caches = Caches::new(&config.cache);
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                transport,
                caches,
                config,
            }),
        })
    }

    /// A client for one URL with the default configuration.
    pub fn from_url(url: impl Into<String>) -> Result<Self> {
        RegistryClient::new(ClientConfig::new(url))
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Empties every cache.
    pub fn clear_caches(&self) {
        if let Some(caches) = &self.inner.caches {
            caches.clear();
        }
    }

    fn caches(&self) -> Option<&Caches> {
        self.inner.caches.as_ref()
    }

    async fn fetch<T: serde::de::DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        self.inner.transport.execute(&request).await?.json()
    }

    async fn fetch_text(&self, request: ApiRequest) -> Result<String> {
        self.inner.transport.execute(&request).await?.text()
    }

    // ----- subjects -----

    /// `GET /subjects`: the subjects, sorted.
    pub async fn list_subjects(&self, options: &ListSubjectsOptions) -> Result<Vec<String>> {
        let request = ApiRequest::get(vec!["subjects".into()])
            .opt("subjectPrefix", options.subject_prefix.as_deref())
            .flag("deleted", options.deleted)
            .flag("deletedOnly", options.deleted_only);
        self.fetch(paged(request, options.offset, options.limit))
            .await
    }

    /// `POST /subjects/{subject}`: the version of `subject` holding this schema, if any
    /// ([`Error::SubjectNotFound`](crate::Error::SubjectNotFound) or [`Error::SchemaNotFound`](crate::Error::SchemaNotFound) otherwise). `deleted` also
    /// matches soft-deleted versions. Cached.
    pub async fn lookup_schema(
        &self,
        subject: &str,
        schema: &RegisterSchemaRequest,
        normalize: bool,
        deleted: bool,
    ) -> Result<Arc<RegisteredSchema>> {
        let request = ApiRequest::new(Method::POST, subject_path(subject, &[])?)
            .flag("normalize", normalize)
            .flag("deleted", deleted)
            .json_body(schema)?;
        let key = SchemaKey {
            subject: subject.to_owned(),
            normalize,
            deleted,
            body: request.body.clone().unwrap_or_default(),
        };
        cached(
            self.caches().map(|c| &c.looked_up),
            key,
            self.fetch(request),
        )
        .await
    }

    /// `DELETE /subjects/{subject}`: soft-deletes (or with `permanent`, removes) every version;
    /// answers the versions deleted.
    pub async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        let request = ApiRequest::new(Method::DELETE, subject_path(subject, &[])?)
            .flag("permanent", permanent);
        let result = self.fetch(request).await;
        if let Some(caches) = self.caches() {
            caches.forget_subject(subject);
        }
        result
    }

    /// `GET /subjects/{subject}/metadata`: the latest version whose metadata properties contain
    /// every `(key, value)` pair.
    pub async fn get_latest_with_metadata(
        &self,
        subject: &str,
        properties: &[(&str, &str)],
        deleted: bool,
    ) -> Result<RegisteredSchema> {
        let mut request = ApiRequest::get(subject_path(subject, &["metadata"])?);
        for (key, value) in properties {
            request = request.query("key", key).query("value", value);
        }
        self.fetch(request.flag("deleted", deleted)).await
    }

    // ----- versions -----

    /// `GET /subjects/{subject}/versions`: the version numbers, ascending.
    pub async fn list_versions(
        &self,
        subject: &str,
        options: &ListVersionsOptions,
    ) -> Result<Vec<i32>> {
        let request = ApiRequest::get(subject_path(subject, &["versions"])?)
            .flag("deleted", options.deleted)
            .flag("deletedOnly", options.deleted_only)
            .flag("deletedAsNegative", options.deleted_as_negative);
        self.fetch(paged(request, options.offset, options.limit))
            .await
    }

    /// `POST /subjects/{subject}/versions`: registers a schema (or finds it already registered)
    /// and answers its id. Cached; a registration forgets the cached latest version.
    pub async fn register_schema(
        &self,
        subject: &str,
        schema: &RegisterSchemaRequest,
        normalize: bool,
    ) -> Result<Arc<RegisterResponse>> {
        let request = ApiRequest::new(Method::POST, subject_path(subject, &["versions"])?)
            .flag("normalize", normalize)
            .json_body(schema)?;
        let key = SchemaKey {
            subject: subject.to_owned(),
            normalize,
            deleted: false,
            body: request.body.clone().unwrap_or_default(),
        };
        let caches = self.caches();
        let fetch = async {
            let response = self.fetch(request).await;
            if let (Ok(_), Some(caches)) = (&response, caches) {
                caches.forget_latest(subject);
            }
            response
        };
        cached(caches.map(|c| &c.registered), key, fetch).await
    }

    /// `GET /subjects/{subject}/versions/{version}`. `deleted` allows a soft-deleted version.
    /// Numbered versions are cached without expiry; `latest` for the configured TTL.
    pub async fn get_version(
        &self,
        subject: &str,
        version: VersionId,
        deleted: bool,
    ) -> Result<Arc<RegisteredSchema>> {
        let options = GetVersionOptions {
            deleted,
            format: None,
        };
        self.get_version_with(subject, version, &options).await
    }

    /// `GET /subjects/{subject}/versions/{version}` with a schema rendering (`format`). Cached as
    /// [`get_version`](Self::get_version) is.
    pub async fn get_version_with(
        &self,
        subject: &str,
        version: VersionId,
        options: &GetVersionOptions,
    ) -> Result<Arc<RegisteredSchema>> {
        let request = ApiRequest::get(version_path(subject, version, &[])?)
            .flag("deleted", options.deleted)
            .opt("format", options.format.as_deref());
        let fetch = self.fetch(request);
        match version {
            VersionId::Latest => {
                let key = LatestKey {
                    subject: subject.to_owned(),
                    deleted: options.deleted,
                    format: options.format.clone(),
                };
                cached(self.caches().map(|c| &c.latest), key, fetch).await
            }
            VersionId::Number(number) => {
                let key = VersionKey {
                    subject: subject.to_owned(),
                    version: number,
                    deleted: options.deleted,
                    format: options.format.clone(),
                };
                cached(self.caches().map(|c| &c.versions), key, fetch).await
            }
        }
    }

    /// The latest version of a subject (see [`get_version`](Self::get_version)).
    pub async fn get_latest_version(&self, subject: &str) -> Result<Arc<RegisteredSchema>> {
        self.get_version(subject, VersionId::Latest, false).await
    }

    /// `GET /subjects/{subject}/versions/{version}/schema`: the schema text alone, as stored.
    pub async fn get_version_schema(
        &self,
        subject: &str,
        version: VersionId,
        deleted: bool,
    ) -> Result<String> {
        let request =
            ApiRequest::get(version_path(subject, version, &["schema"])?).flag("deleted", deleted);
        self.fetch_text(request).await
    }

    /// `GET /subjects/{subject}/versions/{version}/referencedby`: ids of the schemas that
    /// reference this version.
    pub async fn get_referenced_by(
        &self,
        subject: &str,
        version: VersionId,
        deleted: bool,
    ) -> Result<Vec<SchemaId>> {
        let request = ApiRequest::get(version_path(subject, version, &["referencedby"])?)
            .flag("deleted", deleted);
        self.fetch(request).await
    }

    /// `DELETE /subjects/{subject}/versions/{version}`: soft-deletes (or with `permanent`,
    /// removes) one version; answers its number.
    pub async fn delete_version(
        &self,
        subject: &str,
        version: VersionId,
        permanent: bool,
    ) -> Result<i32> {
        let request = ApiRequest::new(Method::DELETE, version_path(subject, version, &[])?)
            .flag("permanent", permanent);
        let result = self.fetch(request).await;
        if let Some(caches) = self.caches() {
            caches.forget_subject(subject);
        }
        result
    }

    // ----- schemas -----

    /// `GET /schemas`: registered schemas across subjects.
    pub async fn list_schemas(
        &self,
        options: &ListSchemasOptions,
    ) -> Result<Vec<RegisteredSchema>> {
        let request = ApiRequest::get(vec!["schemas".into()])
            .opt("subjectPrefix", options.subject_prefix.as_deref())
            .flag("deleted", options.deleted)
            .flag("latestOnly", options.latest_only);
        self.fetch(paged(request, options.offset, options.limit))
            .await
    }

    /// `GET /schemas/ids/{id}`: the schema with this id. Cached without expiry: an id never
    /// changes meaning.
    pub async fn get_schema_by_id(&self, id: SchemaId) -> Result<Arc<SchemaString>> {
        self.get_schema_by_id_with(id, &SchemaByIdOptions::default())
            .await
    }

    /// `GET /schemas/ids/{id}` with a subject hint or format. Cached unless `fetch_max_id`.
    pub async fn get_schema_by_id_with(
        &self,
        id: SchemaId,
        options: &SchemaByIdOptions,
    ) -> Result<Arc<SchemaString>> {
        let request = ApiRequest::get(id_path(id, &[]))
            .opt("subject", options.subject.as_deref())
            .opt("format", options.format.as_deref())
            .flag("fetchMaxId", options.fetch_max_id);
        let cache = if options.fetch_max_id {
            None
        } else {
            self.caches().map(|c| &c.by_id)
        };
        let key = IdKey {
            id,
            subject: options.subject.clone(),
            format: options.format.clone(),
        };
        cached(cache, key, self.fetch(request)).await
    }

    /// `GET /schemas/ids/{id}/schema`: the schema text alone.
    pub async fn get_schema_text_by_id(
        &self,
        id: SchemaId,
        subject: Option<&str>,
    ) -> Result<String> {
        let request = ApiRequest::get(id_path(id, &["schema"])).opt("subject", subject);
        self.fetch_text(request).await
    }

    /// `GET /schemas/ids/{id}/subjects`: the subjects holding the id.
    pub async fn get_subjects_by_id(
        &self,
        id: SchemaId,
        subject: Option<&str>,
        deleted: bool,
    ) -> Result<Vec<String>> {
        let request = ApiRequest::get(id_path(id, &["subjects"]))
            .opt("subject", subject)
            .flag("deleted", deleted);
        self.fetch(request).await
    }

    /// `GET /schemas/ids/{id}/versions`: the `(subject, version)` pairs holding the id.
    pub async fn get_versions_by_id(
        &self,
        id: SchemaId,
        subject: Option<&str>,
        deleted: bool,
    ) -> Result<Vec<SubjectVersion>> {
        let request = ApiRequest::get(id_path(id, &["versions"]))
            .opt("subject", subject)
            .flag("deleted", deleted);
        self.fetch(request).await
    }

    /// `GET /schemas/guids/{guid}`: the schema with this GUID (servers 8.0+).
    pub async fn get_schema_by_guid(
        &self,
        guid: &str,
        format: Option<&str>,
    ) -> Result<SchemaString> {
        let request = ApiRequest::get(vec![
            "schemas".into(),
            "guids".into(),
            segment("guid", guid)?,
        ])
        .opt("format", format);
        self.fetch(request).await
    }

    /// `GET /schemas/guids/{guid}/ids`: the id of the GUID in each context (servers 8.0+).
    pub async fn get_ids_by_guid(&self, guid: &str) -> Result<Vec<ContextId>> {
        let request = ApiRequest::get(vec![
            "schemas".into(),
            "guids".into(),
            segment("guid", guid)?,
            "ids".into(),
        ]);
        self.fetch(request).await
    }

    /// `GET /schemas/types`: the schema formats the registry supports (`AVRO`, `JSON`, ...).
    pub async fn get_schema_types(&self) -> Result<Vec<String>> {
        self.fetch(ApiRequest::get(vec!["schemas".into(), "types".into()]))
            .await
    }

    // ----- config -----

    /// `GET /config` (`subject` = `None`) or `GET /config/{subject}`. Without
    /// `default_to_global`, a subject with no configuration of its own gives
    /// [`Error::SubjectConfigNotFound`](crate::Error::SubjectConfigNotFound).
    pub async fn get_config(
        &self,
        subject: Option<&str>,
        default_to_global: bool,
    ) -> Result<Config> {
        let request =
            ApiRequest::get(scope("config", subject)?).flag("defaultToGlobal", default_to_global);
        self.fetch(request).await
    }

    /// `PUT /config[/{subject}]`: changes the configuration; answers the resulting one.
    pub async fn update_config(
        &self,
        subject: Option<&str>,
        update: &ConfigUpdate,
    ) -> Result<ConfigUpdate> {
        let request = ApiRequest::new(Method::PUT, scope("config", subject)?).json_body(update)?;
        self.fetch(request).await
    }

    /// `DELETE /config[/{subject}]`: removes the configuration; answers the previous one.
    pub async fn delete_config(&self, subject: Option<&str>) -> Result<Config> {
        self.fetch(ApiRequest::new(Method::DELETE, scope("config", subject)?))
            .await
    }

    // ----- mode -----

    /// `GET /mode[/{subject}]`. Without `default_to_global`, a subject with no mode of its own
    /// gives [`Error::SubjectModeNotFound`](crate::Error::SubjectModeNotFound).
    pub async fn get_mode(&self, subject: Option<&str>, default_to_global: bool) -> Result<Mode> {
        let request =
            ApiRequest::get(scope("mode", subject)?).flag("defaultToGlobal", default_to_global);
        Ok(self.fetch::<ModeBody>(request).await?.mode)
    }

    /// `PUT /mode[/{subject}]`. `force` switches to IMPORT even when subjects exist.
    pub async fn update_mode(
        &self,
        subject: Option<&str>,
        mode: Mode,
        force: bool,
    ) -> Result<Mode> {
        let request = ApiRequest::new(Method::PUT, scope("mode", subject)?)
            .flag("force", force)
            .json_body(&ModeBody { mode })?;
        Ok(self.fetch::<ModeBody>(request).await?.mode)
    }

    /// `DELETE /mode[/{subject}]`: removes the mode; answers the previous one. `recursive` also
    /// removes the modes of every subject of the context.
    pub async fn delete_mode(&self, subject: Option<&str>, recursive: bool) -> Result<Mode> {
        let request =
            ApiRequest::new(Method::DELETE, scope("mode", subject)?).flag("recursive", recursive);
        Ok(self.fetch::<ModeBody>(request).await?.mode)
    }

    // ----- compatibility -----

    /// `POST /compatibility/subjects/{subject}/versions[/{version}]`: whether the schema could
    /// be registered. `version` = `None` checks against every version the subject's level asks
    /// for; a version checks against that one only. `verbose` asks for the reasons.
    pub async fn check_compatibility(
        &self,
        subject: &str,
        version: Option<VersionId>,
        schema: &RegisterSchemaRequest,
        normalize: bool,
        verbose: bool,
    ) -> Result<CompatibilityCheck> {
        let mut segments = vec![
            "compatibility".to_owned(),
            "subjects".to_owned(),
            segment("subject", subject)?,
            "versions".to_owned(),
        ];
        if let Some(version) = version {
            segments.push(version.to_segment());
        }
        let request = ApiRequest::new(Method::POST, segments)
            .flag("normalize", normalize)
            .flag("verbose", verbose)
            .json_body(schema)?;
        self.fetch(request).await
    }

    // ----- contexts, root, metadata -----

    /// `GET /contexts`: the contexts, the default `.` first.
    pub async fn list_contexts(&self) -> Result<Vec<String>> {
        self.fetch(ApiRequest::get(vec!["contexts".into()])).await
    }

    /// `DELETE /contexts/{context}`: removes an empty context.
    pub async fn delete_context(&self, context: &str) -> Result<()> {
        let request = ApiRequest::new(
            Method::DELETE,
            vec!["contexts".into(), segment("context", context)?],
        );
        self.inner.transport.execute(&request).await.map(|_| ())
    }

    /// `GET /`: succeeds when a registry answers.
    pub async fn ping(&self) -> Result<()> {
        self.inner
            .transport
            .execute(&ApiRequest::get(Vec::new()))
            .await
            .map(|_| ())
    }

    /// `GET /v1/metadata/id`: the cluster ids of the registry.
    pub async fn get_cluster_id(&self) -> Result<ServerClusterId> {
        self.fetch(ApiRequest::get(vec![
            "v1".into(),
            "metadata".into(),
            "id".into(),
        ]))
        .await
    }

    /// `GET /v1/metadata/version`: the registry's version.
    pub async fn get_server_version(&self) -> Result<ServerVersion> {
        self.fetch(ApiRequest::get(vec![
            "v1".into(),
            "metadata".into(),
            "version".into(),
        ]))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SchemaType;

    fn assert_send<T: Send>(_: &T) {}

    /// Callers spawn these futures on multi-threaded runtimes: they must stay `Send`.
    #[test]
    fn futures_are_send_and_the_client_is_shareable() {
        fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
        assert_shareable::<RegistryClient>();
        let client = RegistryClient::from_url("http://localhost:1").unwrap();
        let request = RegisterSchemaRequest::new(SchemaType::Avro, "\"int\"");
        assert_send(&client.register_schema("s", &request, false));
        assert_send(&client.lookup_schema("s", &request, false, false));
        assert_send(&client.get_schema_by_id(SchemaId(1)));
        assert_send(&client.get_version("s", VersionId::Latest, false));
        assert_send(&client.check_compatibility("s", None, &request, false, true));
        assert_send(&client.delete_subject("s", false));
        assert_send(&client.update_mode(None, Mode::ReadOnly, false));
    }

    #[test]
    fn invalid_configuration_is_refused_before_any_request() {
        assert!(matches!(
            RegistryClient::from_url("localhost:8081"),
            Err(crate::Error::Config(_))
        ));
    }
}
