//! Response caches.
//!
//! Only successful answers are cached: `try_get_with` stores nothing when the fetch fails, so a
//! transport failure or a 404 is asked again next time. Concurrent misses on one key share one
//! request.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use moka::future::Cache;

use crate::config::CacheConfig;
use crate::types::{RegisterResponse, RegisteredSchema, SchemaId, SchemaString};
use crate::Result;

/// `GET /schemas/ids/{id}` with the query parameters that change the answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct IdKey {
    pub(crate) id: SchemaId,
    pub(crate) subject: Option<String>,
    pub(crate) format: Option<String>,
}

/// A schema (the serialized request body) under a subject, for register and lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SchemaKey {
    pub(crate) subject: String,
    pub(crate) normalize: bool,
    pub(crate) deleted: bool,
    pub(crate) body: Vec<u8>,
}

/// A numbered version of a subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct VersionKey {
    pub(crate) subject: String,
    pub(crate) version: i32,
    pub(crate) deleted: bool,
    pub(crate) format: Option<String>,
}

/// The latest version of a subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct LatestKey {
    pub(crate) subject: String,
    pub(crate) deleted: bool,
    pub(crate) format: Option<String>,
}

fn size(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

pub(crate) struct Caches {
    /// Ids never change meaning: no expiry, bounded by bytes.
    pub(crate) by_id: Cache<IdKey, Arc<SchemaString>>,
    pub(crate) registered: Cache<SchemaKey, Arc<RegisterResponse>>,
    pub(crate) looked_up: Cache<SchemaKey, Arc<RegisteredSchema>>,
    pub(crate) versions: Cache<VersionKey, Arc<RegisteredSchema>>,
    /// Anyone may register a new version at any time: expires after the configured TTL.
    pub(crate) latest: Cache<LatestKey, Arc<RegisteredSchema>>,
}

impl Caches {
    pub(crate) fn new(config: &CacheConfig) -> Option<Caches> {
        if !config.enabled {
            return None;
        }
        let bytes = config.max_bytes_per_cache;
        Some(Caches {
            by_id: Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &IdKey, value: &Arc<SchemaString>| {
                    value.weight().saturating_add(size(
                        key.subject.as_ref().map_or(0, String::len)
                            + key.format.as_ref().map_or(0, String::len),
                    ))
                })
                .build(),
            registered: Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &SchemaKey, value: &Arc<RegisterResponse>| {
                    size(
                        key.body.len()
                            + key.subject.len()
                            + value.schema.as_ref().map_or(0, String::len)
                            + 64,
                    )
                })
                .support_invalidation_closures()
                .build(),
            looked_up: Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &SchemaKey, value: &Arc<RegisteredSchema>| {
                    value
                        .weight()
                        .saturating_add(size(key.body.len() + key.subject.len()))
                })
                .support_invalidation_closures()
                .build(),
            versions: Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &VersionKey, value: &Arc<RegisteredSchema>| {
                    value.weight().saturating_add(size(
                        key.subject.len() + key.format.as_ref().map_or(0, String::len),
                    ))
                })
                .support_invalidation_closures()
                .build(),
            latest: Cache::builder()
                .max_capacity(bytes)
                .weigher(|key: &LatestKey, value: &Arc<RegisteredSchema>| {
                    value.weight().saturating_add(size(
                        key.subject.len() + key.format.as_ref().map_or(0, String::len),
                    ))
                })
                .time_to_live(config.latest_ttl)
                .support_invalidation_closures()
                .build(),
        })
    }

    /// Forgets the latest version of a subject (after a registration).
    pub(crate) fn forget_latest(&self, subject: &str) {
        let owned = subject.to_owned();
        // Built with invalidation closures, so registering the predicate cannot fail.
        let _ = self
            .latest
            .invalidate_entries_if(move |key, _| key.subject == owned);
    }

    /// Forgets everything known about a subject (after a delete).
    pub(crate) fn forget_subject(&self, subject: &str) {
        self.forget_latest(subject);
        let owned = subject.to_owned();
        let _ = self
            .versions
            .invalidate_entries_if(move |key, _| key.subject == owned);
        let owned = subject.to_owned();
        let _ = self
            .looked_up
            .invalidate_entries_if(move |key, _| key.subject == owned);
        let owned = subject.to_owned();
        let _ = self
            .registered
            .invalidate_entries_if(move |key, _| key.subject == owned);
    }

    pub(crate) fn clear(&self) {
        self.by_id.invalidate_all();
        self.registered.invalidate_all();
        self.looked_up.invalidate_all();
        self.versions.invalidate_all();
        self.latest.invalidate_all();
    }
}

/// Answers from `cache` when it holds `key`, otherwise runs `fetch` once for all concurrent
/// callers and caches its success. Without a cache, just fetches.
pub(crate) async fn cached<K, V, F>(
    cache: Option<&Cache<K, Arc<V>>>,
    key: K,
    fetch: F,
) -> Result<Arc<V>>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
    F: Future<Output = Result<V>>,
{
    match cache {
        Some(cache) => cache
            .try_get_with(key, async { fetch.await.map(Arc::new) })
            .await
            .map_err(Arc::unwrap_or_clone),
        None => fetch.await.map(Arc::new),
    }
}
