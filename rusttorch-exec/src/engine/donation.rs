//! Buffer donation: which kernel may write into which input, and which inputs give it up.

use crate::kernel::Access;
use rusttorch_ir::plan::{Instr, KernelShape, Operand, Plan, ValueKind};
use rusttorch_ir::tensor::Walk;
use rusttorch_ir::{Buffer, Tensor};
use smallvec::SmallVec;

/// For each kernel, the input whose buffer may become its output when donated: the kernel is
/// elementwise with one output of the input's dtype and size, reads the input once,
/// contiguously and in the same order as it writes (so each block is read before it is
/// overwritten), is the input's last reader, and the input is a graph input, not an output.
pub(super) fn donor_inputs(plan: &Plan, access: &[Vec<Access>]) -> Vec<Option<u16>> {
    let last_use = plan.last_use();
    let outputs: Vec<usize> = plan.outputs.iter().map(|&o| plan.base(o)).collect();
    plan.kernels
        .iter()
        .enumerate()
        .map(|(ki, k)| {
            let simple = k.matmul.is_none()
                && matches!(k.shape, KernelShape::Rows { row_len: 1, .. })
                && k.stages.len() == 1
                && k.stages[0].reduces.is_empty()
                && k.outputs.len() == 1
                && plan.values[k.outputs[0].value].dtype == k.dtype
                // No transposed reads (those run as 2-d tiles, which read inputs in another order).
                && !access[ki].iter().any(|a| matches!(a, Access::Strided { .. }));
            if !simple {
                return None;
            }
            let out = &plan.values[k.outputs[0].value];
            k.inputs.iter().enumerate().find_map(|(i, input)| {
                let v = input.value;
                let val = &plan.values[v];
                let ok = matches!(val.kind, ValueKind::Input(_))
                    && val.dtype == k.dtype
                    && val.shape.numel() == out.shape.numel()
                    && input.read_shape.numel() == out.shape.numel()
                    && matches!(access[ki][i], Access::Contiguous { offset: 0 })
                    && k.inputs.iter().filter(|j| j.value == v).count() == 1
                    && last_use[v] == ki
                    && !outputs.contains(&v)
                    // The store must come from a computed register, never straight from the
                    // donated input's own (aliased) load.
                    && k.stages[0].full.iter().all(|ins| match ins {
                        Instr::Store { src: Operand::Reg(r), .. } => !k.stages[0].full.iter().any(
                            |l| matches!(l, Instr::Load { dst, input } if dst == r && *input as usize == i),
                        ),
                        _ => true,
                    });
                ok.then_some(i as u16)
            })
        })
        .collect()
}

/// Buffer donation: which of the evaluated inputs (`buffers` of `w`'s input tensors, by slot)
/// give their buffers to the evaluation of `outputs`. An evaluated input qualifies when a kernel
/// may write into it (`donatable`, the input slots of [`donor_inputs`]' kernels), only `outputs` can still reach it (`t += x` rebinding
/// `t`), and nobody else holds its buffer; it then gives the buffer up under its lock
/// ([`Tensor::donate_buffer`]). Returns the flags by slot and the tensors that gave their buffers.
pub(super) fn donate_inputs(
    donatable: &[usize],
    buffers: &[Buffer],
    w: Walk,
    outputs: &[Tensor],
) -> (SmallVec<[bool; 8]>, Donors) {
    let mut donated = SmallVec::from_elem(false, buffers.len());
    let mut donors = Donors::new();
    if donatable.is_empty() {
        return (donated, donors);
    }
    // Handles on a candidate: its consumer's operand list and the walk's.
    if !donatable.iter().any(|&slot| w.input_tensor(slot).is_some_and(|t| t.handle_count() == 2)) {
        return (donated, donors);
    }
    // Only the walk's handles on evaluated tensors stay while the lazy nodes' are counted.
    let tensors = w.into_input_tensors();
    let candidate = |&slot: &usize| tensors.get(slot).is_some_and(|t| t.handle_count() == 2);
    let exclusive = Tensor::exclusively_consumed(outputs, 1);
    for &slot in donatable.iter().filter(|s| candidate(s)) {
        if exclusive.contains(&tensors[slot].id()) && tensors[slot].donate_buffer(&buffers[slot]) {
            donated[slot] = true;
            donors.push((slot, tensors[slot].clone()));
        }
    }
    (donated, donors)
}

/// The tensors that gave their buffers to an evaluation, by input slot.
pub(super) type Donors = SmallVec<[(usize, Tensor); 1]>;
