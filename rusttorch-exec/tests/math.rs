//! The elementwise math library through every path (fused, eager, the f64 reference): the
//! values PyTorch defines at the edges (fmod vs remainder signs, nextafter in float32, xlogy at
//! 0, logaddexp of infinities, isclose/equal), the dtype rules, and fusion of the composites.
#![allow(clippy::result_large_err)]

mod common;

use common::Tol;
use rusttorch_exec::prelude::*;
use rusttorch_ir::tensor::Operand;
use rusttorch_ir::{BinaryOp, Scalar, ScalarKind};

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

fn t64(v: &[f64]) -> Tensor {
    Tensor::from_vec(v.to_vec(), [v.len()]).unwrap()
}

fn t32(v: &[f64]) -> Tensor {
    Tensor::from_vec(v.iter().map(|&x| x as f32).collect::<Vec<_>>(), [v.len()]).unwrap()
}

/// Fused, eager and the reference agree with each other and equal `want` within `tol`.
fn check(build: impl Fn() -> Tensor, want: &[f64], tol: Tol) {
    let paths = common::assert_paths_agree(&common::engines(), tol, tol, build);
    for (name, got) in [("fused", &paths.fused[0]), ("eager", &paths.eager[0]), ("reference", &paths.reference[0])] {
        common::compare(name, got, want, tol).unwrap_or_else(|m| panic!("{m} (all: {got:?})"));
    }
}

#[test]
fn fmod_takes_the_dividends_sign_and_remainder_the_divisors() {
    let (a, b) = ([-7.0, 7.0, -7.0, 5.5, 3.0], [3.0, -3.0, -3.0, INF, 0.0]);
    for t in [t32, t64] {
        check(|| t(&a).fmod(&t(&b)).unwrap(), &[-1.0, 1.0, -1.0, 5.5, NAN], Tol::EXACT);
        check(|| t(&a).remainder(&t(&b)).unwrap(), &[2.0, -2.0, -1.0, 5.5, NAN], Tol::EXACT);
    }
    let i = |v: Vec<i64>| Tensor::from_vec(v, [3]).unwrap();
    let f = i(vec![-7, 7, 5]).fmod(&i(vec![3, -3, 0])).unwrap();
    assert_eq!(f.dtype(), DType::I64);
    check(|| i(vec![-7, 7, 5]).fmod(&i(vec![3, -3, 0])).unwrap(), &[-1.0, 1.0, 0.0], Tol::EXACT);
}

#[test]
fn nextafter_steps_in_the_result_dtype() {
    let up32 = f64::from(f32::from_bits(1.0f32.to_bits() + 1));
    check(
        || t32(&[1.0, 0.0]).nextafter(&t32(&[2.0, -1.0])).unwrap(),
        &[up32, -f64::from(f32::from_bits(1))],
        Tol::Bitwise,
    );
    check(|| t64(&[1.0]).nextafter(&t64(&[2.0])).unwrap(), &[1.0 + f64::EPSILON], Tol::Bitwise);
    // Constants fold in f64 only for f64 results.
    let full = |v: f64| Tensor::full([2], v, DType::F32).unwrap();
    let c = || full(1.0).nextafter(&full(2.0)).unwrap().binary(BinaryOp::Add, &t32(&[0.0, 0.0])).unwrap();
    check(c, &[up32, up32], Tol::Bitwise);
    let ints = Tensor::from_vec(vec![1i64], [1]).unwrap();
    assert!(matches!(ints.nextafter(&ints), Err(Error::UnsupportedDType { op: "nextafter", .. })));
}

#[test]
fn xlogy_is_zero_at_zero_unless_y_is_nan() {
    let x = [0.0, 0.0, 0.0, 2.0, NAN];
    let y = [0.0, NAN, INF, 1.0, 0.0];
    check(|| t64(&x).xlogy(&t64(&y)).unwrap(), &[0.0, NAN, 0.0, 0.0, NAN], Tol::EXACT);
}

#[test]
fn logaddexp_of_infinities_and_far_apart_values() {
    let a = [INF, -INF, INF, 1000.0, -1000.0, 0.0, NAN];
    let b = [INF, -INF, -INF, 0.0, -1000.0, 0.0, 1.0];
    let ln2 = std::f64::consts::LN_2;
    let want = [INF, -INF, INF, 1000.0, -1000.0 + ln2, ln2, NAN];
    check(|| t64(&a).logaddexp(&t64(&b)).unwrap(), &want, Tol::relative(1e-15));
    let want2 = [INF, -INF, INF, 1000.0, -999.0, 1.0, NAN];
    check(|| t64(&a).logaddexp2(&t64(&b)).unwrap(), &want2, Tol::relative(1e-15));
}

#[test]
fn atan2_hypot_copysign_promote_ints_to_float32() {
    let i = Tensor::from_vec(vec![3i32, -4], [2]).unwrap();
    for op in [Tensor::atan2, Tensor::hypot, Tensor::copysign] {
        assert_eq!(op(&i, &i).unwrap().dtype(), DType::F32);
    }
    check(
        || t64(&[3.0, INF, 1e300]).hypot(&t64(&[4.0, NAN, 1e300])).unwrap(),
        &[5.0, INF, 1e300 * 2f64.sqrt()],
        Tol::relative(1e-15),
    );
    check(|| t64(&[1.0, -1.0, 1.0]).copysign(&t64(&[-0.0, 0.0, -NAN])).unwrap(), &[-1.0, 1.0, -1.0], Tol::Bitwise);
    check(
        || t64(&[0.0, -0.0, 1.0]).atan2(&t64(&[-1.0, -1.0, 0.0])).unwrap(),
        &[std::f64::consts::PI, -std::f64::consts::PI, std::f64::consts::FRAC_PI_2],
        Tol::Bitwise,
    );
}

#[test]
fn lerp_is_exact_at_the_ends() {
    let (s, e) = ([0.0, 1.0, -3.0], [10.0, 3.0, 1e-3]);
    let w = |v: f64| Operand::Scalar(Scalar::new(v), ScalarKind::Float);
    check(|| t64(&s).lerp(&t64(&e), w(1.0)).unwrap(), &e, Tol::Bitwise);
    check(|| t64(&s).lerp(&t64(&e), w(0.0)).unwrap(), &s, Tol::Bitwise);
    check(|| t64(&s).lerp(&t64(&e), Operand::Tensor(t64(&[0.0, 0.5, 1.0]))).unwrap(), &[0.0, 2.0, 1e-3], Tol::Bitwise);
}

#[test]
fn isclose_allclose_equal() {
    let a = [1.0, INF, INF, NAN, 1.0, 0.0];
    let b = [1.0 + 1e-9, INF, -INF, NAN, 1.1, 1e-9];
    check(|| t64(&a).isclose(&t64(&b), 1e-5, 1e-8, false).unwrap(), &[1.0, 1.0, 0.0, 0.0, 0.0, 1.0], Tol::EXACT);
    check(|| t64(&a).isclose(&t64(&b), 1e-5, 1e-8, true).unwrap(), &[1.0, 1.0, 0.0, 1.0, 0.0, 1.0], Tol::EXACT);
    check(|| t64(&a[..2]).allclose(&t64(&b[..2]), 1e-5, 1e-8, false).unwrap(), &[1.0], Tol::EXACT);
    check(|| t64(&a).allclose(&t64(&b), 1e-5, 1e-8, true).unwrap(), &[0.0], Tol::EXACT);
    check(|| t64(&[1.0, 2.0]).equal(&t32(&[1.0, 2.0])).unwrap(), &[1.0], Tol::EXACT);
    check(|| t64(&[NAN]).equal(&t64(&[NAN])).unwrap(), &[0.0], Tol::EXACT);
    let eq = t64(&[1.0, 2.0]).equal(&t64(&[1.0])).unwrap();
    assert_eq!((eq.dtype(), eq.shape().dims().to_vec()), (DType::Bool, vec![]));
    assert!(matches!(
        t64(&[1.0]).isclose(&t64(&[1.0]), -1.0, 0.0, false),
        Err(Error::BadArgument { op: "isclose", .. })
    ));
}

#[test]
fn hyperbolic_and_inverse_functions_at_the_edges() {
    let x = [0.0, -0.0, 1e-30, -0.5, 20.5, 89.4, 710.0, INF, -INF, NAN];
    check(|| t64(&x).sinh().unwrap(), &x.map(f64::sinh), Tol::relative(4e-16));
    check(|| t64(&x).cosh().unwrap(), &x.map(f64::cosh), Tol::relative(4e-16));
    let y = [0.0, 1e-300, 0.5, 3e8, 1e300, 1.7e308, INF, -2.0, -1e30, NAN];
    check(|| t64(&y).asinh().unwrap(), &y.map(f64::asinh), Tol::relative(4e-16));
    check(|| t64(&y).acosh().unwrap(), &y.map(f64::acosh), Tol::relative(4e-16));
    let z = [0.0, -0.0, 1e-300, 0.5, -0.999999, 1.0, -1.0, 1.5, NAN];
    // std's atanh loses digits for negative x near -1 (log1p of nearly -1); its positive side
    // does not.
    check(|| t64(&z).atanh().unwrap(), &z.map(|v| v.abs().atanh().copysign(v)), Tol::relative(4e-16));
}

#[test]
fn sign_family_keeps_ints_and_follows_torch_on_nan() {
    let i = Tensor::from_vec(vec![-5i32, 0, 7], [3]).unwrap();
    assert_eq!(i.sign().unwrap().dtype(), DType::I32);
    assert_eq!(i.signbit().unwrap().dtype(), DType::Bool);
    check(|| Tensor::from_vec(vec![-5i32, 0, 7], [3]).unwrap().sign().unwrap(), &[-1.0, 0.0, 1.0], Tol::EXACT);
    check(|| t32(&[-2.5, -0.0, NAN, INF]).sign().unwrap(), &[-1.0, 0.0, 0.0, 1.0], Tol::EXACT);
    check(|| t32(&[-0.0, 0.0, -NAN, -1e-45]).signbit().unwrap(), &[1.0, 0.0, 1.0, 1.0], Tol::EXACT);
    assert!(i.frac().is_err());
}

#[test]
fn math_chains_fuse_into_one_kernel() {
    let x = || t32(&[0.5, -1.0, 2.0, 3.0]);
    let y = x().logaddexp(&x()).unwrap().atan2(&x()).unwrap().hypot(&x()).unwrap();
    let y = y.binary(BinaryOp::Add, &x().asinh().unwrap().sinh().unwrap()).unwrap();
    let y = y.binary(BinaryOp::Mul, &x().xlogy(&x().abs().unwrap()).unwrap().erfinv().unwrap()).unwrap();
    let plan = Engine::default_engine().explain(std::slice::from_ref(&y)).unwrap();
    assert_eq!(plan.matches("kernel ").count(), 1, "{plan}");
}
