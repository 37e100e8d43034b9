//! A slow, obviously-correct f64 interpreter of the unoptimized graph: the oracle the fused and
//! eager paths are tested against. It shares nothing with the planner or the block VM except
//! the scalar op definitions (`apply_f64`).

use rusttorch_ir::graph::{Graph, NodeId};
use rusttorch_ir::op::order::total_order;
use rusttorch_ir::op::{ArgOp, BinaryOp, Op, SourceOp};
use rusttorch_ir::tensor::lower;
use rusttorch_ir::{Buffer, DType, Result, Scalar, Shape, Tensor};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Computes `tensors` in f64 by walking their (unoptimized) graph.
pub fn reference(tensors: &[Tensor]) -> Result<Vec<Vec<f64>>> {
    let lowered = lower(tensors, &[], false)?;
    let g = lowered.key.to_graph();
    let vals = eval_graph(&g, &lowered.inputs);
    Ok(g.outputs().iter().map(|o| vals[o].clone()).collect())
}

/// Evaluates every node of `g` in f64.
pub fn eval_graph(g: &Graph, inputs: &[Buffer]) -> HashMap<NodeId, Vec<f64>> {
    let mut vals: HashMap<NodeId, Vec<f64>> = HashMap::new();
    for n in g.topo_order() {
        let node = g.node(n);
        let ins = g.inputs(n);
        let numel = node.shape.numel();
        let v = match &node.op {
            Op::Source(SourceOp::Input(i)) => inputs[*i].to_f64_vec(),
            Op::Source(SourceOp::Full(c)) => vec![c.get(); numel],
            Op::Source(SourceOp::Arange { start, step }) => match (start.as_int(), step.as_int()) {
                // Exact in int64, then rounded once (the f64 formula is what float arguments get).
                (Some(a), Some(s)) => (0..numel).map(|i| a.wrapping_add(s.wrapping_mul(i as i64)) as f64).collect(),
                _ => (0..numel).map(|i| start.get() + step.get() * i as f64).collect(),
            },
            Op::Unary(u) => vals[&ins[0]].iter().map(|&x| u.apply_f64(x)).collect(),
            Op::Binary(b) => {
                let (sa, sb) = (&g.node(ins[0]).shape, &g.node(ins[1]).shape);
                let ia = broadcast_index(sa, &node.shape);
                let ib = broadcast_index(sb, &node.shape);
                let (va, vb) = (&vals[&ins[0]], &vals[&ins[1]]);
                let int = node.dtype.is_int();
                let f = |x: f64, y: f64| match b {
                    // Integer `x // 0` and `x % 0` are 0 (as NumPy); integer results wrap.
                    BinaryOp::FloorDiv | BinaryOp::Rem | BinaryOp::Fmod if int && y == 0.0 => 0.0,
                    // The f64 reference steps in f64; a float32 result steps in float32.
                    BinaryOp::NextAfter if node.dtype == DType::F32 => {
                        f64::from(rusttorch_ir::op::nextafter_f32(x as f32, y as f32))
                    }
                    _ if int => cast_value(DType::I64, node.dtype, b.apply_f64(x, y) as i64 as f64),
                    _ => b.apply_f64(x, y),
                };
                (0..numel).map(|i| f(va[ia[i]], vb[ib[i]])).collect()
            }
            Op::Where => {
                let idx: Vec<Vec<usize>> =
                    ins.iter().map(|i| broadcast_index(&g.node(*i).shape, &node.shape)).collect();
                let v: Vec<&Vec<f64>> = ins.iter().map(|i| &vals[i]).collect();
                (0..numel).map(|i| if v[0][idx[0][i]] != 0.0 { v[1][idx[1][i]] } else { v[2][idx[2][i]] }).collect()
            }
            Op::Gather { dim } => {
                // Row-major coordinates of each output position; an out-of-range index is NaN.
                let (xs, is) = (g.node(ins[0]).shape.dims(), node.shape.dims());
                let (x, idx) = (&vals[&ins[0]], &vals[&ins[1]]);
                (0..numel)
                    .map(|p| {
                        let i = idx[p];
                        if i < 0.0 || i as usize >= xs[*dim] {
                            f64::NAN
                        } else {
                            x[indexed_position(p, is, xs, *dim, i as usize)]
                        }
                    })
                    .collect()
            }
            Op::Scatter { dim, reduce } => {
                // Writes in row-major order of the index; an out-of-range index makes every
                // element NaN (the executors fail instead).
                let (xs, is) = (g.node(ins[0]).shape.dims(), g.node(ins[1]).shape.dims());
                let (idx, src) = (&vals[&ins[1]], &vals[&ins[2]]);
                let mut out = vals[&ins[0]].clone();
                for p in 0..idx.len() {
                    let i = idx[p];
                    if i < 0.0 || i as usize >= xs[*dim] {
                        out.iter_mut().for_each(|v| *v = f64::NAN);
                        break;
                    }
                    let flat = indexed_position(p, is, xs, *dim, i as usize);
                    out[flat] = match reduce {
                        None => src[p],
                        Some(r) if node.dtype.is_int() => {
                            cast_value(DType::I64, node.dtype, r.combine_f64(out[flat], src[p]))
                        }
                        Some(r) => r.combine_f64(out[flat], src[p]),
                    };
                }
                out
            }
            Op::Search { right } => {
                // Counts, over the whole line, the elements below (or not above) each value.
                let sd = g.node(ins[0]).shape.dims();
                let k = sd[sd.len() - 1];
                let per_line = if sd.len() > 1 { node.shape.dims().last().copied().unwrap_or(1) } else { numel };
                let (s, v) = (&vals[&ins[0]], &vals[&ins[1]]);
                (0..numel)
                    .map(|p| {
                        let line = &s[p / per_line.max(1) * k..][..k];
                        let counted = |&e: &f64| match total_order(e, v[p]) {
                            Ordering::Less => true,
                            Ordering::Equal => *right,
                            Ordering::Greater => false,
                        };
                        line.iter().filter(|e| counted(e)).count() as f64
                    })
                    .collect()
            }
            Op::Line { op, dim } => {
                let d = g.node(ins[0]).shape.dims().to_vec();
                let (m, k, nn): (usize, usize, usize) =
                    (d[..*dim].iter().product(), d[*dim], d[dim + 1..].iter().product());
                let (x, ok) = (&vals[&ins[0]], op.out_len(k));
                let mut out = vec![0.0; m * ok * nn];
                for mi in 0..m {
                    for ni in 0..nn {
                        let line: Vec<f64> = (0..k).map(|ki| x[(mi * k + ki) * nn + ni]).collect();
                        for (oi, v) in op.apply_f64(&line).into_iter().enumerate() {
                            out[(mi * ok + oi) * nn + ni] = v;
                        }
                    }
                }
                out
            }
            Op::ArgReduce { op, dim, .. } => {
                let d = g.node(ins[0]).shape.dims().to_vec();
                let (m, k, nn): (usize, usize, usize) =
                    (d[..*dim].iter().product(), d[*dim], d[dim + 1..].iter().product());
                let x = &vals[&ins[0]];
                let mut out = vec![0.0; m * nn];
                for mi in 0..m {
                    for ni in 0..nn {
                        let at = |ki: usize| x[(mi * k + ki) * nn + ni];
                        let mut best = 0;
                        for ki in 1..k {
                            let (v, b) = (at(ki), at(best));
                            let better = if *op == ArgOp::Max { v > b } else { v < b };
                            if !b.is_nan() && (better || v.is_nan()) {
                                best = ki;
                            }
                        }
                        out[mi * nn + ni] = best as f64;
                    }
                }
                out
            }
            Op::Reduce { op, axes, .. } => {
                let s_in = &g.node(ins[0]).shape;
                let d = s_in.dims();
                let m: usize = d[..axes[0]].iter().product();
                let k: usize = d[axes[0]..=*axes.last().unwrap()].iter().product();
                let nn: usize = d[*axes.last().unwrap() + 1..].iter().product();
                let x = &vals[&ins[0]];
                let mut out = vec![op.identity(); m * nn];
                for mi in 0..m {
                    for ki in 0..k {
                        for ni in 0..nn {
                            let o = &mut out[mi * nn + ni];
                            *o = op.combine_f64(*o, x[(mi * k + ki) * nn + ni]);
                        }
                    }
                }
                out
            }
            Op::Reshape => vals[&ins[0]].clone(),
            Op::Cast(d) => {
                let from = g.node(ins[0]).dtype;
                vals[&ins[0]].iter().map(|&x| cast_value(from, *d, x)).collect()
            }
            Op::Permute(p) => {
                let ss = g.node(ins[0]).shape.strides();
                let x = &vals[&ins[0]];
                offsets(node.shape.dims(), |idx| idx.iter().zip(p).map(|(&i, &pd)| i * ss[pd]).sum())
                    .into_iter()
                    .map(|o| x[o])
                    .collect()
            }
            Op::Concat { dim, .. } => {
                let d = node.shape.dims();
                let (outer, inner): (usize, usize) = (d[..*dim].iter().product(), d[dim + 1..].iter().product());
                let mut out = Vec::with_capacity(numel);
                for o in 0..outer {
                    for i in &ins {
                        let n = g.node(*i).shape.dims()[*dim] * inner;
                        out.extend_from_slice(&vals[i][o * n..(o + 1) * n]);
                    }
                }
                out
            }
            Op::Expand => {
                let ia = broadcast_index(&g.node(ins[0]).shape, &node.shape);
                let x = &vals[&ins[0]];
                ia.iter().map(|&i| x[i]).collect()
            }
            Op::Slice { dim, start, step } => {
                let ss = g.node(ins[0]).shape.strides();
                let x = &vals[&ins[0]];
                let at = |idx: &[usize]| {
                    let row =
                        |d: usize, i: usize| if d == *dim { *start as isize + i as isize * step } else { i as isize };
                    idx.iter().enumerate().map(|(d, &i)| row(d, i) * ss[d] as isize).sum::<isize>() as usize
                };
                offsets(node.shape.dims(), at).into_iter().map(|o| x[o]).collect()
            }
            Op::MatMul => {
                let (sa, sb) = (&g.node(ins[0]).shape, &g.node(ins[1]).shape);
                let (ad, bd, od) = (sa.dims(), sb.dims(), node.shape.dims());
                let (m, k, n) = (ad[ad.len() - 2], ad[ad.len() - 1], bd[bd.len() - 1]);
                let batch = Shape::from(&od[..od.len() - 2]);
                let ia = broadcast_index(&Shape::from(&ad[..ad.len() - 2]), &batch);
                let ib = broadcast_index(&Shape::from(&bd[..bd.len() - 2]), &batch);
                let (va, vb) = (&vals[&ins[0]], &vals[&ins[1]]);
                let mut out = vec![0.0; numel];
                for bi in 0..batch.numel() {
                    let (a0, b0) = (ia[bi] * m * k, ib[bi] * k * n);
                    for i in 0..m {
                        for j in 0..n {
                            out[bi * m * n + i * n + j] = (0..k).map(|p| va[a0 + i * k + p] * vb[b0 + p * n + j]).sum();
                        }
                    }
                }
                out
            }
        };
        vals.insert(n, v);
    }
    vals
}

/// `v`, a value of dtype `from`, converted to `to` by the cast rule ([`Scalar::cast`]).
fn cast_value(from: DType, to: DType, v: f64) -> f64 {
    let s = if from.is_float() { Scalar::new(v) } else { Scalar::int(v as i64) };
    s.cast(to).get()
}

/// For each flat index of `target`, the flat index of the element of `shape` it reads.
fn broadcast_index(shape: &Shape, target: &Shape) -> Vec<usize> {
    let strides = shape.broadcast_strides(target);
    offsets(target.dims(), |idx| idx.iter().zip(&strides).map(|(i, s)| i * s).sum())
}

/// `at(idx)` for every multi-index `idx` of `dims`, in row-major order.
fn offsets(dims: &[usize], at: impl Fn(&[usize]) -> usize) -> Vec<usize> {
    let n: usize = dims.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; dims.len()];
    for _ in 0..n {
        out.push(at(&idx));
        for d in (0..dims.len()).rev() {
            idx[d] += 1;
            if idx[d] < dims[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    out
}

/// Where position `p` of an index of shape `is` points in `x` of shape `xs`: the same
/// coordinates, with `dim`'s replaced by the index value `i` (row-major, flat).
fn indexed_position(p: usize, is: &[usize], xs: &[usize], dim: usize, i: usize) -> usize {
    let (mut rest, mut flat, mut scale) = (p, 0usize, 1usize);
    for d in (0..is.len()).rev() {
        let c = if d == dim { i } else { rest % is[d] };
        rest /= is[d].max(1);
        flat += c * scale;
        scale *= xs[d];
    }
    flat
}
