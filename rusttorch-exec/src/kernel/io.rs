//! The typed inputs and outputs a kernel runs on.

use super::access::Access;
use super::indexed::BadIndex;
use super::stores::OutPtr;
use rusttorch_ir::plan::KernelInput;
use smallvec::SmallVec;
use std::num::Wrapping;

/// Everything a kernel reads and writes, typed.
pub(crate) struct KernelIo<'a, T> {
    pub inputs: SmallVec<[&'a [T]; 4]>,
    pub access: &'a [Access],
    pub outputs: SmallVec<[OutPtr<T>; 2]>,
    /// The kernel's inputs (their layouts).
    pub layouts: &'a [KernelInput],
    /// The input whose buffer is output 0 (buffer donation): its `inputs` entry is empty and it
    /// is read through the output's pointer, contiguously, each block before it is written.
    pub donor: Option<u16>,
    /// Per input, the int indices of a gather's index input as int64 (empty for the others,
    /// whose `inputs` entry is empty instead).
    pub indices: SmallVec<[&'a [Wrapping<i64>]; 4]>,
    /// The first out-of-range index a gather of the kernel met.
    pub bad_index: BadIndex,
}
