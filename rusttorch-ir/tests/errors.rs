//! Errors name the op the caller called and the caller's own arguments, whatever primitive of
//! a composite raised them (building a graph fails at once, so no executor is needed here).

// Errors carry shapes by value (see the crate docs).
#![allow(clippy::result_large_err)]

use rusttorch_ir::{scoped, DType, Error, ReduceOp, Tensor};

fn t(dims: &[usize], dtype: DType) -> Tensor {
    Tensor::zeros(dims, dtype).unwrap()
}

fn message<T: std::fmt::Debug>(r: rusttorch_ir::Result<T>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn composites_report_the_op_called_not_their_parts() {
    let f1 = t(&[3], DType::F32);
    let f2 = t(&[2, 3], DType::F32);
    let i2 = t(&[2, 3], DType::I64);
    let b1 = t(&[2], DType::Bool);
    let cases: Vec<(String, &str)> = vec![
        (message(f1.softmax(1)), "softmax: dim 1 is out of range for a tensor with 1 dims"),
        (message(f1.log_softmax(-2)), "log_softmax: dim -2 is out of range"),
        (message(f2.logsumexp(2, false)), "logsumexp: dim 2 is out of range"),
        (message(f2.mean(Some(&[5]), false)), "mean: dim 5 is out of range"),
        (message(f2.var(Some(&[5]), 1, false)), "var: dim 5 is out of range"),
        (message(f2.var(Some(&[0, 0]), 1, false)), "var: dim 0 appears more than once"),
        (message(f2.std(Some(&[-3]), 1, false)), "std: dim -3 is out of range"),
        (message(i2.std(None, 1, false)), "std is not supported for dtype int64"),
        (message(i2.var(None, 1, false)), "var is not supported for dtype int64"),
        (message(b1.pow_scalar(2.0)), "pow is not supported for dtype bool"),
        (message(b1.pow_scalar(3.0)), "pow is not supported for dtype bool"),
        (message(b1.softplus(1.0, 20.0)), "softplus is not supported for dtype bool"),
        (message(f2.mse_loss(&f1.slice(0, None, Some(2), 1).unwrap())), "mse_loss: shapes [2, 3] and [2]"),
        (message(f2.layer_norm(1, Some(&t(&[2], DType::F32)), None, 1e-5)), "layer_norm: shapes [2, 3] and [2]"),
        (message(f2.rms_norm(1, Some(&t(&[4], DType::F32)), 1e-6)), "rms_norm: shapes [2, 3] and [4]"),
        (message(Tensor::stack(&[f2.clone(), f2.clone()], 4)), "stack: dim 4 is out of range"),
        (message(f2.extremum_along(ReduceOp::Max, 2, false)), "max: dim 2 is out of range"),
        (message(f2.extremum_along(ReduceOp::Min, -3, true)), "min: dim -3 is out of range"),
        (
            message(Tensor::scalar(1.0, DType::F32).extremum_along(ReduceOp::Max, 1, false)),
            "max: dim 1 is out of range for a tensor with 0 dims",
        ),
        (
            message(t(&[0, 3], DType::F32).extremum_along(ReduceOp::Max, 0, false)),
            "max: cannot reduce an empty dimension",
        ),
        (message(f2.isfinite().and_then(|_| b1.abs())), "abs is not supported for dtype bool"),
    ];
    for (got, want) in cases {
        assert!(got.starts_with(want), "got {got:?}, want it to start with {want:?}");
    }
}

#[test]
fn shape_errors_use_pytorchs_words_and_the_callers_shapes() {
    let f2 = t(&[2, 3], DType::F32);
    assert_eq!(
        message(f2.reshape(&[0, -1])),
        "reshape: shape [0, -1] is invalid for input of shape [2, 3] (6 elements)"
    );
    assert_eq!(
        message(f2.reshape(&[4, -1])),
        "reshape: shape [4, -1] is invalid for input of shape [2, 3] (6 elements)"
    );
    assert_eq!(message(f2.reshape(&[7])), "reshape: shape [7] is invalid for input of shape [2, 3] (6 elements)");
    assert!(message(f2.reshape(&[1 << 40, 1 << 40])).starts_with("reshape: shape [1099511627776, 1099511627776]"));
    assert!(message(f2.reshape(&[-1, -1])).contains("only one dim can be inferred"));
    assert_eq!(message(f2.select(0, 5)), "index: index 5 is out of bounds for dim 0 with size 2");
    assert_eq!(message(f2.select(1, -4)), "index: index -4 is out of bounds for dim 1 with size 3");
    assert_eq!(
        message(Tensor::cat(&[f2.clone(), t(&[2, 4], DType::F32)], 0)),
        "cat: Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor \
         number 1 in the list"
    );
    assert_eq!(
        message(Tensor::cat(&[f2.clone(), f2.clone(), t(&[3], DType::F32)], 1)),
        "cat: Tensors must have same number of dimensions: got 2 and 1 (tensor number 2 in the list)"
    );
    assert_eq!(
        message(Tensor::stack(&[f2.clone(), t(&[2, 4], DType::F32)], 0)),
        "stack: expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1"
    );
    assert!(matches!(f2.select(0, 2), Err(Error::IndexOutOfRange { index: 2, dim: 0, size: 2, .. })));
}

#[test]
fn scoped_rewrites_every_op_naming_variant_and_the_outermost_wins() {
    let f2 = t(&[2, 3], DType::F32);
    let inner = || scoped("inner", || f2.sum(Some(&[9]), false));
    let e = scoped("outer", inner).unwrap_err();
    assert!(matches!(e, Error::DimOutOfRange { op: "outer", dim: 9, ndim: 2, .. }), "{e:?}");
    // Variants without an op pass through unchanged.
    let e = scoped("outer", || Tensor::from_vec(vec![1.0f32], [2])).unwrap_err();
    assert!(matches!(e, Error::BufferLength { expected: 2, got: 1, .. }));
    let e = Error::ConcatSize { op: "cat", dim: 0, expected: 3, got: 4, index: 1 }.in_op("stack");
    assert!(e.to_string().starts_with("stack: Sizes"));
    let e = Error::UnsupportedDType { op: "square", dtype: DType::Bool }.in_op("pow");
    assert_eq!(e.to_string(), "pow is not supported for dtype bool");
}

#[test]
fn cat_of_many_numbers_the_bad_tensor_as_the_callers_list() {
    let mut parts = vec![t(&[1, 3], DType::F32); 300];
    parts[280] = t(&[1, 4], DType::F32);
    assert!(matches!(Tensor::cat(&parts, 0), Err(Error::ConcatSize { index: 280, expected: 3, got: 4, .. })));
}
