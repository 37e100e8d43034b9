//! Random streams: `rusttorch.Generator`, the default generator behind `manual_seed`, and the
//! `seed=`/`generator=` arguments of `rand`/`randn`.
//!
//! A generator is a splitmix64 sequence of seeds: each `rand`/`randn` call takes the next one
//! and fills its tensor from it (xoshiro256++ in `rusttorch_ir::random`). Two generators given
//! the same seed therefore give the same tensors call after call, and a call with an explicit
//! `seed=` leaves every generator where it was.

use crate::args::u64_arg;
use crate::errors::{type_err, type_name, value_err};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::sync::{Mutex, PoisonError};

/// Splitmix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Where a generator is in its sequence.
#[derive(Clone, Copy)]
struct Stream {
    /// The seed it was started from (`initial_seed()`).
    initial: u64,
    /// How many seeds it has handed out since.
    drawn: u64,
}

impl Stream {
    fn new(seed: u64) -> Stream {
        Stream { initial: seed, drawn: 0 }
    }

    /// The next seed (splitmix64 of `initial + (drawn + 1) * GAMMA`).
    fn next(&mut self) -> u64 {
        self.drawn = self.drawn.wrapping_add(1);
        let mut z = self.initial.wrapping_add(self.drawn.wrapping_mul(GAMMA));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A seed from the clock and the process id, for generators nobody seeded.
fn fresh_seed() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
    (t as u64) ^ ((std::process::id() as u64) << 32)
}

/// A seed argument `arg` of `op`: an int in `[0, 2**64)`.
pub fn seed_value(op: &str, arg: &str, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    u64_arg(op, arg, "an int in [0, 2**64)", obj)
}

/// A stream of random seeds (PyTorch's ``torch.Generator``): ``Generator(seed)`` or
/// ``Generator().manual_seed(seed)``; pass it as ``generator=`` to ``rand``/``randn``. Two
/// generators with the same seed give the same tensors, call after call.
#[pyclass(name = "Generator", module = "rusttorch", frozen)]
pub struct PyGenerator {
    stream: Mutex<Stream>,
}

impl PyGenerator {
    fn with<T>(&self, f: impl FnOnce(&mut Stream) -> T) -> T {
        f(&mut self.stream.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The next seed of this generator's stream.
    pub fn next_seed(&self) -> u64 {
        self.with(Stream::next)
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
        let seed = match seed {
            Some(s) if !s.is_none() => seed_value("Generator", "seed", s)?,
            _ => fresh_seed(),
        };
        Ok(PyGenerator { stream: Mutex::new(Stream::new(seed)) })
    }

    /// Restarts the stream from ``seed`` and returns the generator itself.
    fn manual_seed<'py>(slf: &Bound<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let seed = seed_value("manual_seed", "seed", seed)?;
        slf.get().with(|s| *s = Stream::new(seed));
        Ok(slf.clone())
    }

    /// Restarts the stream from a seed taken from the clock, and returns that seed.
    fn seed(&self) -> u64 {
        let seed = fresh_seed();
        self.with(|s| *s = Stream::new(seed));
        seed
    }

    /// The seed the stream was last started from.
    fn initial_seed(&self) -> u64 {
        self.with(|s| s.initial)
    }

    /// The stream's position, ``(initial_seed, draws)``: ``set_state`` of it goes back there.
    fn get_state(&self) -> (u64, u64) {
        self.with(|s| (s.initial, s.drawn))
    }

    /// Puts the stream back where ``get_state`` found it; returns the generator itself.
    fn set_state<'py>(slf: &Bound<'py, Self>, state: (u64, u64)) -> Bound<'py, Self> {
        slf.get().with(|s| *s = Stream { initial: state.0, drawn: state.1 });
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

/// The generator that `rand`/`randn` draw from without ``generator=`` or ``seed=``
/// (``rusttorch.default_generator``), seeded from the clock until ``manual_seed``.
pub fn default_generator(py: Python<'_>) -> &Bound<'_, PyGenerator> {
    static DEFAULT: PyOnceLock<Py<PyGenerator>> = PyOnceLock::new();
    DEFAULT
        .get_or_init(py, || {
            Py::new(py, PyGenerator { stream: Mutex::new(Stream::new(fresh_seed())) })
                .expect("allocating the default generator")
        })
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
pub fn initial_seed(py: Python<'_>) -> u64 {
    default_generator(py).get().initial_seed()
}

/// The seed of one `rand`/`randn` call (`op`): `seed=` as given, else the next seed of
/// `generator=`, else of the default generator.
pub fn call_seed(
    py: Python<'_>,
    op: &str,
    seed: Option<&Bound<'_, PyAny>>,
    generator: Option<&Bound<'_, PyAny>>,
) -> PyResult<u64> {
    let seed = seed.filter(|s| !s.is_none());
    let generator = generator.filter(|g| !g.is_none());
    match (seed, generator) {
        (Some(_), Some(_)) => Err(value_err(format!("{op}: give seed= or generator=, not both"))),
        (Some(s), None) => seed_value(op, "seed", s),
        (None, Some(g)) => match g.cast::<PyGenerator>() {
            Ok(g) => Ok(g.get().next_seed()),
            Err(_) => Err(type_err(format!("{op}: generator must be a rusttorch.Generator, got '{}'", type_name(g)))),
        },
        (None, None) => Ok(default_generator(py).get().next_seed()),
    }
}
