"""``rusttorch.nn``: Module registration and traversal, state_dict, Parameter, layers against
NumPy (and PyTorch with the same weights when installed), Dropout statistics and seeding,
``nn.init``, activation and container modules."""

from __future__ import annotations

import copy
import math
import pickle
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
import rusttorch.nn.functional as F
from rusttorch import nn


def mlp() -> nn.Module:
    return nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), nn.LayerNorm(8), nn.Dropout(0.2), nn.Linear(8, 3, bias=False)
    )


# ---------------------------------------------------------------------- Parameter


def test_parameter_is_a_tensor_that_names_its_data() -> None:
    t = rt.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, rt.Tensor)
    assert isinstance(p, nn.Parameter)
    np.testing.assert_array_equal(p.numpy(), [1.0, 2.0])
    assert type(p + 1) is rt.Tensor
    with rt.no_grad():
        p.copy_(rt.zeros(2))
    np.testing.assert_array_equal(p.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])  # values: t is unchanged
    assert repr(p).startswith("Parameter containing:\ntensor(")
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter
        np.testing.assert_array_equal(q.numpy(), [0.0, 0.0])
    assert nn.Parameter().shape == (0,)
    assert rt.Tensor([1, 2]).dtype == rt.int64


def test_parameter_is_a_leaf_that_requires_grad() -> None:
    t = rt.ones(2)
    p = nn.Parameter(t)
    assert p.requires_grad
    assert p.is_leaf
    assert not t.requires_grad  # data keeps no gradient record
    nn.init.uniform_(p)
    assert p.requires_grad
    assert p.is_leaf
    assert nn.Parameter(rt.ones(2)).requires_grad
    assert not nn.Parameter(rt.ones(2), requires_grad=False).requires_grad


# ---------------------------------------------------------------------- Module


def test_registration_and_traversal() -> None:
    m = mlp()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight"]
    assert sum(p.numel() for p in m.parameters()) == 4 * 8 + 8 + 8 + 8 + 8 * 3
    assert [n for n, _ in m.named_children()] == ["0", "1", "2", "3", "4"]
    assert len(list(m.modules())) == 6
    assert m[0].bias is not None
    assert m[4].bias is None
    assert list(m[0].parameters(recurse=False)) == [m[0].weight, m[0].bias]
    assert list(m.parameters(recurse=False)) == []


def test_setattr_registers_and_replaces() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(2, 2)
            self.scale = nn.Parameter(rt.ones(1))
            self.register_buffer("steps", rt.zeros(1))
            self.register_buffer("cache", rt.zeros(1), persistent=False)
            self.plain = 3

        def forward(self, x: rt.Tensor) -> rt.Tensor:
            return self.fc(x) * self.scale

    n = Net()
    assert set(dict(n.named_parameters())) == {"scale", "fc.weight", "fc.bias"}
    assert [k for k, _ in n.named_buffers()] == ["steps", "cache"]
    assert list(n.state_dict()) == ["scale", "steps", "fc.weight", "fc.bias"]
    n.scale = None
    assert "scale" not in dict(n.named_parameters())
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'steps'"):
        n.steps = 1
    n.fc = nn.Identity()
    assert list(n.parameters()) == []
    del n.fc
    with pytest.raises(AttributeError, match="has no attribute 'fc'"):
        n.fc  # noqa: B018
    with pytest.raises(KeyError, match=r'contain "\."'):
        n.register_buffer("a.b", rt.zeros(1))
    assert n.plain == 3
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_train_eval_apply_and_repr() -> None:
    m = mlp()
    assert m.training
    assert m[3].training
    assert m.eval() is m
    assert not m.training
    assert not m[3].training
    m.train()
    assert m[3].training
    seen: list[str] = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Sequential"
    assert seen[0] == "Linear"
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=8, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
        "  (3): Dropout(p=0.2, inplace=False)\n"
        "  (4): Linear(in_features=8, out_features=3, bias=False)\n"
        ")"
    )


def test_state_dict_round_trip_and_strict_loading() -> None:
    rt.manual_seed(1)
    a, b = mlp(), mlp()
    sd = a.state_dict()
    assert all(type(v) is rt.Tensor for v in sd.values())
    b.load_state_dict(sd)
    x = rt.randn(3, 4)
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    before = sd["0.weight"].numpy().copy()
    with rt.no_grad():
        a[0].weight.copy_(rt.zeros((8, 4)))
    np.testing.assert_array_equal(sd["0.weight"].numpy(), before)  # a state dict holds values
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "4.weight"'):
        b.load_state_dict({k: v for k, v in sd.items() if k != "4.weight"})
    res = b.load_state_dict({**sd, "extra": rt.zeros(1)}, strict=False)
    assert res.unexpected_keys == ["extra"]
    assert res.missing_keys == []
    with pytest.raises(RuntimeError, match=r"size mismatch for 0\.bias"):
        b.load_state_dict({**sd, "0.bias": rt.zeros(3)})
    b.load_state_dict({k: v.numpy() for k, v in sd.items()})  # arrays are accepted


def test_to_double_float_and_zero_grad() -> None:
    m = mlp().double()
    assert all(p.dtype == rt.float64 for p in m.parameters())
    assert all(isinstance(p, nn.Parameter) for p in m.parameters())
    assert m(rt.randn(2, 4, dtype=rt.float64)).dtype == rt.float64
    m.float()
    assert all(p.dtype == rt.float32 for p in m.parameters())
    with pytest.raises(TypeError, match="floating point"):
        m.to(rt.int64)
    m.zero_grad()
    assert m.requires_grad_(False) is m


# ---------------------------------------------------------------------- layers


def test_linear_matches_numpy_and_init_bounds(dtype: str) -> None:
    rt.manual_seed(0)
    lin = nn.Linear(50, 7, dtype=dtype)
    w, b = lin.weight.numpy(), lin.bias.numpy()
    assert w.shape == (7, 50)
    assert b.shape == (7,)
    assert w.dtype == dtype
    bound = 1 / math.sqrt(50)
    assert np.abs(w).max() <= bound
    assert np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.8 * bound  # uniform over the whole range
    x = np.random.default_rng(0).standard_normal((3, 5, 50)).astype(dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(lin(rt.tensor(x)).numpy(), x @ w.T + b, rtol=tol, atol=tol)
    rt.manual_seed(0)
    np.testing.assert_array_equal(nn.Linear(50, 7, dtype=dtype).weight.numpy(), w)  # seeded


def test_embedding_layernorm_rmsnorm_match_numpy() -> None:
    rt.manual_seed(3)
    emb = nn.Embedding(10, 4, padding_idx=2)
    w = emb.weight.numpy()
    np.testing.assert_array_equal(w[2], np.zeros(4))
    idx = np.array([[1, 2], [9, 0]])
    np.testing.assert_array_equal(emb(rt.tensor(idx)).numpy(), w[idx])
    x = np.random.default_rng(1).standard_normal((2, 3, 6))
    ln = nn.LayerNorm(6, dtype=rt.float64)
    with rt.no_grad():
        ln.weight.copy_(rt.tensor(np.linspace(0.5, 2, 6)))
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(
        ln(rt.tensor(x)).numpy(),
        (x - mu) / np.sqrt(var + 1e-5) * np.linspace(0.5, 2, 6),
        rtol=1e-12,
    )
    assert nn.LayerNorm([3, 6], elementwise_affine=False)(rt.tensor(x)).shape == (2, 3, 6)
    assert len(list(nn.LayerNorm(6, bias=False).parameters())) == 1
    rms = nn.RMSNorm(6, dtype=rt.float64)
    want = x / np.sqrt((x * x).mean(-1, keepdims=True) + np.finfo(np.float64).eps)
    np.testing.assert_allclose(rms(rt.tensor(x)).numpy(), want, rtol=1e-12)
    pre = nn.Embedding.from_pretrained(rt.tensor(w))
    np.testing.assert_array_equal(pre(rt.tensor([3])).numpy(), w[[3]])


def test_dropout_statistics_seeding_and_eval() -> None:
    x = rt.ones((200, 500))
    rt.manual_seed(7)
    y = F.dropout(x, 0.3).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    rt.manual_seed(7)
    np.testing.assert_array_equal(F.dropout(x, 0.3).numpy(), y)
    d = nn.Dropout(0.5)
    d.eval()
    assert d(x) is x
    assert F.dropout(x, 0.3, training=False) is x
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_identity_flatten_and_containers() -> None:
    x = rt.randn(2, 3, 4)
    assert nn.Identity(5, key=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    s = nn.Sequential(OrderedDict([("a", nn.Linear(4, 2)), ("b", nn.Tanh())]))
    assert [n for n, _ in s.named_children()] == ["a", "b"]
    assert isinstance(s[-1], nn.Tanh)
    assert len(s[:1]) == 1
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    assert len(ml) == 4
    assert len(list(ml.parameters())) == 6
    md = nn.ModuleDict({"x": nn.Linear(1, 1)})
    md["y"] = nn.ReLU()
    assert list(md.keys()) == ["x", "y"]
    assert "x" in md
    assert [n for n, _ in md.named_parameters()] == ["x.weight", "x.bias"]
    shared = nn.Linear(2, 2)
    assert len(list(nn.Sequential(shared, shared).parameters())) == 2  # a shared one once


ACTIVATIONS: list[tuple[nn.Module, Any]] = [
    (nn.ReLU(), F.relu),
    (nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh")),
    (nn.SiLU(), F.silu),
    (nn.Tanh(), F.tanh),
    (nn.Sigmoid(), F.sigmoid),
    (nn.Softmax(dim=1), lambda x: F.softmax(x, 1)),
    (nn.LogSoftmax(dim=0), lambda x: F.log_softmax(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
    (nn.Mish(), F.mish),
    (nn.Softplus(2.0), lambda x: F.softplus(x, 2.0)),
    (nn.Hardswish(), F.hardswish),
    (nn.Hardtanh(-2.0, 2.0), lambda x: F.hardtanh(x, -2.0, 2.0)),
]


@pytest.mark.parametrize(
    ("module", "fn"), ACTIVATIONS, ids=[type(m).__name__ for m, _ in ACTIVATIONS]
)
def test_activation_modules(module: nn.Module, fn: Any) -> None:
    x = rt.randn(3, 5, dtype=rt.float64) * 3
    np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())
    assert list(module.parameters()) == []


# ---------------------------------------------------------------------- init


def test_init_functions() -> None:
    w = rt.zeros((64, 32), dtype=rt.float64)
    assert nn.init.constant_(w, 2.5) is w
    assert (w.numpy() == 2.5).all()
    nn.init.ones_(w)
    assert (w.numpy() == 1).all()
    nn.init.zeros_(w)
    assert (w.numpy() == 0).all()
    rt.manual_seed(5)
    nn.init.uniform_(w, -2, 3)
    v = w.numpy()
    assert v.min() >= -2
    assert v.max() < 3
    assert abs(v.mean() - 0.5) < 0.1
    nn.init.normal_(w, 1.0, 0.5)
    assert abs(w.numpy().mean() - 1.0) < 0.05
    assert abs(w.numpy().std() - 0.5) < 0.05
    nn.init.xavier_uniform_(w)
    assert np.abs(w.numpy()).max() <= math.sqrt(6 / 96)
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(w.numpy().std() - 2 * math.sqrt(2 / 96)) < 0.02
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(w.numpy()).max() <= math.sqrt(2) * math.sqrt(3 / 32)
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 64)) < 0.02
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("bogus")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(rt.zeros(3))


def test_functional_linear_embedding_one_hot() -> None:
    x, w, b = (
        rt.randn(2, 3, dtype=rt.float64),
        rt.randn(4, 3, dtype=rt.float64),
        rt.randn(4, dtype=rt.float64),
    )
    np.testing.assert_allclose(
        F.linear(x, w, b).numpy(), x.numpy() @ w.numpy().T + b.numpy(), rtol=1e-12
    )
    np.testing.assert_array_equal(
        F.one_hot(rt.tensor([0, 2, 1])).numpy(), np.eye(3, dtype=np.int64)[[0, 2, 1]]
    )
    assert F.one_hot(rt.tensor([0, 1]), 5).shape == (2, 5)
    with pytest.raises(ValueError, match="class values must be in"):
        F.one_hot(rt.tensor([0, 5]), 3)
    with pytest.raises(TypeError, match="int32 or int64 indices"):
        F.embedding(rt.tensor([0.0]), w)


# ---------------------------------------------------------------------- against torch


def test_modules_match_torch_with_the_same_weights() -> None:
    torch = pytest.importorskip("torch")
    rt.manual_seed(11)
    ours = nn.Sequential(nn.Linear(6, 5), nn.GELU(), nn.LayerNorm(5), nn.Linear(5, 3)).double()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(6, 5), torch.nn.GELU(), torch.nn.LayerNorm(5), torch.nn.Linear(5, 3)
    ).double()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [tuple(p.shape) for p in ours.parameters()] == [
        tuple(p.shape) for p in theirs.parameters()
    ]
    theirs.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    x = np.random.default_rng(2).standard_normal((4, 6))
    np.testing.assert_allclose(
        ours(rt.tensor(x)).numpy(),
        theirs(torch.from_numpy(x)).detach().numpy(),
        rtol=1e-12,
        atol=1e-12,
    )
    emb_t = torch.nn.Embedding(7, 3, padding_idx=1)
    emb = nn.Embedding(7, 3, padding_idx=1)
    emb.load_state_dict({"weight": emb_t.weight.detach().numpy()})
    idx = np.array([[0, 1, 6]])
    np.testing.assert_array_equal(
        emb(rt.tensor(idx)).numpy(), emb_t(torch.from_numpy(idx)).detach().numpy()
    )
    for m, tm in (
        (nn.LayerNorm(5), torch.nn.LayerNorm(5)),
        (nn.RMSNorm(5), torch.nn.RMSNorm(5)),
        (nn.Embedding(4, 2), torch.nn.Embedding(4, 2)),
    ):
        assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
