"""Softmax and log-softmax over an axis (the last by default), shifted by the max so large inputs stay finite."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable
from autograd.functions.elementwise import exp
from autograd.functions.reduction import normalize_axis, stable_shift
from autograd.functions.reduction import sum as _sum

__all__ = ["log_softmax", "softmax"]


def log_softmax_array(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """log softmax over axes on ndarrays."""
    # Subtract the log-sum after the shift, not x - logsumexp: in float32, m + log Σ would round away
    # the small log-sum against a large m.
    shifted = x - stable_shift(x, axes)
    with np.errstate(divide="ignore"):  # an all -inf slice gives log 0 = -inf
        return shifted - np.log(np.sum(np.exp(shifted), axis=axes, keepdims=True))


class Softmax(Function):
    symbol = "softmax"
    saved_inputs = ()

    def __init__(self, axis: Any) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.axes = normalize_axis("softmax", self.axis, x.ndim)
        y = np.exp(x - stable_shift(x, self.axes))
        y /= np.sum(y, axis=self.axes, keepdims=True)
        return y

    def backward(self, gy: Variable) -> Variable:
        y = self.outputs[0]()
        return y * (gy - _sum(gy * y, axis=self.axes, keepdims=True))


class LogSoftmax(Function):
    symbol = "log_softmax"
    saved_inputs = ()

    def __init__(self, axis: Any) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.axes = normalize_axis("log_softmax", self.axis, x.ndim)
        return log_softmax_array(x, self.axes)

    def backward(self, gy: Variable) -> Variable:
        y = self.outputs[0]()
        return gy - exp(y) * _sum(gy, axis=self.axes, keepdims=True)


def softmax(x: Any, axis: Any = -1) -> Variable:
    """y = e^x / Σ e^x over axis"""
    return Softmax(axis)(x)


def log_softmax(x: Any, axis: Any = -1) -> Variable:
    """y = x - log Σ e^x over axis"""
    return LogSoftmax(axis)(x)
