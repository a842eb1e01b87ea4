//! The iteration order of Java's `HashMap`/`HashSet` over strings.
//!
//! Confluent's JSON Schema diff walks property names through several hash maps (org.json's
//! `JSONObject`, everit's schema builders, a `HashSet` of both sides' names), so the order of its
//! messages is the hash order, not the document order. Reproducing it keeps multi-message answers
//! byte-identical.

/// `String.hashCode()`.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// `HashMap.hash()`: the high half folded into the low half.
fn spread(s: &str) -> u32 {
    let h = java_hash(s) as u32;
    h ^ (h >> 16)
}

/// A simulated `HashMap<String, _>` key set.
pub(crate) struct JavaHashSet {
    table: Vec<Vec<String>>,
    /// Membership, kept apart so that colliding names cost no linear scans.
    members: std::collections::HashSet<String>,
    size: usize,
    threshold: usize,
}

impl JavaHashSet {
    /// `new HashMap<>(initial_capacity)`.
    pub(crate) fn with_capacity(initial_capacity: usize) -> Self {
        let capacity = initial_capacity.max(1).next_power_of_two();
        JavaHashSet {
            table: vec![Vec::new(); capacity],
            members: std::collections::HashSet::new(),
            size: 0,
            threshold: capacity * 3 / 4,
        }
    }

    /// `new HashMap<>()`.
    pub(crate) fn new() -> Self {
        Self::with_capacity(16)
    }

    /// `new HashSet<>(collection)`, sized as Java sizes it, then filled in `keys` order.
    pub(crate) fn from_collection(keys: &[String]) -> Self {
        let capacity = ((keys.len() as f32 / 0.75) as usize + 1).max(16);
        let mut set = Self::with_capacity(capacity);
        for key in keys {
            set.insert(key);
        }
        set
    }

    pub(crate) fn insert(&mut self, key: &str) {
        if !self.members.insert(key.to_owned()) {
            return;
        }
        let mask = self.table.len() - 1;
        self.table[(spread(key) as usize) & mask].push(key.to_owned());
        self.size += 1;
        if self.size > self.threshold {
            self.resize();
        }
    }

    fn resize(&mut self) {
        let old = std::mem::take(&mut self.table);
        let capacity = old.len() * 2;
        self.table = vec![Vec::new(); capacity];
        self.threshold = capacity * 3 / 4;
        for bucket in old {
            for key in bucket {
                let index = (spread(&key) as usize) & (capacity - 1);
                self.table[index].push(key);
            }
        }
    }

    /// The keys in iteration order.
    pub(crate) fn keys(&self) -> Vec<String> {
        self.table.iter().flatten().cloned().collect()
    }
}

/// The order of keys inserted in `keys` order into a default `HashMap`.
pub(crate) fn hash_map_order(keys: &[String]) -> Vec<String> {
    let mut set = JavaHashSet::new();
    for key in keys {
        set.insert(key);
    }
    set.keys()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_codes_match_java() {
        assert_eq!(java_hash(""), 0);
        assert_eq!(java_hash("a"), 97);
        assert_eq!(java_hash("hello"), 99162322);
        // "Aa" and "BB" collide in Java.
        assert_eq!(java_hash("Aa"), java_hash("BB"));
    }

    #[test]
    fn iteration_follows_buckets_then_insertion() {
        let keys: Vec<String> = ["b", "a", "BB", "Aa"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // "a" = 97 -> bucket 1, "b" = 98 -> bucket 2, "Aa"/"BB" = 2112 -> bucket 0 in insertion order.
        assert_eq!(hash_map_order(&keys), vec!["BB", "Aa", "a", "b"]);
    }

    #[test]
    fn resizing_keeps_every_key() {
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let order = hash_map_order(&keys);
        assert_eq!(order.len(), 100);
        let mut sorted = order.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 100);
    }
}
