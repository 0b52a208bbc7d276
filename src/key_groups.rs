//! Items grouped by a key, so that each distinct key is judged once: the stale-name detection
//! judges a namespace's instances by their type, its functions by themselves, its bound methods
//! by their owner's class and function (`python/liveimport/_stale.py`, `_origins`; issue 18),
//! and a namespace of 10,000 names has a handful of distinct keys.
//!
//! What a key means and how it is judged is the caller's: here are the grouping
//! ([`KeyGroups::new`]) and the pairing of each item with its group's verdict
//! ([`KeyGroups::judged`]).

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;
use std::hash::{BuildHasher, Hash};

/// How many groups [`KeyGroups::new`] keeps at hand (a power of two).
const RECENT: usize = 64;

/// The distinct keys of a sequence of items, in the order first met, and each item's group.
#[derive(Debug, Clone)]
pub struct KeyGroups<K> {
    keys: IndexSet<K, FxBuildHasher>,
    firsts: Vec<usize>,
    group_of: Vec<usize>,
}

impl<K: Copy + Eq + Hash> KeyGroups<K> {
    /// Groups `keys`, one per item, in item order.
    pub fn new(keys: impl IntoIterator<Item = K>) -> Self {
        let keys = keys.into_iter();
        let mut groups = Self { keys: IndexSet::default(), firsts: Vec::new(), group_of: Vec::with_capacity(keys.size_hint().0) };
        // The groups of keys met lately, by their hash's low bits: a namespace's values have few
        // distinct types, and an array slot is read faster than the set is searched.
        let mut recent: [Option<(K, usize)>; RECENT] = [None; RECENT];
        let hasher = FxBuildHasher;
        for (item, key) in keys.enumerate() {
            let slot = hasher.hash_one(key) as usize % RECENT;
            let group = match recent[slot] {
                Some((recent_key, group)) if recent_key == key => group,
                _ => {
                    let (group, new) = groups.keys.insert_full(key);
                    if new {
                        groups.firsts.push(item);
                    }
                    recent[slot] = Some((key, group));
                    group
                }
            };
            groups.group_of.push(group);
        }
        groups
    }

    /// The distinct keys, in the order first met.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = K> + '_ {
        self.keys.iter().copied()
    }

    /// The first item of each group (its representative: the item to judge), in group order.
    pub fn firsts(&self) -> &[usize] {
        &self.firsts
    }

    /// How many items were grouped.
    pub fn items(&self) -> usize {
        self.group_of.len()
    }

    /// Each item's group's value (`per_group`, one per group in group order), in item order;
    /// `None` when a group has no entry in `per_group`.
    pub fn spread<V: Copy>(&self, per_group: &[V]) -> Option<Vec<V>> {
        self.group_of.iter().map(|&group| per_group.get(group).copied()).collect()
    }

    /// `(item, verdict)` for each item whose group's verdict (`verdicts`, one per group in
    /// group order) is `Some`, in item order. A group without an entry in `verdicts` has none.
    pub fn judged<V: Clone>(&self, verdicts: &[Option<V>]) -> Vec<(usize, V)> {
        self.group_of
            .iter()
            .enumerate()
            .filter_map(|(item, &group)| verdicts.get(group).cloned().flatten().map(|verdict| (item, verdict)))
            .collect()
    }
}

#[cfg(test)]
#[path = "key_groups_tests.rs"]
mod tests;
