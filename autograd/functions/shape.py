"""Shape ops: reshape, transpose, broadcast_to, sum_to, flatten; and the copies astype and clone."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable, as_variable
from autograd.functions._common import int_tuple, integer

__all__ = ["astype", "broadcast_to", "clone", "flatten", "reshape", "sum_to", "transpose"]


class Reshape(Function):
    symbol = "reshape"
    saved_inputs = ()
    returns_view = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return x.reshape(self.shape)
        except (ValueError, TypeError) as error:
            raise ValueError(f"reshape: cannot reshape an array of shape {x.shape} into {self.shape}") from error

    def backward(self, gy: Variable) -> Variable:
        return reshape(gy, self.inputs[0].shape)


class Transpose(Function):
    symbol = "T"
    saved_inputs = ()
    returns_view = True

    def __init__(self, axes: tuple[int, ...] | None) -> None:
        self.axes = axes

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.axes is not None and (
            any(not -x.ndim <= a < x.ndim for a in self.axes)
            or sorted(a % x.ndim for a in self.axes) != list(range(x.ndim))
        ):
            raise ValueError(f"transpose: axes {self.axes} are not a permutation of the {x.ndim} axes of {x.shape}")
        return np.transpose(x, self.axes)

    def backward(self, gy: Variable) -> Variable:
        if self.axes is None:
            return transpose(gy)
        ndim = len(self.axes)
        return transpose(gy, tuple(np.argsort([a % ndim for a in self.axes]).tolist()))


class BroadcastTo(Function):
    symbol = "broadcast"
    saved_inputs = ()
    returns_view = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return np.broadcast_to(x, self.shape)
        except ValueError as error:
            raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {self.shape}") from error

    def backward(self, gy: Variable) -> Variable:
        return sum_to(gy, self.inputs[0].shape)


class SumTo(Function):
    """Sum over the axes that broadcasting added or stretched, so the result has `shape`."""

    symbol = "sum_to"
    saved_inputs = ()
    returns_view = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return sum_to_array(x, self.shape)

    def backward(self, gy: Variable) -> Variable:
        return broadcast_to(gy, self.inputs[0].shape)


def sum_to_array(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum an ndarray down to `shape` (the reverse of np.broadcast_to)."""
    lead = x.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != x.shape[lead + i] for i, s in enumerate(shape)):
        raise ValueError(f"sum_to: cannot sum shape {x.shape} to {shape}")
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    y = x.sum(axis=axes, keepdims=True) if axes else x
    return y.reshape(shape) if lead else y


class AsType(Function):
    symbol = "astype"
    saved_inputs = ()
    returns_view = True

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.astype(self.dtype, copy=False)

    def backward(self, gy: Variable) -> Variable:
        return astype(gy, self.inputs[0].dtype)


class Clone(Function):
    symbol = "copy"
    saved_inputs = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def backward(self, gy: Variable) -> Variable:
        return gy


def reshape(x: Any, shape: Any) -> Variable:
    """y = x viewed with a new shape (one entry may be -1)"""
    shape = int_tuple("reshape", "shape", shape)
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return Reshape(shape)(x)


def transpose(x: Any, axes: Any = None) -> Variable:
    """y = x with its axes permuted (reversed when axes is None)"""
    return Transpose(None if axes is None else int_tuple("transpose", "axes", axes))(x)


def broadcast_to(x: Any, shape: Any) -> Variable:
    """y = x repeated along broadcast axes to `shape`"""
    shape = int_tuple("broadcast_to", "shape", shape)
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return BroadcastTo(shape)(x)


def sum_to(x: Any, shape: Any) -> Variable:
    """y = x summed over broadcast axes down to `shape`"""
    shape = int_tuple("sum_to", "shape", shape)
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return SumTo(shape)(x)


def astype(x: Any, dtype: Any) -> Variable:
    """y = x converted to dtype (the gradient is converted back); an integer or boolean result is a constant"""
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":
        # As in PyTorch: a gradient cannot flow through integers, so nothing is recorded.
        return Variable((x.data if isinstance(x, Variable) else np.asarray(x)).astype(dtype), requires_grad=False)
    return AsType(dtype)(x)


def clone(x: Any) -> Variable:
    """y = a copy of x in a buffer of its own (the gradient passes through unchanged)"""
    return Clone()(x)


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Variable:
    """y = x with dimensions start_dim..end_dim merged into one (as torch.flatten)"""
    x = as_variable(x)
    shape = x.shape
    ndim = max(len(shape), 1)
    start_dim, end_dim = integer("flatten", "start_dim", start_dim), integer("flatten", "end_dim", end_dim)
    for dim in (start_dim, end_dim):
        if not -ndim <= dim < ndim:
            raise ValueError(f"flatten: dimension {dim} is out of range for shape {shape}")
    start, end = start_dim % ndim, end_dim % ndim
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {shape}")
    if not shape:
        return reshape(x, (1,))
    merged = int(np.prod(shape[start : end + 1]))
    return reshape(x, (*shape[:start], merged, *shape[end + 1:]))
