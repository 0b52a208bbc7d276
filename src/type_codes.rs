//! Codes per type, looked up for many values at once: the passes over a namespace's values and
//! its containers' elements that the stale-name detection makes after a reload
//! (`python/liveimport/_stale.py`, `_type_codes.py`; issue 18).
//!
//! A value is seen here only through the key of its type (the pyo3 binding's key: the type
//! object's address, valid while the values are alive and no Python code runs). What a code
//! means is Python's: `_stale` judges each type the first time it is met and gives it a small
//! code (0 to 255). So a pass either gives every value's code, or names the types met that have
//! none yet ([`Unjudged`]); the caller judges those and runs the pass again. No pass stops
//! early: every type among the values looked at is judged, as `_type_codes.TypeCodes.look_up`
//! does, so `TypeCodes.having(code)` lists the same types whichever implementation ran.

use crate::key_groups::KeyGroups;
use indexmap::IndexSet;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::Hash;

/// A set of codes (the codes a pass looks for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSet([bool; 256]);

impl CodeSet {
    /// Whether `code` is in the set.
    pub fn contains(&self, code: u8) -> bool {
        self.0[usize::from(code)]
    }
}

impl From<&[u8]> for CodeSet {
    fn from(codes: &[u8]) -> Self {
        let mut set = [false; 256];
        for &code in codes {
            set[usize::from(code)] = true;
        }
        Self(set)
    }
}

/// The positions of each code of `wanted` in `codes`: one list per entry of `wanted`, in that
/// order, each ascending (`_type_codes.positions`: the values of a namespace grouped
/// by what their type means). A code listed twice gets its positions in the first list only.
pub fn positions(codes: &[u8], wanted: &[u8]) -> Vec<Vec<usize>> {
    let mut slot = [usize::MAX; 256];
    for (index, &code) in wanted.iter().enumerate().rev() {
        slot[usize::from(code)] = index;
    }
    let mut groups = vec![Vec::new(); wanted.len()];
    for (position, &code) in codes.iter().enumerate() {
        if let Some(group) = groups.get_mut(slot[usize::from(code)]) {
            group.push(position);
        }
    }
    groups
}

/// The types met in a pass that have no code yet, distinct, in the order first met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unjudged<K>(pub Vec<K>);

/// A code per type key.
#[derive(Debug, Clone)]
pub struct CodeTable<K> {
    codes: FxHashMap<K, u8>,
}

impl<K: Copy + Eq + Hash> Default for CodeTable<K> {
    fn default() -> Self {
        Self { codes: FxHashMap::default() }
    }
}

impl<K: Copy + Eq + Hash> FromIterator<(K, u8)> for CodeTable<K> {
    fn from_iter<I: IntoIterator<Item = (K, u8)>>(entries: I) -> Self {
        Self { codes: entries.into_iter().collect() }
    }
}

/// Looks codes up with the last key's code kept: the values of a container are often of one
/// type in a row.
struct Cursor<'t, K> {
    table: &'t FxHashMap<K, u8>,
    last: Option<(K, Option<u8>)>,
}

impl<K: Copy + Eq + Hash> Cursor<'_, K> {
    fn code(&mut self, key: K) -> Option<u8> {
        match self.last {
            Some((last, code)) if last == key => code,
            _ => {
                let code = self.table.get(&key).copied();
                self.last = Some((key, code));
                code
            }
        }
    }
}

/// The keys without a code met in a pass, each once, in the order first met (a namespace may
/// hold thousands of types the first time it is looked at).
type Met<K> = IndexSet<K, FxBuildHasher>;

/// A pass's result: `found` when every key met had a code, else the keys that had none.
fn finish<K, T>(found: T, unjudged: Met<K>) -> Result<T, Unjudged<K>> {
    if unjudged.is_empty() {
        Ok(found)
    } else {
        Err(Unjudged(unjudged.into_iter().collect()))
    }
}

impl<K: Copy + Eq + Hash> CodeTable<K> {
    /// Gives `key` the code `code` (a judged type).
    pub fn insert(&mut self, key: K, code: u8) {
        self.codes.insert(key, code);
    }

    /// The code of `key`, if judged.
    pub fn get(&self, key: K) -> Option<u8> {
        self.codes.get(&key).copied()
    }

    /// How many types have a code.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether no type has a code.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    fn cursor(&self) -> Cursor<'_, K> {
        Cursor { table: &self.codes, last: None }
    }

    /// The code of each key, in order (`_type_codes.TypeCodes.look_up`), each distinct key looked
    /// up once: the keys are grouped ([`KeyGroups`]) and the groups looked up; those without a
    /// code are [`Codes::unjudged`]. The caller judges them, [`insert`](Self::insert)s their
    /// codes, and gets every key's with [`Codes::finish`], without passing the keys again.
    pub fn codes(&self, keys: impl IntoIterator<Item = K>) -> Codes<K> {
        let groups = KeyGroups::new(keys);
        let found = groups.keys().map(|key| self.get(key)).collect();
        Codes { groups, found }
    }

    /// The elements whose key's code is in `wanted` among the first `limit` of each container, as
    /// `(container position, element)` pairs in order (`_containers.flagged_elements`: the elements
    /// of the containers found holding one that may be stale). Each container is given as its
    /// elements, each with its key, in the order the limit counts them.
    ///
    /// # Errors
    /// [`Unjudged`]: the keys without a code met (then no elements are given).
    pub fn elements_with<T, C: IntoIterator<Item = (K, T)>>(
        &self,
        containers: impl IntoIterator<Item = C>,
        wanted: &CodeSet,
        limit: usize,
    ) -> Result<Vec<(usize, T)>, Unjudged<K>> {
        let mut found = Vec::new();
        let mut unjudged = Met::default();
        let mut cursor = self.cursor();
        for (position, elements) in containers.into_iter().enumerate() {
            for (key, element) in elements.into_iter().take(limit) {
                match cursor.code(key) {
                    Some(known) if wanted.contains(known) => found.push((position, element)),
                    Some(_) => {}
                    None => {
                        unjudged.insert(key);
                    }
                }
            }
        }
        finish(found, unjudged)
    }

    /// The containers that have, among their first `limit` elements' keys, one whose code is in
    /// `wanted` (`_containers.holding`: the containers holding a value that may be stale). Each
    /// container is given as its elements' keys, in the order the limit counts them (a list's
    /// order, a dict's values in insertion order). Every key met is looked up, after a hit
    /// too, so that every type met is judged.
    ///
    /// Returns the positions found (complete when no key met was unjudged); else the caller
    /// judges [`Holding::unjudged`] and passes the [`Holding::undecided`] containers again.
    pub fn holding<C: IntoIterator<Item = K>>(
        &self,
        containers: impl IntoIterator<Item = C>,
        wanted: &CodeSet,
        limit: usize,
    ) -> Holding<K> {
        let mut positions = Vec::new();
        let mut undecided = Vec::new();
        let mut met = Met::default();
        let mut cursor = self.cursor();
        for (position, elements) in containers.into_iter().enumerate() {
            let mut holds = false;
            let mut unjudged = false;
            for key in elements.into_iter().take(limit) {
                match cursor.code(key) {
                    Some(known) => holds |= wanted.contains(known),
                    None => {
                        unjudged = true;
                        met.insert(key);
                    }
                }
            }
            if holds {
                positions.push(position);
            } else if unjudged {
                undecided.push(position);
            }
        }
        Holding { positions, undecided, unjudged: Unjudged(met.into_iter().collect()) }
    }
}

/// The keys of a [`CodeTable::codes`] look-up, grouped, with the codes found.
#[derive(Debug, Clone)]
pub struct Codes<K> {
    groups: KeyGroups<K>,
    found: Vec<Option<u8>>,
}

impl<K: Copy + Eq + Hash> Codes<K> {
    /// The distinct keys that had no code, in the order first met.
    pub fn unjudged(&self) -> Unjudged<K> {
        Unjudged(self.groups.keys().zip(&self.found).filter(|(_, code)| code.is_none()).map(|(key, _)| key).collect())
    }

    /// Each key's code, in order: those found, else `table`'s now (after judging).
    ///
    /// # Errors
    /// [`Unjudged`]: the keys `table` still has no code for (then no codes are given).
    pub fn finish(self, table: &CodeTable<K>) -> Result<Vec<u8>, Unjudged<K>> {
        let mut missing = Vec::new();
        let codes: Vec<u8> = self
            .groups
            .keys()
            .zip(&self.found)
            .map(|(key, &code)| {
                code.or_else(|| table.get(key)).unwrap_or_else(|| {
                    missing.push(key);
                    0
                })
            })
            .collect();
        if !missing.is_empty() {
            return Err(Unjudged(missing));
        }
        Ok(self.groups.spread(&codes).unwrap_or_default())
    }
}

/// What a [`CodeTable::holding`] pass found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding<K> {
    /// The positions, in order, of the containers found holding an element of a wanted code.
    pub positions: Vec<usize>,
    /// The positions, in order, of the other containers that met a key without a code: each
    /// is decided once those keys are judged.
    pub undecided: Vec<usize>,
    /// The keys without a code met (the containers' other elements were all looked up).
    pub unjudged: Unjudged<K>,
}

#[cfg(test)]
#[path = "type_codes_tests.rs"]
mod tests;
