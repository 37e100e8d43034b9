"""``nn.Module``: the base class of layers, holding parameters, buffers and submodules."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from .. import _rusttorch as _rt
from .._rusttorch import Tensor
from ..autograd import no_grad
from .parameter import Parameter


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer, as PyTorch's ``nn.Module``: assigning a ``Parameter`` or a
    ``Module`` to an attribute registers it; ``module(x)`` calls ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign before Module.__init__() call")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            for d in (self.__dict__, buffers, modules):
                d.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            for d in (self.__dict__, params, buffers):
                d.pop(name, None)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(nn.Module or None expected)"
                )
            modules[name] = None
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            params[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for d in (self._parameters, self._buffers, self._modules):
            if name in d:
                del d[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Adds a parameter (``None``: a slot with no tensor, as an absent bias)."""
        _check_name(self, name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Adds a buffer: state saved in ``state_dict`` (unless not ``persistent``) that is
        not a parameter (a running mean...)."""
        _check_name(self, name)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Adds a submodule."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(self, name)
        self._modules[name] = module

    register_module = add_module

    # ------------------------------------------------------------------ traversal

    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every submodule, with dotted names (each once)."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(
                    memo, f"{prefix}.{name}" if prefix else name, remove_duplicate
                )

    def modules(self) -> Iterator[Module]:
        """This module and every submodule."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their names."""
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        for _, m in self.named_children():
            yield m

    def _named(self, store: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for mprefix, m in mods:
            for name, v in getattr(m, store).items():
                if v is None or id(v) in seen:
                    continue
                seen.add(id(v))
                yield (f"{mprefix}.{name}" if mprefix else name), v

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (a shared one once)."""
        return self._named("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (a shared one once)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name."""
        return self._named("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Calls ``fn`` on every submodule (children first), then on this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and dtypes

    def train(self, mode: bool = True) -> Module:
        """Sets training mode here and in every submodule (``Dropout`` drops only then)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Sets ``requires_grad`` of every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every parameter's ``.grad`` (``None``, or zeros with ``set_to_none=False``)."""
        for p in self.parameters():
            g = p.grad
            if g is not None:
                p.grad = None if set_to_none else _rt.zeros_like(g)

    def to(self, dtype: Any) -> Module:
        """Converts every float parameter and buffer to the float ``dtype``. Converted
        parameters are new ``Parameter`` objects (a tensor's dtype is part of its value):
        build optimizers after ``to``."""
        if not _rt.zeros(0, dtype=dtype).dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}"
            )
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for name, t in store.items():
                    if t is not None and t.dtype.is_floating_point and t.dtype != dtype:
                        v = t.detach().to(dtype)
                        store[name] = (
                            Parameter(v, t.requires_grad) if isinstance(t, Parameter) else v
                        )
        return self

    def float(self) -> Module:
        """``to(float32)``."""
        return self.to(_rt.float32)

    def double(self) -> Module:
        """``to(float64)``."""
        return self.to(_rt.float64)

    # ------------------------------------------------------------------ state

    def state_dict(
        self,
        destination: dict[str, Tensor] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, as tensors (values: later
        updates of the module do not change them)."""
        out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination  # type: ignore[assignment]
        for mprefix, m in self.named_modules(prefix=prefix.rstrip(".")):
            for store, skip in ((m._parameters, ()), (m._buffers, m._non_persistent)):
                for name, t in store.items():
                    if t is not None and name not in skip:
                        key = f"{mprefix}.{name}" if mprefix else name
                        out[key] = t if keep_vars else t.detach()
        return out

    def load_state_dict(
        self, state_dict: dict[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copies the values of ``state_dict`` (tensors or arrays) into the parameters and
        buffers of the same names; with ``strict``, a missing or unexpected key (or a shape
        mismatch) raises ``RuntimeError``."""
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors: list[str] = []
        with no_grad():
            self._load(own, state_dict, errors)
        if strict and (missing or unexpected):
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ". ",
                )
            if missing:
                errors.insert(
                    0,
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ",
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        return _IncompatibleKeys(missing, unexpected)

    @staticmethod
    def _load(own: dict[str, Tensor], state_dict: dict[str, Any], errors: list[str]) -> None:
        """Copies the values of matching keys; shape mismatches go to ``errors``."""
        for k, t in own.items():
            if k in state_dict:
                v = state_dict[k]
                v = v if isinstance(v, Tensor) else _rt.tensor(v)
                if tuple(v.shape) != tuple(t.shape):
                    errors.append(
                        f"size mismatch for {k}: copying a param with shape {list(v.shape)} "
                        f"from checkpoint, the shape in current model is {list(t.shape)}."
                    )
                    continue
                t.copy_(v)

    # ------------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        """The layer's own settings, printed inside its parentheses."""
        return ""

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        for name, m in self._modules.items():
            sub = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {sub}")
        if not self._modules:
            return f"{type(self).__name__}({''.join(lines)})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list[str]:
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )


def _check_name(m: Module, name: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name should be a string, got {type(name).__name__}")
    if "." in name or name == "":
        raise KeyError(f'name can\'t contain "." or be empty, got {name!r}')
    if (
        name in m.__dict__
        and name not in m._parameters
        and name not in m._buffers
        and name not in m._modules
    ):
        raise KeyError(f"attribute '{name}' already exists")
