use rusttorch_exec::prelude::*;
use rusttorch_exec::reference::reference;

fn data(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) as f64 / (1u64 << 31) as f64 * 4.0 - 2.0) as f32
        })
        .collect()
}

fn check(t: &Tensor) {
    let want = reference(std::slice::from_ref(t)).unwrap().remove(0);
    let e = Engine::new(2).unwrap();
    let eager = t.clone();
    let got = {
        e.eval(std::slice::from_ref(t)).unwrap();
        t.buffer().unwrap().to_f64_vec()
    };
    let _ = eager;
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "at {i}: got {g}, want {w}");
    }
}

#[test]
fn w1_and_friends() {
    let n = 10_007;
    let a = Tensor::from_vec(data(n, 1), [n]).unwrap();
    let b = Tensor::from_vec(data(n, 2), [n]).unwrap();
    let c = Tensor::from_vec(data(n, 3), [n]).unwrap();
    let y = (((((&a * &b).unwrap() + &c).unwrap() * 0.5).unwrap()) - (&a * &c).unwrap()).unwrap();
    println!("{}", y.explain().unwrap());
    check(&y);
    let d = (&a - &b).unwrap();
    let s = (&d * &d).unwrap().sum(None, false).unwrap();
    println!("{}", s.explain().unwrap());
    check(&s);
    let x = Tensor::from_vec(data(37 * 300, 4), [37, 300]).unwrap();
    let sm = x.softmax(-1).unwrap();
    println!("{}", sm.explain().unwrap());
    check(&sm);
    let sm0 = x.softmax(0).unwrap();
    println!("{}", sm0.explain().unwrap());
    check(&sm0);
    let w = Tensor::from_vec(data(300, 5), [300]).unwrap();
    let ln = x.layer_norm(1, Some(&w), Some(&w), 1e-5).unwrap();
    println!("{}", ln.explain().unwrap());
    check(&ln);
    let big = Tensor::from_vec(data(5000 * 40, 6), [40, 5000]).unwrap();
    check(&big.sum(Some(&[0]), false).unwrap());
    check(&big.sum(Some(&[1]), true).unwrap());
    check(&big.max(None, false).unwrap());
    check(&big.softmax(1).unwrap());
    let col = Tensor::from_vec(data(3 * 70000, 7), [70000, 3]).unwrap();
    check(&col.sum(Some(&[0]), false).unwrap());
    check(&col.mean(Some(&[1]), false).unwrap());
    let long = Tensor::from_vec(data(300_000, 8), [300_000]).unwrap();
    check(&long.exp().unwrap().sum(None, false).unwrap());
    check(&long.gelu(GeluApprox::Tanh).unwrap());
}

#[test]
fn mixed_dtypes_promote_to_f64() {
    let a = Tensor::from_vec(vec![1.5f32, 2.5, -3.0], [3]).unwrap();
    let b = Tensor::from_vec(vec![0.1f64, 0.2, 0.3], [3]).unwrap();
    let y = (&a * &b).unwrap().exp().unwrap();
    assert_eq!(y.dtype(), DType::F64);
    check(&y);
    let r = Tensor::randn([1000], 7, DType::F32).unwrap();
    let m = r.mean(None, false).unwrap().to_vec::<f32>().unwrap()[0];
    assert!(m.abs() < 0.15, "mean of randn {m}");
}
