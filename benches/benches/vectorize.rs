//! Does the block VM keep up with what the compiler makes of a plain loop, and which block size
//! is best?
//!
//! - `vectorize/fma/*`: `y = a*b + c` as a plain Rust loop (auto-vectorised, reused output) vs the
//!   engine's compiled plan of the same expression, on one thread and on [`threads`], at 16K
//!   elements (all operands in L2: compute-bound, so a scalar inner loop would show) and at 16M
//!   (memory-bound).
//! - `block_sweep/*`: W1 and softmax rows on engines with 256, 1024, 4096 and 16384 elements per
//!   block.
//! - `transpose_add/*`: `a.T + b` (a transposed view read inside the fused kernel, which walks
//!   2-d tiles) against `a + b` on [`big_side`]² f32; the goal is at most 2x.
#![allow(clippy::result_large_err)] // rusttorch errors carry shapes by value

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rusttorch_benches::*;
use rusttorch_exec::prelude::*;
use std::hint::black_box;

fn fma_expr(t: &[Tensor]) -> Result<Tensor> {
    (&t[0] * &t[1])? + &t[2]
}

fn vectorize(c: &mut Criterion) {
    for n in [1usize << 14, big_n()] {
        let w = Workload::new("fma", vec![vec![n]; 3], fma_expr);
        let bufs = w.input_buffers();
        let (a, b, cc) = (bufs[0].as_slice::<f32>().unwrap(), bufs[1].as_slice().unwrap(), bufs[2].as_slice().unwrap());
        let mut y = vec![0.0f32; n];
        let mut g = c.benchmark_group(format!("vectorize/fma/{n}"));
        configure(&mut g, if n > 1 << 20 { Cost::Large } else { Cost::Small });
        g.throughput(w.throughput());
        g.bench_function("plain_loop_1t", |bench| {
            bench.iter(|| fma_loop(&mut y, black_box(a), black_box(b), black_box(cc)))
        });
        let one = Engine::new(1).unwrap();
        let exe = w.compile(&one).unwrap();
        g.bench_function("engine_1t", |bench| bench.iter(|| exe.run(&one, black_box(&bufs)).unwrap()));
        let t = threads();
        let s = Stream::new(t);
        g.bench_function(format!("plain_loop_{t}t"), |bench| {
            bench.iter(|| s.fma(&mut y, black_box(a), black_box(b), black_box(cc)))
        });
        let many = engine();
        let exe = w.compile(&many).unwrap();
        g.bench_function(format!("engine_{t}t"), |bench| bench.iter(|| exe.run(&many, black_box(&bufs)).unwrap()));
        g.finish();
    }
}

fn block_sweep(c: &mut Criterion) {
    let workloads = [w1(big_n()), Workload::new("softmax", vec![vec![big_side(); 2]], softmax_rows)];
    for w in workloads {
        let bufs = w.input_buffers();
        let mut g = c.benchmark_group(format!("block_sweep/{}", w.name));
        configure(&mut g, Cost::Large);
        g.throughput(w.throughput());
        for block in [256usize, 1024, 4096, 16384] {
            let engine = engine_with_block(block);
            let exe = w.compile(&engine).unwrap();
            g.bench_with_input(BenchmarkId::from_parameter(block), &bufs, |b, bufs| {
                b.iter(|| exe.run(&engine, black_box(bufs)).unwrap())
            });
        }
        g.finish();
    }
}

fn add_expr(t: &[Tensor]) -> Result<Tensor> {
    &t[0] + &t[1]
}

fn transposed_add_expr(t: &[Tensor]) -> Result<Tensor> {
    &t[0].transpose(0, 1)? + &t[1]
}

fn transpose_add(c: &mut Criterion) {
    let side = big_side();
    let engine = engine();
    let mut g = c.benchmark_group(format!("transpose_add/{side}"));
    configure(&mut g, Cost::Large);
    for w in [
        Workload::new("a+b", vec![vec![side, side]; 2], add_expr),
        Workload::new("a.T+b", vec![vec![side, side]; 2], transposed_add_expr),
    ] {
        let bufs = w.input_buffers();
        let exe = w.compile(&engine).unwrap();
        g.throughput(w.throughput());
        g.bench_function(w.name, |bench| bench.iter(|| exe.run(&engine, black_box(&bufs)).unwrap()));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = vectorize, block_sweep, transpose_add
}
criterion_main!(benches);
