//! Shared helpers for the benchmarks: settings from the environment, engines, deterministic input
//! data, the W-suite workloads with their compulsory bytes, and STREAM-style reference loops.
//!
//! Environment:
//! - `RUSTTORCH_BENCH_THREADS` (default 2): worker threads of every engine and of the STREAM loops.
//! - `RUSTTORCH_BENCH_QUICK=1`: smaller sizes and shorter measurements (the whole `cargo bench`
//!   in a minute or two); figures from quick mode are for smoke-testing, not for reports.
//! - `RUSTTORCH_BENCH_PLOTS=1`: let criterion draw its plots (off by default, they are slow).
#![allow(clippy::result_large_err)] // rusttorch errors carry shapes by value

pub mod chains;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use rayon::prelude::*;
use rusttorch_exec::prelude::*;
use rusttorch_exec::EngineConfig;
use std::time::Duration;

/// Size of one f32 element in bytes.
pub const F32_BYTES: u64 = std::mem::size_of::<f32>() as u64;

// ---------------------------------------------------------------- settings

/// Worker threads for engines and STREAM loops (`RUSTTORCH_BENCH_THREADS`, default 2).
pub fn threads() -> usize {
    std::env::var("RUSTTORCH_BENCH_THREADS").ok().and_then(|s| s.parse().ok()).filter(|&n| n > 0).unwrap_or(2)
}

/// Whether `RUSTTORCH_BENCH_QUICK` asks for the quick mode.
pub fn quick() -> bool {
    std::env::var("RUSTTORCH_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Elements of the large 1-d workloads: 16M, or 1M in quick mode.
pub fn big_n() -> usize {
    if quick() {
        1 << 20
    } else {
        1 << 24
    }
}

/// Elements of each STREAM array: 64M f32 (256 MiB), in quick mode too.
///
/// STREAM's rule: every array at least 4x the last-level cache. At 16M (64 MiB, twice this
/// machine's 32 MiB L3) part of the arrays stayed cached between repetitions and the copy's best
/// repetition read 2x DRAM bandwidth: 76-80 GB/s, the rate of a 16 MiB copy that fits in L3.
pub fn stream_n() -> usize {
    1 << 26
}

/// Side of the square matrix workloads: 4096, or 1024 in quick mode.
pub fn big_side() -> usize {
    if quick() {
        1024
    } else {
        4096
    }
}

/// Side of the W7 matmul: 1024, or 256 in quick mode.
pub fn mm_side() -> usize {
    if quick() {
        256
    } else {
        1024
    }
}

/// How long one benchmark measures.
#[derive(Clone, Copy, Debug)]
pub enum Cost {
    /// Micro- to sub-millisecond iterations.
    Small,
    /// Tens to hundreds of milliseconds per iteration (16M elements, 4096x4096).
    Large,
}

/// The criterion configuration of every bench binary: plots are off unless
/// `RUSTTORCH_BENCH_PLOTS=1` (drawing them costs more than measuring the small benches), and
/// quick mode resamples less.
pub fn criterion() -> Criterion {
    let c = Criterion::default();
    let c = if std::env::var("RUSTTORCH_BENCH_PLOTS").is_ok_and(|v| v == "1") { c } else { c.without_plots() };
    if quick() {
        c.nresamples(10_000)
    } else {
        c
    }
}

/// Applies the sampling settings for `cost` (and quick mode) to a group.
pub fn configure(group: &mut BenchmarkGroup<'_, WallTime>, cost: Cost) {
    let (warm, measure) = match (quick(), cost) {
        (true, _) => (Duration::from_millis(200), Duration::from_millis(500)),
        (false, Cost::Small) => (Duration::from_millis(500), Duration::from_secs(2)),
        (false, Cost::Large) => (Duration::from_secs(1), Duration::from_secs(3)),
    };
    // Large: every sample runs the same number of iterations; with ~100 ms iterations, linear
    // sampling would need 55 of them for 10 samples and overrun the measurement time.
    let mode = if matches!(cost, Cost::Large) { SamplingMode::Flat } else { SamplingMode::Auto };
    group.sample_size(10).warm_up_time(warm).measurement_time(measure).sampling_mode(mode);
}

/// `Throughput::Bytes` of `elements` f32 values.
pub fn f32_throughput(elements: usize) -> Throughput {
    Throughput::Bytes(elements as u64 * F32_BYTES)
}

// ---------------------------------------------------------------- engines and data

/// An engine with [`threads`] workers and default settings.
pub fn engine() -> Engine {
    Engine::new(threads()).expect("engine")
}

/// An engine with [`threads`] workers and `block` elements per block.
pub fn engine_with_block(block: usize) -> Engine {
    Engine::with_config(EngineConfig { threads: threads(), block, ..EngineConfig::default() }).expect("engine")
}

/// `n` deterministic pseudo-random f32 values, uniform in `[-2, 2)`, from `seed`.
pub fn data_f32(n: usize, seed: u64) -> Vec<f32> {
    // A 64-bit LCG (Knuth's MMIX constants): fast, reproducible, good enough for benchmark data.
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u32 << 24) as f32) * 4.0 - 2.0
        })
        .collect()
}

/// `n` zeros from the allocator the engine uses for its results (fresh, zero-mapped pages).
pub fn zeroed_f32(n: usize) -> Vec<f32> {
    rusttorch_ir::buffer::try_zeroed_vec(n).expect("allocation")
}

// ---------------------------------------------------------------- workloads

/// Builds a workload's expression from its input tensors.
pub type Builder = fn(&[Tensor]) -> Result<Tensor>;

/// One workload: input shapes (f32) and how to build the expression over them.
#[derive(Clone)]
pub struct Workload {
    /// Name, e.g. `w1_fma_chain`.
    pub name: &'static str,
    /// Input shapes, in the order `build` takes them.
    pub inputs: Vec<Vec<usize>>,
    /// The expression.
    pub build: Builder,
}

impl Workload {
    /// A workload over f32 inputs of the given shapes.
    pub fn new(name: &'static str, inputs: Vec<Vec<usize>>, build: Builder) -> Workload {
        Workload { name, inputs, build }
    }

    /// Shape of the output (from building the expression on placeholders).
    pub fn output_shape(&self) -> Shape {
        self.build(&self.placeholders()).expect("workload builds").shape().clone()
    }

    /// Compulsory bytes: every input read once plus the output written once.
    pub fn bytes(&self) -> u64 {
        let inputs: usize = self.inputs.iter().map(|s| s.iter().product::<usize>()).sum();
        (inputs + self.output_shape().numel()) as u64 * F32_BYTES
    }

    /// `Throughput::Bytes` of [`Workload::bytes`].
    pub fn throughput(&self) -> Throughput {
        Throughput::Bytes(self.bytes())
    }

    /// Deterministic input buffers (seeded by position).
    pub fn input_buffers(&self) -> Vec<Buffer> {
        self.inputs
            .iter()
            .enumerate()
            .map(|(i, s)| Buffer::from_vec(data_f32(s.iter().product(), i as u64 + 1)))
            .collect()
    }

    /// Evaluated tensors over `buffers` (no copy).
    pub fn input_tensors(&self, buffers: &[Buffer]) -> Vec<Tensor> {
        self.inputs
            .iter()
            .zip(buffers)
            .map(|(s, b)| Tensor::from_buffer(b.clone(), s.as_slice()).expect("buffer fits shape"))
            .collect()
    }

    /// One placeholder per input.
    pub fn placeholders(&self) -> Vec<Tensor> {
        self.inputs.iter().map(|s| Tensor::placeholder(s.as_slice(), DType::F32).expect("placeholder")).collect()
    }

    /// Builds the expression over `inputs`.
    pub fn build(&self, inputs: &[Tensor]) -> Result<Tensor> {
        (self.build)(inputs)
    }

    /// Compiles the fused plan over placeholders once; time [`Executable::run`] on it.
    pub fn compile(&self, engine: &Engine) -> Result<Executable> {
        let ph = self.placeholders();
        let out = self.build(&ph)?;
        engine.compile(&ph, &[out])
    }

    /// Builds a fresh lazy expression over evaluated `inputs` and evaluates it (`fuse`d or eagerly).
    ///
    /// This is the per-call path of a user writing `(&a * &b)? ...; y.eval()`: building the nodes,
    /// lowering them to a key and a plan-cache lookup, then the run. The eager baseline is timed
    /// this way because there is no eager `compile`; at 16M elements the per-call part costs
    /// microseconds against milliseconds of work (W8 measures it on its own).
    pub fn eval_lazy(&self, engine: &Engine, inputs: &[Tensor], fuse: bool) -> Result<Tensor> {
        let y = self.build(inputs)?;
        engine.eval_with(std::slice::from_ref(&y), fuse)?;
        Ok(y)
    }
}

/// W1 `(a*b + c)*0.5 - a*c`.
pub fn fma_chain(t: &[Tensor]) -> Result<Tensor> {
    let (a, b, c) = (&t[0], &t[1], &t[2]);
    (((a * b)? + c)? * 0.5)? - (a * c)?
}

/// W2 `0.5*x*(1 + tanh(0.7978845608*(x + 0.044715*x**3)))`, composed from primitives.
pub fn gelu_tanh_composed(t: &[Tensor]) -> Result<Tensor> {
    let x = &t[0];
    let inner = ((x + (x.pow_scalar(3.0)? * 0.044715)?)? * 0.7978845608)?;
    (x * 0.5)? * (inner.tanh()? + 1.0)?
}

/// W9 `(((x*1.1 + 0.3)*0.9 - 0.2)*1.05 + 0.1)`: a chain of cheap ops over one input, where an
/// interpreter's per-op pass over its block registers is the cost once the data sits in cache.
pub fn affine_chain(t: &[Tensor]) -> Result<Tensor> {
    let x = &t[0];
    (((((x * 1.1)? + 0.3)? * 0.9)? - 0.2)? * 1.05)? + 0.1
}

/// W3 softmax over the last dim.
pub fn softmax_rows(t: &[Tensor]) -> Result<Tensor> {
    t[0].softmax(-1)
}

/// W4 layer norm over the last dim with weight and bias.
pub fn layernorm_rows(t: &[Tensor]) -> Result<Tensor> {
    t[0].layer_norm(1, Some(&t[1]), Some(&t[2]), 1e-5)
}

/// W5 `sum((a-b)**2)`.
pub fn mse_sum(t: &[Tensor]) -> Result<Tensor> {
    (&t[0] - &t[1])?.pow_scalar(2.0)?.sum(None, false)
}

/// W6 sum over dim 0.
pub fn col_sum(t: &[Tensor]) -> Result<Tensor> {
    t[0].sum(Some(&[0]), false)
}

/// W7 `relu(a @ b + bias)`.
pub fn matmul_bias_relu(t: &[Tensor]) -> Result<Tensor> {
    (t[0].matmul(&t[1])? + &t[2])?.relu()
}

/// W1 over `n` elements.
pub fn w1(n: usize) -> Workload {
    Workload::new("w1_fma_chain", vec![vec![n]; 3], fma_chain)
}

/// The W-suite: 1-d workloads over `n`, matrix ones `side`², W7 over `mm`² (W8 is [`w1`] at 1024).
pub fn suite(n: usize, side: usize, mm: usize) -> Vec<Workload> {
    let m = vec![side, side];
    vec![
        w1(n),
        Workload::new("w2_gelu_tanh", vec![vec![n]], gelu_tanh_composed),
        Workload::new("w3_softmax_rows", vec![m.clone()], softmax_rows),
        Workload::new("w4_layernorm_rows", vec![m.clone(), vec![side], vec![side]], layernorm_rows),
        Workload::new("w5_mse_sum", vec![vec![n]; 2], mse_sum),
        Workload::new("w6_col_sum", vec![m], col_sum),
        Workload::new("w7_matmul_bias_relu", vec![vec![mm, mm], vec![mm, mm], vec![mm]], matmul_bias_relu),
    ]
}

/// The mid-size rows: W1, W2 and W9 over `n` elements (1M: in the last-level cache) and W3 over
/// `side`² (1024²), where the executor's own speed, not memory bandwidth, bounds a kernel.
pub fn mid_suite(n: usize, side: usize) -> Vec<Workload> {
    vec![
        Workload::new("w1_fma_chain_1m", vec![vec![n]; 3], fma_chain),
        Workload::new("w2_gelu_tanh_1m", vec![vec![n]], gelu_tanh_composed),
        Workload::new("w3_softmax_rows_1024", vec![vec![side, side]], softmax_rows),
        Workload::new("w9_affine_chain_1m", vec![vec![n]], affine_chain),
    ]
}

// ---------------------------------------------------------------- STREAM

/// STREAM-style loops (plain Rust, parallel over fixed chunks on their own rayon pool): the
/// bandwidth ceiling the fused kernels are compared with.
pub struct Stream {
    pool: rayon::ThreadPool,
}

/// Elements per STREAM task: 64K f32 = 256 KiB, 1024 tasks at [`stream_n`].
const STREAM_CHUNK: usize = 1 << 16;

impl Stream {
    /// A pool of `threads` workers.
    pub fn new(threads: usize) -> Stream {
        Stream { pool: rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool") }
    }

    /// `dst = src`.
    pub fn copy(&self, src: &[f32], dst: &mut [f32]) {
        self.pool.install(|| {
            dst.par_chunks_mut(STREAM_CHUNK).zip(src.par_chunks(STREAM_CHUNK)).for_each(|(d, s)| d.copy_from_slice(s))
        });
    }

    /// `a = b + s*c`.
    pub fn triad(&self, a: &mut [f32], b: &[f32], c: &[f32], s: f32) {
        self.pool.install(|| {
            a.par_chunks_mut(STREAM_CHUNK).zip(b.par_chunks(STREAM_CHUNK)).zip(c.par_chunks(STREAM_CHUNK)).for_each(
                |((a, b), c)| {
                    for ((a, &b), &c) in a.iter_mut().zip(b).zip(c) {
                        *a = b + s * c;
                    }
                },
            )
        });
    }

    /// `y = a*b + c` (the vectorisation check's plain loop).
    pub fn fma(&self, y: &mut [f32], a: &[f32], b: &[f32], c: &[f32]) {
        self.pool.install(|| {
            y.par_chunks_mut(STREAM_CHUNK)
                .zip(a.par_chunks(STREAM_CHUNK))
                .zip(b.par_chunks(STREAM_CHUNK).zip(c.par_chunks(STREAM_CHUNK)))
                .for_each(|((y, a), (b, c))| fma_loop(y, a, b, c))
        });
    }
}

/// `y = a*b + c`, a plain loop the compiler should vectorise.
#[inline]
pub fn fma_loop(y: &mut [f32], a: &[f32], b: &[f32], c: &[f32]) {
    for (((y, &a), &b), &c) in y.iter_mut().zip(a).zip(b).zip(c) {
        *y = a * b + c;
    }
}

// ---------------------------------------------------------------- checks

/// Largest `|got - want| / max(1, |want|)`.
pub fn max_rel_err(got: &[f32], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "length mismatch");
    got.iter().zip(want).map(|(&g, &w)| (g as f64 - w).abs() / w.abs().max(1.0)).fold(0.0, f64::max)
}

/// Best wall time of `runs` calls of `f` after one warm-up call (the examples' timer).
pub fn best_of(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<Duration> {
    f()?;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = std::time::Instant::now();
        f()?;
        best = best.min(t.elapsed());
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_count_inputs_and_output_once() {
        assert_eq!(w1(1024).bytes(), 4 * 1024 * 4);
        let s = suite(1000, 64, 16);
        assert_eq!(s[4].bytes(), (2 * 1000 + 1) * 4); // W5: scalar output
        assert_eq!(s[5].bytes(), (64 * 64 + 64) * 4); // W6: one row out
        assert_eq!(s[3].bytes(), (2 * 64 * 64 + 2 * 64) * 4); // W4: x, w, b, y
    }

    #[test]
    fn suite_fused_equals_eager_on_small_sizes() {
        let e = Engine::new(2).unwrap();
        for w in suite(3001, 37, 33) {
            let bufs = w.input_buffers();
            let inputs = w.input_tensors(&bufs);
            let eager = w.eval_lazy(&e, &inputs, false).unwrap().buffer().unwrap().to_f64_vec();
            let exe = w.compile(&e).unwrap();
            let fused = exe.run(&e, &bufs).unwrap().remove(0);
            let err = max_rel_err(fused.as_slice::<f32>().unwrap(), &eager);
            assert!(err < 1e-5, "{}: fused vs eager {err}", w.name);
        }
    }

    #[test]
    fn stream_loops() {
        let s = Stream::new(2);
        let a = data_f32(100_000, 1);
        let b = data_f32(100_000, 2);
        let mut y = vec![0.0; 100_000];
        s.copy(&a, &mut y);
        assert_eq!(y, a);
        s.triad(&mut y, &a, &b, 3.0);
        assert_eq!(y[7], a[7] + 3.0 * b[7]);
        s.fma(&mut y, &a, &b, &a);
        assert_eq!(y[99_999], a[99_999] * b[99_999] + a[99_999]);
    }
}
