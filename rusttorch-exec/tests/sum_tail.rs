//! Property test for sums that absorb their last binary op (`SumTail` in the executor): over
//! random lengths (short rows, and rows longer than a block, where the tail applies), dtypes,
//! ops and operand forms (tensor, scalar on either side, squared or not), the fused result must
//! equal the eager one (every op stored before the sum) exactly.
#![allow(clippy::result_large_err)]

mod common;

use common::Tol;
use proptest::prelude::*;
use rusttorch_exec::prelude::*;
use rusttorch_ir::op::BinaryOp;

const DTYPES: [DType; 4] = [DType::F32, DType::F64, DType::I32, DType::I64];

/// An evaluated `[rows, n]` input of `dtype` (ints in -50..50).
fn input(rows: usize, n: usize, seed: u64, dtype: DType) -> Tensor {
    let (lo, hi) = if dtype.is_float() { (0.0, 1.0) } else { (-50.0, 50.0) };
    common::uniform(&[rows, n], seed, dtype, lo, hi)
}

/// `sum(op(a, b))` (or of its square) over the last dim; `form` 0: tensor operand, 1: scalar on
/// the right, 2: scalar on the left.
fn build(a: &Tensor, b: &Tensor, op: u8, form: u8, square: bool) -> Tensor {
    let bop = [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul][op as usize % 3];
    let y = match form % 3 {
        0 => a.binary(bop, b).unwrap(),
        1 => a.binary_scalar(bop, 3.0).unwrap(),
        _ => a.rbinary_scalar(bop, 3.0).unwrap(),
    };
    let y = if square { y.square().unwrap() } else { y };
    y.sum(Some(&[-1]), false).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    #[test]
    fn fused_sums_of_binary_ops_equal_eager_exactly(
        n in prop_oneof![1usize..300, 1000usize..70_000],
        rows in 1usize..4,
        dtype in 0usize..4,
        op in 0u8..3,
        form in 0u8..3,
        square: bool,
        seed in 0u64..1000,
    ) {
        let dtype = DTYPES[dtype];
        let (a, b) = (input(rows, n, seed, dtype), input(rows, n, seed + 1, dtype));
        let paths = common::check_fused_eager(&[common::engine()], Tol::Bitwise, || build(&a, &b, op, form, square))
            .map_err(TestCaseError::fail)?;
        prop_assert!(paths.fused[0].len() == rows && n > 0);
    }
}
