//! Property test for column reductions (`[k, n]` reduced over dim 0): over random shapes on both
//! sides of the block, the whole-row limit and the chunk size, dtypes, ops and an optional
//! elementwise prologue, the fused result equals the eager one exactly and matches a float64
//! reference computed here. All cases run on one engine in turn, so each reuses the partials
//! buffer the previous one (of another shape or accumulator type) left behind.
#![allow(clippy::result_large_err)]

use proptest::prelude::*;
use rusttorch_exec::prelude::*;

const DTYPES: [DType; 3] = [DType::F32, DType::F64, DType::I32];

/// An evaluated `[k, n]` input of `dtype` (uniform in [-2, 2); ints in -50..50).
fn input(k: usize, n: usize, seed: u64, dtype: DType) -> Tensor {
    let x = Tensor::rand([k, n], seed, DType::F64).unwrap();
    let x =
        if dtype.is_float() { ((&x * 4.0).unwrap() - 2.0).unwrap() } else { ((&x * 100.0).unwrap() - 50.0).unwrap() };
    let t = x.cast(dtype).unwrap();
    t.eval().unwrap();
    t
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

/// The float64 reference of [`build`] from the input's values.
fn reference(x: &[f64], k: usize, n: usize, op: u8, prologue: bool) -> Vec<f64> {
    (0..n)
        .map(|j| {
            let col = (0..k).map(|i| if prologue { x[i * n + j] * 2.0 - 1.0 } else { x[i * n + j] });
            match op % 3 {
                0 => col.sum(),
                1 => col.fold(f64::NEG_INFINITY, f64::max),
                _ => col.fold(f64::INFINITY, f64::min),
            }
        })
        .collect()
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
        let e = Engine::new(2).unwrap();
        let x = input(k, n, seed, dtype);
        let (fused, eager) = (build(&x, op, prologue), build(&x, op, prologue));
        e.eval(std::slice::from_ref(&fused)).unwrap();
        e.eval_eager(std::slice::from_ref(&eager)).unwrap();
        let (f, g) = (fused.buffer().unwrap().to_f64_vec(), eager.buffer().unwrap().to_f64_vec());
        prop_assert_eq!(&f, &g);
        let want = reference(&x.buffer().unwrap().to_f64_vec(), k, n, op, prologue);
        prop_assert_eq!(f.len(), n);
        // f32: the prologue rounds each element (|x*2 - 1| <= 5) and sums add in f32 partials
        // of at most 16 rows; f64 sums round differently from the sequential reference. Max,
        // min and integer results are exact.
        let tol = match (dtype, op % 3) {
            (DType::F32, 0) => 1e-5 * k as f64,
            (DType::F32, _) => 1e-6,
            (DType::F64, 0) => 1e-12 * k as f64,
            _ => 0.0,
        };
        for (j, (got, want)) in f.iter().zip(&want).enumerate() {
            prop_assert!((got - want).abs() <= tol, "column {j}: {got} vs {want}");
        }
    }
}

/// A column sum of 4096 x 4096 (64 chunks of 64 rows, four rows per block) against float64.
#[test]
fn a_large_column_sum_matches_float64() {
    let (k, n) = (4096, 4096);
    let e = Engine::new(2).unwrap();
    let x = input(k, n, 7, DType::F32);
    let y = x.sum(Some(&[0]), false).unwrap();
    e.eval(std::slice::from_ref(&y)).unwrap();
    let got = y.buffer().unwrap().to_f64_vec();
    let want = reference(&x.buffer().unwrap().to_f64_vec(), k, n, 0, false);
    for (j, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!((g - w).abs() <= 1e-4, "column {j}: {g} vs {w}");
    }
}
