//! Compiled kernels (`rusttorch_exec::jit`): the compiled tier computes what the block VM
//! computes, bit for bit, for every op it compiles, on every float32 class of input; kernels
//! switch tiers as their code becomes ready; the tier of each kernel is reported.
//! (The property tests of `properties.rs` and friends run on a compiling engine too: see
//! `common::engines`.) Where the build has no compiler (`jit` feature off), the tests check
//! that every kernel reports the VM.

mod common;

use rusttorch_exec::jit::available;
use rusttorch_exec::prelude::*;
use rusttorch_ir::op::{BinaryOp, GeluApprox, UnaryOp};

fn engine(jit: JitMode) -> Engine {
    Engine::with_config(EngineConfig { threads: 2, jit, ..Default::default() }).unwrap()
}

/// Bits of each element, NaNs as one pattern (payloads may differ between tiers).
fn bits(t: &Tensor) -> Vec<u64> {
    let v = t.buffer().unwrap().to_f64_vec();
    v.iter().map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() }).collect()
}

/// Evaluates `build()` on the VM and compiled, quick (`-O0`) and optimized (`-O1`) code alike;
/// asserts the same bits and, when `compiles`, that compiled code really ran every kernel.
#[track_caller]
fn same_on_both_tiers(what: &str, compiles: bool, build: impl Fn() -> Tensor) {
    let vm = build();
    engine(JitMode::Off).eval(std::slice::from_ref(&vm)).unwrap();
    let want = bits(&vm);
    let check = |e: &Engine, stage: &str| {
        let t = build();
        e.eval(std::slice::from_ref(&t)).unwrap();
        let got = bits(&t);
        if let Some(i) = (0..want.len()).find(|&i| want[i] != got[i]) {
            let (a, b) = (f64::from_bits(want[i]), f64::from_bits(got[i]));
            panic!("{what}: element {i} differs: vm {a} {stage} {b}");
        }
    };
    // In the background a new structure gets quick code first, which its next run takes.
    let background = engine(JitMode::Background);
    check(&background, "first run");
    if compiles && available() {
        wait_until(&background, &build, "compiled", |j| j.starts_with("compiled in "));
        check(&background, "compiled (first code)");
        wait_until(&background, &build, "optimized", |j| j.ends_with("(-O1)"));
    }
    let jit_engine = engine(JitMode::Sync);
    check(&jit_engine, "compiled");
    let tiers = jit_engine.plan_for(std::slice::from_ref(&build()), true).unwrap().tiers();
    if compiles && available() {
        assert!(tiers.iter().all(|t| t.ran == "compiled"), "{what}: {tiers:?}");
    } else {
        assert!(tiers.iter().all(|t| t.ran != "compiled"), "{what}: {tiers:?}");
    }
}

/// Every `stride`-th float32 bit pattern from `first` (every exponent, both signs, NaNs,
/// infinities, subnormals), with the edge values, `n` elements in all.
fn f32_patterns(first: u32, stride: u32) -> Tensor {
    let mut v: Vec<f32> = (0..=u32::MAX / stride).map(|i| f32::from_bits(first.wrapping_add(i * stride))).collect();
    v.extend([0.0, -0.0, 1.0, -1.0, f32::MIN_POSITIVE, -f32::MIN_POSITIVE, 1e-45, -1e-45, f32::MAX, f32::MIN]);
    v.extend([f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 88.72, 88.73, -103.97, -104.0, 0.625, -0.625, 10.0]);
    let n = v.len();
    Tensor::from_vec(v, [n]).unwrap()
}

/// The float32 transcendentals the compiler emits as polynomials, and everything else it
/// compiles, agree with the VM over a strided pass through all 2^32 patterns (4.3M inputs per
/// op; the VM's accuracy bounds, asserted in accuracy.rs, then hold for compiled code too).
#[test]
fn every_compiled_unary_op_matches_the_vm_on_float32() {
    let x = f32_patterns(7, 1009);
    for op in UnaryOp::all() {
        if x.unary(op).is_err() {
            continue;
        }
        // Bool results (logical_not) are converted on the VM.
        let compiles =
            rusttorch_exec::jit::unary_compiles(op, DType::F32) && x.unary(op).unwrap().dtype() == DType::F32;
        same_on_both_tiers(&op.label(), compiles, || x.unary(op).unwrap());
    }
}

/// A kernel with two or more transcendentals calls them (each compiled once per process, in the
/// module of the first kernel needing it: `jit/outline.rs`) instead of inlining them; the called
/// code computes the same bits, alone and next to an inlined one's kernel.
#[test]
fn called_transcendentals_match_the_vm() {
    let x = f32_patterns(11, 1013);
    let heavy =
        [UnaryOp::Exp, UnaryOp::Tanh, UnaryOp::Log, UnaryOp::Log1p, UnaryOp::Sigmoid, UnaryOp::Gelu(GeluApprox::Tanh)];
    for op in heavy {
        same_on_both_tiers(&format!("{} + sigmoid", op.label()), true, || {
            x.unary(op).unwrap().binary(BinaryOp::Add, &x.unary(UnaryOp::Sigmoid).unwrap()).unwrap()
        });
        same_on_both_tiers(&format!("{} of {}", op.label(), op.label()), true, || {
            x.unary(op).unwrap().unary(op).unwrap()
        });
    }
}

/// Every float32 bit pattern, for the polynomial ops (about a minute per op and tier):
/// `cargo test --release -p rusttorch-exec --test jit -- --ignored every_f32`.
#[test]
#[ignore]
fn every_f32_pattern_matches_the_vm() {
    for first in 0..64u32 {
        let x = f32_patterns(first, 64);
        for op in [UnaryOp::Exp, UnaryOp::Tanh, UnaryOp::Log, UnaryOp::Log1p, UnaryOp::Sigmoid] {
            same_on_both_tiers(&format!("{} from {first}", op.label()), true, || x.unary(op).unwrap());
        }
    }
}

#[test]
fn every_compiled_binary_op_matches_the_vm_with_specials() {
    for dtype in [DType::F32, DType::F64] {
        // Pairs of every special with every other (NaN, infinities, signed zeros, ties).
        let a = common::levels_with_specials(&[1331], 1, dtype);
        let b = common::levels_with_specials(&[1331], 2, dtype);
        for &op in BinaryOp::ALL {
            if a.binary(op, &b).is_err() || op.is_bitwise() {
                continue;
            }
            // Comparisons write bools: their kernels convert on the VM.
            let compiles = rusttorch_exec::jit::binary_compiles(op) && !op.is_comparison();
            same_on_both_tiers(&format!("{} {dtype}", op.info().name), compiles, || a.binary(op, &b).unwrap());
            // A constant operand, on either side.
            same_on_both_tiers(&format!("{} {dtype} scalar", op.info().name), compiles, || {
                a.binary_scalar(op, 0.5).unwrap()
            });
        }
    }
}

/// Chains, selects, comparisons feeding arithmetic, broadcast scalars, several outputs, odd
/// lengths (the one-element tail), float64.
#[test]
fn chains_selects_and_scalars_match_the_vm() {
    for (dtype, n) in [(DType::F32, 1), (DType::F32, 31), (DType::F32, 100_003), (DType::F64, 77_777)] {
        let a = common::uniform(&[n], 3, dtype, -3.0, 3.0);
        let b = common::uniform(&[n], 4, dtype, -3.0, 3.0);
        let s = common::uniform(&[1], 5, dtype, 1.0, 2.0);
        let w9 = || {
            let y = (((((&a * 1.1).unwrap() + 0.3).unwrap() * 0.9).unwrap() - 0.2).unwrap() * 1.05).unwrap();
            (y + 0.1).unwrap()
        };
        same_on_both_tiers("affine chain", true, w9);
        let sel = || {
            let m = a.binary(BinaryOp::Gt, &b).unwrap();
            let y = m.where_cond(&(&a * &s).unwrap(), &(&b - &s).unwrap()).unwrap();
            (y.maximum(&a).unwrap().relu().unwrap() + a.abs().unwrap().sqrt().unwrap()).unwrap()
        };
        same_on_both_tiers("select chain", true, sel);
        if dtype == DType::F32 {
            same_on_both_tiers("gelu(tanh)", true, || a.gelu(GeluApprox::Tanh).unwrap());
            same_on_both_tiers("softplus-ish", true, || (a.exp().unwrap() + 1.0).unwrap().log().unwrap());
        }
    }
}

/// Kernels that differ only in their constants share one compilation (constants are passed
/// at run time), and each computes with its own values, as the VM does.
#[test]
fn kernels_differing_in_constants_share_their_code() {
    let x = common::uniform(&[1000], 21, DType::F32, -3.0, 3.0);
    let rows = common::uniform(&[8, 33], 22, DType::F32, -3.0, 3.0);
    // A structure no other test builds (so the first graph compiles it here).
    let map = |c: f64| ((((&x * c).unwrap() - 0.625 * c).unwrap().tanh().unwrap() * 3.5).unwrap() + c).unwrap();
    let row = |c: f64| ((&rows * c).unwrap().softmax(-1).unwrap() * (c + 0.5)).unwrap().sigmoid().unwrap();
    for (what, build) in [("map", &map as &dyn Fn(f64) -> Tensor), ("rows", &row)] {
        same_on_both_tiers(what, true, || build(1.25));
        for c in [0.5, -2.0, 3.0e-3] {
            same_on_both_tiers(what, true, || build(c));
            // In the background a new structure's first run is on the VM (its compilation
            // takes milliseconds); a cached one runs compiled at once.
            let e = engine(JitMode::Background);
            let t = build(c);
            e.eval(std::slice::from_ref(&t)).unwrap();
            let tiers = e.plan_for(&[t], true).unwrap().tiers();
            let ran = if available() { "compiled" } else { "vm" };
            assert!(tiers.iter().all(|t| t.ran == ran), "{what} with constant {c}: {tiers:?}");
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let a = common::uniform(&[300_001], 6, DType::F32, -5.0, 5.0);
    for threads in [1, 2, 16] {
        let e = Engine::with_config(EngineConfig { threads, jit: JitMode::Sync, ..Default::default() }).unwrap();
        let y = a.gelu(GeluApprox::Tanh).unwrap();
        e.eval(std::slice::from_ref(&y)).unwrap();
        let vm = a.gelu(GeluApprox::Tanh).unwrap();
        engine(JitMode::Off).eval(std::slice::from_ref(&vm)).unwrap();
        assert_eq!(bits(&y), bits(&vm), "{threads} threads");
    }
}

/// A kernel runs on the VM until its code is ready, then compiled; `explain` says which.
#[test]
fn background_compilation_takes_over_when_ready() {
    let e = engine(JitMode::Background);
    let a = common::uniform(&[5000], 7, DType::F32, -1.0, 1.0);
    // A structure no other test compiles (the cache is per process).
    let build = || ((&a * 1.234567).unwrap().tanh().unwrap() - 7.654321).unwrap();
    e.eval(&[build()]).unwrap();
    let exe = e.plan_for(&[build()], true).unwrap();
    let first = exe.tiers()[0].clone();
    assert!(first.ran == "vm" || first.ran == "compiled", "{first:?}");
    if !available() {
        assert_eq!(first.jit, "off");
        return;
    }
    let t0 = std::time::Instant::now();
    while exe.tiers()[0].jit == "compiling" {
        assert!(t0.elapsed().as_secs() < 30, "never compiled");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    e.eval(&[build()]).unwrap();
    let report = exe.tiers()[0].clone();
    assert_eq!(report.ran, "compiled");
    assert!(report.jit.starts_with("compiled in "), "{report:?}");
    let text = e.explain_tiers(&[build()]).unwrap();
    assert!(text.contains("tier: ran compiled; jit compiled in "), "{text}");
}

/// Polls `cond` on the tier report of every kernel of `build()`'s plan on `e` (30 s at most).
fn wait_until(e: &Engine, build: &dyn Fn() -> Tensor, what: &str, cond: impl Fn(&str) -> bool) {
    let exe = e.plan_for(&[build()], true).unwrap();
    let t0 = std::time::Instant::now();
    while !exe.tiers().iter().all(|t| cond(&t.jit)) {
        assert!(t0.elapsed().as_secs() < 30, "never {what}: {:?}", exe.tiers());
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// In the background a new kernel gets quick code (`-O0`) first; once that has run, optimized
/// code (`-O1`) replaces it. The VM, the quick code and the optimized code compute the same bits.
#[test]
fn quick_code_runs_first_then_optimized_code_with_the_same_bits() {
    let x = common::uniform(&[3, 1000], 23, DType::F32, -6.0, 6.0);
    // Structures no other test compiles: two transcendentals (called), and a row kernel.
    let chain = || ((&x * 0.713).unwrap().sigmoid().unwrap().log1p().unwrap() - 0.377).unwrap();
    let rows = || ((&x * 1.313).unwrap().softmax(1).unwrap() * 3.7).unwrap();
    for build in [&chain as &dyn Fn() -> Tensor, &rows] {
        let vm = build();
        engine(JitMode::Off).eval(std::slice::from_ref(&vm)).unwrap();
        let e = engine(JitMode::Background);
        let mut seen = vec![];
        for stage in ["vm", "quick", "optimized"] {
            match stage {
                "quick" if available() => wait_until(&e, build, "compiled", |j| j.starts_with("compiled in ")),
                "optimized" if available() => wait_until(&e, build, "optimized", |j| j.contains(", optimized in ")),
                _ => {}
            }
            let t = build();
            e.eval(std::slice::from_ref(&t)).unwrap();
            assert_eq!(bits(&t), bits(&vm), "{stage}");
            seen.push(e.plan_for(&[build()], true).unwrap().tiers()[0].clone());
        }
        if !available() {
            assert!(seen.iter().all(|t| t.ran == "vm" && t.jit == "off"), "{seen:?}");
            continue;
        }
        assert_eq!(seen[0].ran, "vm", "{seen:?}");
        assert_eq!(seen[1].ran, "compiled", "{seen:?}");
        // (The optimized code may be ready by the time the report is taken.)
        let optimizing = seen[1].jit.ends_with("; optimizing") || seen[1].jit.contains(", optimized in ");
        assert!(seen[1].jit.contains("(-O0)") && optimizing, "{seen:?}");
        assert!(seen[2].jit.contains("(-O0), optimized in ") && seen[2].jit.ends_with("(-O1)"), "{seen:?}");
    }
}

/// Kernels the compiler does not take run on the VM and say why.
#[test]
fn unsupported_kernels_stay_on_the_vm_and_say_why() {
    let e = engine(JitMode::Sync);
    let m = common::uniform(&[64, 48], 8, DType::F32, -1.0, 1.0);
    let ints = common::uniform(&[100], 9, DType::I64, -9.0, 9.0);
    let narrow = common::uniform(&[64, 8], 8, DType::F32, -1.0, 1.0);
    let long = common::uniform(&[20_000], 8, DType::F32, -1.0, 1.0);
    type Build<'a> = Box<dyn Fn() -> Tensor + 'a>;
    let cases: Vec<(Build<'_>, &str)> = vec![
        (Box::new(|| narrow.sum(Some(&[0]), false).unwrap()), "column reductions over rows of 8 elements"),
        (Box::new(|| long.tanh().unwrap().sum(None, false).unwrap()), "long rows of tanh, sigmoid or gelu"),
        (Box::new(|| (m.transpose(0, 1).unwrap() + 1.0).unwrap()), "tiled kernels"),
        (Box::new(|| m.erfinv().unwrap()), "erfinv has no compiled form"),
        (Box::new(|| ints.neg().unwrap()), "int64"),
    ];
    for (build, why) in cases {
        e.eval(&[build()]).unwrap();
        let text = e.explain_tiers(&[build()]).unwrap();
        assert!(text.contains("tier: ran vm"), "{text}");
        if available() {
            assert!(text.contains(why), "{why}: {text}");
        }
    }
}

/// Reductions reading more than the last-level cache stay on the VM (bandwidth-bound there, where
/// the VM's reductions reach the copy's speed), and say so.
#[test]
fn reductions_larger_than_the_last_level_cache_stay_on_the_vm() {
    let llc = rusttorch_exec::engine::last_level_cache_bytes().unwrap_or(8 << 20);
    let rows = llc / (4 * 1024) + 1;
    let x = common::uniform(&[rows, 1024], 29, DType::F32, -1.0, 1.0);
    let e = engine(JitMode::Sync);
    let builds: [&dyn Fn() -> Tensor; 2] = [&|| x.sum(Some(&[0]), false).unwrap(), &|| x.sum(None, false).unwrap()];
    for build in builds {
        e.eval(&[build()]).unwrap();
        let text = e.explain_tiers(&[build()]).unwrap();
        assert!(text.contains("tier: ran vm"), "{text}");
        if available() {
            assert!(text.contains("more than the last-level cache"), "{text}");
        }
    }
}

/// An input donated to the output (an in-place update) is read through the output's memory.
#[test]
fn donated_buffers_and_streamed_stores() {
    let e = Engine::with_config(EngineConfig {
        threads: 2,
        jit: JitMode::Sync,
        fusion: rusttorch_ir::fusion::FusionConfig { stream_min_bytes: 0, ..Default::default() },
        ..Default::default()
    })
    .unwrap();
    let n = 1 << 20;
    let x = common::uniform(&[n], 10, DType::F32, -2.0, 2.0);
    let want: Vec<f32> = x.buffer().unwrap().as_slice::<f32>().unwrap().iter().map(|v| v * 2.0 + 1.0).collect();
    let y = ((&x * 2.0).unwrap() + 1.0).unwrap();
    drop(x);
    e.eval(std::slice::from_ref(&y)).unwrap();
    assert_eq!(y.buffer().unwrap().as_slice::<f32>().unwrap(), &want[..]);
    let again = common::uniform(&[n], 11, DType::F32, -2.0, 2.0);
    let tiers = e.plan_for(&[((&again * 2.0).unwrap() + 1.0).unwrap()], true).unwrap().tiers();
    if available() {
        assert_eq!(tiers[0].ran, "compiled", "{tiers:?}");
    }
}

/// Evaluates `build()` on the VM and compiled; asserts values within `tol` (row reductions
/// accumulate in other lanes than the VM's blocks) and, for float32, that every kernel ran
/// compiled.
#[track_caller]
fn close_on_both_tiers(what: &str, tol: common::Tol, dtype: DType, build: impl Fn() -> Tensor) {
    let vm = build();
    engine(JitMode::Off).eval(std::slice::from_ref(&vm)).unwrap();
    let jit_engine = engine(JitMode::Sync);
    let compiled = build();
    jit_engine.eval(std::slice::from_ref(&compiled)).unwrap();
    let (a, b) = (common::values(&vm), common::values(&compiled));
    if let Err(m) = common::compare(what, &b, &a, tol) {
        panic!("{m}");
    }
    let tiers = jit_engine.plan_for(std::slice::from_ref(&build()), true).unwrap().tiers();
    if dtype == DType::F32 && available() {
        assert!(tiers.iter().all(|t| t.ran == "compiled"), "{what}: {tiers:?}");
    }
}

/// Short-row kernels (softmax, log_softmax, layer norm, row sums/extrema/products): compiled
/// within rounding of the VM, over row lengths from 1 to the longest short row, with NaN and
/// infinite rows.
#[test]
fn row_kernels_match_the_vm() {
    for dtype in [DType::F32, DType::F64] {
        let tol = if dtype == DType::F32 { common::Tol::rel(2e-6) } else { common::Tol::rel(1e-13) };
        for (rows, len) in [(3, 1), (5, 7), (37, 300), (9, 4096), (2, 8192), (1000, 33)] {
            let x = common::uniform(&[rows, len], 12, dtype, -4.0, 4.0);
            let w = common::uniform(&[len], 13, dtype, 0.5, 1.5);
            let what = |op: &str| format!("{op} {dtype} [{rows}, {len}]");
            close_on_both_tiers(&what("softmax"), tol, dtype, || x.softmax(-1).unwrap());
            close_on_both_tiers(&what("log_softmax"), tol, dtype, || x.log_softmax(-1).unwrap());
            close_on_both_tiers(&what("layer_norm"), tol, dtype, || x.layer_norm(1, Some(&w), Some(&w), 1e-5).unwrap());
            // A float32 sum's rounding scales with the sum of |x| (the VM adds in float32 lanes,
            // the compiled code in float64).
            let eps = if dtype == DType::F32 { 6e-8 } else { 1.2e-16 };
            let sum_tol = common::Tol::isclose(4.0 * 4.0 * eps * len as f64, 0.0);
            close_on_both_tiers(&what("sum"), sum_tol, dtype, || x.sum(Some(&[1]), false).unwrap());
            close_on_both_tiers(&what("amax"), tol, dtype, || x.max(Some(&[1]), true).unwrap());
            close_on_both_tiers(&what("amin"), tol, dtype, || x.min(Some(&[1]), false).unwrap());
            close_on_both_tiers(&what("prod"), tol, dtype, || {
                ((&x * 0.01).unwrap() + 1.0).unwrap().prod(Some(&[1]), false).unwrap()
            });
        }
        // Rows holding NaN, +inf and -inf.
        let s = common::levels_with_specials(&[40, 66], 14, dtype);
        close_on_both_tiers("softmax with specials", tol, dtype, || s.softmax(-1).unwrap());
        close_on_both_tiers("amax with specials", tol, dtype, || s.max(Some(&[1]), false).unwrap());
        let sum_tol = common::Tol::isclose(1e-5, 0.0);
        close_on_both_tiers("sum with specials", sum_tol, dtype, || s.sum(Some(&[1]), false).unwrap());
    }
}

/// Elementwise kernels reading inputs broadcast along rows (a bias `[d]`, a keepdim result
/// `[n, 1]`) compile as rows: the same bits as the VM, for rows of any length (the one-element
/// tail of each row), float64 too, a donated input; rows too short stay on the VM.
#[test]
fn elementwise_kernels_with_row_broadcasts_match_the_vm() {
    for dtype in [DType::F32, DType::F64] {
        for (rows, len) in [(7, 16), (33, 37), (64, 1000), (3, 20_001), (2, 3)] {
            let x = common::uniform(&[rows, len], 20, dtype, -3.0, 3.0);
            let bias = common::uniform(&[len], 21, dtype, -1.0, 1.0);
            let m = common::uniform(&[rows, 1], 22, dtype, -1.0, 1.0);
            let what = |op: &str| format!("{op} {dtype} [{rows}, {len}]");
            // (float64 tanh is not compiled.)
            let (compiles, tanh_compiles) = (len >= 16, dtype == DType::F32 && len >= 16);
            same_on_both_tiers(&what("relu(x + bias)"), compiles, || (&x + &bias).unwrap().relu().unwrap());
            same_on_both_tiers(&what("(x - m) * 2"), compiles, || ((&x - &m).unwrap() * 2.0).unwrap());
            same_on_both_tiers(&what("tanh(x * bias + m)"), tanh_compiles, || {
                ((&x * &bias).unwrap() + &m).unwrap().tanh().unwrap()
            });
            let x3 = x.reshape(&[1, rows as isize, len as isize]).unwrap();
            same_on_both_tiers(&what("[1, n, d] - [d]"), compiles, || (&x3 - &bias).unwrap());
        }
    }
    // Donated: `y` is dropped before evaluation, so its buffer becomes the output.
    let e = engine(JitMode::Sync);
    let bias = common::uniform(&[1000], 23, DType::F32, -1.0, 1.0);
    let want: Vec<f32> = {
        let y = common::uniform(&[300, 1000], 24, DType::F32, -1.0, 1.0);
        let (yv, bv) = (y.buffer().unwrap().to_f64_vec(), bias.buffer().unwrap().to_f64_vec());
        yv.iter().enumerate().map(|(i, v)| (*v as f32 + bv[i % 1000] as f32) * 3.0).collect()
    };
    let y = common::uniform(&[300, 1000], 24, DType::F32, -1.0, 1.0);
    let z = (((&y + &bias).unwrap()) * 3.0).unwrap();
    drop(y);
    e.eval(std::slice::from_ref(&z)).unwrap();
    assert_eq!(z.buffer().unwrap().as_slice::<f32>().unwrap(), &want[..]);
    let tiers = e.plan_for(std::slice::from_ref(&z), true).unwrap().tiers();
    assert!(tiers.iter().all(|t| t.ran == (if available() { "compiled" } else { "vm" })), "{tiers:?}");
}

/// Long rows (full reductions, and rows longer than the longest short row) with their
/// elementwise prologue: compiled code sums chunks of the rows in float64 lanes, the VM in
/// float32 lanes per block, so the two agree within the float32 sum's rounding; extrema and
/// NaN/inf rows agree exactly.
#[test]
fn long_row_kernels_match_the_vm() {
    for dtype in [DType::F32, DType::F64] {
        let eps = if dtype == DType::F32 { 6e-8 } else { 1.2e-16 };
        let exact = common::Tol::rel(0.0);
        for (rows, len) in [(1, 8193), (1, 16_385), (2, 32_768), (3, 50_001), (1, 200_003)] {
            let x = common::uniform(&[rows, len], 17, dtype, -2.0, 2.0);
            let y = common::uniform(&[rows, len], 18, dtype, -2.0, 2.0);
            let what = |op: &str| format!("{op} {dtype} [{rows}, {len}]");
            // Rounding scales with the sum of |terms| (at most 4 here).
            let sum_tol = common::Tol::isclose(4.0 * 4.0 * eps * len as f64, 0.0);
            close_on_both_tiers(&what("sum"), sum_tol, dtype, || x.sum(Some(&[1]), false).unwrap());
            close_on_both_tiers(&what("sum of all"), sum_tol, dtype, || x.sum(None, false).unwrap());
            close_on_both_tiers(&what("sum((x-y)^2)"), sum_tol, dtype, || {
                ((&x - &y).unwrap().square().unwrap()).sum(Some(&[1]), false).unwrap()
            });
            close_on_both_tiers(&what("mean(exp x)"), common::Tol::rel(4.0 * eps), dtype, || {
                x.exp().unwrap().mean(Some(&[1]), true).unwrap()
            });
            close_on_both_tiers(&what("max |x-y|"), exact, dtype, || {
                (&x - &y).unwrap().abs().unwrap().max(None, false).unwrap()
            });
            close_on_both_tiers(&what("amin"), exact, dtype, || x.min(Some(&[1]), false).unwrap());
            // Products accumulate in float64 on both tiers: a float32 result rounds once, a
            // float64 one drifts with the order, by up to `len` ulp.
            let prod_tol = common::Tol::rel(if dtype == DType::F32 { 2.0 * eps } else { len as f64 * eps });
            close_on_both_tiers(&what("prod"), prod_tol, dtype, || {
                ((&x * 1e-4).unwrap() + 1.0).unwrap().prod(Some(&[1]), false).unwrap()
            });
        }
        let s = common::levels_with_specials(&[3, 20_000], 19, dtype);
        close_on_both_tiers("amax with specials", exact, dtype, || s.max(Some(&[1]), false).unwrap());
        close_on_both_tiers("sum with specials", common::Tol::isclose(1e-5, 0.0), dtype, || {
            s.sum(Some(&[1]), false).unwrap()
        });
    }
}

/// Column reductions (`x.sum(0)`, a middle dim of a 3-D tensor) with their prologue and row
/// program: compiled code accumulates every column in float64, the VM in float32 over 16 rows
/// first, so sums agree within that rounding; extrema exactly; tiles narrower than the tile
/// width (the one-element tail) and NaN/inf columns included.
#[test]
fn column_reductions_match_the_vm() {
    for dtype in [DType::F32, DType::F64] {
        let eps = if dtype == DType::F32 { 6e-8 } else { 1.2e-16 };
        let exact = common::Tol::rel(0.0);
        for dims in [vec![100, 48], vec![500, 1000], vec![70, 5000], vec![3000, 17], vec![4, 300, 70]] {
            let x = common::uniform(&dims, 25, dtype, -2.0, 2.0);
            let k = dims[dims.len() - 2];
            let red = [dims.len() as isize - 2];
            let what = |op: &str| format!("{op} {dtype} {dims:?}");
            let sum_tol = common::Tol::isclose(16.0 * 2.0 * eps * k as f64, 0.0);
            close_on_both_tiers(&what("sum"), sum_tol, dtype, || x.sum(Some(&red), false).unwrap());
            close_on_both_tiers(&what("mean(exp x)"), common::Tol::rel(16.0 * eps), dtype, || {
                x.exp().unwrap().mean(Some(&red), true).unwrap()
            });
            close_on_both_tiers(&what("amax"), exact, dtype, || x.max(Some(&red), false).unwrap());
            close_on_both_tiers(&what("amin |x|"), exact, dtype, || x.abs().unwrap().min(Some(&red), false).unwrap());
            let prod_tol = common::Tol::rel(if dtype == DType::F32 { 2.0 * eps } else { k as f64 * eps });
            close_on_both_tiers(&what("prod"), prod_tol, dtype, || {
                ((&x * 1e-3).unwrap() + 1.0).unwrap().prod(Some(&red), false).unwrap()
            });
        }
        let s = common::levels_with_specials(&[300, 40], 26, dtype);
        close_on_both_tiers("column amax with specials", exact, dtype, || s.max(Some(&[0]), false).unwrap());
        close_on_both_tiers("column sum with specials", common::Tol::isclose(1e-5, 0.0), dtype, || {
            s.sum(Some(&[0]), false).unwrap()
        });
    }
}

#[test]
fn compiled_row_kernels_do_not_depend_on_the_thread_count() {
    let x = common::uniform(&[513, 1000], 15, DType::F32, -3.0, 3.0);
    let w = common::uniform(&[1000], 16, DType::F32, 0.5, 1.5);
    let run = |threads: usize| {
        let e = Engine::with_config(EngineConfig { threads, jit: JitMode::Sync, ..Default::default() }).unwrap();
        let long = x.reshape(&[513_000]).unwrap().exp().unwrap();
        let outs = [
            x.softmax(-1).unwrap(),
            x.layer_norm(1, Some(&w), None, 1e-5).unwrap(),
            long.sum(None, false).unwrap(),
            x.sum(Some(&[0]), false).unwrap(),
        ];
        e.eval(&outs).unwrap();
        outs.iter().map(bits).collect::<Vec<_>>()
    };
    let one = run(1);
    for threads in [2, 16] {
        assert_eq!(one, run(threads), "{threads} threads");
    }
}

/// Prints the compile time of a new 22-op elementwise chain (with tanh and sigmoid, after a
/// first kernel has started LLVM) and its time per call at 1M elements on both tiers:
/// `cargo test --release -p rusttorch-exec --features jit --test jit -- --ignored --nocapture compile_time`.
#[test]
#[ignore]
fn compile_time_of_a_long_chain() {
    let x = common::uniform(&[1 << 20], 17, DType::F32, -2.0, 2.0);
    let chain = || {
        let mut y = x.clone();
        for j in 0..4 {
            y = ((&y * (1.01 + 0.01 * j as f64)).unwrap() + 0.1 * j as f64).unwrap();
            y = (y - 0.05).unwrap();
        }
        y = ((y.tanh().unwrap() * 0.9).unwrap() + 0.05).unwrap();
        y = ((y.sigmoid().unwrap() * 2.0).unwrap() - 1.0).unwrap();
        (y.relu().unwrap() + (x.maximum(&y).unwrap() * 0.5).unwrap()).unwrap()
    };
    // The process's first compilation also starts LLVM (its engine, target machine...): not
    // what a kernel costs, so a small kernel goes first.
    engine(JitMode::Sync).eval(&[(&x * 3.0).unwrap().exp().unwrap()]).unwrap();
    for mode in [JitMode::Sync, JitMode::Off] {
        let e = engine(mode);
        e.eval(&[chain()]).unwrap();
        let t0 = std::time::Instant::now();
        for _ in 0..100 {
            e.eval(&[chain()]).unwrap();
        }
        let tiers = e.plan_for(&[chain()], true).unwrap().tiers();
        println!("{mode:?}: {:.3} ms per call; {}", t0.elapsed().as_secs_f64() * 10.0, tiers[0]);
    }
}

/// Prints the time per call of reductions on both tiers (1M float32, 2 threads):
/// `cargo test --release -p rusttorch-exec --features jit --test jit -- --ignored --nocapture time_of_reductions`.
#[test]
#[ignore]
fn time_of_reductions() {
    let x = common::uniform(&[1 << 20], 27, DType::F32, -2.0, 2.0);
    let y = common::uniform(&[1 << 20], 28, DType::F32, -2.0, 2.0);
    let m = x.reshape(&[1024, 1024]).unwrap();
    type Build<'a> = Box<dyn Fn() -> Tensor + 'a>;
    let cases: Vec<(&str, Build<'_>)> = vec![
        ("sum((x-y)^2)", Box::new(|| (&x - &y).unwrap().square().unwrap().sum(None, false).unwrap())),
        ("exp(x).sum()", Box::new(|| x.exp().unwrap().sum(None, false).unwrap())),
        ("tanh(x).sum()", Box::new(|| x.tanh().unwrap().sum(None, false).unwrap())),
        ("x.amax()", Box::new(|| x.max(None, false).unwrap())),
        ("m.sum(0)", Box::new(|| m.sum(Some(&[0]), false).unwrap())),
        ("exp(m).sum(0)", Box::new(|| m.exp().unwrap().sum(Some(&[0]), false).unwrap())),
    ];
    for (name, build) in &cases {
        let mut line = format!("{name:>16}");
        for mode in [JitMode::Off, JitMode::Sync, JitMode::Off, JitMode::Sync] {
            let e = engine(mode);
            e.eval(&[build()]).unwrap();
            let mut times: Vec<f64> = (0..200)
                .map(|_| {
                    let t0 = std::time::Instant::now();
                    e.eval(&[build()]).unwrap();
                    t0.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            line += &format!("  {mode:?} {:.3}", times[100]);
        }
        println!("{line} ms");
    }
}

/// The kernels a run meets are queued together when it ends and compiled in one module; each
/// takes over with its own code.
#[test]
fn kernels_queued_together_compile_together() {
    let e = engine(JitMode::Background);
    // Three shapes, three kernels, structures no other test compiles.
    let xs: Vec<Tensor> =
        [3001, 3002, 3003].iter().map(|&n| common::uniform(&[n], n as u64, DType::F32, -3.0, 3.0)).collect();
    let build = || -> Vec<Tensor> {
        vec![
            (xs[0].tanh().unwrap() * 1.75).unwrap(),
            (xs[1].sigmoid().unwrap() - 0.125).unwrap().abs().unwrap(),
            ((&xs[2] * &xs[2]).unwrap().exp().unwrap() + 0.5).unwrap(),
        ]
    };
    e.eval(&build()).unwrap();
    let exe = e.plan_for(&build(), true).unwrap();
    assert_eq!(exe.tiers().len(), 3);
    if !available() {
        return;
    }
    let t0 = std::time::Instant::now();
    while exe.tiers().iter().any(|t| t.jit == "compiling") {
        assert!(t0.elapsed().as_secs() < 30, "never compiled");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let outs = build();
    e.eval(&outs).unwrap();
    assert!(exe.tiers().iter().all(|t| t.ran == "compiled"), "{:?}", exe.tiers());
    let vm = build();
    engine(JitMode::Off).eval(&vm).unwrap();
    for (a, b) in outs.iter().zip(&vm) {
        assert_eq!(bits(a), bits(b));
    }
}
