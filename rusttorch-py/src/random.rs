//! `rusttorch.Generator`, the default generator behind `manual_seed`, and the `seed=`/
//! `generator=` arguments of `rand`/`randn`: Python objects over `rusttorch_ir::random`, which
//! decides the seeds.

use crate::args::u64_arg;
use crate::errors::{type_err, type_name, value_err};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use rusttorch_ir::random::{default_generator as core_default, draw_seed, Generator, SeedState};

/// A seed argument `arg` of `op`: an int in `[0, 2**64)`.
pub fn seed_value(op: &str, arg: &str, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    u64_arg(op, arg, "an int in [0, 2**64)", obj)
}

/// A stream of random seeds (PyTorch's ``torch.Generator``): ``Generator(seed)`` or
/// ``Generator().manual_seed(seed)``; pass it as ``generator=`` to ``rand``/``randn``. Two
/// generators with the same seed give the same tensors, call after call.
#[pyclass(name = "Generator", module = "rusttorch", frozen)]
pub struct PyGenerator {
    /// The generator this object owns; `None` for ``rusttorch.default_generator``, which is
    /// the core's default generator.
    own: Option<Generator>,
}

impl PyGenerator {
    /// The generator this object stands for.
    pub fn generator(&self) -> &Generator {
        self.own.as_ref().unwrap_or_else(|| core_default())
    }
}

#[pymethods]
impl PyGenerator {
    /// A generator started from ``seed`` (from the clock when ``None``). ``device`` is accepted
    /// for PyTorch's signature; only ``"cpu"`` exists.
    #[new]
    #[pyo3(signature = (seed = None, *, device = "cpu"))]
    fn new(seed: Option<&Bound<'_, PyAny>>, device: &str) -> PyResult<Self> {
        if device != "cpu" {
            return Err(value_err(format!("Generator: device must be 'cpu', got {device:?}")));
        }
        let own = match seed {
            Some(s) if !s.is_none() => Generator::new(seed_value("Generator", "seed", s)?),
            _ => Generator::from_clock(),
        };
        Ok(PyGenerator { own: Some(own) })
    }

    /// Restarts the stream from ``seed`` and returns the generator itself.
    fn manual_seed<'py>(slf: &Bound<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().generator().manual_seed(seed_value("manual_seed", "seed", seed)?);
        Ok(slf.clone())
    }

    /// Restarts the stream from a seed taken from the clock, and returns that seed.
    fn seed(&self) -> u64 {
        self.generator().reseed_from_clock()
    }

    /// The seed the stream was last started from.
    fn initial_seed(&self) -> u64 {
        self.generator().initial_seed()
    }

    /// The stream's position, ``(initial_seed, draws)``: ``set_state`` of it goes back there.
    fn get_state(&self) -> (u64, u64) {
        let s = self.generator().state();
        (s.initial, s.drawn)
    }

    /// Puts the stream back where ``get_state`` found it; returns the generator itself.
    fn set_state<'py>(slf: &Bound<'py, Self>, state: (u64, u64)) -> Bound<'py, Self> {
        slf.get().generator().set_state(SeedState { initial: state.0, drawn: state.1 });
        slf.clone()
    }

    /// Always ``"cpu"``.
    #[getter]
    fn device(&self) -> &'static str {
        "cpu"
    }

    fn __repr__(&self) -> String {
        format!("rusttorch.Generator(initial_seed={})", self.initial_seed())
    }
}

/// ``rusttorch.default_generator``: the generator that `rand`/`randn` draw from without
/// ``generator=`` or ``seed=``, seeded from the clock until ``manual_seed``. One Python object.
pub fn default_generator(py: Python<'_>) -> &Bound<'_, PyGenerator> {
    static DEFAULT: PyOnceLock<Py<PyGenerator>> = PyOnceLock::new();
    DEFAULT
        .get_or_init(py, || Py::new(py, PyGenerator { own: None }).expect("allocating the default generator"))
        .bind(py)
}

/// Seeds the default generator (what ``rand``/``randn`` use without ``seed=``/``generator=``)
/// and returns it, as PyTorch's ``manual_seed``.
#[pyfunction]
pub fn manual_seed<'py>(py: Python<'py>, seed: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyGenerator>> {
    PyGenerator::manual_seed(default_generator(py), seed)
}

/// The seed the default generator was last started from.
#[pyfunction]
pub fn initial_seed() -> u64 {
    core_default().initial_seed()
}

/// The seed of one `rand`/`randn` call (`op`) from its `seed=` and `generator=` arguments (at
/// most one of them), by `rusttorch_ir::random::draw_seed`.
pub fn call_seed(op: &str, seed: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    let seed = seed.filter(|s| !s.is_none());
    let generator = generator.filter(|g| !g.is_none());
    if seed.is_some() && generator.is_some() {
        return Err(value_err(format!("{op}: give seed= or generator=, not both")));
    }
    let seed = seed.map(|s| seed_value(op, "seed", s)).transpose()?;
    let generator = generator
        .map(|g| {
            g.cast::<PyGenerator>()
                .map_err(|_| type_err(format!("{op}: generator must be a rusttorch.Generator, got '{}'", type_name(g))))
        })
        .transpose()?;
    Ok(draw_seed(seed, generator.as_ref().map(|g| g.get().generator())))
}
