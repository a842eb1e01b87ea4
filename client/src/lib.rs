//! A typed async client of the Confluent Schema Registry REST API (and of Strata, which speaks
//! it): every route, Confluent's error codes as matchable [`Error`] variants, caches, retries
//! with backoff, failover between registry URLs, basic and bearer auth, TLS with custom CAs and
//! client certificates.
//!
//! ```no_run
//! use strata_client::{ClientConfig, Error, RegisterSchemaRequest, RegistryClient, SchemaType};
//!
//! # async fn example() -> Result<(), Error> {
//! let client = RegistryClient::new(ClientConfig::with_urls([
//!     "http://registry-1:8081",
//!     "http://registry-2:8081",
//! ]))?;
//! let schema = RegisterSchemaRequest::new(SchemaType::Avro, r#"{"type":"string"}"#);
//! let registered = client.register_schema("orders-value", &schema, false).await?;
//! let fetched = client.get_schema_by_id(registered.id).await?; // cached from now on
//! assert_eq!(fetched.schema_type, SchemaType::Avro);
//! match client.get_latest_version("missing").await {
//!     Err(Error::SubjectNotFound { message }) => eprintln!("{message}"),
//!     other => println!("{other:?}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Subjects are sent as single percent-encoded path segments, so any subject (with `/`, `%`,
//! `?`, spaces or non-ASCII characters) works, except the empty string, `.` and `..`, which no
//! URL can carry and which the client refuses with [`Error::InvalidArgument`].

mod cache;
mod client;
mod config;
mod error;
mod references;
mod transport;
mod types;

pub use client::{
    GetVersionOptions, ListSchemasOptions, ListSubjectsOptions, ListVersionsOptions,
    RegistryClient, SchemaByIdOptions,
};
pub use config::{Auth, CacheConfig, ClientConfig, RetryConfig, TlsConfig};
pub use error::{Error, Result, TransportErrorKind};
pub use references::ResolvedReferences;
pub use strata_schema::{
    CompatibilityLevel, Metadata, ReferenceResolver, ResolvedReference, Rule, RuleSet,
    SchemaReference, SchemaType,
};
pub use types::{
    CompatibilityCheck, Config, ConfigUpdate, ContextId, Mode, RegisterResponse,
    RegisterSchemaRequest, RegisteredSchema, SchemaId, SchemaString, ServerClusterId, ServerScope,
    ServerVersion, SubjectVersion, VersionId,
};
