//! Round trips of every op through the serialized format, its sharing, its version and
//! corruption errors, and a golden encoding that fails when the format changes unversioned.

use super::*;
use crate::op::line::{LineOp, ScanOp};
use crate::op::order::OrderOp;
use crate::op::{ArgOp, GeluApprox, ReduceOp, Scalar};
use crate::tensor::walk;
use crate::{BinaryOp, UnaryOp};

/// Position of an op's kind in [`KINDS`]: exhaustive, so a new `Op` variant fails to compile
/// here until it is added to the round trips below.
fn kind(op: &Op) -> usize {
    match op {
        Op::Source(SourceOp::Input(_)) => 0,
        Op::Source(SourceOp::Full(_)) => 1,
        Op::Source(SourceOp::Arange { .. }) => 2,
        Op::Unary(_) => 3,
        Op::Binary(_) => 4,
        Op::Where => 5,
        Op::ArgReduce { .. } => 6,
        Op::Reduce { .. } => 7,
        Op::Reshape => 8,
        Op::Cast(_) => 9,
        Op::MatMul => 10,
        Op::Line { .. } => 11,
        Op::Gather { .. } => 12,
        Op::Scatter { .. } => 13,
        Op::Search { .. } => 14,
        Op::Concat { .. } => 15,
        Op::Permute(_) => 16,
        Op::Expand => 17,
        Op::Slice { .. } => 18,
    }
}
const KINDS: usize = 19;

fn data(n: usize) -> Tensor {
    Tensor::from_vec((0..n).map(|i| (i as f32 * 0.37).sin()).collect(), [n]).unwrap()
}

/// Serializes `outputs`, reads them back over the same buffers, and checks the result has the
/// structure (ops, shapes, dtypes, sharing, outputs) of the original.
fn round_trip(outputs: &[Tensor]) -> Vec<Tensor> {
    let s = serialize(outputs).unwrap();
    let d = decode(&s.blob).unwrap();
    assert_eq!(d.leaves().len(), s.buffers.len());
    let back = d.build(s.buffers).unwrap();
    assert_eq!(walk(&back, &[], true).unwrap().key(), walk(outputs, &[], true).unwrap().key(), "{outputs:?}");
    back
}

/// One tensor per op kind, built by the builders (so the graphs are ones users make).
fn every_kind() -> Vec<Tensor> {
    let x = data(12).reshape(&[3, 4]).unwrap();
    let i = Tensor::from_vec(vec![0i64, 2, 1, 0, 3, 2, 1, 1, 0, 0, 2, 3], [3, 4]).unwrap();
    let sorted = Tensor::from_vec(vec![0.0f32, 0.5, 1.0], [3]).unwrap();
    let lazy = (&x * 2.0).unwrap();
    vec![
        data(3),
        Tensor::full([2, 3], 1.5, DType::F64).unwrap(),
        Tensor::arange(0, 10, 3, DType::I64).unwrap(),
        lazy.exp().unwrap(),
        (&lazy + &x).unwrap(),
        lazy.gt(&x).unwrap().where_cond(&lazy, &x).unwrap(),
        lazy.argmax(Some(1), true).unwrap(),
        lazy.sum(Some(&[0]), false).unwrap(),
        lazy.reshape(&[4, 3]).unwrap(),
        lazy.cast(DType::I32).unwrap(),
        lazy.matmul(&x.transpose(0, 1).unwrap()).unwrap(),
        lazy.cumsum(1, None).unwrap(),
        lazy.gather(1, &i).unwrap(),
        lazy.scatter_reduce(1, &i, &x, "amax", true).unwrap(),
        sorted.searchsorted(&lazy, true, None, false).unwrap(),
        Tensor::cat(&[lazy.clone(), x.clone()], 0).unwrap(),
        lazy.permute(&[1, 0]).unwrap(),
        lazy.reshape(&[3, 1, 4]).unwrap().expand(&[3, 2, 4]).unwrap(),
        lazy.slice(1, Some(3), None, -2).unwrap(),
    ]
}

fn kinds_in(ts: &[Tensor]) -> Vec<bool> {
    let mut seen = vec![false; KINDS];
    let w = walk(ts, &[], true).unwrap();
    for n in &w.nodes {
        seen[kind(n.tensor.op())] = true;
    }
    // Evaluated tensors are leaves: input slots.
    seen[0] |= !w.inputs.is_empty();
    seen
}

#[test]
fn every_op_kind_round_trips() {
    let ts = every_kind();
    let seen = kinds_in(&ts);
    assert!(seen.iter().all(|&s| s), "op kinds missing from the round trip: {seen:?}");
    for t in &ts {
        let back = round_trip(std::slice::from_ref(t));
        assert_eq!((back[0].shape(), back[0].dtype()), (t.shape(), t.dtype()));
    }
    round_trip(&ts);
}

/// Every parameter an op can carry, enumerated from the op table where it has one; the
/// exhaustive matches fail to compile when a variant is added.
fn every_op_value() -> Vec<Op> {
    let mut ops: Vec<Op> = UnaryOp::all().into_iter().map(Op::Unary).collect();
    ops.push(Op::Unary(UnaryOp::LeakyRelu(Scalar::new(-0.25))));
    ops.extend(BinaryOp::ALL.iter().map(|&b| Op::Binary(b)));
    let scans = [ScanOp::Sum, ScanOp::Prod, ScanOp::Max, ScanOp::Min, ScanOp::LogSumExp];
    let orders = [
        OrderOp::Sort { descending: true },
        OrderOp::TopK { k: 3, largest: false },
        OrderOp::Kth { k: 2 },
        OrderOp::Median { ignore_nan: true },
        OrderOp::Mode,
    ];
    for s in scans {
        let _ = |s: ScanOp| match s {
            ScanOp::Sum | ScanOp::Prod | ScanOp::Max | ScanOp::Min | ScanOp::LogSumExp => (),
        };
        ops.push(Op::Line { op: LineOp::Scan(s), dim: 1 });
        ops.push(Op::Line { op: LineOp::ScanIndex(s), dim: 0 });
    }
    for o in orders {
        let _ = |o: OrderOp| match o {
            OrderOp::Sort { .. }
            | OrderOp::TopK { .. }
            | OrderOp::Kth { .. }
            | OrderOp::Median { .. }
            | OrderOp::Mode => {}
        };
        ops.push(Op::Line { op: LineOp::Order(o), dim: 2 });
        ops.push(Op::Line { op: LineOp::OrderIndex(o), dim: 3 });
    }
    let _ = |l: LineOp| match l {
        LineOp::Scan(_) | LineOp::ScanIndex(_) | LineOp::Order(_) | LineOp::OrderIndex(_) => (),
    };
    for r in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod] {
        let _ = |r: ReduceOp| match r {
            ReduceOp::Sum | ReduceOp::Max | ReduceOp::Min | ReduceOp::Prod => (),
        };
        ops.push(Op::Reduce { op: r, axes: [1, 2].into_iter().collect(), keepdim: true });
        ops.push(Op::Scatter { dim: 1, reduce: Some(r) });
    }
    for a in [ArgOp::Max, ArgOp::Min] {
        ops.push(Op::ArgReduce { op: a, dim: 2, keepdim: false });
    }
    ops.extend(DType::ALL.iter().map(|&d| Op::Cast(d)));
    ops.extend([
        Op::Source(SourceOp::Input(7)),
        Op::Source(SourceOp::Full(Scalar::new(f64::NAN))),
        Op::Source(SourceOp::Full(Scalar::new(-0.0))),
        Op::Source(SourceOp::Full(Scalar::int(i64::MIN))),
        Op::Source(SourceOp::Arange { start: Scalar::int(-3), step: Scalar::new(0.5) }),
        Op::Where,
        Op::Reshape,
        Op::MatMul,
        Op::Gather { dim: 4 },
        Op::Scatter { dim: 0, reduce: None },
        Op::Search { right: true },
        Op::Search { right: false },
        Op::Concat { dim: 1, parts: 5 },
        Op::Permute([2, 0, 1].into_iter().collect()),
        Op::Expand,
        Op::Slice { dim: 1, start: 9, step: -3 },
    ]);
    ops
}

#[test]
fn every_op_value_round_trips_exactly() {
    let ops = every_op_value();
    let mut seen = vec![false; KINDS];
    for op in &ops {
        seen[kind(op)] = true;
        let bytes = postcard::to_allocvec(op).unwrap();
        let back: Op = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(&back, op);
        assert_eq!(back.name(), op.name());
    }
    assert!(seen.iter().all(|&s| s), "op kinds missing: {seen:?}");
    // Every row of the unary table is there, by name.
    for name in crate::tensor::unary_op_names() {
        let covered = ops.iter().any(|o| matches!(o, Op::Unary(u) if u.info().name == name));
        assert!(covered || !UnaryOp::all().iter().any(|u| u.info().name == name), "{name}");
    }
}

/// The encoding of a fixed list of ops and dtypes. If this fails, the encoding changed: bump
/// [`FORMAT_VERSION`] (old blobs must be refused, not misread) and update the expected bytes.
#[test]
fn golden_blob_is_stable() {
    let ops = vec![
        Op::Source(SourceOp::Full(Scalar::new(1.5))),
        Op::Source(SourceOp::Arange { start: Scalar::int(2), step: Scalar::int(-1) }),
        Op::Unary(UnaryOp::Exp),
        Op::Unary(UnaryOp::Gelu(GeluApprox::Tanh)),
        Op::Binary(BinaryOp::Add),
        Op::Where,
        Op::ArgReduce { op: ArgOp::Min, dim: 1, keepdim: true },
        Op::Reduce { op: ReduceOp::Prod, axes: [0].into_iter().collect(), keepdim: false },
        Op::Reshape,
        Op::Cast(DType::I32),
        Op::MatMul,
        Op::Line { op: LineOp::OrderIndex(OrderOp::TopK { k: 2, largest: true }), dim: 1 },
        Op::Gather { dim: 1 },
        Op::Scatter { dim: 0, reduce: Some(ReduceOp::Sum) },
        Op::Search { right: true },
        Op::Concat { dim: 0, parts: 2 },
        Op::Permute([1, 0].into_iter().collect()),
        Op::Expand,
        Op::Slice { dim: 0, start: 1, step: 2 },
    ];
    let hex: String = postcard::to_allocvec(&ops).unwrap().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "1300010080808080808080fc3f000201040101010365787000010467656c750201020361646403040101010503\
         010000060705696e743332080903010201010a010b0001000c010d00020e0201000f10000104",
        "the encoding changed: bump FORMAT_VERSION and update this test"
    );
    let t = (Tensor::full([2], 1.0, DType::F32).unwrap() + 1.0).unwrap();
    let blob = serialize(&[t]).unwrap().blob;
    assert_eq!(&blob[..12], b"RTGRAPH\0\x01\0\0\0");
}

/// Every dtype travels by name, as a leaf, a constant and a cast.
#[test]
fn every_dtype_round_trips() {
    for d in DType::ALL {
        let bytes = postcard::to_allocvec(&d).unwrap();
        assert_eq!(postcard::from_bytes::<DType>(&bytes).unwrap(), d);
        let leaf = Tensor::full([2, 3], 1, d).unwrap().cast(d).unwrap();
        let data = Tensor::from_buffer(
            leaf_from_bytes(&vec![0; 6 * d.size_of()], LeafSpec { dtype: d, len: 6 }).unwrap(),
            [2, 3],
        );
        let lazy = Tensor::full([2, 3], 1, d).unwrap().cast(DType::F64).unwrap().cast(d).unwrap();
        round_trip(&[leaf, data.unwrap(), lazy]);
    }
}

#[test]
fn shared_subexpressions_stay_shared() {
    let x = data(6);
    let a = x.exp().unwrap();
    let b = (&a * &a).unwrap();
    let y = (&(&b + &a).unwrap() * &b).unwrap();
    let back = round_trip(&[y.clone(), a.clone()]);
    // x, a, b, b + a, y: five nodes, not the tree's nine.
    assert_eq!(walk(&back, &[], true).unwrap().nodes.len(), 5);
    // The outputs share their nodes too: `a` is the node `y` reads.
    let inner = back[0].operands()[0].operands()[1].clone();
    assert_eq!(inner.id(), back[1].id());
    assert!(!back[0].is_evaluated());
}

#[test]
fn evaluated_tensors_are_their_buffer_and_notes_travel() {
    let x = data(4).with_note("x was computed while building");
    let s = serialize(std::slice::from_ref(&x)).unwrap();
    assert_eq!(s.buffers.len(), 1);
    assert!(Buffer::ptr_eq(&s.buffers[0], &x.buffer().unwrap()));
    let d = decode(&s.blob).unwrap();
    assert_eq!(d.leaves(), &[LeafSpec { dtype: DType::F32, len: 4 }]);
    let back = d.build(s.buffers).unwrap();
    assert!(back[0].is_evaluated());
    assert_eq!(back[0].note(), Some("x was computed while building"));
    assert_eq!(back[0].buffer().unwrap().to_f64_vec(), x.buffer().unwrap().to_f64_vec());
    // 0-d and empty tensors.
    round_trip(&[Tensor::scalar(2.5, DType::F64), Tensor::full([0, 3], 1, DType::I64).unwrap()]);
}

#[test]
fn another_version_and_damage_are_typed_errors() {
    let y = (&data(5) + 1.0).unwrap();
    let s = serialize(&[y]).unwrap();
    let mut other = s.blob.clone();
    other[8..12].copy_from_slice(&7u32.to_le_bytes());
    let e = decode(&other).unwrap_err();
    assert_eq!(e, Error::GraphVersion { found: 7, expected: FORMAT_VERSION });
    assert!(e.to_string().contains("format version 7") && e.to_string().contains("version 1"), "{e}");
    let corrupt = |blob: &[u8]| matches!(decode(blob), Err(Error::CorruptGraph { .. }));
    assert!(corrupt(b"not a graph at all"));
    assert!(corrupt(&s.blob[..10]));
    assert!(corrupt(&s.blob[..s.blob.len() - 1]));
    for i in HEADER_LEN..s.blob.len() {
        let mut flipped = s.blob.clone();
        flipped[i] ^= 0x10;
        assert!(corrupt(&flipped), "byte {i}");
    }
    let d = decode(&s.blob).unwrap();
    assert!(matches!(d.build(vec![]), Err(Error::CorruptGraph { .. })));
    let d = decode(&s.blob).unwrap();
    assert!(matches!(d.build(vec![Buffer::from_vec(vec![1.0f64; 5])]), Err(Error::CorruptGraph { .. })));
}

/// A payload that passes the checksum (written by a buggy or hostile writer) is still checked
/// node by node.
#[test]
fn inconsistent_payloads_are_refused() {
    let with_payload = |p: &Payload| {
        let body = postcard::to_allocvec(p).unwrap();
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        blob.extend_from_slice(&checksum(&body).to_le_bytes());
        blob.extend_from_slice(&body);
        decode(&blob)
    };
    let node =
        |shape: &[usize], dtype, body| NodeRecord { shape: shape.iter().copied().collect(), dtype, note: None, body };
    let leaf = LeafSpec { dtype: DType::F32, len: 3 };
    let lazy = |op, operands: &[u32]| Body::Lazy { op, operands: operands.iter().copied().collect() };
    let cases = [
        // An operand after its user (a cycle could follow).
        Payload {
            nodes: vec![node(&[3], DType::F32, lazy(Op::Unary(UnaryOp::Exp), &[0]))],
            outputs: vec![0],
            leaves: vec![],
        },
        // A shape its operands do not give.
        Payload {
            nodes: vec![
                node(&[3], DType::F32, Body::Leaf(0)),
                node(&[4], DType::F32, lazy(Op::Unary(UnaryOp::Exp), &[0])),
            ],
            outputs: vec![1],
            leaves: vec![leaf],
        },
        // A leaf of another size than its buffer.
        Payload { nodes: vec![node(&[2], DType::F32, Body::Leaf(0))], outputs: vec![0], leaves: vec![leaf] },
        // The wrong number of operands.
        Payload {
            nodes: vec![
                node(&[3], DType::F32, Body::Leaf(0)),
                node(&[3], DType::F32, lazy(Op::Binary(BinaryOp::Add), &[0])),
            ],
            outputs: vec![1],
            leaves: vec![leaf],
        },
        // An output that is no node.
        Payload { nodes: vec![node(&[3], DType::F32, Body::Leaf(0))], outputs: vec![1], leaves: vec![leaf] },
        // A placeholder without a buffer.
        Payload {
            nodes: vec![node(&[3], DType::F32, lazy(Op::Source(SourceOp::Input(0)), &[]))],
            outputs: vec![0],
            leaves: vec![],
        },
        // A shape whose size overflows.
        Payload {
            nodes: vec![node(&[usize::MAX, 3], DType::F32, lazy(Op::Source(SourceOp::Full(Scalar::new(0.0))), &[]))],
            outputs: vec![0],
            leaves: vec![],
        },
    ];
    for (i, p) in cases.iter().enumerate() {
        assert!(matches!(with_payload(p), Err(Error::CorruptGraph { .. })), "case {i}");
    }
}

#[test]
fn leaf_bytes_are_checked_and_copied_aligned() {
    let spec = LeafSpec { dtype: DType::Bool, len: 3 };
    assert!(check_leaf_bytes(&[0, 1, 1], spec).is_ok());
    assert!(matches!(check_leaf_bytes(&[0, 2, 1], spec), Err(Error::CorruptGraph { .. })));
    assert!(matches!(check_leaf_bytes(&[0, 1], spec), Err(Error::CorruptGraph { .. })));
    let bytes: Vec<u8> = [1.5f64, -2.0].iter().flat_map(|v| v.to_ne_bytes()).collect();
    // Unaligned on purpose: the copy is aligned whatever the source.
    let mut shifted = vec![0u8];
    shifted.extend_from_slice(&bytes);
    let b = leaf_from_bytes(&shifted[1..], LeafSpec { dtype: DType::F64, len: 2 }).unwrap();
    assert_eq!(b.as_slice::<f64>().unwrap(), &[1.5, -2.0]);
    assert_eq!(leaf_from_bytes(&[], LeafSpec { dtype: DType::I32, len: 0 }).unwrap().len(), 0);
}
