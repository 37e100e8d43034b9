//! Buffer donation: which evaluated inputs give their buffers up to the kernels that may write
//! into them (the plan's [`FusedKernel::donor`](rusttorch_ir::plan::FusedKernel::donor)).

use rusttorch_ir::tensor::Walk;
use rusttorch_ir::{Buffer, Tensor};
use smallvec::SmallVec;

/// Buffer donation: which of the evaluated inputs (`buffers` of `w`'s input tensors, by slot)
/// give their buffers to the evaluation of `outputs`. An evaluated input qualifies when a kernel
/// may write into it (`donatable`, the input slots of the kernels' `donor`s), only `outputs` can still reach it (`t += x` rebinding
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
