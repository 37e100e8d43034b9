//! Long single-tensor chains of several op mixes: the planning-time benchmark
//! (`benches/planning.rs`) and the tests that planning stays linear in the graph size
//! (`tests/long_chains.rs`) build them here.
//!
//! Every mix keeps its values bounded over any length (each step maps `[-2, 2]`-ish data back
//! near its fixed point), so a chain of any length evaluates to finite values that fused, eager
//! and reference evaluation can be compared on.

use rusttorch_exec::prelude::*;

/// What the steps of a chain are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mix {
    /// Ops no pass rewrites: `y = y*0.5 + 1`.
    Plain,
    /// The exact identities simplification removes, in turn: `y*1 + 1e-6` (the case of
    /// issue 12), `y - 0`, `y / 1`, `-(-y)`.
    Simplifiable,
    /// A chain of constants that folds to one (`c = c + 1` from `zeros`, as in issue 12),
    /// added to the data once at the end.
    Foldable,
    /// Every step computes one subexpression twice, which CSE merges: `y = y*0.5 + y*0.5`.
    Shared,
    /// Row reductions fed back into the row: `y = (y - mean(y, -1)*0.5)*0.5 + 1`, a stage
    /// each in one kernel.
    Reductions,
    /// Column means fed back into the rows: `y = (y - mean(y, 0)*0.5)*0.5 + 1`. A column is
    /// not cache-resident while the rows stream, so every mean is a kernel of its own that the
    /// next step reads (`y = (y + y.sum())*0.5` on a large tensor plans the same way).
    Feedback,
    /// A computed row broadcast into every step with its own scale: `y = y*0.5 + r*c_i`, with
    /// `r` the column means of the input. Each `r*c_i` is stored apart from the chain.
    Broadcasts,
    /// Casts to float64 and back: `y = f32(f64(y*0.5 + 1))`, two kernels per step.
    Casts,
    /// All the steps above in turn.
    Mixed,
}

impl Mix {
    /// Every mix.
    pub const ALL: [Mix; 9] = [
        Mix::Plain,
        Mix::Simplifiable,
        Mix::Foldable,
        Mix::Shared,
        Mix::Reductions,
        Mix::Feedback,
        Mix::Broadcasts,
        Mix::Casts,
        Mix::Mixed,
    ];

    /// A short lower-case name (benchmark ids).
    pub fn name(self) -> &'static str {
        match self {
            Mix::Plain => "plain",
            Mix::Simplifiable => "simplifiable",
            Mix::Foldable => "foldable",
            Mix::Shared => "shared",
            Mix::Reductions => "reductions",
            Mix::Feedback => "feedback",
            Mix::Broadcasts => "broadcasts",
            Mix::Casts => "casts",
            Mix::Mixed => "mixed",
        }
    }
}

/// Input shape of the chains: 2-d, so rows have something to reduce.
pub const CHAIN_SHAPE: [usize; 2] = [4, 16];

/// One step of `mix` (the `i`-th), adding ops to `y` (and to the constant chain `c`); returns
/// how many ops it built.
fn step(mix: Mix, i: usize, y: &mut Tensor, c: &mut Tensor, r: &Tensor) -> Result<usize> {
    Ok(match mix {
        Mix::Plain => {
            *y = ((&*y * 0.5)? + 1.0)?;
            2
        }
        Mix::Simplifiable => match i % 4 {
            0 => {
                *y = ((&*y * 1.0)? + 1e-6)?;
                2
            }
            1 => {
                *y = (&*y - 0.0)?;
                1
            }
            2 => {
                *y = (&*y / 1.0)?;
                1
            }
            _ => {
                *y = y.neg()?.neg()?;
                2
            }
        },
        Mix::Foldable => {
            *c = (&*c + 1.0)?;
            1
        }
        Mix::Shared => {
            *y = ((&*y * 0.5)? + (&*y * 0.5)?)?;
            3
        }
        Mix::Reductions => {
            let m = y.mean(Some(&[-1]), true)?;
            *y = ((((&*y - (&m * 0.5)?)?) * 0.5)? + 1.0)?;
            6
        }
        Mix::Feedback => {
            let m = y.mean(Some(&[0]), true)?;
            *y = ((((&*y - (&m * 0.5)?)?) * 0.5)? + 1.0)?;
            6
        }
        Mix::Broadcasts => {
            // Scales that never repeat, so CSE cannot merge two steps' rows.
            let scale = 1.0 / (i as f64 + 2.0);
            *y = ((&*y * 0.5)? + (r * scale)?)?;
            3
        }
        Mix::Casts => {
            *y = ((&*y * 0.5)? + 1.0)?.cast(DType::F64)?.cast(DType::F32)?;
            4
        }
        Mix::Mixed => {
            // Every mix but this one (the last of `ALL`).
            let kinds = &Mix::ALL[..Mix::ALL.len() - 1];
            step(kinds[i % kinds.len()], i / kinds.len(), y, c, r)?
        }
    })
}

/// A chain of at least `ops` ops of `mix` over `x` (of [`CHAIN_SHAPE`] for the reductions).
pub fn chain(mix: Mix, x: &Tensor, ops: usize) -> Result<Tensor> {
    let mut y = x.clone();
    let mut c = Tensor::zeros(x.shape().clone(), x.dtype())?;
    let r = x.mean(Some(&[0]), true)?;
    let (mut built, mut i) = (0, 0);
    while built < ops {
        built += step(mix, i, &mut y, &mut c, &r)?;
        i += 1;
    }
    if matches!(mix, Mix::Foldable | Mix::Mixed) {
        y = (&y + &c)?;
    }
    Ok(y)
}
