"""Bad calls of the creation, movement and printing functions of issue 14, for
``test_errors.py``'s registry (one per public function): each must raise the exception shown,
with a message naming the op and the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt

V = rt.tensor([1.0, 2.0, 3.0])
M = rt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

# fmt: off
SHAPE_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("linspace", lambda: rt.linspace(0, 1, -1), ValueError, r"^linspace: steps must be non-negative, got -1"),
    ("linspace", lambda: rt.linspace("a", 1, 3), TypeError, r"^linspace: start must be a number, got 'str'"),
    ("logspace", lambda: rt.logspace(0, [1], 3), TypeError, r"^logspace: end must be a number, got 'list'"),
    ("eye", lambda: rt.eye(2, -3), ValueError, r"^eye: m must be non-negative, got -3"),
    ("tril_indices", lambda: rt.tril_indices(-1, 2), ValueError, r"^tril_indices: row must be non-negative"),
    ("triu_indices", lambda: rt.triu_indices(2, 2, dtype=rt.float32), TypeError, r"^triu_indices is not supported for dtype float32"),
    ("meshgrid", lambda: rt.meshgrid(M), ValueError, r"^meshgrid: expects 0-d or 1-d tensors, got shape \[2, 3\] for tensor 0"),
    ("zeros_like", lambda: rt.zeros_like(V, dtype="complex64"), TypeError, r'^unknown dtype "complex64"'),
    ("ones_like", lambda: rt.ones_like(V, dtype="float17"), TypeError, r'^unknown dtype "float17"'),
    ("empty_like", lambda: rt.empty_like(V, dtype="x"), TypeError, r'^unknown dtype "x"'),
    ("full_like", lambda: rt.full_like(V, "a"), TypeError, r"^full_like: fill_value must be a number, got 'str'"),
    ("rand_like", lambda: rt.rand_like(rt.tensor([1, 2])), TypeError, r"^rand_like is not supported for dtype int64"),
    ("randn_like", lambda: rt.randn_like(V, dtype=rt.int32), TypeError, r"^randn_like is not supported for dtype int32"),
    ("randint_like", lambda: rt.randint_like(V, 3, 1), ValueError, r"^randint_like: low \(3\) must be less than high \(1\)"),
    ("randint", lambda: rt.randint(5, 2, (3,)), ValueError, r"^randint: low \(5\) must be less than high \(2\)"),
    ("randint", lambda: rt.randint(5), TypeError, r"^randint\(\) missing its size"),
    ("randperm", lambda: rt.randperm(-1), ValueError, r"^randperm: n must be non-negative, got -1"),
    ("normal", lambda: rt.normal(0.0, -2.0, (3,)), ValueError, r"^normal: std must be >= 0, got -2"),
    ("normal", lambda: rt.normal(V, rt.ones(2)), ValueError, r"^normal: shapes \[3\] and \[2\] do not broadcast"),
    ("bernoulli", lambda: rt.bernoulli(rt.tensor([1, 0])), TypeError, r"^bernoulli is not supported for dtype int64"),
    ("multinomial", lambda: rt.multinomial(V, 4), ValueError, r"^multinomial: cannot sample n_sample \(4\) > prob_dist size \(3\)"),
    ("multinomial", lambda: rt.multinomial(V, -1), ValueError, r"^multinomial: num_samples must be non-negative"),
    ("flip", lambda: rt.flip(M, (0, 2)), IndexError, r"^flip: dim 2 is out of range for a tensor with 2 dims"),
    ("fliplr", lambda: rt.fliplr(V), ValueError, r"^fliplr needs a tensor with at least 2 dims, got shape \[3\]"),
    ("flipud", lambda: rt.flipud(rt.tensor(1.0)), ValueError, r"^flipud needs a tensor with at least 1 dims"),
    ("roll", lambda: rt.roll(M, (1, 1), 0), ValueError, r"^roll: shifts and dims must have the same length"),
    ("rot90", lambda: rt.rot90(V), ValueError, r"^rot90 needs a tensor with at least 2 dims"),
    ("tile", lambda: rt.tile(M, (2, -1)), ValueError, r"^tile: dims must not be negative, got \[2, -1\]"),
    ("repeat_interleave", lambda: rt.repeat_interleave(V, [1, 2]), ValueError, r"^repeat_interleave: repeats must have 3 counts"),
    ("repeat_interleave", lambda: rt.repeat_interleave(V, V), TypeError, r"^repeat_interleave: repeats must be an int or a 0-d/1-d integer tensor"),
    ("split", lambda: rt.split(M, -1), ValueError, r"^split: split_size_or_sections must not be negative"),
    ("split", lambda: rt.split(M, [1, 1], 1), ValueError, r"^split: split sizes \[1, 1\] add up to 2, but dim 1 has size 3"),
    ("chunk", lambda: rt.chunk(M, 0), ValueError, r"^chunk: chunks must be greater than 0"),
    ("chunk", lambda: rt.chunk(M, -2), ValueError, r"^chunk: chunks must be non-negative, got -2"),
    ("unbind", lambda: rt.unbind(M, 2), IndexError, r"^unbind: dim 2 is out of range"),
    ("narrow", lambda: rt.narrow(M, 1, 2, 2), ValueError, r"^narrow: start \(2\) \+ length \(2\) exceeds the size of dim 1 \(3\)"),
    ("narrow", lambda: rt.narrow(M, 0, 5, 0), IndexError, r"^narrow: index 5 is out of bounds for dim 0 with size 2"),
    ("movedim", lambda: rt.movedim(M, (0, 1), 0), ValueError, r"^movedim: source and destination must have the same length"),
    ("moveaxis", lambda: rt.moveaxis(M, 0, 2), IndexError, r"^moveaxis: dim 2 is out of range"),
    ("swapaxes", lambda: rt.swapaxes(M, 0, 2), IndexError, r"^swapaxes: dim 2 is out of range"),
    ("swapdims", lambda: rt.swapdims(M, -3, 0), IndexError, r"^swapdims: dim -3 is out of range"),
    ("unflatten", lambda: rt.unflatten(M, 1, (2, -1)), ValueError, r"^unflatten: shape \[2, -1\] is invalid for input of shape \[3\]"),
    ("clone", lambda: rt.clone(["a"]), TypeError, r"cannot make a tensor from an array of dtype <U1"),
    ("numel", lambda: rt.numel(["a"]), TypeError, r"cannot make a tensor from an array of dtype <U1"),
    ("broadcast_tensors", lambda: rt.broadcast_tensors(V, M[:, :2]), ValueError, r"^broadcast_tensors: shapes \[3\] and \[2, 2\] do not broadcast"),
    ("broadcast_shapes", lambda: rt.broadcast_shapes((2,), (3,)), ValueError, r"^broadcast_shapes: shapes \[2\] and \[3\] do not broadcast"),
    ("set_printoptions", lambda: rt.set_printoptions(threshold=-1), ValueError, r"^set_printoptions: threshold must be >= 0, got -1"),
]
# fmt: on

SHAPE_NO_BAD_CALL = {"get_printoptions"}  # takes no argument
