"""PyTorch idioms give what they give in PyTorch: ``max(dim)`` named tuples, varargs shapes,
keyword-only seeds and ``Generator`` streams, dtype hashing, and ``to``/``contiguous``
returning the tensor itself."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import rusttorch as rt

X = np.array([[1.0, 5.0, 5.0, -2.0], [7.0, 0.0, 7.0, 3.0], [-1.0, -4.0, -1.0, -9.0]])


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1, -2])
@pytest.mark.parametrize(
    ("name", "npv", "npi"), [("max", np.max, np.argmax), ("min", np.min, np.argmin)]
)
def test_max_min_with_dim_return_values_and_indices(
    name: str, npv: object, npi: object, dim: int, keepdim: bool, dtype: str
) -> None:
    t = rt.tensor(X, dtype=dtype)
    want_v = npv(X, axis=dim, keepdims=keepdim)  # type: ignore[operator]
    want_i = npi(X, axis=dim, keepdims=keepdim)  # type: ignore[operator]
    for r in (getattr(t, name)(dim, keepdim), getattr(rt, name)(t, dim=dim, keepdim=keepdim)):
        assert isinstance(r, tuple)
        assert type(r) is getattr(rt.return_types, name)
        values, indices = r  # unpacks
        assert values is r.values
        assert indices is r.indices
        assert r[0] is r.values
        assert r[1] is r.indices
        assert r[-1] is r.indices
        assert len(r) == 2
        assert r._fields == ("values", "indices")
        np.testing.assert_array_equal(values.numpy(), want_v)
        assert values.dtype == dtype
        np.testing.assert_array_equal(indices.numpy(), want_i)  # ties: the first index
        assert indices.dtype is rt.int64


def test_max_without_dim_is_a_tensor_and_elementwise_with_a_tensor() -> None:
    t, u = rt.tensor(X), rt.tensor(-X)
    for r in (t.max(), rt.max(t)):
        assert isinstance(r, rt.Tensor)
        assert r.item() == 7.0
    assert rt.min(t).item() == -9.0
    for r in (rt.max(t, u), t.max(u), t.max(other=u), rt.max(t, X[::-1].copy())):
        assert isinstance(r, rt.Tensor)
    np.testing.assert_array_equal(rt.max(t, u).numpy(), np.abs(X))
    np.testing.assert_array_equal(t.min(u).numpy(), -np.abs(X))


def test_max_dim_of_ints_bools_and_0d() -> None:
    i = rt.tensor([[3, 9, 9], [-5, -5, 2]])
    v, idx = i.max(1)
    assert v.tolist() == [9, 2]
    assert idx.tolist() == [1, 2]
    assert v.dtype is rt.int64
    b = rt.tensor([[False, True, True], [False, False, False]])
    v, idx = b.max(1)
    assert v.tolist() == [True, False]
    assert v.dtype is rt.bool
    assert idx.tolist() == [1, 0]
    v, idx = rt.tensor(2.5).max(0)
    assert v.shape == ()
    assert idx.shape == ()
    assert v.item() == 2.5
    assert idx.item() == 0
    v, idx = rt.tensor(2.5).min(-1, keepdim=True)
    assert v.shape == ()
    assert idx.item() == 0


def test_max_dim_propagates_nan_with_its_index() -> None:
    x = np.array([[1.0, np.nan, 3.0], [np.nan, 5.0, np.nan], [2.0, 1.0, 0.0]])
    v, idx = rt.tensor(x).max(1)
    np.testing.assert_array_equal(v.numpy(), np.max(x, axis=1))  # NaN wherever a row has one
    np.testing.assert_array_equal(idx.numpy(), np.argmax(x, axis=1))  # the first NaN's index
    v, idx = rt.tensor(x).min(0)
    np.testing.assert_array_equal(v.numpy(), np.min(x, axis=0))
    np.testing.assert_array_equal(idx.numpy(), np.argmin(x, axis=0))


def test_named_tuple_repr_and_pickle() -> None:
    r = rt.tensor([[1.0, 2.0]]).max(1)
    text = repr(r)
    assert text == "rusttorch.return_types.max(\nvalues=tensor([2.]),\nindices=tensor([1]))"
    back = pickle.loads(pickle.dumps(r.__class__(1, 2)))
    assert type(back) is rt.return_types.max
    assert back.values == 1
    assert back.indices == 2


def test_max_dim_named_tuple_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    tv, ti = torch.tensor(X).max(dim=1, keepdim=True)
    rv, ri = rt.tensor(X).max(dim=1, keepdim=True)
    np.testing.assert_array_equal(rv.numpy(), tv.numpy())
    np.testing.assert_array_equal(ri.numpy(), ti.numpy())
    assert type(torch.tensor(X).max(0)).__name__ == type(rt.tensor(X).max(0)).__name__


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("make", [rt.zeros, rt.ones, rt.empty, rt.rand, rt.randn])
def test_creation_takes_varargs_or_one_sequence(make: object) -> None:
    for args, want in [
        ((2, 3), (2, 3)),
        (((2, 3),), (2, 3)),
        (([2, 3],), (2, 3)),
        ((4,), (4,)),
        (((4,),), (4,)),
        ((2, 1, 3), (2, 1, 3)),
        (((),), ()),
        ((np.int64(2), 3), (2, 3)),
        ((0, 5), (0, 5)),
    ]:
        t = make(*args)  # type: ignore[operator]
        assert t.shape == want, (make, args)
        assert t.dtype is rt.float32
    assert make(2, 3, dtype=rt.float64).dtype is rt.float64  # type: ignore[operator]


def test_rand_second_int_is_a_dim_not_a_seed() -> None:
    assert rt.rand(2, 3).shape == (2, 3)
    assert rt.randn(2, 3, seed=3).shape == (2, 3)
    with pytest.raises(TypeError):
        rt.rand((2,), 3)  # a size, then a stray int: not a seed


def test_full_takes_a_sequence() -> None:
    assert rt.full((2, 3), 1.5).shape == (2, 3)
    assert rt.full([2, 3], 7).tolist() == [[7] * 3] * 2
    assert rt.full(4, 0.0).shape == (4,)


def test_view_methods_take_varargs_or_one_sequence() -> None:
    t = rt.tensor(np.arange(6.0))
    views = (t.reshape(2, 3), t.reshape((2, 3)), t.reshape([2, -1]), t.view(2, 3), t.view((-1, 3)))
    for r in views:
        assert r.shape == (2, 3)
    m = t.reshape(2, 3)
    assert m.permute(1, 0).shape == (3, 2)
    assert m.permute((1, 0)).shape == (3, 2)
    assert m[:1].expand(4, 3).shape == (4, 3)
    assert m[:1].expand((4, -1)).shape == (4, 3)
    assert rt.reshape(t, 6).shape == (6,)


# --------------------------------------------------------------------------- random streams


def test_seed_and_generator_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        rt.rand(3, 7, 8, rt.Generator(1))  # type: ignore[arg-type]
    np.testing.assert_array_equal(rt.rand(3, seed=7).numpy(), rt.rand((3,), seed=7).numpy())


def test_generators_with_one_seed_give_one_stream() -> None:
    g1, g2 = rt.Generator(42), rt.Generator().manual_seed(42)
    a = [rt.rand(5, generator=g1).numpy() for _ in range(3)]
    b = [rt.rand(5, generator=g2).numpy() for _ in range(3)]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], a[1])  # the stream advances
    np.testing.assert_array_equal(
        rt.randn(2, 2, generator=rt.Generator(9)).numpy(),
        rt.randn(2, 2, generator=rt.Generator(9)).numpy(),
    )
    one, two = rt.rand(8, generator=rt.Generator(1)), rt.rand(8, generator=rt.Generator(2))
    assert not np.array_equal(one.numpy(), two.numpy())


def test_generator_api() -> None:
    g = rt.Generator()
    assert g.manual_seed(5) is g
    assert g.initial_seed() == 5
    assert g.device == "cpu"
    first = rt.rand(4, generator=g).numpy()
    state = g.get_state()
    second = rt.rand(4, generator=g).numpy()
    assert g.set_state(state) is g
    np.testing.assert_array_equal(rt.rand(4, generator=g).numpy(), second)
    g.manual_seed(5)
    np.testing.assert_array_equal(rt.rand(4, generator=g).numpy(), first)
    s = g.seed()
    assert g.initial_seed() == s
    assert rt.Generator(2**64 - 1).initial_seed() == 2**64 - 1
    assert "initial_seed=5" in repr(rt.Generator(5))


def test_seeded_call_leaves_generators_alone() -> None:
    g = rt.Generator(3)
    want = rt.rand(4, generator=rt.Generator(3)).numpy()
    rt.rand(4, seed=1)
    np.testing.assert_array_equal(rt.rand(4, generator=g).numpy(), want)


def test_manual_seed_seeds_the_global_stream_which_advances() -> None:
    assert rt.manual_seed(11) is rt.default_generator
    assert rt.initial_seed() == 11
    a, b = rt.rand(6).numpy(), rt.randn(6).numpy()
    assert not np.array_equal(rt.rand(6).numpy(), a)  # the global stream moved on
    rt.manual_seed(11)
    np.testing.assert_array_equal(rt.rand(6).numpy(), a)
    np.testing.assert_array_equal(rt.randn(6).numpy(), b)
    # the default generator is a Generator like any other
    np.testing.assert_array_equal(rt.rand(6, generator=rt.Generator(11)).numpy(), a)


# --------------------------------------------------------------------------- dtypes, identity


@pytest.mark.parametrize("d", [rt.float32, rt.float64, rt.int32, rt.int64, rt.bool])
def test_dtype_hash_agrees_with_eq(d: rt.dtype) -> None:
    assert d == d.name
    assert hash(d) == hash(d.name)
    assert {d: 1}[d.name] == 1
    assert {d.name: 1}[d] == 1
    assert len({d, d.name}) == 1


def test_to_and_contiguous_return_the_tensor_itself_when_nothing_changes() -> None:
    t = rt.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.to(t.dtype) is t
    assert t.to("float32") is t
    assert t.astype(np.float32) is t
    assert t.float() is t
    assert t.contiguous() is t
    lazy = t * 2
    assert lazy.contiguous() is lazy
    assert lazy.to(rt.float32) is lazy
    i = rt.tensor([1, 2])
    assert i.long() is i
    assert i.to(rt.int64) is i
    assert rt.tensor([1.0]).double().dtype is rt.float64
    # something changes: a new tensor, the original left as it was
    assert t.to(rt.float64) is not t
    assert t.dtype is rt.float32
    tt = t.T
    c = tt.contiguous()
    assert c is not tt
    np.testing.assert_array_equal(c.numpy(), t.numpy().T)
