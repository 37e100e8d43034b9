//! The storage dtypes (int8 ... uint32, float16, bfloat16) and uint64 from the Rust API: narrow
//! ints wrap after every op inside one fused kernel, 16-bit floats round once at the store, and
//! fused, eager and the reference agree.

mod common;

use common::Tol;
use rusttorch_exec::prelude::*;
use rusttorch_ir::half::{bf16, f16};

fn kernels(t: &Tensor) -> usize {
    Engine::default_engine().plan_for(std::slice::from_ref(t), true).unwrap().num_kernels()
}

#[test]
fn int8_wraps_after_every_op_in_one_kernel() {
    let a = Tensor::from_vec(vec![100i8, -128, 127, 5], [4]).unwrap();
    let b = Tensor::from_vec(vec![100i8, -1, 1, 5], [4]).unwrap();
    // 100 + 100 wraps to -56, so the comparison with 0 is false: unwrapped it would be true.
    let sum = (&a + &b).unwrap();
    let pos = sum.gt(&Tensor::scalar(0.0, DType::I8)).unwrap();
    assert_eq!(kernels(&pos), 1);
    assert_eq!(sum.to_vec::<i8>().unwrap(), vec![-56, 127, -128, 10]);
    assert_eq!(pos.to_vec::<bool>().unwrap(), vec![false, true, false, true]);
    let build = || (&(&a * &b).unwrap() - &a).unwrap();
    let r = common::assert_paths_agree(&common::engines(), Tol::abs(0.0), Tol::abs(0.0), build);
    let want: Vec<f64> = [100i8, -128, 127, 5]
        .iter()
        .zip([100i8, -1, 1, 5])
        .map(|(&x, y)| x.wrapping_mul(y).wrapping_sub(x) as f64)
        .collect();
    assert_eq!(r.fused[0], want);
}

#[test]
fn unsigned_and_uint64_keep_their_order() {
    let u = Tensor::from_vec(vec![0u64, u64::MAX, 1 << 63, 7], [4]).unwrap();
    let sorted = u.sort(0, false).unwrap().0;
    assert_eq!(sorted.to_vec::<u64>().unwrap(), vec![0, 7, 1 << 63, u64::MAX]);
    let big = u.gt(&Tensor::scalar(5.0, DType::U64)).unwrap();
    assert_eq!(big.to_vec::<bool>().unwrap(), vec![false, true, true, true]);
    let b = Tensor::from_vec(vec![0u8, 255, 16, 1], [4]).unwrap();
    let neg = b.neg().unwrap();
    assert_eq!(neg.to_vec::<u8>().unwrap(), vec![0, 1, 240, 255]);
    let w = Tensor::from_vec(vec![u32::MAX, 3], [2]).unwrap();
    let sq = (&w * &w).unwrap();
    assert_eq!(sq.to_vec::<u32>().unwrap(), vec![1, 9]);
}

#[test]
fn half_floats_round_once_at_the_store() {
    let x: Vec<f16> = [0.1f32, -2.5, 1000.0, 65504.0].iter().map(|&v| f16::from_f32(v)).collect();
    let t = Tensor::from_vec(x.clone(), [4]).unwrap();
    let y = (&(&t * 3.0).unwrap() + 0.5).unwrap();
    assert_eq!(y.dtype(), DType::F16);
    assert_eq!(kernels(&y), 1);
    let want: Vec<f16> = x.iter().map(|v| f16::from_f32(v.to_f32() * 3.0 + 0.5)).collect();
    assert_eq!(y.to_vec::<f16>().unwrap(), want);
    let b = t.cast(DType::BF16).unwrap();
    let want: Vec<bf16> = x.iter().map(|v| bf16::from_f32(v.to_f32())).collect();
    assert_eq!(b.to_vec::<bf16>().unwrap(), want);
    assert_eq!(DType::F16.promote(DType::BF16), DType::F32);
    assert_eq!(DType::I8.promote(DType::U8), DType::I16);
    assert_eq!(DType::U64.promote(DType::I64), DType::F64);
}

/// The instructions of the one kernel computing `t`.
fn program_len(t: &Tensor) -> usize {
    let exe = Engine::default_engine().plan_for(std::slice::from_ref(t), true).unwrap();
    assert_eq!(exe.plan().kernels.len(), 1);
    exe.plan().kernels[0].stages.iter().map(|s| s.full.len() + s.row.len()).sum()
}

#[test]
fn narrow_ints_are_wrapped_only_before_ops_that_see_the_difference() {
    let i8s = || Tensor::from_vec(vec![100i8, -100, 7, 1], [4]).unwrap();
    let i32s = || Tensor::from_vec(vec![100i32, -100, 7, 1], [4]).unwrap();
    let (a8, b8, c8) = (i8s(), i8s(), i8s());
    let (a32, b32, c32) = (i32s(), i32s(), i32s());
    // A ring chain (+ - * only) needs no wrap: the store truncates.
    let chain =
        |a: &Tensor, b: &Tensor, c: &Tensor| (&(&(&(a * b).unwrap() + c).unwrap() * 2i64).unwrap() - a).unwrap();
    assert_eq!(program_len(&chain(&a8, &b8, &c8)), program_len(&chain(&a32, &b32, &c32)));
    assert_eq!(
        chain(&a8, &b8, &c8).to_vec::<i8>().unwrap(),
        [100i8, -100, 7, 1]
            .iter()
            .map(|&x| x.wrapping_mul(x).wrapping_add(x).wrapping_mul(2).wrapping_sub(x))
            .collect::<Vec<_>>()
    );
    // A comparison sees the wrapped sum: three more instructions (add, and, sub) for int8.
    let cmp = |a: &Tensor, b: &Tensor, c: &Tensor| (a + b).unwrap().gt(c).unwrap();
    assert_eq!(program_len(&cmp(&a8, &b8, &c8)), program_len(&cmp(&a32, &b32, &c32)) + 3);
    assert_eq!(cmp(&a8, &b8, &c8).to_vec::<bool>().unwrap(), vec![false, true, true, true]);
}
