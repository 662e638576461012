"""Reductions: sum, mean, max, min, logsumexp (over all elements or `axis`, with `keepdims`)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from autograd.core import Function, Variable
from autograd.functions.elementwise import exp
from autograd.functions.shape import broadcast_to, reshape

__all__ = ["logsumexp", "max", "mean", "min", "sum"]


def normalize_axis(op: str, axis: Any, ndim: int) -> tuple[int, ...]:
    """Axis argument as a sorted tuple of non-negative axes; a clear error when out of range."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis) if isinstance(axis, (tuple, list)) else None
    if axes is None or any(isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)) for a in axes):
        raise TypeError(f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}")
    bound = builtins.max(ndim, 1)  # a 0-d array accepts axis 0 and -1, as in PyTorch
    for a in axes:
        if not -bound <= a < bound:
            raise ValueError(f"{op}: axis {a} is out of range for an array with {ndim} dimension(s)")
    normalized = tuple(sorted({a % bound for a in axes})) if ndim else ()
    if len(normalized) != len(axes) and ndim:
        raise ValueError(f"{op}: repeated axis in {axis}")
    return normalized


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape a reduction over `axes` has with keepdims=True."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Reduction(Function):
    """Shared set-up of reductions: the normalized axes and keepdims."""

    def __init__(self, axis: Any, keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def axes(self, x: np.ndarray) -> tuple[int, ...]:
        return normalize_axis(type(self).__name__.lower(), self.axis, x.ndim)

    def expand(self, gy: Variable) -> Variable:
        """gy broadcast back over the reduced axes of the input."""
        x = self.inputs[0]
        axes = normalize_axis(type(self).__name__.lower(), self.axis, x.ndim)
        if not self.keepdims:
            gy = reshape(gy, kept_shape(x.shape, axes))
        return broadcast_to(gy, x.shape)


class Sum(Reduction):
    symbol = "sum"
    saved_inputs = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sum(x, axis=self.axes(x), keepdims=self.keepdims)

    def backward(self, gy: Variable) -> Variable:
        return self.expand(gy)


class Mean(Reduction):
    symbol = "mean"
    saved_inputs = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.mean(x, axis=self.axes(x), keepdims=self.keepdims)

    def backward(self, gy: Variable) -> Variable:
        x = self.inputs[0]
        count = int(np.prod([x.shape[a] for a in self.axes(x.data)]))
        return self.expand(gy) / builtins.max(count, 1)


class Max(Reduction):
    """The gradient goes to the elements equal to the result, split evenly among ties.

    This is PyTorch's rule for amax and for the global max(); PyTorch's max(dim) instead gives it all to
    the one index it returns.
    """

    symbol = "max"
    _reduce = staticmethod(np.max)

    def forward(self, x: np.ndarray) -> np.ndarray:
        axes = self.axes(x)
        for a in axes:
            if x.shape[a] == 0:
                raise ValueError(
                    f"{type(self).__name__.lower()}: cannot reduce over axis {a} of size 0 "
                    f"(input of shape {x.shape})"
                )
        return self._reduce(x, axis=axes, keepdims=self.keepdims)

    def backward(self, gy: Variable) -> Variable:
        x = self.inputs[0].data
        axes = self.axes(x)
        y = self.outputs[0]().data.reshape(kept_shape(x.shape, axes))
        # A NaN result came from the NaN elements, so they are the ones that get the gradient.
        chosen = (x == y) | np.isnan(x)
        return self.expand(gy) * (chosen / chosen.sum(axis=axes, keepdims=True, dtype=gy.dtype))


class Min(Max):
    """The gradient goes to the elements equal to the result, split evenly among ties (as Max)."""

    symbol = "min"
    _reduce = staticmethod(np.min)


def stable_shift(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The max over axes (kept), with 0 where it is not finite: exp(x - shift) cannot overflow, and all -inf
    or +inf slices give 0 or inf instead of NaN."""
    if x.size == 0:
        return np.zeros(kept_shape(x.shape, axes), x.dtype)
    m = np.max(x, axis=axes, keepdims=True)
    return np.where(np.isfinite(m), m, np.zeros((), m.dtype))


def logsumexp_array(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """log Σ exp(x) over axes (kept) on ndarrays, without overflow."""
    shift = stable_shift(x, axes)
    with np.errstate(divide="ignore"):  # an empty or all -inf slice gives log 0 = -inf, as it should
        return np.log(np.sum(np.exp(x - shift), axis=axes, keepdims=True)) + shift


class LogSumExp(Reduction):
    symbol = "logsumexp"

    def forward(self, x: np.ndarray) -> np.ndarray:
        axes = self.axes(x)
        y = logsumexp_array(x, axes)
        return y if self.keepdims else y.reshape([n for i, n in enumerate(y.shape) if i not in axes])

    def backward(self, gy: Variable) -> Variable:
        # d/dx log Σ e^x = e^(x - y), the softmax; built from the output so it differentiates again.
        x = self.inputs[0]
        y = self.outputs[0]()
        if not self.keepdims:
            y = reshape(y, kept_shape(x.shape, self.axes(x.data)))
        return self.expand(gy) * exp(x - y)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """y = Σ x over axis (all elements when axis is None)"""
    return Sum(axis, keepdims)(x)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """y = Σ x / n over axis"""
    return Mean(axis, keepdims)(x)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """y = max x over axis; the gradient is split evenly among tied maxima"""
    return Max(axis, keepdims)(x)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """y = min x over axis; the gradient is split evenly among tied minima"""
    return Min(axis, keepdims)(x)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """y = log Σ exp(x) over axis, computed as m + log Σ exp(x - m) with m = max x"""
    return LogSumExp(axis, keepdims)(x)
