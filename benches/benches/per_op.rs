//! The per-op grid: single ops at 100x100, 500x500, 1000x1000 and 4096x4096, fused only (for a
//! single op the eager plan is the same kernel). Throughput counts the f32 inputs and the output
//! as f32 (constant index tensors are not counted, int64 outputs count half).
#![allow(clippy::result_large_err)] // rusttorch errors carry shapes by value

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rusttorch_benches::*;
use rusttorch_exec::prelude::*;
use std::hint::black_box;

/// An op of the grid: how many `[n, n]` inputs it takes and how to build it.
struct GridOp {
    name: &'static str,
    arity: usize,
    build: fn(&[Tensor], &[usize]) -> Result<Tensor>,
}

const fn op(name: &'static str, arity: usize, build: fn(&[Tensor], &[usize]) -> Result<Tensor>) -> GridOp {
    GridOp { name, arity, build }
}

/// A constant int64 tensor of `shape`, entries uniform in `[0, high)` (deterministic): the index
/// of the gather rows, built once per size with the graph.
fn random_index(shape: &[usize], high: usize) -> Result<Tensor> {
    let n = shape.iter().product();
    let top = high as i64 - 1;
    let idx = data_f32(n, 7).into_iter().map(|v| (((v + 2.0) * 0.25 * high as f32) as i64).min(top)).collect();
    Tensor::from_vec::<i64>(idx, shape)
}

/// `gelu` is the exact (erf) form, PyTorch's default; W2 times the tanh form. The rows after
/// `softmax` are issue 14's families (compare.py's ops suite times them against NumPy, PyTorch
/// and JAX at fixed sizes).
const OPS: &[GridOp] = &[
    op("zeros", 0, |_, s| Tensor::zeros(s, DType::F32)),
    op("ones", 0, |_, s| Tensor::ones(s, DType::F32)),
    op("add", 2, |t, _| &t[0] + &t[1]),
    op("mul", 2, |t, _| &t[0] * &t[1]),
    op("sub", 2, |t, _| &t[0] - &t[1]),
    op("div", 2, |t, _| &t[0] / &t[1]),
    op("add_scalar", 1, |t, _| &t[0] + 1.5),
    op("mul_scalar", 1, |t, _| &t[0] * 1.5),
    op("sum", 1, |t, _| t[0].sum(None, false)),
    op("mean", 1, |t, _| t[0].mean(None, false)),
    op("max", 1, |t, _| t[0].max(None, false)),
    op("min", 1, |t, _| t[0].min(None, false)),
    op("sum_dim", 1, |t, _| t[0].sum(Some(&[1]), false)),
    op("mean_dim", 1, |t, _| t[0].mean(Some(&[1]), false)),
    op("relu", 1, |t, _| t[0].relu()),
    op("leaky_relu", 1, |t, _| t[0].leaky_relu(0.01)),
    op("sigmoid", 1, |t, _| t[0].sigmoid()),
    op("tanh", 1, |t, _| t[0].tanh()),
    op("gelu", 1, |t, _| t[0].gelu(GeluApprox::Erf)),
    op("softmax", 1, |t, _| t[0].softmax(1)),
    op("cumsum", 1, |t, _| t[0].cumsum(1, None)),
    op("sort", 1, |t, _| Ok(t[0].sort(1, false)?.0)),
    op("argsort", 1, |t, _| t[0].argsort(1, false)),
    op("topk16", 1, |t, _| Ok(t[0].topk(16, 1, true)?.0)),
    op("gather", 1, |t, s| t[0].gather(1, &random_index(s, s[1])?)),
    op("index_select", 1, |t, s| t[0].index_select(0, &random_index(&s[..1], s[0])?)),
    op("einsum_rowdot", 2, |t, _| Tensor::einsum("ij,ij->i", &[t[0].clone(), t[1].clone()])),
];

fn sizes() -> &'static [usize] {
    if quick() {
        &[100, 1000]
    } else {
        &[100, 500, 1000, 4096]
    }
}

fn per_op(c: &mut Criterion) {
    let engine = engine();
    let inputs: Vec<(usize, Vec<Buffer>)> =
        sizes().iter().map(|&n| (n, (1..=2).map(|s| Buffer::from_vec(data_f32(n * n, s))).collect())).collect();
    for o in OPS {
        let mut g = c.benchmark_group(format!("per_op/{}", o.name));
        for (n, bufs) in &inputs {
            let shape = [*n, *n];
            let ph: Vec<Tensor> = (0..o.arity).map(|_| Tensor::placeholder(shape, DType::F32).unwrap()).collect();
            let out = (o.build)(&ph, &shape).unwrap();
            let bufs = &bufs[..o.arity];
            // An op the engine cannot run yet is reported and skipped, not allowed to stop the grid.
            let exe =
                match engine.compile(&ph, std::slice::from_ref(&out)).and_then(|e| e.run(&engine, bufs).map(|_| e)) {
                    Ok(exe) => exe,
                    Err(e) => {
                        eprintln!("per_op/{}/{n}x{n}: skipped, the engine fails: {e}", o.name);
                        continue;
                    }
                };
            configure(&mut g, if n * n >= 1 << 22 { Cost::Large } else { Cost::Small });
            g.throughput(f32_throughput(o.arity * n * n + out.numel()));
            g.bench_with_input(BenchmarkId::from_parameter(format!("{n}x{n}")), bufs, |b, bufs| {
                b.iter(|| exe.run(&engine, black_box(bufs)).unwrap())
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = per_op
}
criterion_main!(benches);
