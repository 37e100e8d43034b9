//! The graph of lazy tensors seen from Python, for lowerings written there (`rusttorch.dask`):
//! listing a graph's nodes with their op and parameters, rebuilding a graph over other
//! operands, placeholders standing for chunked data, several tensors pickled as one graph, and
//! the evaluation of graphs over chunked sources (handed to `rusttorch.dask`).

use crate::args::{ShapeArg, TensorSeq};
use crate::dtype::opt_dtype;
use crate::errors::{guard, to_py_err};
use crate::handle::PyTensor;
use crate::pickle::{rebuild, serialize};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rusttorch_exec::Engine;
use rusttorch_ir::op::{LineOp, Op, SourceOp};
use rusttorch_ir::tensor::WeakTensor;
use rusttorch_ir::{DType, Error, Tensor};

/// The op kind and parameters of a node, as `(kind, params)`.
fn describe<'py>(py: Python<'py>, t: &Tensor) -> PyResult<(&'static str, Bound<'py, PyDict>)> {
    let p = PyDict::new(py);
    p.set_item("name", t.op().name())?;
    let kind = match t.op() {
        _ if t.is_evaluated() => "evaluated",
        Op::Source(SourceOp::Input(_)) => "placeholder",
        Op::Source(SourceOp::Full(v)) => {
            p.set_item("value", v.get())?;
            "full"
        }
        Op::Source(SourceOp::Arange { start, step }) => {
            p.set_item("start", start.get())?;
            p.set_item("step", step.get())?;
            "arange"
        }
        Op::Unary(_) => "unary",
        Op::Binary(_) => "binary",
        Op::Where => "where",
        Op::Cast(_) => "cast",
        Op::Reduce { op, axes, keepdim } => {
            p.set_item("op", op.name())?;
            p.set_item("axes", axes.to_vec())?;
            p.set_item("keepdim", keepdim)?;
            "reduce"
        }
        Op::ArgReduce { op, dim, keepdim } => {
            p.set_item("op", if *op == rusttorch_ir::op::ArgOp::Max { "argmax" } else { "argmin" })?;
            p.set_item("axes", vec![*dim])?;
            p.set_item("keepdim", keepdim)?;
            "argreduce"
        }
        Op::Line { op, dim } => {
            p.set_item("axes", vec![*dim])?;
            p.set_item("resizes", matches!(op, LineOp::Order(_) | LineOp::OrderIndex(_)))?;
            "line"
        }
        Op::Gather { dim } | Op::Scatter { dim, .. } => {
            p.set_item("axes", vec![*dim])?;
            if matches!(t.op(), Op::Gather { .. }) {
                "gather"
            } else {
                "scatter"
            }
        }
        Op::Search { .. } => "search",
        Op::MatMul => "matmul",
        Op::Reshape => "reshape",
        Op::Expand => "expand",
        Op::Permute(perm) => {
            p.set_item("perm", perm.to_vec())?;
            "permute"
        }
        Op::Concat { dim, .. } => {
            p.set_item("axes", vec![*dim])?;
            "concat"
        }
        Op::Slice { dim, start, step } => {
            p.set_item("dim", dim)?;
            p.set_item("start", start)?;
            p.set_item("step", step)?;
            "slice"
        }
    };
    Ok((kind, p))
}

/// The nodes `tensors` are built from, operands first, each once: a list of
/// `(tensor, id, kind, params, operand positions, note)`; `id` is the node's identity (equal
/// for every handle of one node, as long as it lives). Kinds: `evaluated` (a leaf with data),
/// `placeholder`, `full`, `arange`, `unary`, `binary`, `where`, `cast`, `reduce`, `argreduce`,
/// `line`, `gather`, `scatter`, `search`, `matmul`, `reshape`, `expand`, `permute`, `concat`,
/// `slice`; `params["name"]` is the op as `explain()` prints it. Nothing is evaluated.
#[pyfunction]
pub fn _graph_nodes<'py>(py: Python<'py>, tensors: TensorSeq) -> PyResult<Vec<Bound<'py, PyTuple>>> {
    let nodes = Tensor::graph_nodes(&tensors.0);
    nodes
        .into_iter()
        .map(|n| {
            let (kind, params) = describe(py, &n.tensor)?;
            let note = n.tensor.note().map(str::to_string);
            let ops: Vec<usize> = n.operands.to_vec();
            let id = n.tensor.id();
            (PyTensor::from(n.tensor), id, kind, params, ops, note).into_pyobject(py)
        })
        .collect()
}

/// `outputs` rebuilt with each tensor of `old` replaced by the one at its position in `new`
/// (same dtype, any shape the ops accept), shapes inferred again; nothing is evaluated.
#[pyfunction]
pub fn _substitute(outputs: TensorSeq, old: TensorSeq, new: TensorSeq) -> PyResult<Vec<PyTensor>> {
    let got = guard(|| Tensor::substitute(&outputs.0, &old.0, &new.0))?;
    Ok(got.into_iter().map(PyTensor::from).collect())
}

/// A placeholder: a lazy leaf of `shape` and `dtype` with no data, standing for data bound
/// later (a chunked source); `note` says what it stands for (`explain()` and errors print it).
#[pyfunction]
#[pyo3(signature = (shape, dtype, note))]
pub fn _placeholder(shape: ShapeArg, dtype: Option<&Bound<'_, PyAny>>, note: String) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?.unwrap_or(DType::F32);
    let t = guard(|| Tensor::placeholder(shape.0, d))?;
    t.add_note(note);
    Ok(PyTensor::from(t))
}

/// A handle that does not keep a tensor's node alive: ``alive()`` says whether any tensor or
/// graph still reaches it (rusttorch.dask forgets the Dask array behind a dead placeholder).
#[pyclass(name = "_WeakTensor", module = "rusttorch", frozen)]
pub struct WeakHandle(WeakTensor);

#[pymethods]
impl WeakHandle {
    /// Whether the node still exists.
    fn alive(&self) -> bool {
        self.0.is_alive()
    }
}

/// A weak handle on `t`'s node.
#[pyfunction]
pub fn _weak(t: PyRef<'_, PyTensor>) -> WeakHandle {
    WeakHandle(t.tensor().downgrade())
}

/// Several tensors as one graph (shared nodes stay shared): `(blob, buffers)` as
/// `pickle` stores one tensor (docs/pickle.md); `_loads_graph` gives them back.
#[pyfunction]
pub fn _dumps_graph<'py>(py: Python<'py>, tensors: TensorSeq) -> PyResult<Bound<'py, PyTuple>> {
    serialize(py, &tensors.0, 5)
}

/// The tensors `_dumps_graph` stored, rebuilt over `buffers`.
#[pyfunction]
pub fn _loads_graph(blob: &[u8], buffers: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<PyTensor>> {
    Ok(rebuild(blob, buffers)?.into_iter().map(PyTensor::from).collect())
}

/// Evaluates `tensors`, whose graph reads placeholders (`err` said so), through
/// `rusttorch.dask._evaluate`, which computes chunked sources with Dask and gives back evaluated
/// tensors; without a chunked source it gives `None` and `err` is raised.
pub fn evaluate_chunked(py: Python<'_>, tensors: &[Tensor], err: Error) -> PyResult<()> {
    let Ok(hook) = py.import("rusttorch.dask").and_then(|m| m.getattr("_evaluate")) else {
        return Err(to_py_err(err));
    };
    let args: Vec<PyTensor> = tensors.iter().cloned().map(PyTensor::from).collect();
    let got = hook.call1((args,))?;
    if got.is_none() {
        return Err(to_py_err(err));
    }
    let got: TensorSeq = got.extract()?;
    for (t, r) in tensors.iter().zip(&got.0) {
        if t.is_evaluated() {
            continue;
        }
        let b = r.buffer().ok_or_else(|| to_py_err(Error::Internal("a chunked result is not evaluated".into())))?;
        guard(|| t.set_buffer(b))?;
    }
    Ok(())
}

/// The plan that would evaluate `tensors` (`explain()`); for a graph reading Dask arrays,
/// `rusttorch.dask.explain`'s account of its Dask layers.
pub fn explain(py: Python<'_>, tensors: &[Tensor]) -> PyResult<String> {
    match guard(|| Ok(Engine::default_engine().explain_tiers(tensors)))? {
        Ok(s) => Ok(s),
        Err(e @ Error::Unbound { .. }) => {
            let Ok(f) = py.import("rusttorch.dask").and_then(|m| m.getattr("explain")) else {
                return Err(to_py_err(e));
            };
            let args: Vec<PyTensor> = tensors.iter().cloned().map(PyTensor::from).collect();
            f.call1(PyTuple::new(py, args)?)?.extract()
        }
        Err(e) => Err(to_py_err(e)),
    }
}

/// Registers the functions of this file.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_graph_nodes, m)?)?;
    m.add_function(wrap_pyfunction!(_substitute, m)?)?;
    m.add_function(wrap_pyfunction!(_placeholder, m)?)?;
    m.add_function(wrap_pyfunction!(_weak, m)?)?;
    m.add_class::<WeakHandle>()?;
    m.add_function(wrap_pyfunction!(_dumps_graph, m)?)?;
    m.add_function(wrap_pyfunction!(_loads_graph, m)?)
}
