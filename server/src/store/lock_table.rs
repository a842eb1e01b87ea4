//! In-process write locks by subject, for a store that one process owns.
//!
//! Writes to one subject are serialized (gap-free versions, one id per content); writes to
//! different subjects run side by side. A write that reads another subject (a reference) holds
//! that subject shared, so the subject cannot be deleted under it. A scope-wide write (a mode
//! switch that purges, forgetting a context) waits for every subject write and holds them all
//! off. Subjects map onto a fixed number of stripes: two subjects on one stripe only wait for
//! each other, which is never wrong. Stripes are always taken in ascending order, so two
//! writers can never wait for each other in a cycle.

use std::sync::Arc;

use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// Stripes of subject locks.
const STRIPES: usize = 1024;

/// The locks of one process.
#[derive(Debug)]
pub struct LockTable {
    scope: Arc<RwLock<()>>,
    stripes: Box<[Arc<RwLock<()>>]>,
}

/// Held locks; dropping it releases them.
#[must_use = "the locks are released when the guard is dropped"]
#[derive(Debug)]
pub struct LockGuard {
    // Fields drop in order: stripes first, then the scope.
    _stripes: Vec<StripeGuard>,
    _scope: ScopeGuard,
}

#[derive(Debug)]
enum StripeGuard {
    Shared(#[allow(dead_code)] OwnedRwLockReadGuard<()>),
    Exclusive(#[allow(dead_code)] OwnedRwLockWriteGuard<()>),
}

#[derive(Debug)]
enum ScopeGuard {
    Shared(#[allow(dead_code)] OwnedRwLockReadGuard<()>),
    Exclusive(#[allow(dead_code)] OwnedRwLockWriteGuard<()>),
}

impl Default for LockTable {
    fn default() -> Self {
        LockTable {
            scope: Arc::new(RwLock::new(())),
            stripes: (0..STRIPES).map(|_| Arc::new(RwLock::new(()))).collect(),
        }
    }
}

fn stripe(subject: &str) -> usize {
    crate::generation::stripe(subject, STRIPES)
}

impl LockTable {
    /// Locks `written` subjects exclusively and `read` subjects shared.
    pub async fn lock(&self, written: &[&str], read: &[&str]) -> LockGuard {
        let scope = ScopeGuard::Shared(self.scope.clone().read_owned().await);
        // Ascending stripes; a stripe both written and read is written.
        let mut wanted: Vec<(usize, bool)> = written
            .iter()
            .map(|s| (stripe(s), true))
            .chain(read.iter().map(|s| (stripe(s), false)))
            .collect();
        wanted.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        wanted.dedup_by_key(|(index, _)| *index);
        let mut stripes = Vec::with_capacity(wanted.len());
        for (index, exclusive) in wanted {
            let lock = self.stripes[index].clone();
            stripes.push(if exclusive {
                StripeGuard::Exclusive(lock.write_owned().await)
            } else {
                StripeGuard::Shared(lock.read_owned().await)
            });
        }
        LockGuard {
            _stripes: stripes,
            _scope: scope,
        }
    }

    /// Waits for every subject write to finish and holds all others off.
    pub async fn lock_everything(&self) -> LockGuard {
        LockGuard {
            _stripes: Vec::new(),
            _scope: ScopeGuard::Exclusive(self.scope.clone().write_owned().await),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Whether a task is still waiting after the runtime ran everything else it could.
    async fn still_waiting(task: &tokio::task::JoinHandle<()>) -> bool {
        for _ in 0..32 {
            tokio::task::yield_now().await;
        }
        !task.is_finished()
    }

    fn other_stripe_than(subject: &str) -> String {
        (0..)
            .map(|n| format!("other-{n}"))
            .find(|s| stripe(s) != stripe(subject))
            .unwrap()
    }

    #[tokio::test(flavor = "current_thread")]
    async fn one_subject_is_written_by_one_writer_at_a_time() {
        let table = Arc::new(LockTable::default());
        let held = table.lock(&["a"], &[]).await;
        let t = table.clone();
        let waiter = tokio::spawn(async move {
            let _g = t.lock(&["a"], &[]).await;
        });
        assert!(still_waiting(&waiter).await);
        // Another subject is not held up.
        let other = other_stripe_than("a");
        let _free = table.lock(&[other.as_str()], &[]).await;
        drop(held);
        waiter.await.unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn readers_of_a_subject_share_it_and_keep_its_writers_out() {
        let table = Arc::new(LockTable::default());
        let w = other_stripe_than("ref");
        let first = table.lock(&[w.as_str()], &["ref"]).await;
        let second = table.lock(&[], &["ref"]).await;
        let t = table.clone();
        let writer = tokio::spawn(async move {
            let _g = t.lock(&["ref"], &[]).await;
        });
        assert!(still_waiting(&writer).await);
        drop(first);
        assert!(still_waiting(&writer).await);
        drop(second);
        writer.await.unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_scope_wide_write_waits_for_subject_writes_and_holds_them_off() {
        let table = Arc::new(LockTable::default());
        let held = table.lock(&["a"], &[]).await;
        let t = table.clone();
        let everything = tokio::spawn(async move {
            let _g = t.lock_everything().await;
        });
        assert!(still_waiting(&everything).await);
        drop(held);
        everything.await.unwrap();
        let all = table.lock_everything().await;
        let t = table.clone();
        let subject = tokio::spawn(async move {
            let _g = t.lock(&["b"], &[]).await;
        });
        assert!(still_waiting(&subject).await);
        drop(all);
        subject.await.unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_subject_both_written_and_read_is_locked_once() {
        let table = LockTable::default();
        // Would deadlock if the stripe were taken twice.
        let _g = table.lock(&["a", "a"], &["a"]).await;
    }
}
