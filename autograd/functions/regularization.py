"""Regularisation layers as functions: dropout (inverted) and batch normalisation."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable, as_variable, is_grad_enabled
from autograd.functions._common import real_number
from autograd.functions.reduction import mean, sum
from autograd.functions.shape import reshape

__all__ = ["batch_norm", "dropout"]

_rng = np.random.default_rng()


class Dropout(Function):
    """y = x · mask / (1 − p), mask[i] ~ Bernoulli(1 − p): expectations match evaluation, which is the identity."""

    symbol = "dropout"
    saved_inputs = ()
    # Saves the scaled mask, not x.
    backward_reads_outputs = False

    def __init__(self, p: float, rng: np.random.Generator) -> None:
        self.p = p
        self.rng = rng
        self.scale: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            raise TypeError(f"dropout: expected a floating-point input, got dtype {x.dtype}")
        if self.p == 1:
            self.scale = np.zeros(x.shape, x.dtype)
        else:
            uniform = self.rng.random(x.shape, dtype=np.float64 if x.dtype == np.float64 else np.float32)
            self.scale = (uniform >= self.p).astype(x.dtype)
            self.scale *= 1 / (1 - self.p)
        return x * self.scale

    def backward(self, gy: Variable) -> Variable:
        return gy * self.scale


def dropout(x: Any, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None) -> Variable:
    """y = x · mask / (1 − p) with mask ~ Bernoulli(1 − p) when training; y = x otherwise"""
    p = real_number("dropout", "p", p)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be in [0, 1], got {p!r}")
    if not training or p == 0:
        return as_variable(x)
    return Dropout(p, _rng if rng is None else rng)(x)


class BatchNorm(Function):
    """y = γ · (x − μ) / √(σ² + ε) + β per channel (axis 1): batch statistics when training, else running ones."""

    symbol = "batch_norm"
    saved_inputs = (0, 1)
    backward_reads_outputs = False

    def __init__(
        self, running_mean: np.ndarray, running_var: np.ndarray, training: bool, momentum: float, eps: float
    ) -> None:
        self.running_mean = running_mean
        self.running_var = running_var
        self.training = training
        self.momentum = momentum
        self.eps = eps
        self.mean: np.ndarray | None = None
        self.inv_std: np.ndarray | None = None

    def forward(self, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
        _check_inputs(x, gamma, beta, self.running_mean, self.running_var)
        axes, shape = _axes(x)
        count = x.size // x.shape[1]
        if self.training:
            if count < 2:
                raise ValueError(f"batch_norm: training needs more than one value per channel, x is {x.shape}")
            mean_ = x.mean(axis=axes, keepdims=True)
            centred = x - mean_
            var = np.mean(centred * centred, axis=axes, keepdims=True)
            m = self.momentum
            self.running_mean *= m
            self.running_mean += (1 - m) * mean_.reshape(-1)
            self.running_var *= m
            self.running_var += (1 - m) * count / (count - 1) * var.reshape(-1)
        else:
            mean_ = self.running_mean.reshape(shape).astype(x.dtype, copy=True)
            var = self.running_var.reshape(shape).astype(x.dtype)
            centred = x - mean_
        inv_std = (var + self.eps) ** -0.5
        self.mean, self.inv_std = mean_, inv_std
        centred *= inv_std
        centred *= gamma.reshape(shape)
        centred += beta.reshape(shape)
        return centred

    def backward(self, gy: Variable) -> tuple[Variable, Variable, Variable]:
        x, gamma, _ = self.inputs
        axes, shape = _axes(x.data)
        if self.training and is_grad_enabled():
            # Recording the backward (create_graph): the statistics must stay functions of x.
            mean_ = mean(x, axes, keepdims=True)
            centred = x - mean_
            inv_std = (mean(centred * centred, axes, keepdims=True) + self.eps) ** -0.5
            x_hat = centred * inv_std
        else:
            inv_std = self.inv_std
            x_hat = (x - self.mean) * inv_std
        g = gy * reshape(gamma, shape)
        if self.training:
            # μ and σ² depend on x too: remove the gradient's mean and its component along x̂.
            gx = inv_std * (g - mean(g, axes, keepdims=True) - x_hat * mean(g * x_hat, axes, keepdims=True))
        else:
            gx = g * inv_std
        return gx, sum(gy * x_hat, axes), sum(gy, axes)


def _axes(x: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The axes statistics are taken over, and the shape that broadcasts per-channel values against x."""
    if x.ndim == 2:
        return (0,), (1, x.shape[1])
    return (0, 2, 3), (1, x.shape[1], 1, 1)


def _check_inputs(x: np.ndarray, *params: np.ndarray) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"batch_norm: expected a floating-point input, got x of dtype {x.dtype}")
    if x.ndim not in (2, 4):
        raise ValueError(f"batch_norm: x must be (N, C) or (N, C, H, W), got shape {x.shape}")
    names = ("gamma", "beta", "running_mean", "running_var")
    for name, p in zip(names, params):
        if p.shape != (x.shape[1],):
            raise ValueError(
                f"batch_norm: {name} of shape {p.shape} does not match the {x.shape[1]} channels of x {x.shape}"
            )


def batch_norm(
    x: Any,
    gamma: Any,
    beta: Any,
    running_mean: Any,
    running_var: Any,
    training: bool,
    momentum: float = 0.9,
    eps: float = 1e-5,
) -> Variable:
    """y = γ (x − μ) / √(σ² + ε) + β per channel; training: batch μ, σ² and running = m·running + (1 − m)·batch

    x is (N, C) or (N, C, H, W). running_mean and running_var are float arrays of shape (C,), updated
    in place when training (the variance unbiased, as PyTorch) and used in place of the batch
    statistics otherwise.
    """
    momentum, eps = real_number("batch_norm", "momentum", momentum), real_number("batch_norm", "eps", eps)
    if not 0 <= momentum <= 1 or eps < 0:
        raise ValueError(f"batch_norm: momentum must be in [0, 1] and eps >= 0, got momentum={momentum}, eps={eps}")
    running = []
    for name, r in (("running_mean", running_mean), ("running_var", running_var)):
        r = r.data if isinstance(r, Variable) else r
        if not isinstance(r, np.ndarray) or r.dtype.kind != "f":
            raise TypeError(f"batch_norm: {name} must be a float ndarray (updated in place), got {type(r).__name__}")
        running.append(r)
    return BatchNorm(running[0], running[1], training, momentum, eps)(x, gamma, beta)
