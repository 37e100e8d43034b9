//! Algebraic simplification: rewrites that are exact in IEEE arithmetic, and only those.
//!
//! Rewritten (bit-exact for every input, NaN and ±0 included):
//! `x*1 → x`, `1*x → x`, `x/1 → x`, `x-0 → x`, `x+(-0) → x`, `-(-x) → x`,
//! `relu(relu x) → relu x`, `abs(abs x) → abs x`.
//!
//! Deliberately not rewritten:
//! - `x+0 → x`: wrong for `x = -0.0` (`-0.0 + 0.0` is `+0.0`).
//! - `x*0 → 0`: wrong for NaN and ±inf (NaN) and for negative x (`-0.0`).
//! - `x-x → 0`: wrong for NaN and inf.
//! - `exp(log x) → x`, `log(exp x) → x`: differ by rounding, and for `x < 0` / large x.
//! - `(x*a)*b → x*(a*b)`: reassociation changes rounding.
//!
//! A rewrite applies only when the replacement has the node's own shape and dtype (a `x*1`
//! whose `1` broadcasts `x` to a larger shape is kept).

use super::Pass;
use crate::graph::{Graph, NodeId};
use crate::op::{BinaryOp, Op, SourceOp, UnaryOp};
use crate::rewrite::Rewriter;
use crate::Result;

/// Applies the exact identities listed in the module docs.
pub struct AlgebraicSimplification;

fn full_value(g: &Rewriter, n: NodeId) -> Option<f64> {
    match g.node(n).op {
        Op::Source(SourceOp::Full(v)) => Some(v.get()),
        _ => None,
    }
}

fn is_pos_zero(v: f64) -> bool {
    v == 0.0 && v.is_sign_positive()
}

fn is_neg_zero(v: f64) -> bool {
    v == 0.0 && v.is_sign_negative()
}

/// The node `n` can be replaced by, if any (operands as rewritten so far in this sweep).
fn simplify(g: &Rewriter, n: NodeId) -> Option<NodeId> {
    let replacement = match g.node(n).op {
        Op::Binary(b) => {
            let ins = g.inputs(n);
            let (l, r) = (ins[0], ins[1]);
            let (lv, rv) = (full_value(g, l), full_value(g, r));
            match b {
                BinaryOp::Mul if rv == Some(1.0) => l,
                BinaryOp::Mul if lv == Some(1.0) => r,
                BinaryOp::Div if rv == Some(1.0) => l,
                BinaryOp::Sub if rv.is_some_and(is_pos_zero) => l,
                BinaryOp::Add if rv.is_some_and(is_neg_zero) => l,
                BinaryOp::Add if lv.is_some_and(is_neg_zero) => r,
                _ => return None,
            }
        }
        Op::Unary(u) => {
            let x = g.inputs(n)[0];
            match (u, &g.node(x).op) {
                (UnaryOp::Neg, Op::Unary(UnaryOp::Neg)) => g.inputs(x)[0],
                (UnaryOp::Relu, Op::Unary(UnaryOp::Relu)) => x,
                (UnaryOp::Abs, Op::Unary(UnaryOp::Abs)) => x,
                _ => return None,
            }
        }
        _ => return None,
    };
    let (a, b) = (g.node(n), g.node(replacement));
    (a.shape == b.shape && a.dtype == b.dtype).then_some(replacement)
}

impl Pass for AlgebraicSimplification {
    fn name(&self) -> &'static str {
        "algebraic_simplification"
    }

    /// One sweep in topological order: a node's operands are already simplified when it is
    /// visited, so chains (`x*1*1*1`, `----x`) collapse in the same sweep.
    fn run(&self, g: &mut Graph) -> Result<bool> {
        let mut rw = Rewriter::new(g);
        for i in 0..rw.order().len() {
            let n = rw.at(i);
            if let Some(r) = simplify(&rw, n) {
                rw.replace(n, r);
            }
        }
        rw.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::{assert_optimized, lowered};
    use crate::passes::DeadCodeElimination;
    use crate::{DType, Tensor};

    const PASSES: &[&dyn Pass] = &[&AlgebraicSimplification, &DeadCodeElimination];

    #[test]
    fn exact_identities_are_removed() {
        let x = Tensor::placeholder([3], DType::F32).unwrap();
        let y = ((((&x * 1.0).unwrap() - 0.0).unwrap() / 1.0).unwrap().neg().unwrap().neg().unwrap().relu().unwrap())
            .relu()
            .unwrap();
        // (The two 1.0 operands are one shared constant node.)
        assert_optimized!(&mut lowered(&[y], &[x]), PASSES, @r"
        %0 = input0 : float32 [3]
        %8 = relu(%0) : float32 [3]
        outputs: %8
        ");
    }

    #[test]
    fn inexact_identities_are_kept() {
        let x = Tensor::placeholder([3], DType::F32).unwrap();
        let y = ((&x + 0.0).unwrap() * 0.0).unwrap().log().unwrap().exp().unwrap();
        // add, mul, log and exp all stay.
        assert_optimized!(&mut lowered(&[y], &[x]), PASSES, @r"
        %0 = input0 : float32 [3]
        %1 = full(0) : float32 []
        %2 = add(%0, %1) : float32 [3]
        %3 = mul(%2, %1) : float32 [3]
        %4 = log(%3) : float32 [3]
        %5 = exp(%4) : float32 [3]
        outputs: %5
        ");
    }

    #[test]
    fn broadcasting_identity_is_kept() {
        let x = Tensor::placeholder([3], DType::F32).unwrap();
        let ones = Tensor::ones([2, 3], DType::F32).unwrap();
        let y = (&x * &ones).unwrap();
        assert_optimized!(&mut lowered(&[y], &[x]), PASSES, @r"
        %0 = input0 : float32 [3]
        %1 = full(1) : float32 [2, 3]
        %2 = mul(%0, %1) : float32 [2, 3]
        outputs: %2
        ");
    }
}
