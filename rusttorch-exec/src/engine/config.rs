//! [`EngineConfig`]: the engine's settings and their measured defaults.

use rusttorch_ir::fusion::FusionConfig;

/// Default elements per block of kernels with reductions: 1024 f32 = 4 KiB per register, so a
/// kernel's live registers stay in L1/L2 (see docs/architecture.md for the measurements).
pub const DEFAULT_BLOCK: usize = 1024;

/// Default elements per block of purely elementwise kernels, counted in 4-byte elements (2 KiB
/// per register; 8-byte types get half as many): W1 and W2 measured fastest there, 1.1-1.3x
/// faster than 128 or 1024 (docs/architecture.md).
pub const DEFAULT_MAP_BLOCK: usize = 512;

/// Engine settings.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Worker threads (its own rayon pool).
    pub threads: usize,
    /// Elements per block (kernels with reductions, matmul epilogues, tiles).
    pub block: usize,
    /// Elements per block of purely elementwise kernels, for 4-byte types; scaled to the same
    /// bytes for other widths (256 f64 for 512).
    pub map_block: usize,
    /// Fusion knobs.
    pub fusion: FusionConfig,
    /// Plans kept in the cache (least recently used evicted first).
    pub cache_capacity: usize,
    /// Graph nodes kept in the cache over all its plans: a program building ever new large
    /// graphs holds at most this many nodes' plans (a few hundred bytes a node).
    pub cache_nodes: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            block: DEFAULT_BLOCK,
            map_block: DEFAULT_MAP_BLOCK,
            fusion: FusionConfig::default(),
            cache_capacity: 256,
            cache_nodes: 1 << 20,
        }
    }
}
