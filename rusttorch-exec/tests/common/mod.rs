//! The integration tests' shared harness: fused, eager and f64-reference paths compared, engines, one RNG.
// Each test binary compiles its own copy of this module and uses a part of it.
#![allow(dead_code)]

use rand_xoshiro::rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rusttorch_exec::prelude::*;
use rusttorch_exec::reference::reference;

// ------------------------------------------------------------------------------- engines

/// An engine of 2 threads (the machine's cores) with the default blocks, on the block VM alone:
/// its fused and eager paths agree bit for bit. (With the JIT in the background, whichever
/// kernels' code is ready would run compiled, and compiled row sums add in other lanes: which
/// path ran compiled would then depend on timing. `engines()` has a compiling engine.)
pub fn engine() -> Engine {
    Engine::with_config(EngineConfig { threads: 2, jit: JitMode::Off, ..Default::default() }).unwrap()
}

/// The engines property tests compare paths on: the VM with a tiny block (16 elements), which
/// exercises multi-block rows, chunked reductions and column tiles on small data, the VM with
/// the default blocks (whole-row blocks), and the default blocks with every kernel the JIT
/// takes compiled before its first run (where the build has the JIT).
pub fn engines() -> [Engine; 3] {
    let with = |block: usize, jit: JitMode| {
        Engine::with_config(EngineConfig { threads: 2, block, map_block: block, jit, ..Default::default() }).unwrap()
    };
    let default = EngineConfig::default();
    [
        with(16, JitMode::Off),
        Engine::with_config(EngineConfig { threads: 2, jit: JitMode::Off, ..default.clone() }).unwrap(),
        Engine::with_config(EngineConfig { threads: 2, jit: JitMode::Sync, ..default }).unwrap(),
    ]
}

/// Evaluates `t` on the default engine, fused or eagerly, and returns it.
pub fn evaluated(t: &Tensor, fuse: bool) -> Tensor {
    Engine::default_engine().eval_with(std::slice::from_ref(t), fuse).unwrap();
    t.clone()
}

// ------------------------------------------------------------------------------- tolerances

/// How close a value must be to the one it is compared with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tol {
    /// The same bits (a NaN matches any NaN).
    Bitwise,
    /// `|got - want| <= abs + rel * max(|want|, floor)`; a NaN matches only a NaN, an infinity
    /// only itself.
    Close {
        /// Absolute part.
        abs: f64,
        /// Relative part.
        rel: f64,
        /// The smallest magnitude `rel` is taken of.
        floor: f64,
    },
}

impl Tol {
    /// Equal values (a NaN matches a NaN, `-0.0` matches `0.0`).
    pub const EXACT: Tol = Tol::abs(0.0);

    /// `|got - want| <= abs`.
    pub const fn abs(abs: f64) -> Tol {
        Tol::Close { abs, rel: 0.0, floor: 0.0 }
    }

    /// `|got - want| <= rel * max(|want|, 1)`: relative, absolute below 1.
    pub const fn rel(rel: f64) -> Tol {
        Tol::Close { abs: 0.0, rel, floor: 1.0 }
    }

    /// `|got - want| <= rel * |want|`: relative only.
    pub const fn relative(rel: f64) -> Tol {
        Tol::Close { abs: 0.0, rel, floor: 0.0 }
    }

    /// `|got - want| <= atol + rtol * |want|`: NumPy's `isclose`.
    pub const fn isclose(atol: f64, rtol: f64) -> Tol {
        Tol::Close { abs: atol, rel: rtol, floor: 0.0 }
    }

    /// Whether `got` is close enough to `want`.
    pub fn holds(self, got: f64, want: f64) -> bool {
        if got.is_nan() || want.is_nan() {
            return got.is_nan() && want.is_nan();
        }
        match self {
            Tol::Bitwise => got.to_bits() == want.to_bits(),
            Tol::Close { abs, rel, floor } => got == want || (got - want).abs() <= abs + rel * want.abs().max(floor),
        }
    }
}

/// `Ok` when `got` matches `want` element by element within `tol`, else a message naming
/// `what` and the first element that does not.
pub fn compare(what: &str, got: &[f64], want: &[f64], tol: Tol) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{what}: {} values, want {}", got.len(), want.len()));
    }
    match got.iter().zip(want).position(|(&g, &w)| !tol.holds(g, w)) {
        None => Ok(()),
        Some(i) => Err(format!("{what} at {i}: got {}, want {} ({tol:?})", got[i], want[i])),
    }
}

/// Asserts that `got` matches `want` element by element within `tol`.
#[track_caller]
pub fn assert_close(got: &[f64], want: &[f64], tol: Tol) {
    if let Err(m) = compare("values", got, want, tol) {
        panic!("{m}");
    }
}

// ------------------------------------------------------------------------------- paths

/// What a test evaluates: one tensor or several, evaluated together.
pub trait Outputs {
    /// The tensors.
    fn into_tensors(self) -> Vec<Tensor>;
}

impl Outputs for Tensor {
    fn into_tensors(self) -> Vec<Tensor> {
        vec![self]
    }
}

impl Outputs for Vec<Tensor> {
    fn into_tensors(self) -> Vec<Tensor> {
        self
    }
}

impl<const N: usize> Outputs for [Tensor; N] {
    fn into_tensors(self) -> Vec<Tensor> {
        self.into()
    }
}

/// The values of each output (as f64) by each path.
#[derive(Debug)]
pub struct Paths {
    /// Fused, on the first engine.
    pub fused: Vec<Vec<f64>>,
    /// Eager (every op its own kernel), on the first engine.
    pub eager: Vec<Vec<f64>>,
    /// The f64 reference interpreter (empty where it was not run).
    pub reference: Vec<Vec<f64>>,
}

/// The values of an evaluated tensor, as f64.
pub fn values(t: &Tensor) -> Vec<f64> {
    t.buffer().unwrap().to_f64_vec()
}

/// The outputs of a fresh `build()`, evaluated together on `engine`, fused or eagerly.
fn run<O: Outputs>(engine: &Engine, fuse: bool, build: &impl Fn() -> O) -> Vec<Vec<f64>> {
    let ts = build().into_tensors();
    engine.eval_with(&ts, fuse).unwrap();
    ts.iter().map(values).collect()
}

/// `compare` over every output; on a mismatch the message ends with the fused plan.
fn compare_outputs<O: Outputs>(
    what: &str,
    got: &[Vec<f64>],
    want: &[Vec<f64>],
    tol: Tol,
    engine: &Engine,
    build: &impl Fn() -> O,
) -> Result<(), String> {
    for (o, (g, w)) in got.iter().zip(want).enumerate() {
        if let Err(m) = compare(&format!("{what}, output {o}"), g, w, tol) {
            // A plan of a long chain runs to megabytes: its start is enough.
            let plan = engine.explain(&build().into_tensors()).unwrap_or_else(|e| e.to_string());
            let plan: String = plan.chars().take(4000).collect();
            return Err(format!("{m}\nfused plan:\n{plan}"));
        }
    }
    Ok(())
}

/// Evaluates the outputs of `build()` (a fresh graph for each path) fused and eagerly on every
/// engine; checks that fused matches eager within `fused_eager` and, given `reference`, that
/// both match those values within its tolerance.
fn check<O: Outputs>(
    engines: &[Engine],
    fused_eager: Tol,
    reference: Option<(&[Vec<f64>], Tol)>,
    build: &impl Fn() -> O,
) -> Result<Paths, String> {
    let mut first = None;
    for (i, engine) in engines.iter().enumerate() {
        let (fused, eager) = (run(engine, true, build), run(engine, false, build));
        compare_outputs(&format!("fused vs eager (engine {i})"), &fused, &eager, fused_eager, engine, build)?;
        if let Some((want, tol)) = reference {
            compare_outputs(&format!("fused vs reference (engine {i})"), &fused, want, tol, engine, build)?;
            compare_outputs(&format!("eager vs reference (engine {i})"), &eager, want, tol, engine, build)?;
        }
        first.get_or_insert(Paths { fused, eager, reference: Vec::new() });
    }
    Ok(first.expect("no engine"))
}

/// Checks that the outputs of `build()`, evaluated fused and eagerly on every engine, match
/// within `fused_eager` (for graphs too large for the reference interpreter).
pub fn check_fused_eager<O: Outputs>(
    engines: &[Engine],
    fused_eager: Tol,
    build: impl Fn() -> O,
) -> Result<Paths, String> {
    check(engines, fused_eager, None, &build)
}

/// Checks that the outputs of `build()`, evaluated fused and eagerly on every engine, match
/// within `fused_eager`, and both match the f64 reference within `reference_tol` (the tolerance
/// the test states for its dtype).
pub fn check_paths_agree<O: Outputs>(
    engines: &[Engine],
    fused_eager: Tol,
    reference_tol: Tol,
    build: impl Fn() -> O,
) -> Result<Paths, String> {
    let want = reference(&build().into_tensors()).unwrap();
    let mut paths = check(engines, fused_eager, Some((&want, reference_tol)), &build)?;
    paths.reference = want;
    Ok(paths)
}

/// Asserts [`check_fused_eager`]; returns the values.
#[track_caller]
pub fn assert_fused_eager<O: Outputs>(engines: &[Engine], fused_eager: Tol, build: impl Fn() -> O) -> Paths {
    check_fused_eager(engines, fused_eager, build).unwrap_or_else(|m| panic!("{m}"))
}

/// Asserts [`check_paths_agree`]: fused = eager within `fused_eager` on every engine, and both =
/// the f64 reference within `reference_tol`; returns the values.
#[track_caller]
pub fn assert_paths_agree<O: Outputs>(
    engines: &[Engine],
    fused_eager: Tol,
    reference_tol: Tol,
    build: impl Fn() -> O,
) -> Paths {
    check_paths_agree(engines, fused_eager, reference_tol, build).unwrap_or_else(|m| panic!("{m}"))
}

/// Asserts that the outputs of `build()` are bitwise the same evaluated on 1 thread and on each
/// of `threads` (fused; reductions, scans and gathers must not depend on how work is split), on
/// each tier: the block VM, and every kernel the JIT takes compiled before its first run. (With
/// the JIT in the background, which tier ran would depend on timing, and the tiers' row sums add
/// in different lanes.)
#[track_caller]
pub fn assert_same_bits_for_threads<O: Outputs>(threads: &[usize], build: impl Fn() -> O) {
    for jit in [JitMode::Off, JitMode::Sync] {
        let bits = |n: usize| -> Vec<Vec<u64>> {
            let outs = build().into_tensors();
            Engine::with_config(EngineConfig { threads: n, jit, ..Default::default() }).unwrap().eval(&outs).unwrap();
            outs.iter().map(|t| t.buffer().unwrap().to_f64_vec().iter().map(|v| v.to_bits()).collect()).collect()
        };
        let one = bits(1);
        for &n in threads {
            assert_eq!(one, bits(n), "{n} threads differ from 1 ({jit:?})");
        }
    }
}

// ------------------------------------------------------------------------------- random inputs

/// The tests' one generator: xoshiro256++ seeded by splitmix64, the stream `Tensor::rand` draws
/// from (`smoke.rs` asserts they agree).
pub struct TestRng(Xoshiro256PlusPlus);

impl TestRng {
    /// The generator seeded by `seed`.
    pub fn new(seed: u64) -> TestRng {
        TestRng(Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// `n` values uniform in `[lo, hi)` from `seed`.
pub fn uniform_values(n: usize, seed: u64, lo: f64, hi: f64) -> Vec<f64> {
    let mut rng = TestRng::new(seed);
    (0..n).map(|_| lo + (hi - lo) * rng.unit()).collect()
}

/// An evaluated tensor of `dims` and `dtype`, uniform in `[lo, hi)` (ints rounded toward zero,
/// as a cast rounds them).
pub fn uniform(dims: &[usize], seed: u64, dtype: DType, lo: f64, hi: f64) -> Tensor {
    let v = uniform_values(dims.iter().product(), seed, lo, hi);
    let dims = dims.to_vec();
    match dtype {
        DType::F32 => Tensor::from_vec(v.iter().map(|&x| x as f32).collect::<Vec<_>>(), dims),
        DType::F64 => Tensor::from_vec(v, dims),
        DType::I32 => Tensor::from_vec(v.iter().map(|&x| x as i32).collect::<Vec<_>>(), dims),
        DType::I64 => Tensor::from_vec(v.iter().map(|&x| x as i64).collect::<Vec<_>>(), dims),
        d => panic!("no uniform {d}"),
    }
    .unwrap()
}

/// An evaluated float32 tensor uniform in `[0, 1)`: the values of `Tensor::rand(dims, seed)`.
pub fn rand(dims: &[usize], seed: u64) -> Tensor {
    uniform(dims, seed, DType::F32, 0.0, 1.0)
}

/// `dims` of values in a few levels (many ties), with NaNs, infinities and `-0.0` sprinkled in
/// (ints: integers in `[-9, 9]`, the specials saturated or 0).
pub fn levels_with_specials(dims: &[usize], seed: u64, dtype: DType) -> Tensor {
    let n = dims.iter().product();
    let v: Vec<f64> = uniform_values(n, seed, -4.0, 4.0)
        .into_iter()
        .enumerate()
        .map(|(i, x)| match i % 11 {
            3 => f64::NAN,
            5 => f64::INFINITY,
            7 => -0.0,
            8 => f64::NEG_INFINITY,
            _ => x.round(),
        })
        .collect();
    let dims = dims.to_vec();
    match dtype {
        DType::F32 => Tensor::from_vec(v.iter().map(|&x| x as f32).collect::<Vec<_>>(), dims),
        DType::F64 => Tensor::from_vec(v, dims),
        DType::I32 => Tensor::from_vec(v.iter().map(|&x| x.clamp(-9.0, 9.0) as i32).collect::<Vec<_>>(), dims),
        DType::I64 => Tensor::from_vec(v.iter().map(|&x| x.clamp(-9.0, 9.0) as i64).collect::<Vec<_>>(), dims),
        d => panic!("no data of {d}"),
    }
    .unwrap()
}
