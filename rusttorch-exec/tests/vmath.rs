//! The float32 vector math against f64 references on dense sweeps (every float32: `tests/accuracy.rs`).
use rusttorch_exec::vmath::{erf_f32, exp_f32, tanh_f32};

fn ulp_diff(a: f32, b: f64) -> f64 {
    let b32 = b as f32;
    let ulp = (f32::from_bits(b32.abs().to_bits() + 1) - b32.abs()) as f64;
    (a as f64 - b).abs() / ulp
}

fn sweep(lo: f32, hi: f32, n: usize) -> Vec<f32> {
    (0..=n).map(|i| lo + (hi - lo) * (i as f32 / n as f32)).collect()
}

#[test]
fn exp_f32_is_within_1_5_ulp() {
    let xs = sweep(-87.0, 88.0, 200_000);
    let mut d = vec![0.0; xs.len()];
    exp_f32(&mut d, &xs);
    let worst = xs.iter().zip(&d).map(|(&x, &y)| ulp_diff(y, (x as f64).exp())).fold(0.0, f64::max);
    assert!(worst <= 1.5, "worst {worst} ulp");
    let mut e = [0.0f32; 5];
    exp_f32(&mut e, &[f32::NAN, 100.0, -100.0, 0.0, f32::NEG_INFINITY]);
    assert!(e[0].is_nan());
    assert_eq!(&e[1..], &[f32::INFINITY, (-100f64).exp() as f32, 1.0, 0.0]);
}

#[test]
fn tanh_f32_is_accurate() {
    let xs = sweep(-12.0, 12.0, 200_000);
    let mut d = vec![0.0; xs.len()];
    tanh_f32(&mut d, &xs);
    for (&x, &y) in xs.iter().zip(&d) {
        let r = (x as f64).tanh();
        assert!((y as f64 - r).abs() <= 2.5e-7 && ulp_diff(y, r) <= 1.5, "tanh({x}) = {y}, want {r}");
    }
}

#[test]
fn erf_f32_is_accurate() {
    let xs = sweep(-6.0, 6.0, 100_000);
    let mut d = vec![0.0; xs.len()];
    erf_f32(&mut d, &xs);
    for (&x, &y) in xs.iter().zip(&d) {
        let r = rusttorch_ir::op::erf_f64(x as f64);
        assert!((y as f64 - r).abs() <= 1.5e-7, "erf({x}) = {y}, want {r}");
    }
}

#[test]
fn reference_erf_matches_known_values() {
    let e = rusttorch_ir::op::erf_f64;
    assert!((e(0.5) - 0.520_499_877_813_046_5).abs() < 1e-15);
    assert!((e(1.0) - 0.842_700_792_949_714_9).abs() < 1e-15);
    assert!((e(3.0) - 0.999_977_909_503_001_4).abs() < 1e-15);
    assert!((e(-2.0) + 0.995_322_265_018_952_7).abs() < 1e-15);
}
