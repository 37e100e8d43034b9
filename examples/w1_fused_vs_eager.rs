//! W1 `(a*b + c)*0.5 - a*c` on 16M f32: the fused plan, the eager (op-by-op) baseline and a plain
//! f64 loop must agree; then both engine paths are timed.
//!
//! ```text
//! cargo run --release -p rusttorch-benches --example w1_fused_vs_eager [-- N [THREADS]]
//! ```
#![allow(clippy::result_large_err)]

use rusttorch_benches::best_of;
use rusttorch_exec::prelude::*;
use std::time::Duration;

fn w1(a: &Tensor, b: &Tensor, c: &Tensor) -> Result<Tensor> {
    (((a * b)? + c)? * 0.5)? - (a * c)?
}

/// Best wall time of `runs` calls (after one warm-up call, which also plans and caches).
fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1 << 24);
    let threads: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2);
    let engine = Engine::new(threads)?;
    println!("W1 fma_chain: (a*b + c)*0.5 - a*c over {n} f32 elements, {threads} threads\n");

    // Inputs are evaluated tensors (random now, seeded); everything built on them is lazy.
    let a = Tensor::rand([n], 1, DType::F32)?;
    let b = Tensor::rand([n], 2, DType::F32)?;
    let c = Tensor::rand([n], 3, DType::F32)?;
    println!("{}", engine.explain(&[w1(&a, &b, &c)?])?);

    // A tensor keeps its buffer once evaluated, so each call builds a fresh (cheap) expression.
    let fused = w1(&a, &b, &c)?;
    engine.eval(std::slice::from_ref(&fused))?;
    let eager = w1(&a, &b, &c)?;
    engine.eval_eager(std::slice::from_ref(&eager))?;

    let (av, bv, cv) = (a.to_vec::<f32>()?, b.to_vec::<f32>()?, c.to_vec::<f32>()?);
    let (fv, ev) = (fused.to_vec::<f32>()?, eager.to_vec::<f32>()?);
    let mut err_fused = 0.0f64;
    let mut err_eager = 0.0f64;
    for i in 0..n {
        let (x, y, z) = (av[i] as f64, bv[i] as f64, cv[i] as f64);
        let want = (x * y + z) * 0.5 - x * z;
        let scale = want.abs().max(1.0);
        err_fused = err_fused.max((fv[i] as f64 - want).abs() / scale);
        err_eager = err_eager.max((ev[i] as f64 - want).abs() / scale);
    }
    println!("max error vs f64 reference: fused {err_fused:.2e}, eager {err_eager:.2e}");
    assert!(err_fused <= 1e-6 && err_eager <= 1e-6, "fused and eager must match the reference within 1e-6");

    let t_fused = best_of(5, || engine.eval(&[w1(&a, &b, &c)?]))?;
    let t_eager = best_of(5, || engine.eval_eager(&[w1(&a, &b, &c)?]))?;
    let bytes = 4.0 * n as f64 * 4.0; // a, b, c read once, y written once
    let gbs = |t: Duration| bytes / t.as_secs_f64() / 1e9;
    println!("fused: {:8.2} ms  {:6.1} GB/s", t_fused.as_secs_f64() * 1e3, gbs(t_fused));
    println!("eager: {:8.2} ms  {:6.1} GB/s", t_eager.as_secs_f64() * 1e3, gbs(t_eager));
    println!("fused is {:.2}x faster than eager", t_eager.as_secs_f64() / t_fused.as_secs_f64());
    Ok(())
}
