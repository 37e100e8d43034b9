//! Lazy tensors to bytes and back (what `pickle` and the scale-out ship): the graph as a
//! versioned blob, the buffers of its evaluated tensors beside it.
//!
//! A blob is a header and a payload:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | [`MAGIC`], `RTGRAPH` and a zero byte |
//! | 4 | [`FORMAT_VERSION`], little-endian |
//! | 8 | FNV-1a 64 checksum of the payload, little-endian |
//! | rest | the payload in [postcard](https://postcard.jamesmunns.com) (serde) |
//!
//! The payload lists the nodes in post-order (each op with its parameters and operand
//! positions, shape, dtype and note; constants are `Full`/`Arange` ops, so they are inside),
//! the outputs, and what each leaf buffer holds. Nodes shared by several users are stored once,
//! so the graph comes back a DAG with the same sharing. The leaf buffers (the values of
//! evaluated tensors, random tensors included: their values are drawn when they are built) are
//! not in the blob: they travel beside it, so `pickle` can pass them out of band.
//!
//! Loading checks the magic, the version ([`Error::GraphVersion`]), the checksum, and every
//! node (operands before users, arity, shapes and dtypes by the rules `Graph::validate`
//! applies), and each buffer against its spec ([`Error::CorruptGraph`]). As with any pickle,
//! load only data you trust: a blob can describe any computation.

mod records;
#[cfg(test)]
mod tests;

pub use records::LeafSpec;

use crate::graph::{GNode, GraphKey, KeyNode};
use crate::op::{Op, SourceOp};
use crate::tensor::{walk, Operands};
use crate::{Buffer, DType, Error, Result, Shape, Tensor};
use records::{Body, NodeRecord, Payload};

/// The first bytes of every serialized graph.
pub const MAGIC: [u8; 8] = *b"RTGRAPH\0";

/// The version of the format this build writes and reads. Any change to the encoding (an op
/// variant inserted or removed, a field added) must bump it; the `golden_blob_is_stable` test
/// fails until it does.
pub const FORMAT_VERSION: u32 = 1;

/// Bytes before the payload.
const HEADER_LEN: usize = MAGIC.len() + 4 + 8;

/// A serialized graph: the blob and, in the order of its [`LeafSpec`]s, the buffers that
/// travel beside it.
pub struct Serialized {
    /// Header and payload.
    pub blob: Vec<u8>,
    /// The values of the evaluated tensors the graph reads.
    pub buffers: Vec<Buffer>,
}

/// Serializes the graph that computes `outputs` (the part not evaluated yet; evaluated tensors
/// are leaves whose buffers are returned beside the blob). Nothing is evaluated.
pub fn serialize(outputs: &[Tensor]) -> Result<Serialized> {
    let w = walk(outputs, &[], true)?;
    let nodes = w
        .nodes
        .iter()
        .map(|n| {
            let t = &n.tensor;
            let body = match n.slot {
                Some(s) => Body::Leaf(s),
                None => Body::Lazy { op: t.op().clone(), operands: n.operands.clone() },
            };
            NodeRecord { shape: t.shape().0.clone(), dtype: t.dtype(), note: t.note().map(str::to_string), body }
        })
        .collect();
    let leaves = w.inputs.iter().map(|b| LeafSpec { dtype: b.dtype(), len: b.len() as u64 }).collect();
    let payload = Payload { nodes, outputs: w.outputs.to_vec(), leaves };
    let body = postcard::to_allocvec(&payload).map_err(|e| Error::Internal(format!("serializing a graph: {e}")))?;
    let mut blob = Vec::with_capacity(HEADER_LEN + body.len());
    blob.extend_from_slice(&MAGIC);
    blob.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    blob.extend_from_slice(&checksum(&body).to_le_bytes());
    blob.extend_from_slice(&body);
    Ok(Serialized { blob, buffers: w.inputs.into_vec() })
}

/// A blob read and checked, waiting for its leaf buffers ([`Decoded::build`]).
#[derive(Debug)]
pub struct Decoded {
    payload: Payload,
}

fn corrupt(reason: impl Into<String>) -> Error {
    Error::CorruptGraph { reason: reason.into() }
}

/// FNV-1a, 64 bits: detects damaged payloads (not an integrity check against tampering).
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Reads and checks a blob's header; returns the payload bytes.
fn payload_bytes(blob: &[u8]) -> Result<&[u8]> {
    if blob.len() < MAGIC.len() || blob[..MAGIC.len()] != MAGIC {
        return Err(corrupt("it does not start with the rusttorch graph magic (not a rusttorch graph)"));
    }
    if blob.len() < HEADER_LEN {
        return Err(corrupt(format!("it ends inside its {HEADER_LEN}-byte header")));
    }
    let version = u32::from_le_bytes(blob[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(Error::GraphVersion { found: version, expected: FORMAT_VERSION });
    }
    let sum = u64::from_le_bytes(blob[12..20].try_into().expect("8 bytes"));
    let body = &blob[HEADER_LEN..];
    if checksum(body) != sum {
        return Err(corrupt("its checksum does not match its contents"));
    }
    Ok(body)
}

/// Reads a blob and checks it: header, checksum, and every node against its operands.
pub fn decode(blob: &[u8]) -> Result<Decoded> {
    let (payload, rest): (Payload, &[u8]) =
        postcard::take_from_bytes(payload_bytes(blob)?).map_err(|e| corrupt(format!("decoding: {e}")))?;
    if !rest.is_empty() {
        return Err(corrupt(format!("{} bytes follow the graph", rest.len())));
    }
    validate(&payload)?;
    Ok(Decoded { payload })
}

/// Checks what decoding alone cannot: operands before their users, each leaf used once with its
/// spec's dtype and size, shapes whose size fits, and every node by `Graph::validate`'s rules.
fn validate(p: &Payload) -> Result<()> {
    let mut leaf_used = vec![false; p.leaves.len()];
    let mut nodes = Vec::with_capacity(p.nodes.len());
    for (i, n) in p.nodes.iter().enumerate() {
        let shape = Shape(n.shape.clone());
        let numel = shape.checked_numel().map_err(|_| corrupt(format!("node {i}: shape {shape} is too large")))?;
        let (op, operands) = match &n.body {
            Body::Leaf(b) => {
                let spec = p.leaves.get(*b as usize).ok_or_else(|| corrupt(format!("node {i}: no leaf buffer {b}")))?;
                if std::mem::replace(&mut leaf_used[*b as usize], true) {
                    return Err(corrupt(format!("leaf buffer {b} is used twice")));
                }
                if spec.dtype != n.dtype || spec.len != numel as u64 {
                    return Err(corrupt(format!(
                        "node {i}: leaf buffer {b} does not hold a {} {shape} tensor",
                        n.dtype
                    )));
                }
                (Op::Source(SourceOp::Input(*b as usize)), Default::default())
            }
            Body::Lazy { op: Op::Source(SourceOp::Input(_)), .. } => {
                return Err(corrupt(format!("node {i} is an input without a buffer")));
            }
            Body::Lazy { op, operands } => {
                if let Some(&o) = operands.iter().find(|&&o| o as usize >= i) {
                    return Err(corrupt(format!("node {i} reads node {o}, which does not come before it")));
                }
                (op.clone(), operands.clone())
            }
        };
        nodes.push(KeyNode { node: GNode { op, shape, dtype: n.dtype }, operands });
    }
    if let Some(b) = leaf_used.iter().position(|u| !u) {
        return Err(corrupt(format!("leaf buffer {b} is not used")));
    }
    if p.outputs.is_empty() || p.outputs.iter().any(|&o| o as usize >= p.nodes.len()) {
        return Err(corrupt("its outputs are not nodes of it"));
    }
    let key = GraphKey { nodes, outputs: p.outputs.clone(), fused: true };
    key.to_graph().validate().map_err(|e| corrupt(e.to_string()))
}

impl Decoded {
    /// What each leaf buffer must hold, in order.
    pub fn leaves(&self) -> &[LeafSpec] {
        &self.payload.leaves
    }

    /// The tensors the blob describes, lazy as they were, reading `buffers` (one per
    /// [`Decoded::leaves`] spec, of its dtype and length).
    pub fn build(self, buffers: Vec<Buffer>) -> Result<Vec<Tensor>> {
        let specs = &self.payload.leaves;
        if buffers.len() != specs.len() {
            return Err(corrupt(format!("it reads {} buffers, {} were given", specs.len(), buffers.len())));
        }
        for (i, (b, s)) in buffers.iter().zip(specs).enumerate() {
            if b.dtype() != s.dtype || b.len() as u64 != s.len {
                return Err(corrupt(format!("buffer {i} holds {b:?}, the graph needs {} x {}", s.len, s.dtype)));
            }
        }
        let mut built: Vec<Tensor> = Vec::with_capacity(self.payload.nodes.len());
        for n in self.payload.nodes {
            let shape = Shape(n.shape);
            let t = match n.body {
                Body::Leaf(b) => Tensor::from_buffer(buffers[b as usize].clone(), shape)?,
                Body::Lazy { op, operands } => {
                    let ops: Operands = operands.iter().map(|&o| built[o as usize].clone()).collect();
                    Tensor::from_parts(op, shape, n.dtype, ops)
                }
            };
            if let Some(note) = n.note {
                t.add_note(note);
            }
            built.push(t);
        }
        Ok(self.payload.outputs.iter().map(|&o| built[o as usize].clone()).collect())
    }
}

/// Checks that `bytes` can be read as `spec`'s elements: the exact length, and (bools) every
/// byte 0 or 1.
pub fn check_leaf_bytes(bytes: &[u8], spec: LeafSpec) -> Result<()> {
    if spec.byte_len() != Some(bytes.len()) {
        return Err(corrupt(format!(
            "a buffer of {} bytes cannot hold {} elements of {}",
            bytes.len(),
            spec.len,
            spec.dtype
        )));
    }
    if spec.dtype == DType::Bool && bytes.iter().any(|&b| b > 1) {
        return Err(corrupt("a bool buffer holds a byte other than 0 and 1"));
    }
    Ok(())
}

/// A buffer holding a copy of `bytes` as `spec`'s elements (native byte order), aligned for
/// any dtype; checked by [`check_leaf_bytes`].
pub fn leaf_from_bytes(bytes: &[u8], spec: LeafSpec) -> Result<Buffer> {
    check_leaf_bytes(bytes, spec)?;
    // Words, so the copy is aligned for every element type (none is wider than 8 bytes).
    let mut words: Vec<u64> = crate::buffer::try_vec_with_capacity(bytes.len().div_ceil(8))?;
    words.resize(bytes.len().div_ceil(8), 0);
    // SAFETY: `words` holds at least `bytes.len()` bytes, and the two do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), words.as_mut_ptr() as *mut u8, bytes.len()) };
    let ptr = words.as_ptr() as *const u8;
    // SAFETY: `ptr` points to `bytes.len()` = `spec.len` elements of `spec.dtype` (length
    // checked, bools checked to be 0 or 1), 8-byte aligned; the vector owning them moves into
    // the buffer (its heap memory does not move) and is never written again.
    Ok(unsafe { Buffer::from_external(ptr, spec.len as usize, spec.dtype, Box::new(words)) })
}
