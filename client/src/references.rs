//! Fetching the schemas a schema references, for the schema engine.
//!
//! The engine resolves references synchronously through a [`ReferenceResolver`]; the registry is
//! asynchronous. So the client fetches the whole reference graph first, and the engine then
//! reads it from memory.

use std::collections::{HashMap, VecDeque};

use strata_schema::{ReferenceResolver, ResolvedReference, SchemaError, SchemaReference};

use crate::types::VersionId;
use crate::{Error, RegistryClient, Result};

/// The referenced schemas of a schema, fetched from a registry; a [`ReferenceResolver`].
#[derive(Debug, Clone, Default)]
pub struct ResolvedReferences {
    schemas: HashMap<(String, i32), ResolvedReference>,
}

impl ResolvedReferences {
    /// The most `(subject, version)` pairs one resolution fetches: a bigger graph is refused
    /// rather than followed without end.
    pub const MAX_REFERENCES: usize = 1000;

    /// How many distinct referenced schemas were fetched.
    pub fn len(&self) -> usize {
        self.schemas.len()
    }

    /// Whether nothing is referenced.
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
    }
}

impl ReferenceResolver for ResolvedReferences {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        self.schemas
            .get(&(reference.subject.clone(), reference.version))
            .cloned()
            .ok_or_else(|| SchemaError::ReferenceNotFound {
                subject: reference.subject.clone(),
                version: reference.version,
            })
    }
}

impl RegistryClient {
    /// Fetches every schema reachable from `references` (transitively, each `(subject, version)`
    /// once, cycles included), soft-deleted versions allowed as Confluent's serializers allow
    /// them. Version `-1` means the latest version. Numbered versions come from the cache when
    /// they are in it.
    pub async fn resolve_references(
        &self,
        references: &[SchemaReference],
    ) -> Result<ResolvedReferences> {
        let mut resolved = ResolvedReferences::default();
        let mut queue: VecDeque<SchemaReference> = references.iter().cloned().collect();
        while let Some(reference) = queue.pop_front() {
            let key = (reference.subject.clone(), reference.version);
            if resolved.schemas.contains_key(&key) {
                continue;
            }
            if resolved.schemas.len() >= ResolvedReferences::MAX_REFERENCES {
                return Err(Error::InvalidArgument(format!(
                    "the schema references more than {} schemas",
                    ResolvedReferences::MAX_REFERENCES
                )));
            }
            let version = if reference.version == -1 {
                VersionId::Latest
            } else {
                VersionId::Number(reference.version)
            };
            let found = self.get_version(&reference.subject, version, true).await?;
            queue.extend(found.references.iter().cloned());
            resolved.schemas.insert(
                key,
                ResolvedReference {
                    schema_type: found.schema_type,
                    schema: found.schema.clone(),
                    references: found.references.clone(),
                },
            );
        }
        Ok(resolved)
    }
}
