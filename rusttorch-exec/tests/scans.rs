//! Scans (line kernels): fused = eager = the f64 reference along every dim, on views, on every
//! engine (1 and several threads), and bitwise the same for any thread count.

mod common;

use common::Tol;
use rusttorch_exec::prelude::*;

fn data(dims: &[usize], seed: u64, dtype: DType) -> Tensor {
    common::uniform(dims, seed, dtype, -1.5, 1.5)
}

#[test]
fn scans_agree_with_the_reference_along_every_dim() {
    let engines = common::engines();
    for dtype in [DType::F32, DType::F64] {
        let x = data(&[3, 5, 7], 1, dtype);
        for dim in -3isize..3 {
            let tol = if dtype == DType::F32 { Tol::rel(1e-5) } else { Tol::rel(1e-12) };
            common::assert_paths_agree(&engines, Tol::Bitwise, tol, || {
                let y = (&x * 2.0).unwrap();
                // Rounded: ties, where PyTorch's indices move to the later element.
                let (vmax, imax) = y.round().unwrap().cummax(dim).unwrap();
                let (vmin, imin) = y.round().unwrap().transpose(0, 2).unwrap().cummin(dim).unwrap();
                [
                    y.cumsum(dim, None).unwrap(),
                    x.cumprod(dim, None).unwrap(),
                    vmax,
                    imax,
                    vmin,
                    imin,
                    x.logcumsumexp(dim).unwrap(),
                ]
            });
        }
    }
}

#[test]
fn scans_of_ints_wrap_in_int64() {
    let x = Tensor::from_vec(vec![i64::MAX, 1, 1, -3], [4]).unwrap();
    let y = common::evaluated(&x.cumsum(0, None).unwrap(), true);
    let got = y.buffer().unwrap().as_slice::<i64>().unwrap().to_vec();
    assert_eq!(got, vec![i64::MAX, i64::MIN, i64::MIN + 1, i64::MAX - 1]);
}

#[test]
fn long_lines_scan_in_chunks_as_the_reference_does() {
    // Lines of over 2 * 65536 elements are scanned in parallel chunks.
    let x = data(&[2, 150_001], 4, DType::F32);
    let engines = common::engines();
    common::assert_paths_agree(&engines, Tol::Bitwise, Tol::rel(1e-5), || {
        let (vmax, _) = x.cummax(1).unwrap();
        [x.cumsum(1, None).unwrap(), vmax, x.logcumsumexp(1).unwrap()]
    });
}

#[test]
fn scans_are_bitwise_identical_for_any_thread_count() {
    let x = data(&[4, 200_000], 2, DType::F32);
    let xt = data(&[300, 257], 3, DType::F32);
    common::assert_same_bits_for_threads(&[2, 5], || {
        [x.cumsum(1, None).unwrap(), xt.cumsum(0, None).unwrap(), xt.logcumsumexp(0).unwrap()]
    });
}
