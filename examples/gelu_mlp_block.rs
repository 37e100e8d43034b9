//! An MLP-style residual block without matmul (which does not exist yet): per-feature scale and
//! shift around a gelu, a residual add and a layer norm,
//!
//! ```text
//! y = layer_norm(x + (gelu(x*w1 + b1) * w2 + b2), gamma, beta)
//! ```
//!
//! The whole block is a row kernel: one pass computes the pre-norm row and its statistics, the
//! next normalises it. It is checked against the f64 reference interpreter and timed fused vs
//! eager.
//!
//! ```text
//! cargo run --release -p rusttorch-benches --example gelu_mlp_block [-- BATCH DIM [THREADS]]
//! ```
#![allow(clippy::result_large_err)]

use rusttorch_benches::best_of;
use rusttorch_exec::prelude::*;
use rusttorch_exec::reference::reference;

/// Parameters of the block, each of length `dim` (broadcast over the batch).
struct Block {
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor,
    gamma: Tensor,
    beta: Tensor,
}

impl Block {
    fn new(dim: usize) -> Result<Block> {
        // Evaluated now, so they are plain inputs of the block's plan (not recomputed per call).
        let p = |seed, scale: f64, shift: f64| -> Result<Tensor> {
            let t = ((Tensor::randn([dim], seed, DType::F32)? * scale)? + shift)?;
            t.eval()?;
            Ok(t)
        };
        Ok(Block {
            w1: p(11, 0.5, 1.0)?,
            b1: p(12, 0.1, 0.0)?,
            w2: p(13, 0.5, 1.0)?,
            b2: p(14, 0.1, 0.0)?,
            gamma: p(15, 0.1, 1.0)?,
            beta: p(16, 0.1, 0.0)?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let h = ((x * &self.w1)? + &self.b1)?.gelu(GeluApprox::Tanh)?;
        let h = ((&h * &self.w2)? + &self.b2)?;
        (x + &h)?.layer_norm(1, Some(&self.gamma), Some(&self.beta), 1e-5)
    }
}

fn max_err(got: &[f32], want: &[f64]) -> f64 {
    got.iter().zip(want).map(|(&g, &w)| (g as f64 - w).abs() / w.abs().max(1.0)).fold(0.0, f64::max)
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1).map(|s| s.parse::<usize>().ok());
    let batch = args.next().flatten().unwrap_or(2048);
    let dim = args.next().flatten().unwrap_or(1024);
    let threads = args.next().flatten().unwrap_or(2);
    let engine = Engine::new(threads)?;
    println!("gelu MLP-style block on x: [{batch}, {dim}] f32, {threads} threads\n");

    let block = Block::new(dim)?;
    let x = Tensor::randn([batch, dim], 1, DType::F32)?;
    let plan = engine.plan_for(&[block.forward(&x)?], true)?;
    println!("{}", plan.explain());
    println!("{} kernel(s)\n", plan.num_kernels());

    let want = reference(&[block.forward(&x)?])?.remove(0);
    let fused = block.forward(&x)?;
    engine.eval(std::slice::from_ref(&fused))?;
    let eager = block.forward(&x)?;
    engine.eval_eager(std::slice::from_ref(&eager))?;
    let (ef, ee) = (max_err(&fused.to_vec::<f32>()?, &want), max_err(&eager.to_vec::<f32>()?, &want));
    println!("max error vs f64 reference: fused {ef:.2e}, eager {ee:.2e}");
    assert!(ef < 1e-5 && ee < 1e-5, "fused and eager must match the reference");

    let t_fused = best_of(5, || engine.eval(&[block.forward(&x)?]))?;
    let t_eager = best_of(3, || engine.eval_eager(&[block.forward(&x)?]))?;
    // x and y once, plus six parameter vectors.
    let bytes = (2 * batch * dim + 6 * dim) as f64 * 4.0;
    for (name, t) in [("fused", t_fused), ("eager", t_eager)] {
        println!("{name}: {:8.2} ms  {:6.1} GB/s", t.as_secs_f64() * 1e3, bytes / t.as_secs_f64() / 1e9);
    }
    println!("fused is {:.2}x faster than eager", t_eager.as_secs_f64() / t_fused.as_secs_f64());
    Ok(())
}
