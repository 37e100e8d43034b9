//! Softmax over the rows of a 4096x4096 f32 matrix: the plan reads x at most twice (an online
//! max+sum pass, then the normalising pass), matches an f64 reference, and is timed fused vs
//! eager.
//!
//! ```text
//! cargo run --release -p rusttorch-benches --example softmax [-- ROWS COLS [THREADS]]
//! ```
#![allow(clippy::result_large_err)]

use rusttorch_benches::best_of;
use rusttorch_exec::prelude::*;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1).map(|s| s.parse::<usize>().ok());
    let rows = args.next().flatten().unwrap_or(4096);
    let cols = args.next().flatten().unwrap_or(4096);
    let threads = args.next().flatten().unwrap_or(2);
    let engine = Engine::new(threads)?;
    println!("softmax over dim 1 of a {rows}x{cols} f32 matrix, {threads} threads\n");

    let x = (Tensor::randn([rows, cols], 7, DType::F32)? * 3.0)?;
    engine.eval(std::slice::from_ref(&x))?;
    let plan = engine.plan_for(&[x.softmax(1)?], true)?;
    println!("{}", plan.explain());
    println!("{} kernel(s)\n", plan.num_kernels());

    let y = x.softmax(1)?;
    let got = y.to_vec::<f32>()?;
    let xv = x.to_vec::<f32>()?;
    let mut max_err = 0.0f64;
    let mut worst_row_sum = 0.0f64;
    for r in 0..rows {
        let row = &xv[r * cols..(r + 1) * cols];
        let m = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
        let s: f64 = row.iter().map(|&v| (v as f64 - m).exp()).sum();
        let out = &got[r * cols..(r + 1) * cols];
        for (&v, &g) in row.iter().zip(out) {
            let want = (v as f64 - m).exp() / s;
            max_err = max_err.max((g as f64 - want).abs() / want.max(1e-30).max(1e-6));
        }
        worst_row_sum = worst_row_sum.max((out.iter().map(|&v| v as f64).sum::<f64>() - 1.0).abs());
    }
    println!("max error vs f64 (relative, floor 1e-6): {max_err:.2e}; worst |row sum - 1|: {worst_row_sum:.2e}");
    assert!(max_err < 1e-4 && worst_row_sum < 1e-4);

    let t_fused = best_of(5, || engine.eval(&[x.softmax(1)?]))?;
    let t_eager = best_of(3, || engine.eval_eager(&[x.softmax(1)?]))?;
    let bytes = 2.0 * (rows * cols) as f64 * 4.0;
    for (name, t) in [("fused", t_fused), ("eager", t_eager)] {
        println!("{name}: {:8.2} ms  {:6.1} GB/s", t.as_secs_f64() * 1e3, bytes / t.as_secs_f64() / 1e9);
    }
    println!("fused is {:.2}x faster than eager", t_eager.as_secs_f64() / t_fused.as_secs_f64());
    Ok(())
}
