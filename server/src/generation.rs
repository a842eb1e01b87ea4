//! What keeps a cache from holding a value read before a write that invalidated it.

use std::hash::{DefaultHasher, Hash, Hasher};

/// A counter of invalidations: a value read from the store while it did not move may be cached.
///
/// The check and the insert happen under one lock, and so do the move and the invalidation, so
/// a value read before an invalidating write can never be cached after it.
#[derive(Debug, Default)]
pub(crate) struct Generation(std::sync::Mutex<u64>);

impl Generation {
    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The count now: read it before reading the store.
    pub(crate) fn current(&self) -> u64 {
        *self.lock()
    }

    /// Runs `insert` only if nothing was invalidated since `generation` was read.
    pub(crate) fn fill(&self, generation: u64, insert: impl FnOnce()) {
        let current = self.lock();
        if *current == generation {
            insert();
        }
    }

    /// Moves the counter and runs `invalidate`, atomically with respect to [`Generation::fill`].
    pub(crate) fn advance(&self, invalidate: impl FnOnce()) {
        let mut current = self.lock();
        *current += 1;
        invalidate();
    }
}

/// The stripe of `key` among `count`: the same key always lands on the same stripe.
pub(crate) fn stripe(key: &str, count: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    // The remainder is below `count`, a usize.
    usize::try_from(hasher.finish() % count as u64).unwrap_or(0)
}
