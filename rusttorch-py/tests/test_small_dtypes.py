"""The storage dtypes int8, int16, uint8, uint16, uint32, uint64, float16 and bfloat16 through
fused kernels, against NumPy: exact for integers (wrapping after every op, as NumPy's arithmetic
in the same dtype), within half an ulp of the stored type for the 16-bit floats (computed in
float32, rounded once at the store)."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

INTS = ["int8", "int16", "uint8", "uint16", "uint32", "uint64"]


def kernels(t: rt.Tensor) -> int:
    return sum(line.startswith("kernel ") for line in t.explain().splitlines())


def ints(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


@pytest.mark.parametrize("dtype", [*INTS, "float16"])
def test_dtype_objects_and_numpy_round_trip(dtype: str) -> None:
    d = getattr(rt, dtype)
    assert d.name == dtype
    assert d.itemsize == np.dtype(dtype).itemsize
    assert d == dtype
    assert d == np.dtype(dtype)
    a = (
        ints(dtype, (3, 4))
        if dtype != "float16"
        else np.linspace(-2, 2, 12, dtype=dtype).reshape(3, 4)
    )
    t = rt.from_numpy(a)
    assert t.dtype is d
    out = t.numpy()
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, a)
    # A lazy result of the dtype comes back in it too.
    assert (t + t).numpy().dtype == np.dtype(dtype)
    assert rt.tensor(a).dtype is d
    assert rt.zeros(3, dtype=dtype).numpy().dtype == np.dtype(dtype)


@pytest.mark.parametrize("dtype", INTS)
def test_int_arithmetic_wraps_as_numpy(dtype: str) -> None:
    a, b, c = ints(dtype, (257,), 1), ints(dtype, (257,), 2), ints(dtype, (257,), 3)
    ta, tb, tc = rt.from_numpy(a), rt.from_numpy(b), rt.from_numpy(c)
    with np.errstate(over="ignore"):
        cases = [
            ((ta + tb) * tc - ta, (a + b) * c - a),
            # A comparison after an overflowing op sees the wrapped value.
            ((ta + tb) > tc, (a + b) > c),
            ((ta * tb) == (tb * ta), np.ones(257, bool)),
            (-ta, -a),
            (ta & tb | (tc ^ ta), a & b | (c ^ a)),
            (~ta, ~a),
            (rt.maximum(ta + tb, tc), np.maximum(a + b, c)),
            (rt.where(ta > tb, ta - tb, tb - ta), np.where(a > b, a - b, b - a)),
        ]
    for got, want in cases:
        assert kernels(got) == 1, got.explain()
        out = got.numpy()
        assert out.dtype == want.dtype, (out.dtype, want.dtype)
        np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("dtype", INTS)
def test_int_division_and_remainder(dtype: str) -> None:
    a = ints(dtype, (300,), 4)
    b = ints(dtype, (300,), 5)
    b[b == 0] = 3
    if np.dtype(dtype).kind == "i":
        b[b == -1] = 7  # MIN // -1 overflows differently in NumPy (a warning and MIN)
    ta, tb = rt.from_numpy(a), rt.from_numpy(b)
    np.testing.assert_array_equal((ta // tb).numpy(), a // b)
    np.testing.assert_array_equal((ta % tb).numpy(), a % b)
    # True division is float32 (PyTorch's default float), computed from the exact values.
    q = (ta / tb).numpy()
    assert q.dtype == np.float32
    np.testing.assert_allclose(q, (a.astype(np.float64) / b).astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint32"])
def test_narrow_results_feeding_a_reduction(dtype: str) -> None:
    a = ints(dtype, (64, 33), 6)
    t = rt.from_numpy(a)
    with np.errstate(over="ignore"):
        wrapped = a * a + a
    # The sum of a narrow int is int64 (PyTorch), over the wrapped values.
    s = (t * t + t).sum(1)
    assert s.dtype is rt.int64
    np.testing.assert_array_equal(s.numpy(), wrapped.astype(np.int64).sum(1))
    m = (t * t + t).amax(0)
    assert m.dtype == dtype
    np.testing.assert_array_equal(m.numpy(), wrapped.max(0))
    np.testing.assert_array_equal((t * t + t).argmax(1).numpy(), wrapped.argmax(1))


def test_uint64_beyond_int64() -> None:
    big = np.array([0, 1, 2**63 - 1, 2**63, 2**64 - 1, 12345678901234567890], dtype=np.uint64)
    t = rt.from_numpy(big)
    np.testing.assert_array_equal((t > rt.from_numpy(big[::-1].copy())).numpy(), big > big[::-1])
    np.testing.assert_array_equal((t // 3).numpy(), big // np.uint64(3))
    np.testing.assert_array_equal((t % 1000).numpy(), big % np.uint64(1000))
    np.testing.assert_array_equal(t.sort().values.numpy(), np.sort(big))
    np.testing.assert_array_equal(t.max().numpy(), big.max())
    np.testing.assert_array_equal(t.float().numpy(), big.astype(np.float32))
    np.testing.assert_array_equal(t.double().numpy(), big.astype(np.float64))
    assert t.sum().dtype is rt.uint64
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(t.sum().numpy(), big.sum())
        np.testing.assert_array_equal((t + t).numpy(), big + big)
    assert t.abs().tolist() == big.tolist()


@pytest.mark.parametrize(
    ("x", "y", "want"),
    [
        ("int8", "uint8", "int16"),
        ("int16", "uint8", "int16"),
        ("int8", "uint16", "int32"),
        ("int32", "uint32", "int64"),
        ("uint8", "uint32", "uint32"),
        ("int64", "uint64", "float64"),
        ("int8", "float16", "float16"),
        ("uint8", "int64", "int64"),
        ("float16", "float32", "float32"),
        ("bool", "uint8", "uint8"),
    ],
)
def test_promotion_matches_numpy_where_torch_agrees(x: str, y: str, want: str) -> None:
    a = rt.zeros(2, dtype=x)
    b = rt.ones(2, dtype=y)
    assert (a + b).dtype == want
    assert (b + a).dtype == want
    # NumPy agrees on every pair listed.
    assert np.result_type(x, y) == np.dtype(want)
    np.testing.assert_array_equal((a + b).numpy(), np.ones(2, dtype=want))


def test_float16_with_bfloat16_is_float32_and_scalars_keep_the_tensor_dtype() -> None:
    h, b = rt.ones(2, dtype=rt.float16), rt.ones(2, dtype=rt.bfloat16)
    assert (h + b).dtype is rt.float32
    assert (h * 2.5).dtype is rt.float16
    assert (rt.ones(2, dtype=rt.int8) + 1).dtype is rt.int8
    assert (rt.ones(2, dtype=rt.uint8) * 1.5).dtype is rt.float32


def test_casts_follow_numpy_on_x86() -> None:
    f = np.array([300.0, -1.0, 127.9, -128.5, 70000.0, 1e10, -0.0], dtype=np.float32)
    t = rt.from_numpy(f)
    # Through int32 (then wrapped), as NumPy's conversions on x86 and PyTorch give; beyond
    # int32 the value saturates first (1e10 -> 2**31 - 1 -> -1), where x86 gives 0.
    np.testing.assert_array_equal(
        t.to(rt.int8).numpy(), np.array([44, -1, 127, -128, 112, -1, 0], np.int8)
    )
    np.testing.assert_array_equal(t[:2].to(rt.uint8).numpy(), np.array([44, 255], np.uint8))
    np.testing.assert_array_equal(
        t[:5].to(rt.uint16).numpy(), f[:5].astype(np.int32).astype(np.uint16)
    )
    i = rt.tensor([-1, 256, 65537], dtype=rt.int64)
    np.testing.assert_array_equal(i.to(rt.uint8).numpy(), np.array([255, 0, 1], np.uint8))
    np.testing.assert_array_equal(i.to(rt.int16).numpy(), np.array([-1, 256, 1], np.int16))
    np.testing.assert_array_equal(
        i.to(rt.uint32).numpy(), np.array([2**32 - 1, 256, 65537], np.uint32)
    )


def f16_ref(x: np.ndarray) -> np.ndarray:
    """A float64 result rounded once to float16 (what a float32 kernel storing float16 gives
    up to the float32 computation's own few ulp)."""
    return x.astype(np.float16)


def test_float16_fused_chain_rounds_once_at_the_store() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal(4099).astype(np.float16)
    t = rt.from_numpy(x)
    y = (t * 1.5 + 0.25).tanh() * t.exp()
    assert y.dtype is rt.float16
    assert kernels(y) == 1, y.explain()
    x64 = x.astype(np.float64)
    want = f16_ref(np.tanh(x64 * 1.5 + 0.25) * np.exp(x64))
    got = y.numpy()
    assert got.dtype == np.float16
    # Within one float16 ulp of the once-rounded reference.
    np.testing.assert_allclose(
        got.astype(np.float64), want.astype(np.float64), rtol=2**-10, atol=2**-24
    )


def test_float16_edge_values() -> None:
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 6e-8, -6e-8, 1e-5], dtype=np.float16)
    t = rt.from_numpy(x)
    np.testing.assert_array_equal(t.numpy(), x)
    np.testing.assert_array_equal(np.signbit((t * 1.0).numpy()), np.signbit(x))
    # Overflow at the store: 65504 * 2 is inf in float16 (computed as 131008 in float32).
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal((t * 2.0).numpy(), (x * np.float16(2)))
    np.testing.assert_array_equal(t.isnan().numpy(), np.isnan(x))
    # A float32 value rounds to nearest even: 1 + 2**-11 is a tie and goes to 1.
    vals = [1 + 2**-11, 1 + 3 * 2**-11, 65520.0, 2**-25]
    ties = rt.tensor(vals, dtype=rt.float32).half()
    with np.errstate(over="ignore"):
        want = np.array(vals, np.float32).astype(np.float16)
    np.testing.assert_array_equal(ties.numpy(), want)


def test_float16_reductions_and_matmul() -> None:
    rng = np.random.default_rng(8)
    x = rng.standard_normal((33, 257)).astype(np.float16)
    t = rt.from_numpy(x)
    s = t.sum(1)
    assert s.dtype is rt.float16
    want = x.astype(np.float64).sum(1)
    np.testing.assert_allclose(s.numpy().astype(np.float64), want, rtol=2**-10, atol=1e-2)
    np.testing.assert_array_equal(t.amax(0).numpy(), x.max(0))
    w = rng.standard_normal((257, 5)).astype(np.float16)
    p = t @ rt.from_numpy(w)
    assert p.dtype is rt.float16
    np.testing.assert_allclose(
        p.numpy().astype(np.float64),
        x.astype(np.float64) @ w.astype(np.float64),
        rtol=4e-3,
        atol=4e-2,
    )
    np.testing.assert_array_equal(t.sort(1).values.numpy(), np.sort(x, 1))


def bf16_round(x: np.ndarray) -> np.ndarray:
    """float32 values rounded to bfloat16 (nearest even), returned as float32."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), np.float32(np.nan), out)


def test_bfloat16_rounds_to_nearest_even() -> None:
    rng = np.random.default_rng(9)
    x = np.concatenate(
        [rng.standard_normal(1000).astype(np.float32) * 1e3, [0.0, -0.0, np.inf, -np.inf, np.nan]]
    )
    x = x.astype(np.float32)
    b = rt.from_numpy(x).bfloat16()
    assert b.dtype is rt.bfloat16
    assert b.dtype.itemsize == 2
    np.testing.assert_array_equal(b.float().numpy(), bf16_round(x))
    # Arithmetic in float32, one rounding at the store.
    y = (b * 2.0 + 1.0).float().numpy()
    np.testing.assert_array_equal(y, bf16_round(bf16_round(x) * 2 + 1))


def test_bfloat16_to_numpy_needs_ml_dtypes() -> None:
    b = rt.ones(3, dtype=rt.bfloat16)
    try:
        import ml_dtypes
    except ImportError:
        with pytest.raises(TypeError, match="bfloat16 has no NumPy dtype"):
            b.numpy()
    else:
        assert b.numpy().dtype == np.dtype(ml_dtypes.bfloat16)


@pytest.mark.parametrize("dtype", ["int8", "uint16", "float16"])
def test_views_empty_and_zero_d(dtype: str) -> None:
    a = (np.arange(24) - 7).astype(dtype).reshape(4, 6)
    t = rt.from_numpy(a)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal((t.T * 3).numpy(), a.T * a.dtype.type(3))
        np.testing.assert_array_equal((t[:, ::2] + t[:, 1::2]).numpy(), a[:, ::2] + a[:, 1::2])
    e = rt.zeros((0, 3), dtype=dtype)
    assert (e + e).numpy().shape == (0, 3)
    assert (e + e).dtype == dtype
    z = rt.tensor(5, dtype=dtype)
    assert z.ndim == 0
    assert (z * 2).item() == 10
    assert (z * 2).dtype == dtype
    assert rt.cat([t, t]).dtype == dtype
    np.testing.assert_array_equal(rt.cat([t, t], 1).numpy(), np.concatenate([a, a], 1))


@settings(max_examples=40, deadline=None)
@given(
    dtype=st.sampled_from(INTS),
    data=st.data(),
)
def test_random_int_chains_match_numpy(dtype: str, data: st.DataObject) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=5))
    elems = hnp.from_dtype(np.dtype(dtype))
    a = data.draw(hnp.arrays(dtype, shape, elements=elems))
    b = data.draw(hnp.arrays(dtype, shape, elements=elems))
    ta, tb = rt.from_numpy(a), rt.from_numpy(b)
    with np.errstate(over="ignore"):
        want = np.where((a - b) * a < b, a * b, b - a)
    got = rt.where((ta - tb) * ta < tb, ta * tb, tb - ta)
    np.testing.assert_array_equal(got.numpy(), want)
