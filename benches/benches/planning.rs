//! Planning latency: building, optimizing and planning a new 20-op graph (target < 100 µs),
//! and planning time against graph size: chains of 1k to 200k ops of each op mix
//! (`rusttorch_benches::chains`), which must grow linearly.
//!
//! Every iteration builds the graph with a different constant: constants are part of the plan
//! cache key (`GraphKey`), so the lazy path misses the cache each time; `Engine::compile` never
//! consults the cache at all. `lazy_cache_hit` reuses one constant for comparison.
#![allow(clippy::result_large_err)] // rusttorch errors carry shapes by value

use criterion::{criterion_group, criterion_main, Criterion};
use rusttorch_benches::chains::{chain, Mix, CHAIN_SHAPE};
use rusttorch_benches::*;
use rusttorch_exec::prelude::*;
use rusttorch_ir::fusion::FusionPlanner;
use rusttorch_ir::passes::PassManager;
use rusttorch_ir::tensor::lower;
use std::hint::black_box;

/// 20 ops (not counting inputs and constants): elementwise chains, a row reduction broadcast
/// back (softmax-like), another reduction and a final broadcast, so fusion has work to do.
fn graph20(x: &Tensor, y: &Tensor, k: f64) -> Result<Tensor> {
    let a = (x * y)?; // 1
    let t = (&a + k)?.tanh()?; // 2, 3
    let t = ((&t * x)? - y)?.relu()?.sigmoid()?; // 4, 5, 6, 7
    let t = ((&t * 0.5)? + &a)?.exp()?; // 8, 9, 10
    let s = t.sum(Some(&[1]), true)?; // 11
    let t = (&t / &s)?.sqrt()?; // 12, 13
    let t = (&t * y)?.neg()?.abs()?.maximum(x)?.log()?; // 14, 15, 16, 17, 18
    let m = t.max(Some(&[1]), true)?; // 19
    &t - &m // 20
}

fn planning(c: &mut Criterion) {
    let engine = engine();
    let shape = [64usize, 256];
    let x = Tensor::from_vec(data_f32(64 * 256, 1), shape).unwrap();
    let y = Tensor::from_vec(data_f32(64 * 256, 2), shape).unwrap();
    let px = Tensor::placeholder(shape, DType::F32).unwrap();
    let py = Tensor::placeholder(shape, DType::F32).unwrap();
    let ops = engine.compile(&[px.clone(), py.clone()], &[graph20(&px, &py, 1.0).unwrap()]).unwrap();
    eprintln!("planning: 20-op graph -> {} kernels", ops.num_kernels());

    let mut g = c.benchmark_group("planning");
    configure(&mut g, Cost::Small);
    let mut k = 0.0;
    g.bench_function("build_only_20_ops", |b| {
        b.iter(|| {
            k += 1.0;
            graph20(&px, &py, black_box(k)).unwrap()
        })
    });
    g.bench_function("compile_20_ops", |b| {
        b.iter(|| {
            k += 1.0;
            let out = graph20(&px, &py, black_box(k)).unwrap();
            engine.compile(&[px.clone(), py.clone()], &[out]).unwrap()
        })
    });
    g.bench_function("lazy_cache_miss_20_ops", |b| {
        b.iter(|| {
            k += 1.0;
            let out = graph20(&x, &y, black_box(k)).unwrap();
            engine.plan_for(&[out], true).unwrap()
        })
    });
    g.bench_function("lazy_cache_hit_20_ops", |b| {
        b.iter(|| {
            let out = graph20(&x, &y, black_box(1.0)).unwrap();
            engine.plan_for(&[out], true).unwrap()
        })
    });
    g.finish();
}

/// Optimizing and planning a chain (the graph is built outside the timed part). Quick mode
/// stops at 50k ops.
fn planning_vs_size(c: &mut Criterion) {
    let x = Tensor::from_vec(data_f32(CHAIN_SHAPE.iter().product(), 7), CHAIN_SHAPE).unwrap();
    let sizes: &[usize] = if quick() { &[1_000, 10_000, 50_000] } else { &[1_000, 10_000, 50_000, 200_000] };
    let mut g = c.benchmark_group("planning_vs_size");
    configure(&mut g, Cost::Large);
    for mix in Mix::ALL {
        for &ops in sizes {
            let key = lower(&[chain(mix, &x, ops).unwrap()], &[], true).unwrap().key;
            g.bench_function(format!("{}_{ops}", mix.name()), |b| {
                b.iter(|| {
                    let mut graph = key.to_graph();
                    PassManager::default().run(&mut graph).unwrap();
                    FusionPlanner::default().plan(&graph).unwrap()
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = planning, planning_vs_size
}
criterion_main!(benches);
