"""Reductions: sum, mean (over all elements or `axis`, with `keepdims`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable
from autograd.functions.shape import broadcast_to, reshape

__all__ = ["mean", "sum"]


def normalize_axis(op: str, axis: Any, ndim: int) -> tuple[int, ...]:
    """Axis argument as a sorted tuple of non-negative axes; a clear error when out of range."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise ValueError(f"{op}: axis {a} is out of range for an array with {ndim} dimension(s)")
    normalized = tuple(sorted({a % max(ndim, 1) for a in axes})) if ndim else ()
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

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sum(x, axis=self.axes(x), keepdims=self.keepdims)

    def backward(self, gy: Variable) -> Variable:
        return self.expand(gy)


class Mean(Reduction):
    symbol = "mean"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.mean(x, axis=self.axes(x), keepdims=self.keepdims)

    def backward(self, gy: Variable) -> Variable:
        x = self.inputs[0]
        count = int(np.prod([x.shape[a] for a in self.axes(x.data)]))
        return self.expand(gy) / max(count, 1)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """y = Σ x over axis (all elements when axis is None)"""
    return Sum(axis, keepdims)(x)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """y = Σ x / n over axis"""
    return Mean(axis, keepdims)(x)
