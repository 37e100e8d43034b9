//! Shapes, dtypes and errors of the reductions and linear algebra built in issue 14 (einsum,
//! the products, diagonals, norms), checked when built: no executor needed.
#![allow(clippy::result_large_err)]

use rusttorch_ir::{DType, MatrixOrd, Op, Tensor};

fn t(dims: &[usize], dtype: DType) -> Tensor {
    Tensor::zeros(dims, dtype).unwrap()
}

fn err<T: std::fmt::Debug>(r: rusttorch_ir::Result<T>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn einsum_output_shapes_follow_the_subscripts() {
    let f = DType::F32;
    let cases: Vec<(&str, Vec<Tensor>, Vec<usize>)> = vec![
        ("ij,jk->ik", vec![t(&[2, 3], f), t(&[3, 4], f)], vec![2, 4]),
        ("ij,jk", vec![t(&[2, 3], f), t(&[3, 4], f)], vec![2, 4]),
        ("ii->i", vec![t(&[3, 3], f)], vec![3]),
        ("ii", vec![t(&[3, 3], f)], vec![]),
        ("...ij,...jk->...ik", vec![t(&[5, 2, 3], f), t(&[3, 4], f)], vec![5, 2, 4]),
        ("i...", vec![t(&[2, 3, 4], f)], vec![3, 4, 2]),
        ("ba", vec![t(&[2, 3], f)], vec![3, 2]),
        ("i,j", vec![t(&[2], f), t(&[3], f)], vec![2, 3]),
    ];
    for (eq, ops, want) in cases {
        let r = Tensor::einsum(eq, &ops).unwrap();
        assert_eq!(r.dims(), &want[..], "{eq}");
    }
}

#[test]
fn einsum_keeps_the_promoted_dtype() {
    let r = Tensor::einsum("i,i->", &[t(&[3], DType::I32), t(&[3], DType::I32)]).unwrap();
    assert_eq!(r.dtype(), DType::I32);
    let r = Tensor::einsum("i,i->", &[t(&[3], DType::F32), t(&[3], DType::F64)]).unwrap();
    assert_eq!(r.dtype(), DType::F64);
}

#[test]
fn products_check_their_operands() {
    let (m, v) = (t(&[2, 3], DType::F32), t(&[3], DType::F32));
    assert_eq!(m.mv(&v).unwrap().dims(), &[2]);
    assert_eq!(v.outer(&v).unwrap().dims(), &[3, 3]);
    assert_eq!(m.tensordot(&m, &[1, 0], &[1, 0]).unwrap().dims(), &[] as &[usize]);
    assert!(err(m.mm(&m)).starts_with("mm: shapes [2, 3] and [2, 3] do not broadcast"));
    assert_eq!(err(v.dot(&m)), "dot: other must be a 1-d tensor, got shape [2, 3]");
    assert!(err(m.tensordot(&m, &[0], &[1])).starts_with("tensordot: contracted dims must match"));
    assert_eq!(
        err(Tensor::einsum("ij,jk", std::slice::from_ref(&m))),
        "einsum: the equation has 2 operand(s) but 1 were given"
    );
}

#[test]
fn diagonal_is_a_slice_of_a_flattened_view() {
    let x = t(&[4, 5], DType::F32);
    let d = x.diagonal(1, 0, 1).unwrap();
    assert_eq!(d.dims(), &[4]);
    assert!(matches!(d.op(), Op::Slice { start: 1, step: 6, .. }), "{:?}", d.op());
    assert_eq!(x.diagonal(-4, 0, 1).unwrap().dims(), &[0]);
    assert_eq!(x.diagonal(0, 1, 0).unwrap().dims(), &[4]);
    assert!(err(x.diagonal(0, 1, -1)).starts_with("diagonal: dim1 and dim2 cannot be the same dim"));
    assert_eq!(t(&[3], DType::I64).diag(-1).unwrap().dims(), &[4, 4]);
    assert_eq!(t(&[2, 3], DType::F32).diag_embed(1, 0, 2).unwrap().dims(), &[4, 2, 4]);
}

#[test]
fn norms_name_what_they_do_not_compute() {
    let x = t(&[3, 3], DType::F32);
    assert_eq!(
        err(x.matrix_norm(MatrixOrd::Nuc, [-2, -1], false, None)),
        "linalg.matrix_norm: ord='nuc' (it needs singular values) is not implemented"
    );
    assert_eq!(
        err(t(&[3], DType::I64).vector_norm(2.0, None, false, None)),
        "linalg.vector_norm is not supported for dtype int64"
    );
    assert_eq!(x.matrix_norm(MatrixOrd::P(1.0), [0, 1], true, None).unwrap().dims(), &[1, 1]);
    assert_eq!(t(&[3, 4], DType::F64).prod(Some(&[1]), false).unwrap().dtype(), DType::F64);
    assert_eq!(t(&[3, 4], DType::Bool).prod(None, false).unwrap().dtype(), DType::I64);
    assert_eq!(t(&[3, 4], DType::F32).all(Some(&[0]), true).unwrap().dims(), &[1, 4]);
}
