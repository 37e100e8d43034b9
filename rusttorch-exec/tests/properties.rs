//! Property tests: random expression graphs (unary, binary, broadcast, reduce, softmax; depth
//! up to 12) over random shapes including 0-d, empty and non-block-multiple sizes. Fused and
//! eager evaluation must agree to 1e-5 (relative to the values' scale), and both must match the
//! f64 reference interpreter to f32 accuracy.

mod common;

use common::Tol;
use proptest::prelude::*;
use rusttorch_exec::prelude::*;
use rusttorch_exec::reference::eval_graph;
use rusttorch_ir::op::{BinaryOp, ReduceOp, UnaryOp};
use rusttorch_ir::tensor::lower;

#[derive(Debug, Clone)]
enum Expr {
    /// Input `seed`, with dims in `mask` set to 1 (broadcast), or a leading dim dropped.
    Leaf(u64, u8, bool),
    Const(f32),
    Un(u8, Box<Expr>),
    Bin(u8, Box<Expr>, Box<Expr>),
    /// Reduce op over the dims in `mask` (keepdim), or over everything to 0-d.
    Red(u8, u8, bool, Box<Expr>),
    Softmax(u8, Box<Expr>),
    /// Reverses `dim` through a negative-step slice view (stride -1), or takes every other
    /// element forward and backward when `pair` (a view of a view).
    Flip(u8, bool, Box<Expr>),
}

const UNARY: [UnaryOp; 12] = [
    UnaryOp::Neg,
    UnaryOp::Abs,
    UnaryOp::Tanh,
    UnaryOp::Sigmoid,
    UnaryOp::Relu,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Square,
    UnaryOp::Exp,
    UnaryOp::Gelu(rusttorch_ir::GeluApprox::Tanh),
    UnaryOp::Gelu(rusttorch_ir::GeluApprox::Erf),
    UnaryOp::Sqrt,
];
const BINARY: [BinaryOp; 6] =
    [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Maximum, BinaryOp::Minimum, BinaryOp::Div];
// Square shapes matter: they make a squeezed reduction shape coincide with a broadcast one.
// Sizes past SMALL_KERNEL (4096) run elementwise kernels in many blocks per task, with a
// partial last block.
const SHAPES: [&[usize]; 14] = [
    &[],
    &[1],
    &[7],
    &[0],
    &[3, 5],
    &[2, 0, 3],
    &[1100],
    &[3, 1029],
    &[2, 3, 40],
    &[70, 3],
    &[4, 4],
    &[3, 3, 3],
    &[5001],
    &[2, 4500],
];

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        4 => (any::<u64>(), any::<u8>(), any::<bool>()).prop_map(|(s, m, d)| Expr::Leaf(s, m, d)),
        1 => (-2.0f32..2.0).prop_map(Expr::Const),
    ];
    leaf.prop_recursive(12, 48, 2, |inner| {
        prop_oneof![
            3 => (0..UNARY.len() as u8, inner.clone()).prop_map(|(o, e)| Expr::Un(o, Box::new(e))),
            4 => (0..BINARY.len() as u8, inner.clone(), inner.clone())
                .prop_map(|(o, a, b)| Expr::Bin(o, Box::new(a), Box::new(b))),
            2 => (0..3u8, any::<u8>(), any::<bool>(), inner.clone())
                .prop_map(|(o, m, all, e)| Expr::Red(o, m, all, Box::new(e))),
            1 => (any::<u8>(), inner.clone()).prop_map(|(d, e)| Expr::Softmax(d, Box::new(e))),
            1 => (any::<u8>(), any::<bool>(), inner).prop_map(|(d, p, e)| Expr::Flip(d, p, Box::new(e))),
        ]
    })
}

/// Builds the tensor; every subexpression's shape broadcasts to `base`.
fn build(e: &Expr, base: &[usize]) -> Tensor {
    match e {
        Expr::Leaf(seed, mask, drop) => {
            let mut dims: Vec<usize> =
                base.iter().enumerate().map(|(i, &d)| if mask >> i & 1 == 1 { 1 } else { d }).collect();
            if *drop && !dims.is_empty() {
                dims.remove(0);
            }
            common::uniform(&dims, *seed, DType::F32, -2.0, 2.0)
        }
        Expr::Const(v) => Tensor::scalar(*v as f64, DType::F32),
        Expr::Un(o, x) => {
            let x = build(x, base);
            let op = UNARY[*o as usize];
            // Keep sqrt and exp in their well-conditioned domains.
            let x = match op {
                UnaryOp::Sqrt => x.abs().unwrap(),
                UnaryOp::Exp => x.tanh().unwrap(),
                _ => x,
            };
            x.unary(op).unwrap()
        }
        Expr::Bin(o, a, b) => {
            let (a, b) = (build(a, base), build(b, base));
            match BINARY[*o as usize] {
                // Divide by something bounded away from zero.
                BinaryOp::Div => a.binary(BinaryOp::Div, &(&b.square().unwrap() + 1.0).unwrap()).unwrap(),
                op => a.binary(op, &b).unwrap(),
            }
        }
        Expr::Red(o, mask, all, x) => {
            let x = build(x, base);
            let op = [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min][*o as usize];
            let nd = x.ndim();
            let empty = x.numel() == 0;
            let op = if empty { ReduceOp::Sum } else { op };
            if *all || nd == 0 {
                return x.reduce(op, None, false).unwrap();
            }
            let dims: Vec<isize> = (0..nd).filter(|i| mask >> i & 1 == 1).map(|i| i as isize).collect();
            let dims = if dims.is_empty() { vec![nd as isize - 1] } else { dims };
            let dims_have_zero = dims.iter().any(|&d| x.dims()[d as usize] == 0);
            let op = if dims_have_zero { ReduceOp::Sum } else { op };
            x.reduce(op, Some(&dims), true).unwrap()
        }
        Expr::Flip(d, pair, x) => {
            let x = build(x, base);
            if x.ndim() == 0 {
                return x;
            }
            let d = (*d as usize % x.ndim()) as isize;
            let f = x.slice(d, None, None, -1).unwrap();
            if *pair {
                // Reverse again: the identity, as a view of a view.
                f.slice(d, None, None, -1).unwrap()
            } else {
                f
            }
        }
        Expr::Softmax(d, x) => {
            let x = build(x, base);
            if x.ndim() == 0 || x.numel() == 0 {
                return x;
            }
            x.softmax((*d as usize % x.ndim()) as isize).unwrap()
        }
    }
}

fn check(e: &Expr, base: &[usize], engines: &[Engine]) -> Result<(), TestCaseError> {
    let t = build(e, base);
    // Reference values of every node, and the largest magnitude seen (error scale).
    let lowered = lower(std::slice::from_ref(&t), &[], false).unwrap();
    let g = lowered.key.to_graph();
    let vals = eval_graph(&g, &lowered.inputs);
    let scale = vals.values().flatten().fold(1.0f64, |m, v| if v.is_finite() { m.max(v.abs()) } else { m });
    prop_assume!(vals.values().flatten().all(|v| v.is_finite()));
    common::check_paths_agree(engines, Tol::isclose(1e-5, 1e-5), Tol::abs(2e-4 * scale), || build(e, base))
        .map_err(|m| TestCaseError::fail(format!("{m}\nof {e:?}")))?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn fused_equals_eager_equals_reference(e in expr(), s in 0..SHAPES.len()) {
        let engines = common::engines();
        check(&e, SHAPES[s], &engines)?;
    }
}
