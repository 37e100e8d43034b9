//! The planner's hash maps and sets. They hash with a fixed seed, so iteration order (and with
//! it every choice that follows from it: input slots, register numbers, donors, merge order)
//! is the same in every process: a plan printed twice is the same text, and snapshots hold.
//! Keys are node and value ids, never addresses, so a fixed seed leaks nothing.

/// A hash map with the planner's fixed hasher; build one with `HashMap::default()`.
pub type HashMap<K, V> = hashbrown::HashMap<K, V, foldhash::fast::FixedState>;
/// A hash set with the planner's fixed hasher; build one with `HashSet::default()`.
pub type HashSet<K> = hashbrown::HashSet<K, foldhash::fast::FixedState>;
