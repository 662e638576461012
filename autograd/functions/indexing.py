"""Indexing and joining: getitem (basic and advanced indexing), concat, stack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.core import Function, Variable
from autograd.functions._common import integer

__all__ = ["concat", "getitem", "stack"]


def _plain(item: Any) -> Any:
    """An index component with Variables replaced by their data and lists by arrays."""
    if isinstance(item, Variable):
        return item.data
    if isinstance(item, list):
        array = np.asarray(item)
        # An empty list indexes nothing; NumPy reads it as an integer index, np.asarray as float.
        return array.astype(np.intp) if array.size == 0 else array
    return item


def _normalize_index(index: Any) -> tuple[Any, bool]:
    """The index in NumPy's terms, and whether its positions can repeat (integer arrays present).

    Only integer-array indices can select one element twice; basic indices and boolean masks
    select distinct elements, so their gradient can be scattered with a plain assignment.
    """
    if isinstance(index, tuple):
        index = tuple(_plain(item) for item in index)
        items = index
    else:
        index = _plain(index)
        items = (index,)
    repeats = False
    for item in items:
        if isinstance(item, np.ndarray) and item.dtype != bool and item.ndim > 0:
            repeats = True
        elif not (item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer, bool, np.bool_))):
            repeats = True  # anything else (e.g. a nested sequence) is left to np.add.at to interpret
    return index, repeats


def _describe(index: Any) -> str:
    items = index if isinstance(index, tuple) else (index,)
    parts = [f"array of shape {item.shape} and dtype {item.dtype}" if isinstance(item, np.ndarray) else repr(item)
             for item in items]
    return "(" + ", ".join(parts) + ")" if isinstance(index, tuple) else parts[0]


class GetItem(Function):
    """y = x[index]; the gradient is scattered back into zeros of x's shape."""

    symbol = "[]"
    saved_inputs = ()
    returns_view = True

    def __init__(self, index: Any, repeats: bool) -> None:
        self.index = index
        self.repeats = repeats

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return x[self.index]
        except (IndexError, TypeError, ValueError) as error:
            raise IndexError(
                f"getitem: index {_describe(self.index)} is invalid for an array of shape {x.shape}: {error}"
            ) from error

    def backward(self, gy: Variable) -> Variable:
        x = self.inputs[0]
        return GetItemGrad(self.index, self.repeats, x.shape)(gy)


class GetItemGrad(Function):
    """gx = zeros(shape) with gy added at index (repeated positions accumulate); the backward of GetItem."""

    symbol = "[]ᵀ"
    saved_inputs = ()

    def __init__(self, index: Any, repeats: bool, shape: tuple[int, ...]) -> None:
        self.index = index
        self.repeats = repeats
        self.shape = shape

    def forward(self, gy: np.ndarray) -> np.ndarray:
        gx = np.zeros(self.shape, dtype=gy.dtype)
        if self.repeats:
            np.add.at(gx, self.index, gy)
        else:
            gx[self.index] = gy
        return gx

    def backward(self, ggx: Variable) -> Variable:
        return GetItem(self.index, self.repeats)(ggx)


def getitem(x: Any, index: Any) -> Variable:
    """y = x[index] (NumPy's basic and advanced indexing; Variables in the index are used as data)"""
    index, repeats = _normalize_index(index)
    return GetItem(index, repeats)(x)


def _as_sequence(op: str, xs: Any) -> Sequence[Any]:
    if not isinstance(xs, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of arrays, got {type(xs).__name__}")
    if not xs:
        raise ValueError(f"{op}: expected at least one array, got an empty sequence")
    return xs


def _check_axis(op: str, axis: int, ndim: int, shapes: list[tuple[int, ...]]) -> int:
    if not -ndim <= axis < ndim:
        listed = ", ".join(str(s) for s in shapes)
        raise ValueError(f"{op}: axis {axis} is out of range for arrays with {ndim} dimension(s) (shapes {listed})")
    return axis % ndim


class Concat(Function):
    symbol = "concat"
    saved_inputs = ()

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        shapes = [x.shape for x in xs]
        listed = ", ".join(str(s) for s in shapes)
        ndim = xs[0].ndim
        if ndim == 0 or any(x.ndim != ndim for x in xs):
            raise ValueError(f"concat: arrays need the same number of dimensions (at least 1), got shapes {listed}")
        axis = _check_axis("concat", self.axis, ndim, shapes)
        rest = [s[:axis] + s[axis + 1 :] for s in shapes]
        if any(r != rest[0] for r in rest):
            raise ValueError(f"concat: shapes {listed} differ outside axis {self.axis}")
        self.axis = axis
        return np.concatenate(xs, axis=axis)

    def backward(self, gy: Variable) -> tuple[Variable, ...]:
        sizes = [x.shape[self.axis] for x in self.inputs]
        return Split(sizes, self.axis)(gy)


class Split(Function):
    """ys = x cut along axis into pieces of the given sizes (views); the backward of Concat."""

    symbol = "split"
    saved_inputs = ()
    returns_view = True

    def __init__(self, sizes: list[int], axis: int) -> None:
        self.sizes = sizes
        self.axis = axis

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(x, np.cumsum(self.sizes[:-1]), axis=self.axis))

    def backward(self, *gys: Variable) -> Variable:
        return Concat(self.axis)(*gys)


class Stack(Function):
    symbol = "stack"
    saved_inputs = ()

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        shapes = [x.shape for x in xs]
        if any(s != shapes[0] for s in shapes):
            listed = ", ".join(str(s) for s in shapes)
            raise ValueError(f"stack: all arrays must have the same shape, got shapes {listed}")
        self.axis = _check_axis("stack", self.axis, xs[0].ndim + 1, shapes)
        return np.stack(xs, axis=self.axis)

    def backward(self, gy: Variable) -> tuple[Variable, ...]:
        return Unstack(self.axis)(gy)


class Unstack(Function):
    """ys = the slices of x along axis (views); the backward of Stack."""

    symbol = "unstack"
    saved_inputs = ()
    returns_view = True

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        lead = (slice(None),) * self.axis
        return tuple(x[(*lead, i)] for i in range(x.shape[self.axis]))

    def backward(self, *gys: Variable) -> Variable:
        return Stack(self.axis)(*gys)


def concat(xs: Sequence[Any], axis: int = 0) -> Variable:
    """y = [x₁, x₂, ...] joined along an existing axis"""
    return Concat(integer("concat", "axis", axis))(*_as_sequence("concat", xs))


def stack(xs: Sequence[Any], axis: int = 0) -> Variable:
    """y = [x₁, x₂, ...] joined along a new axis"""
    return Stack(integer("stack", "axis", axis))(*_as_sequence("stack", xs))
