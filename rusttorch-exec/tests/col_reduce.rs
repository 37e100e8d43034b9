//! Property test for column reductions (`[k, n]` reduced over dim 0): over random shapes on both
//! sides of the block, the whole-row limit and the chunk size, dtypes, ops and an optional
//! elementwise prologue, the fused result equals the eager one exactly and matches the float64
//! reference. All cases run on one engine in turn, so each reuses the partials
//! buffer the previous one (of another shape or accumulator type) left behind.
#![allow(clippy::result_large_err)]

mod common;

use common::Tol;
use proptest::prelude::*;
use rusttorch_exec::prelude::*;

const DTYPES: [DType; 3] = [DType::F32, DType::F64, DType::I32];

/// An evaluated `[k, n]` input of `dtype` (uniform in [-2, 2); ints in -50..50).
fn input(k: usize, n: usize, seed: u64, dtype: DType) -> Tensor {
    let (lo, hi) = if dtype.is_float() { (-2.0, 2.0) } else { (-50.0, 50.0) };
    common::uniform(&[k, n], seed, dtype, lo, hi)
}

/// `op` (0 sum, 1 max, 2 min) over dim 0 of `x`, or of `x*2 - 1` with `prologue`.
fn build(x: &Tensor, op: u8, prologue: bool) -> Tensor {
    let y = if prologue { ((x * 2.0).unwrap() - 1.0).unwrap() } else { x.clone() };
    match op % 3 {
        0 => y.sum(Some(&[0]), false),
        1 => y.max(Some(&[0]), false),
        _ => y.min(Some(&[0]), false),
    }
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn fused_column_reductions_equal_eager_and_the_reference(
        k in prop_oneof![1usize..9, 60usize..140],
        n in prop_oneof![1usize..40, 1000usize..1100, 4090usize..4100, 8190usize..8200],
        dtype in 0usize..3,
        op in 0u8..3,
        prologue: bool,
        seed in 0u64..1000,
    ) {
        let dtype = DTYPES[dtype];
        let x = input(k, n, seed, dtype);
        // f32: the prologue rounds each element (|x*2 - 1| <= 5) and sums add in f32 partials
        // of at most 16 rows; f64 sums round differently from the sequential reference. Max,
        // min and integer results are exact.
        let tol = match (dtype, op % 3) {
            (DType::F32, 0) => 1e-5 * k as f64,
            (DType::F32, _) => 1e-6,
            (DType::F64, 0) => 1e-12 * k as f64,
            _ => 0.0,
        };
        let paths = common::check_paths_agree(&[common::engine()], Tol::Bitwise, Tol::abs(tol), || build(&x, op, prologue))
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(paths.fused[0].len(), n);
    }
}

/// A column sum of 4096 x 4096 (64 chunks of 64 rows, four rows per block) against float64.
#[test]
fn a_large_column_sum_matches_float64() {
    let x = input(4096, 4096, 7, DType::F32);
    common::assert_paths_agree(&[common::engine()], Tol::Bitwise, Tol::abs(1e-4), || x.sum(Some(&[0]), false).unwrap());
}
