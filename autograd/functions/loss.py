"""Losses, each averaged as PyTorch's defaults: softmax cross entropy over the batch, the others over all
elements. The fused forwards work in log space so no input overflows."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable
from autograd.functions.elementwise import sigmoid
from autograd.functions.reduction import sum as _sum
from autograd.functions.shape import astype
from autograd.functions.softmax import log_softmax, log_softmax_array, softmax

__all__ = ["mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy"]


def _target_in_dtype_of(x: Variable, t: Variable) -> Variable:
    """t in x's dtype: integer targets become a constant, float targets a cast that passes gradients back."""
    if t.dtype == x.dtype:
        return t
    if t.dtype.kind in "fc":
        return astype(t, x.dtype)
    return Variable(t.data.astype(x.dtype), requires_grad=False)


class SoftmaxCrossEntropy(Function):
    """-Σ t log softmax(x) / N for x of shape (N, C) and t integer labels (N,) or targets (N, C)."""

    symbol = "Softmax-with-Loss"

    def forward(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(
                f"softmax_cross_entropy: x must have shape (N, C) with N, C >= 1, got {x.shape}"
            )
        n, classes = x.shape
        log_p = log_softmax_array(x, (1,))
        if t.shape == x.shape:
            return -np.sum(t.astype(x.dtype, copy=False) * log_p) / n
        if t.shape != (n,):
            raise ValueError(
                f"softmax_cross_entropy: targets must be labels of shape ({n},) or probabilities of the "
                f"input's shape {x.shape}, got shape {t.shape}"
            )
        if t.dtype.kind not in "iu":
            raise TypeError(f"softmax_cross_entropy: labels of shape {t.shape} must be integers, got {t.dtype}")
        if t.min() < 0 or t.max() >= classes:
            bad = t[(t < 0) | (t >= classes)][0]
            raise ValueError(
                f"softmax_cross_entropy: label {bad} is out of range for {classes} classes (x of shape {x.shape})"
            )
        return -np.sum(log_p[np.arange(n), t]) / n

    def backward(self, gy: Variable) -> tuple[Variable, Variable | None]:
        x, t = self.inputs
        n = x.shape[0]
        g = gy / n
        p = softmax(x, axis=1)
        if t.shape != x.shape:
            # One-hot in x's dtype: np.eye(C)[t] would be float64 and upcast a float32 graph.
            onehot = np.zeros(x.shape, x.dtype)
            onehot[np.arange(n), t.data] = 1
            return (p - onehot) * g, None
        tx = _target_in_dtype_of(x, t)
        # Rows of t need not sum to 1 (soft targets, or gradcheck's perturbations): d/dx = p Σ_c t - t.
        gx = (p * _sum(tx, axis=1, keepdims=True) - tx) * g
        return gx, -log_softmax(x, axis=1) * g if self.needs_grad(1) else None


class SigmoidCrossEntropy(Function):
    """-mean(t log σ(x) + (1 - t) log(1 - σ(x))), computed as mean(max(x, 0) - x t + log(1 + e^-|x|))."""

    symbol = "Sigmoid-with-Loss"

    def forward(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        _check_same_shape("sigmoid_cross_entropy", x, t)
        t = t.astype(x.dtype, copy=False)
        return np.sum(np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))) / x.size

    def backward(self, gy: Variable) -> tuple[Variable, Variable | None]:
        x, t = self.inputs
        g = gy / x.size
        return (sigmoid(x) - _target_in_dtype_of(x, t)) * g, -x * g if self.needs_grad(1) else None


class MeanSquaredError(Function):
    symbol = "MSE"

    def forward(self, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
        _check_same_shape("mean_squared_error", x0, x1)
        diff = x0 - x1
        return np.sum(diff * diff) / diff.size

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        x0, x1 = self.inputs
        g = (x0 - x1) * (gy * (2 / x0.size))
        return g, -g


def _check_same_shape(op: str, a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{op}: the inputs must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError(f"{op}: the inputs are empty (shape {a.shape}); their mean is undefined")


def softmax_cross_entropy(x: Any, t: Any) -> Variable:
    """loss = -Σ_n log softmax(x)[n, t_n] / N (labels t) or -Σ t log softmax(x) / N (targets t)"""
    return SoftmaxCrossEntropy()(x, t)


def sigmoid_cross_entropy(x: Any, t: Any) -> Variable:
    """loss = -mean(t log σ(x) + (1 - t) log(1 - σ(x)))"""
    return SigmoidCrossEntropy()(x, t)


def mean_squared_error(x0: Any, x1: Any) -> Variable:
    """loss = mean((x0 - x1)²)"""
    return MeanSquaredError()(x0, x1)
