//! [`EngineConfig`]: the engine's settings and their measured defaults.

use crate::jit::JitMode;
use rusttorch_ir::fusion::FusionConfig;

/// Elements per block of kernels with reductions where the L1 data cache is unknown (what
/// [`blocks_for_l1`] gives for 32 KiB): 1024 f32 = 4 KiB per register, so a kernel's live
/// registers stay in L1/L2 (see docs/architecture.md for the measurements).
pub const DEFAULT_BLOCK: usize = 1024;

/// Elements per block of purely elementwise kernels where the L1 data cache is unknown (what
/// [`blocks_for_l1`] gives for 32 KiB), counted in 4-byte elements (2 KiB per register; 8-byte
/// types get half as many): W1 and W2 measured fastest there on a 32 KiB L1d, 1.1-1.3x faster
/// than 128 or 1024 (docs/architecture.md).
pub const DEFAULT_MAP_BLOCK: usize = 512;

/// `(block, map_block)` for an L1 data cache of `l1d` bytes: an elementwise kernel's block
/// registers (up to 16 of them live, 4-byte elements) fill the L1d, and kernels with reductions
/// take blocks twice as long. The measured optimum on a 32 KiB L1d (512 and 1024) is the rule's
/// value there; other caches scale it, in multiples of 64 elements (a whole number of vectors at
/// any width).
pub fn blocks_for_l1(l1d: usize) -> (usize, usize) {
    let map = (l1d / 64).clamp(128, 4096) / 64 * 64;
    (2 * map, map)
}

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
    /// When elementwise kernels are compiled (`RUSTTORCH_JIT`; see [`crate::jit`]).
    pub jit: JitMode,
}

impl Default for EngineConfig {
    fn default() -> Self {
        let (block, map_block) = l1_data_cache_bytes().map_or((DEFAULT_BLOCK, DEFAULT_MAP_BLOCK), blocks_for_l1);
        EngineConfig {
            threads: threads_from_env()
                .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
            block,
            map_block,
            fusion: FusionConfig {
                stream_min_bytes: last_level_cache_bytes().unwrap_or(FusionConfig::default().stream_min_bytes),
                ..FusionConfig::default()
            },
            cache_capacity: 256,
            cache_nodes: 1 << 20,
            jit: JitMode::from_env(),
        }
    }
}

/// The size of the largest data cache the CPU reports (its last level), read from Linux's sysfs;
/// `None` elsewhere or when it cannot be read.
pub fn last_level_cache_bytes() -> Option<usize> {
    data_caches().into_iter().map(|(_, size)| size).max()
}

/// The size of the level-1 data cache the CPU reports (sysfs); `None` elsewhere.
pub fn l1_data_cache_bytes() -> Option<usize> {
    data_caches().into_iter().find(|&(level, _)| level == 1).map(|(_, size)| size)
}

/// `(level, bytes)` of each data (or unified) cache of cpu0, from Linux's sysfs.
fn data_caches() -> Vec<(u32, usize)> {
    let Ok(dir) = std::fs::read_dir("/sys/devices/system/cpu/cpu0/cache") else { return Vec::new() };
    dir.filter_map(|e| {
        let path = e.ok()?.path();
        let read = |f: &str| std::fs::read_to_string(path.join(f)).ok();
        if read("type")?.trim() == "Instruction" {
            return None;
        }
        Some((read("level")?.trim().parse().ok()?, parse_cache_size(&read("size")?)?))
    })
    .collect()
}

/// Parses sysfs's cache size text: `512K`, `32768K`, `8M` or bytes.
fn parse_cache_size(text: &str) -> Option<usize> {
    let t = text.trim();
    let (digits, scale) = match t.as_bytes().last()? {
        b'K' => (&t[..t.len() - 1], 1 << 10),
        b'M' => (&t[..t.len() - 1], 1 << 20),
        b'G' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    digits.parse::<usize>().ok().map(|n| n * scale)
}

/// `RUSTTORCH_NUM_THREADS` when it is a positive integer: the default engine's thread count
/// (a Dask worker process, or any process sharing its cores with others, sets it).
fn threads_from_env() -> Option<usize> {
    std::env::var("RUSTTORCH_NUM_THREADS").ok()?.trim().parse().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::{blocks_for_l1, parse_cache_size, DEFAULT_BLOCK, DEFAULT_MAP_BLOCK};

    #[test]
    fn blocks_follow_the_l1_data_cache() {
        // The measured optimum on a 32 KiB L1d is the rule's value there.
        assert_eq!(blocks_for_l1(32 << 10), (DEFAULT_BLOCK, DEFAULT_MAP_BLOCK));
        assert_eq!(blocks_for_l1(48 << 10), (1536, 768));
        assert_eq!(blocks_for_l1(1 << 10), (256, 128));
        assert_eq!(blocks_for_l1(1 << 30), (8192, 4096));
    }

    #[test]
    fn cache_sizes_parse_as_sysfs_prints_them() {
        assert_eq!(parse_cache_size("32768K\n"), Some(32 << 20));
        assert_eq!(parse_cache_size("8M"), Some(8 << 20));
        assert_eq!(parse_cache_size("1024"), Some(1024));
        assert_eq!(parse_cache_size("K"), None);
        assert_eq!(parse_cache_size(""), None);
    }
}
