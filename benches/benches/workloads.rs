//! The W-suite fused vs eager, and the STREAM copy/triad ceiling measured by the same binary.
//!
//! Per workload, three functions:
//! - `fused`: a plan compiled once over placeholders, timed with `Executable::run` (no planning);
//! - `fused_lazy` (W1, W8): a fresh lazy expression built and evaluated per call, as a user would;
//! - `eager`: a fresh lazy expression evaluated op by op (`Engine::eval_eager`), each op
//!   materialising its result. There is no eager `compile`, so this is the only eager path; at 16M
//!   elements the build + lowering + plan-cache hit it adds is microseconds (W8 shows it alone).
//!
//! The mid-size rows (`*_1m`, `*_1024`: W1, W2, W9 at 1M elements, W3 at 1024²) fit in the
//! last-level cache, where the executor rather than memory bandwidth sets the pace.
//!
//! Throughput is compulsory bytes: inputs read once plus the output written once. W7
//! (`relu(A@B + bias)`) is compute-bound: its rate is `2*1024^3` flops over the time.

use criterion::{criterion_group, criterion_main, Criterion};
use rusttorch_benches::*;
use std::hint::black_box;

fn stream(c: &mut Criterion) {
    let n = stream_n();
    let s = Stream::new(threads());
    let a = data_f32(n, 1);
    let b = data_f32(n, 2);
    let mut y = vec![0.0f32; n];
    let mut g = c.benchmark_group("stream");
    configure(&mut g, Cost::Large);
    // Into a reused output: the classic STREAM figure.
    g.throughput(f32_throughput(2 * n));
    g.bench_function("copy", |bench| bench.iter(|| s.copy(black_box(&a), &mut y)));
    // Into a fresh zeroed allocation (4 KiB pages, no pool) each call: the gap to `copy` is the
    // page-fault cost of a new 256 MB buffer, which the engine's pooled, huge-page-advised
    // result buffers avoid.
    g.bench_function("copy_fresh", |bench| {
        bench.iter(|| {
            let mut out = zeroed_f32(n);
            s.copy(black_box(&a), &mut out);
            out
        })
    });
    g.throughput(f32_throughput(3 * n));
    g.bench_function("triad", |bench| bench.iter(|| s.triad(&mut y, black_box(&a), black_box(&b), 3.0)));
    g.finish();
}

fn workloads(c: &mut Criterion) {
    let engine = engine();
    let (mid_n, mid_side) = if quick() { (1 << 16, 256) } else { (1 << 20, 1024) };
    for w in suite(big_n(), big_side(), mm_side()).into_iter().chain(mid_suite(mid_n, mid_side)) {
        let bufs = w.input_buffers();
        let inputs = w.input_tensors(&bufs);
        let exe = w.compile(&engine).expect("compile");
        let mut g = c.benchmark_group(w.name);
        configure(&mut g, Cost::Large);
        g.throughput(w.throughput());
        g.bench_function("fused", |b| b.iter(|| exe.run(&engine, black_box(&bufs)).unwrap()));
        if w.name == "w1_fma_chain" {
            g.bench_function("fused_lazy", |b| b.iter(|| w.eval_lazy(&engine, &inputs, true).unwrap()));
        }
        g.bench_function("eager", |b| b.iter(|| w.eval_lazy(&engine, &inputs, false).unwrap()));
        g.finish();
    }
}

/// W8: W1 at 1024 elements, where the per-call overhead is the whole cost.
fn small_chain(c: &mut Criterion) {
    let engine = engine();
    let w = w1(1024);
    let bufs = w.input_buffers();
    let inputs = w.input_tensors(&bufs);
    let exe = w.compile(&engine).expect("compile");
    let mut g = c.benchmark_group("w8_small_chain");
    configure(&mut g, Cost::Small);
    g.throughput(w.throughput());
    g.bench_function("fused", |b| b.iter(|| exe.run(&engine, black_box(&bufs)).unwrap()));
    g.bench_function("fused_lazy", |b| b.iter(|| w.eval_lazy(&engine, &inputs, true).unwrap()));
    g.bench_function("eager", |b| b.iter(|| w.eval_lazy(&engine, &inputs, false).unwrap()));
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = stream, workloads, small_chain
}
criterion_main!(benches);
