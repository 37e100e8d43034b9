//! Running one kernel of a plan: outputs allocated or donated, inputs typed and converted.

use super::convert::narrow_to;
use super::slots::{AnySlice, AnyVec, Slot, SlotType};
use crate::jit::{run_compiled, KernelTier, Ready};
use crate::kernel::{
    run_arg, run_gather, run_kernel, run_line, run_matmul, run_scatter, run_search, Access, BadIndex, Ctx, KernelIo,
    LineOut, MatMulIo, NarrowIn, NarrowVec, OutPtr,
};
use crate::memory::PooledVec;
use rusttorch_ir::plan::{Donor, FusedKernel, Instr, KernelShape, Plan, Strategy};
use rusttorch_ir::{DType, Error, Result};
use smallvec::SmallVec;
use std::num::Wrapping;

/// One kernel to run, and how.
#[derive(Clone, Copy)]
pub(super) struct KernelRun<'a> {
    /// Block sizes, threads, the pool, and the flag that stops the kernel's remaining tasks.
    pub(super) ctx: Ctx<'a>,
    pub(super) plan: &'a Plan,
    pub(super) k: &'a FusedKernel,
    pub(super) access: &'a [Access],
    /// The inputs whose (donated) buffers become outputs, at most one per output.
    pub(super) donors: &'a [Donor],
    /// The kernel's compiled code, if any, and its record of which tier ran.
    pub(super) tier: &'a KernelTier,
    /// Its compiled code, when ready.
    pub(super) code: Option<Ready<'a>>,
}

pub(super) fn run_one<T: SlotType>(run: KernelRun<'_>, slots: &mut [Slot], free: &mut Vec<AnyVec>) -> Result<()> {
    let KernelRun { ctx, plan, k, access, donors, tier, code } = run;
    // A donated input's memory becomes its output when it is ours alone and of type `T` (a
    // graph input handed over by its tensor, or an intermediate whose last reader this is).
    let mut donated: SmallVec<[Option<PooledVec<T>>; 2]> = (0..k.outputs.len()).map(|_| None).collect();
    let mut io_donors: SmallVec<[Donor; 1]> = SmallVec::new();
    for &d in donors {
        let v = plan.base(k.inputs[d.input as usize].value);
        let vec = match std::mem::replace(&mut slots[v], Slot::Empty) {
            Slot::Shared(b) => match PooledVec::<T>::try_from_buffer(b) {
                Ok(vec) => Some(vec),
                Err(b) => {
                    slots[v] = Slot::Shared(b);
                    None
                }
            },
            Slot::Owned(vec) if vec.dtype() == T::DTYPE => Some(T::unwrap(vec).expect("dtype checked")),
            other => {
                slots[v] = other;
                None
            }
        };
        if let Some(vec) = vec {
            donated[d.output as usize] = Some(vec);
            io_donors.push(d);
        }
    }
    let mut outs: SmallVec<[PooledVec<T>; 2]> = SmallVec::new();
    // Index outputs (argmax, a scan's positions, a search's) are int64 whatever the kernel
    // computes in; an order kernel writing values and indices writes the indices last.
    let last = k.outputs[k.outputs.len() - 1].value;
    let index_out = match k.shape {
        KernelShape::Arg { m, n, .. } => Some(m * n),
        KernelShape::Search { len, .. } => Some(len),
        KernelShape::Line { op, .. } if op.writes_indices() || k.outputs.len() == 2 => {
            Some(plan.values[last].shape.numel())
        }
        _ => None,
    };
    let mut arg_out = match index_out {
        Some(len) => Some(PooledVec::<Wrapping<i64>>::new(len)?),
        None => None,
    };
    // Allocate outputs (reusing freed intermediates of the same dtype and length).
    let value_outputs = &k.outputs[..k.outputs.len() - usize::from(arg_out.is_some())];
    // Storage-dtype outputs of an elementwise kernel are written in their own width, converted
    // at each store (their `outs` entry stays empty).
    let mut narrow_vecs: SmallVec<[Option<NarrowVec>; 2]> = (0..outs.len()).map(|_| None).collect();
    let narrow_stores = k.strategy == Strategy::Map && k.matmul.is_none() && io_donors.is_empty();
    for (j, o) in value_outputs.iter().enumerate() {
        if let Some(vec) = donated[j].take() {
            narrow_vecs.push(None);
            outs.push(vec);
            continue;
        }
        let n = plan.values[o.value].shape.numel();
        let d = plan.values[o.value].dtype;
        if narrow_stores && d != T::DTYPE && d.compute() == T::DTYPE {
            if let Some(nv) = NarrowVec::new(d, n)? {
                narrow_vecs.push(Some(nv));
                outs.push(PooledVec::<T>::new(0)?);
                continue;
            }
        }
        narrow_vecs.push(None);
        let reuse = free.iter().position(|v| v.len() == n && v.dtype() == T::DTYPE);
        let v = match reuse {
            Some(i) => T::unwrap(free.swap_remove(i)).expect("dtype checked"),
            None => PooledVec::<T>::new(n)?,
        };
        outs.push(v);
    }
    {
        // Inputs of another dtype (a cast kernel's operand, a bool mask) are converted up front.
        // A gather's or scatter's index is read as int64 whatever the kernel computes in.
        let mut converted: SmallVec<[Option<PooledVec<T>>; 4]> = SmallVec::new();
        let mut index_owned: SmallVec<[Option<PooledVec<Wrapping<i64>>>; 4]> = SmallVec::new();
        let mut narrow: SmallVec<[Option<NarrowIn<'_>>; 4]> = SmallVec::new();
        for (n, i) in k.inputs.iter().enumerate() {
            let slot = &slots[plan.base(i.value)];
            let (index, other) = (k.is_index_input(n), plan.values[i.value].dtype != T::DTYPE);
            // A storage-dtype input that an elementwise kernel only loads contiguously is
            // converted block by block in the VM instead of widened in memory up front.
            let per_block = match slot {
                Slot::Shared(b) if other && !index && per_block_loads(k, n, access) => NarrowIn::of(b),
                _ => None,
            };
            narrow.push(per_block);
            let convert = other && !index && per_block.is_none();
            converted.push(if convert { Some(AnySlice::of(slot)?.convert(ctx)?) } else { None });
            index_owned.push(match index {
                true => match AnySlice::of(slot)? {
                    AnySlice::I64(_) => None,
                    s => Some(s.convert(ctx)?),
                },
                false => None,
            });
        }
        let mut inputs = SmallVec::new();
        let mut indices = SmallVec::new();
        for (n, ((i, conv), owned)) in k.inputs.iter().zip(&converted).zip(&index_owned).enumerate() {
            let slot = &slots[plan.base(i.value)];
            let index = k.is_index_input(n);
            inputs.push(match conv {
                // The donated input is read through the output's pointer (the same memory); a
                // per-block input through `narrow`.
                _ if io_donors.iter().any(|d| d.input == n as u16) || index || narrow[n].is_some() => &[][..],
                Some(v) => &v[..],
                None => T::slice(slot)?,
            });
            indices.push(match owned {
                _ if !index => &[][..],
                Some(v) => &v[..],
                None => <Wrapping<i64> as SlotType>::slice(slot)?,
            });
        }
        let outputs = outs.iter_mut().map(|v| OutPtr::new(v)).collect();
        let io = KernelIo {
            inputs,
            access,
            layouts: &k.inputs,
            outputs,
            donors: io_donors,
            indices,
            bad_index: BadIndex::default(),
            narrow,
            narrow_out: narrow_vecs.iter_mut().map(|v| v.as_mut().map(NarrowVec::out)).collect(),
        };
        match (&k.shape, arg_out.as_mut()) {
            (KernelShape::Arg { .. }, Some(idx)) => run_arg(k, &io, OutPtr::new(idx), ctx),
            (KernelShape::Line { .. }, Some(idx)) if k.outputs.len() == 2 => {
                run_line(k, &io, LineOut::Both(io.outputs[0], OutPtr::new(idx)), ctx)
            }
            (KernelShape::Line { .. }, Some(idx)) => run_line(k, &io, LineOut::Indices(OutPtr::new(idx)), ctx),
            (KernelShape::Line { .. }, None) => {
                run_line(k, &io, LineOut::Values(io.outputs[0]), ctx);
            }
            (KernelShape::Gather { .. }, _) => run_gather(k, &io, ctx),
            (KernelShape::Scatter { .. }, _) => run_scatter(k, &io, ctx)?,
            (KernelShape::Search { .. }, Some(idx)) => run_search(k, &io, OutPtr::new(idx), ctx),
            _ => {}
        }
        let ran_compiled = match &k.matmul {
            _ if arg_out.is_some()
                || matches!(
                    k.shape,
                    KernelShape::Line { .. } | KernelShape::Gather { .. } | KernelShape::Scatter { .. }
                ) =>
            {
                false
            }
            Some(_) if !T::DTYPE.is_float() => return Err(Error::UnsupportedDType { op: "matmul", dtype: T::DTYPE }),
            Some(mm) => {
                let mio = MatMulIo { a: T::slice(&slots[plan.base(mm.a)])?, b: T::slice(&slots[plan.base(mm.b)])? };
                run_matmul(k, &io, &mio, ctx);
                false
            }
            None => {
                // Compiled code when it is ready and the buffers are as it was compiled for (of
                // the kernel's own type: narrow ones are converted by the VM).
                let plain = io.narrow.iter().all(Option::is_none) && io.narrow_out.iter().all(Option::is_none);
                let compiled = match code {
                    Some(code) if plain => run_compiled(code, k, &io, ctx),
                    _ => false,
                };
                if !compiled {
                    run_kernel(k, &io, ctx);
                }
                compiled
            }
        };
        tier.ran(ran_compiled);
        if let Some(e) = io.bad_index.error() {
            return Err(e);
        }
    }
    if let Some(idx) = arg_out {
        slots[last] = Slot::Owned(AnyVec::I64(idx));
    }
    for ((o, v), nv) in k.outputs.iter().zip(outs).zip(narrow_vecs.into_iter().chain(std::iter::repeat_with(|| None))) {
        // Bool results were computed as 0/1 in the kernel's type; storage-only dtypes (float16,
        // int8, ...) in their compute type unless they were stored in their own width.
        slots[o.value] = match plan.values[o.value].dtype {
            _ if nv.is_some() => Slot::Shared(nv.expect("checked").into_buffer()),
            d if d == T::DTYPE => Slot::Owned(T::wrap(v)),
            DType::Bool => {
                let mut b = PooledVec::<bool>::new(v.len())?;
                for (b, &x) in b.iter_mut().zip(v.iter()) {
                    *b = x != T::ZERO;
                }
                Slot::Owned(AnyVec::Bool(b))
            }
            d if d.compute() == T::DTYPE => Slot::Shared(narrow_to(ctx, &v, d)?),
            d => return Err(Error::Internal(format!("a {} kernel cannot write {d}", T::DTYPE))),
        };
    }
    Ok(())
}

/// Whether input `n` of `k` is read only by plain contiguous loads of an elementwise kernel (no
/// tiles, rows or gathers), so the VM can convert it block by block.
fn per_block_loads(k: &FusedKernel, n: usize, access: &[Access]) -> bool {
    k.strategy == Strategy::Map
        && k.matmul.is_none()
        && matches!(access.get(n), Some(Access::Contiguous { .. }))
        && k.stages.iter().all(|s| {
            s.full.iter().chain(&s.row).all(|i| !matches!(i, Instr::Gather { input, .. } if *input as usize == n))
        })
}
