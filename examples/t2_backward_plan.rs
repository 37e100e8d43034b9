//! T2 of the training benchmarks: the plan that computes the gradients of
//! `layer_norm(gelu(x @ W + b), gamma, beta)` (x 4096 x 1024, W 1024 x 1024, erf gelu) for a given
//! output gradient `dy`, with respect to x, W, b, gamma and beta; fused, and op by op (eager).
//!
//! Prints both plans' kernels and bytes moved, and as its last line a JSON summary that
//! `benchmarks/compare.py --suite train` reads (`kernels`, `matmuls`, `bytes_moved`, and the
//! eager plan's `eager_kernels`, `eager_bytes_moved`). The forward values the gradients need are
//! part of the same plan: the planner recomputes or stores them.
//!
//! ```text
//! cargo run --release -p rusttorch-benches --example t2_backward_plan [-- ROWS FEATURES [--plan]]
//! ```
#![allow(clippy::result_large_err)]

use rusttorch_exec::prelude::*;
use rusttorch_ir::autograd::{self, GradOptions};
use rusttorch_ir::plan::{KernelShape, Plan};

/// An evaluated f32 leaf `(uniform[0, 1) * 2 - 1) * scale + shift` that requires a gradient.
fn leaf(shape: &[usize], seed: u64, scale: f64, shift: f64) -> Result<Tensor> {
    let t = ((((Tensor::rand(shape.to_vec(), seed, DType::F32)? * 2.0)? - 1.0)? * scale)? + shift)?;
    t.eval()?;
    t.set_requires_grad(true)?;
    Ok(t)
}

/// Kernels, matmul kernels and bytes moved (read + written) of a plan.
fn totals(plan: &Plan) -> (usize, usize, usize) {
    let matmuls = plan.kernels.iter().filter(|k| matches!(k.shape, KernelShape::MatMul { .. })).count();
    let bytes = plan.kernels.iter().map(|k| plan.kernel_traffic(k)).map(|(r, w)| r + w).sum();
    (plan.kernels.len(), matmuls, bytes)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (rows, feat) = (num(0, 4096), num(1, 1024));
    let show_plan = args.iter().any(|a| a == "--plan");
    let engine = Engine::new(2)?;

    let bound = 1.0 / (feat as f64).sqrt();
    let x = leaf(&[rows, feat], 1, 1.0, 0.0)?;
    let w = leaf(&[feat, feat], 2, bound, 0.0)?;
    let b = leaf(&[feat], 3, bound, 0.0)?;
    let gamma = leaf(&[feat], 4, 0.5, 1.0)?;
    let beta = leaf(&[feat], 5, 0.5, 0.0)?;
    let dy = Tensor::randn([rows, feat], 6, DType::F32)?;
    dy.eval()?;

    let out = (x.matmul(&w)? + &b)?.gelu(GeluApprox::Erf)?.layer_norm(1, Some(&gamma), Some(&beta), 1e-5)?;
    let inputs = [x, w, b, gamma, beta];
    let grads: Vec<Tensor> =
        autograd::grad(&[out], &inputs, &[Some(dy)], GradOptions::default())?.into_iter().flatten().collect();

    let fused = engine.plan_for(&grads, true)?;
    let eager = engine.plan_for(&grads, false)?;
    let (kernels, matmuls, bytes) = totals(fused.plan());
    let (eager_kernels, _, eager_bytes) = totals(eager.plan());
    println!("T2: gradients of layer_norm(gelu(x @ W + b)) at {rows} x {feat} (W {feat} x {feat})");
    if show_plan {
        println!("\nfused plan:\n{}", fused.explain());
    }
    let mib = |b: usize| b as f64 / f64::from(1 << 20);
    println!("fused: {kernels} kernels ({matmuls} matmuls), {:.1} MiB moved", mib(bytes));
    println!("eager: {eager_kernels} kernels, {:.1} MiB moved", mib(eager_bytes));
    println!(
        "{{\"rows\": {rows}, \"features\": {feat}, \"kernels\": {kernels}, \"matmuls\": {matmuls}, \
         \"bytes_moved\": {bytes}, \"eager_kernels\": {eager_kernels}, \"eager_bytes_moved\": {eager_bytes}}}"
    );
    Ok(())
}
