"""NumPy functions and ufuncs on Variables record the matching op: `np.exp(v)`, `A @ v`, `np.sum(v, 0)`.

Variable takes part in NumPy's dispatch protocols (NEP 13 `__array_ufunc__`, NEP 18 `__array_function__`).
A ufunc or function with an op records it, whatever the operand position (`ndarray @ v`, `2.0 - v`);
one without an op raises TypeError naming it, so the graph is never dropped silently. Functions whose
result carries no gradient (`np.shape`, `np.argmax`, comparisons, ...) run on the data. `np.asarray(v)`
gives the data. `install()` at the bottom is the one place these hooks are attached to Variable.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd.functions as F
from autograd.core import Variable, as_variable, is_grad_enabled

# ----- ufuncs -----

_UFUNCS: dict[np.ufunc, Callable[..., Variable]] = {
    np.add: F.add,
    np.subtract: F.sub,
    np.multiply: F.mul,
    np.true_divide: F.div,
    np.negative: F.neg,
    np.positive: as_variable,
    np.power: F.pow,
    np.square: lambda x: F.pow(x, 2),
    np.exp: F.exp,
    np.log: F.log,
    np.sqrt: F.sqrt,
    np.sin: F.sin,
    np.cos: F.cos,
    np.tanh: F.tanh,
    np.absolute: F.abs,
    np.maximum: F.maximum,
    np.minimum: F.minimum,
    np.matmul: F.matmul,
}

# Ufuncs with a boolean result: nothing to differentiate, so they run on the data.
_PREDICATES = frozenset(
    {
        np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
        np.isnan, np.isinf, np.isfinite, np.signbit,
        np.logical_and, np.logical_or, np.logical_xor, np.logical_not,
    }
)


def _data(x: Any) -> Any:
    """x with every Variable, also inside lists and tuples, replaced by its data."""
    if isinstance(x, Variable):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_data(item) for item in x)
    return x


def _foreign(x: Any) -> bool:
    """Whether x brings its own ufunc override, which we leave it to handle."""
    kind = type(x)
    if kind is Variable or kind is np.ndarray or kind is float or kind is int:
        return False  # the usual operands, decided without the lookups below (this is every op's overhead)
    override = getattr(kind, "__array_ufunc__", None)
    return override is not None and override is not np.ndarray.__array_ufunc__ and not isinstance(x, Variable)


def _array_ufunc(self: Variable, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """NEP 13 hook: np.exp(v), ndarray + v, A @ v, np.float32(2) * v record the matching op."""
    out = kwargs.pop("out", ())
    for x in (*inputs, *out):
        if _foreign(x):
            return NotImplemented
    if method == "__call__" and not kwargs and not out:
        op = _UFUNCS.get(ufunc)
        if op is not None:
            return op(*inputs)
    name = f"np.{ufunc.__name__}" if method == "__call__" else f"np.{ufunc.__name__}.{method}"
    if method != "__call__":
        raise TypeError(f"{name} is not differentiable in autograd")
    if kwargs:
        raise TypeError(f"{name} on a Variable: keyword(s) {', '.join(sorted(kwargs))} are not supported by autograd")
    if ufunc in _PREDICATES:
        return ufunc(*_data(inputs), out=_data(out) or None)
    if out:
        return _into_out(name, ufunc, inputs, out)
    raise TypeError(f"{name} is not differentiable in autograd")


def _into_out(name: str, ufunc: np.ufunc, inputs: tuple, out: tuple) -> Any:
    """out= (and `ndarray += v`) writes arrays in place, which no graph can record: allowed only with grad mode off."""
    if is_grad_enabled():
        raise TypeError(
            f"{name} with out= (or in place) on a Variable is not differentiable in autograd; "
            "use the result of the out-of-place call, or run it under no_grad()"
        )
    ufunc(*_data(inputs), out=_data(out))
    return out[0] if len(out) == 1 else out


# ----- functions -----


def _sum(a: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return F.sum(a, axis, keepdims)


def _mean(a: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return F.mean(a, axis, keepdims)


def _max(a: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return F.max(a, axis, keepdims)


def _min(a: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    return F.min(a, axis, keepdims)


def _shape_of(a: Any) -> tuple[int, ...]:
    return a.shape if isinstance(a, Variable) else np.shape(a)


def _like(a: Any) -> np.ndarray:
    """A zero-stride stand-in with a's shape: NumPy computes (and checks) shape changes on it for free."""
    return np.broadcast_to(np.zeros((), bool), _shape_of(a))


def _reshape(a: Any, shape: Any, order: str = "C") -> Variable:
    if order != "C":
        raise ValueError(f"np.reshape on a Variable: only order='C' is supported, got {order!r}")
    return F.reshape(a, shape)


def _ravel(a: Any, order: str = "C") -> Variable:
    return _reshape(a, -1, order)


def _squeeze(a: Any, axis: Any = None) -> Variable:
    return F.reshape(a, np.squeeze(_like(a), axis).shape)


def _expand_dims(a: Any, axis: Any) -> Variable:
    return F.reshape(a, np.expand_dims(_like(a), axis).shape)


def _transpose(a: Any, axes: Any = None) -> Variable:
    return F.transpose(a, axes)


def _swapaxes(a: Any, axis1: int, axis2: int) -> Variable:
    axes = list(range(len(_shape_of(a))))
    axis1, axis2 = _axis("np.swapaxes", axis1, len(axes)), _axis("np.swapaxes", axis2, len(axes))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return F.transpose(a, axes)


def _moveaxis(a: Any, source: Any, destination: Any) -> Variable:
    ndim = len(_shape_of(a))
    source = [_axis("np.moveaxis", s, ndim) for s in np.atleast_1d(source).tolist()]
    destination = [_axis("np.moveaxis", d, ndim) for d in np.atleast_1d(destination).tolist()]
    if len(source) != len(destination):
        raise ValueError("np.moveaxis: source and destination must have the same number of elements")
    order = [n for n in range(ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return F.transpose(a, order)


def _axis(op: str, axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for an array with {ndim} dimension(s)")
    return axis % ndim


def _broadcast_to(array: Any, shape: Any) -> Variable:
    return F.broadcast_to(array, shape)


def _concatenate(arrays: Any, axis: int | None = 0) -> Variable:
    if axis is None:
        return F.concat([F.reshape(x, -1) for x in arrays], 0)
    return F.concat(list(arrays), axis)


def _stack(arrays: Any, axis: int = 0) -> Variable:
    return F.stack(list(arrays), axis)


def _where(condition: Any, x: Any, y: Any) -> Variable:
    return F.where(condition, x, y)


def _clip(a: Any, a_min: Any = None, a_max: Any = None) -> Variable:
    return F.clip(a, a_min, a_max)


def _dot(a: Any, b: Any) -> Variable:
    return F.dot(a, b)


_FUNCTIONS: dict[Callable, Callable[..., Variable]] = {
    np.sum: _sum,
    np.mean: _mean,
    np.max: _max,
    np.amax: _max,
    np.min: _min,
    np.amin: _min,
    np.reshape: _reshape,
    np.ravel: _ravel,
    np.squeeze: _squeeze,
    np.expand_dims: _expand_dims,
    np.transpose: _transpose,
    np.swapaxes: _swapaxes,
    np.moveaxis: _moveaxis,
    np.broadcast_to: _broadcast_to,
    np.concatenate: _concatenate,
    np.stack: _stack,
    np.where: _where,
    np.clip: _clip,
    np.dot: _dot,
}

# Functions whose result does not depend differentiably on the values: they run on the data.
_ON_DATA = frozenset(
    {
        np.shape, np.ndim, np.size, np.result_type,
        np.zeros_like, np.ones_like, np.empty_like,
        np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.count_nonzero,
        np.any, np.all, np.isclose, np.allclose, np.array_equal, np.array_equiv,
        np.shares_memory, np.may_share_memory, np.iscomplexobj, np.isrealobj,
    }
)


def _numpy_name(func: Callable) -> str:
    module = getattr(func, "__module__", None) or "numpy"
    return f"{module.replace('numpy', 'np', 1)}.{func.__name__}"


def _signature(func: Callable) -> inspect.Signature | None:
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):  # some C functions of older NumPy releases have none
        return None


_SIGNATURES = {func: _signature(func) for func in _FUNCTIONS}
_PARAMETERS = {adapter: tuple(inspect.signature(adapter).parameters) for adapter in _FUNCTIONS.values()}


def _shared_prefix(func: Callable) -> int:
    """How many leading positional parameters the adapter shares, in order, with the NumPy function."""
    signature = _SIGNATURES[func]
    if signature is None:
        return 0
    count = 0
    for ours, theirs in zip(_PARAMETERS[_FUNCTIONS[func]], signature.parameters):
        if ours != theirs:
            break
        count += 1
    return count


# Calls within the shared prefix, with keywords the adapter takes, skip binding NumPy's signature
# (which costs more than the op itself).
_PREFIX = {func: _shared_prefix(func) for func in _FUNCTIONS}


def _given_arguments(func: Callable, args: tuple, kwargs: dict) -> dict[str, Any] | None:
    """The arguments the caller set, by name, leaving out those equal to NumPy's defaults (None: unknown)."""
    signature = _SIGNATURES[func]
    if signature is None:
        return None
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{_numpy_name(func)}: {error}") from None
    given = {}
    for name, value in bound.arguments.items():
        parameter = signature.parameters[name]
        if parameter.kind is parameter.VAR_KEYWORD:
            given.update(value)
        elif value is not parameter.default:
            given[name] = value
    return given


def _array_function(self: Variable, func: Callable, types: tuple, args: tuple, kwargs: dict) -> Any:
    """NEP 18 hook: np.sum(v), np.concatenate([v, a]), np.where(c, v, 0) record the matching op."""
    if not all(issubclass(t, (Variable, np.ndarray)) for t in types):
        return NotImplemented
    if func in _ON_DATA:
        return func(*_data(args), **{k: _data(v) for k, v in kwargs.items()})
    adapter = _FUNCTIONS.get(func)
    if adapter is None:
        raise TypeError(f"{_numpy_name(func)} is not differentiable in autograd")
    if len(args) <= _PREFIX[func] and all(k in _PARAMETERS[adapter][len(args) :] for k in kwargs):
        return adapter(*args, **kwargs)
    given = _given_arguments(func, args, kwargs)
    if given is None:
        return adapter(*args, **kwargs)
    supported = _PARAMETERS[adapter]
    unsupported = sorted(set(given) - set(supported))
    if unsupported:
        raise TypeError(
            f"{_numpy_name(func)} on a Variable: argument(s) {', '.join(unsupported)} are not supported by "
            f"autograd (it takes {', '.join(supported)})"
        )
    return adapter(**given)


def _array(self: Variable, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
    """np.asarray(v) is v's data (a copy only when asked for or when the dtype changes)."""
    return np.array(self.data, dtype=dtype, copy=copy)


def install() -> None:
    """Attach the NumPy protocols to Variable (core.py leaves `__array_ufunc__ = None` until then)."""
    Variable.__array_ufunc__ = _array_ufunc
    Variable.__array_function__ = _array_function
    Variable.__array__ = _array


install()
