//! [`VecMap`]: an ordered map in a sorted `Vec`, for the core's small maps (BOSH requests in
//! flight, rooms, occupants, queries).
//!
//! Why not `BTreeMap`: every distinct `BTreeMap<K, V>` instantiates the whole B-tree (node
//! splitting, merging, navigation: ~4 KB of WebAssembly per key/value pair), and these maps hold
//! a handful of entries (a room holds at most a thousand occupants). A sorted `Vec` with binary
//! search costs a few hundred bytes per instantiation, iterates in key order as `BTreeMap` does,
//! and is as fast at these sizes.

use std::borrow::Borrow;
use std::cmp::Ordering;

/// A map from `K` to `V`, iterated in key order. Lookups are `O(log n)`, inserts and removals
/// `O(n)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VecMap<K, V> {
    /// Sorted by key, keys unique.
    entries: Vec<(K, V)>,
}

/// Binary search over `0..len` by `cmp(i)` (the entry at `i` against the key sought): where the
/// key is (`Ok`) or would go (`Err`). Not generic, so every map shares one copy of the search
/// (`binary_search_by` was instantiated once per key/value pair).
fn bsearch(len: usize, cmp: &mut dyn FnMut(usize) -> Ordering) -> Result<usize, usize> {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match cmp(mid) {
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Ok(mid),
        }
    }
    Err(lo)
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> VecMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        VecMap::default()
    }

    /// Where `key` is (`Ok`) or would go (`Err`).
    fn search<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        bsearch(self.entries.len(), &mut |i| self.entries[i].0.borrow().cmp(key))
    }

    /// The value under `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let i = self.search(key).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let i = self.search(key).ok()?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.search(key).is_ok()
    }

    /// Sets `key` to `value`, dropping the value it replaces. Returns nothing: no caller wants the
    /// old value, and handing it back cost each caller an `Option<V>` and its drop.
    pub fn insert(&mut self, key: K, value: V) {
        match self.search(&key) {
            Ok(i) => self.entries[i].1 = value,
            Err(i) => self.entries.insert(i, (key, value)),
        }
    }

    /// Removes `key`; its value, if it had one.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let i = self.search(key).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The entries with mutable values, in key order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values, mutably, in key order.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_unique_and_sorted() {
        let mut m = VecMap::new();
        m.insert("b".to_owned(), 2);
        m.insert("a".to_owned(), 1);
        m.insert("c".to_owned(), 3);
        assert_eq!(m.get("b"), Some(&2));
        m.insert("b".to_owned(), 20);
        assert_eq!(m.keys().map(String::as_str).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [1, 20, 3]);
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn looks_up_by_borrowed_key_and_removes() {
        let mut m: VecMap<String, u32> = VecMap::new();
        m.insert("x".into(), 1);
        m.insert("y".into(), 2);
        assert_eq!(m.get("x"), Some(&1));
        assert!(m.contains_key("y") && !m.contains_key("z"));
        *m.get_mut("y").unwrap() += 10;
        assert_eq!(m.remove("y"), Some(12));
        assert_eq!(m.remove("y"), None);
        assert_eq!(m.get("q"), None);
        m.insert("z".into(), 3);
        assert_eq!(m.iter().collect::<Vec<_>>(), [(&"x".to_owned(), &1), (&"z".to_owned(), &3)]);
        m.values_mut().for_each(|v| *v += 1);
        m.iter_mut().for_each(|(_, v)| *v *= 2);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [4, 8]);
        m.clear();
        assert!(m.is_empty());
    }
}
