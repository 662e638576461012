"""Layers: Modules around the ops of autograd.functions, with float32 parameters.

Conventions (DESIGN.md): Linear holds W (in, out) and b (out,), y = x @ W + b, as the textbook's Affine layer;
Conv2d holds W (out_channels, in_channels, KH, KW); ConvTranspose2d holds W (in_channels, out_channels, KH, KW).
Weights start He-normal (the textbook's choice before ReLU, see nn.init), biases at zero.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

import autograd.functions as F
from autograd import Variable, as_variable
from nn import init
from nn.module import Module, Parameter

__all__ = [
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Sigmoid",
    "Tanh",
]

_DTYPE = np.float32


def _positive(layer: str, **values: Any) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{layer}: {name} must be a positive integer, got {value!r}")


def _real(layer: str, name: str, value: Any, low: float, high: float = math.inf) -> float:
    """A finite real hyperparameter in [low, high] as a float; NaN, ±inf and non-numbers are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{layer}: {name} must be a real number, got {type(value).__name__} {value!r}")
    if not (math.isfinite(value) and low <= value <= high):
        bounds = f"in [{low}, {high}]" if math.isfinite(high) else f">= {low}"
        raise ValueError(f"{layer}: {name} must be a finite number {bounds}, got {value!r}")
    return float(value)


def _pair(layer: str, name: str, value: Any, low: int) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low for v in pair):
        raise ValueError(f"{layer}: {name} must be an integer >= {low} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _pair_repr(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else str(pair)


class Linear(Module):
    """y = x @ W + b, W (in_features, out_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        _positive("Linear", in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.W = init.he_normal_(Parameter(np.empty((in_features, out_features), _DTYPE)))
        self.b = Parameter(np.zeros(out_features, _DTYPE)) if bias else None

    def forward(self, x: Any) -> Variable:
        return F.linear(x, self.W, self.b)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.b is not None}"


class _ConvBase(Module):
    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, pad: Any, bias: bool
    ) -> None:
        super().__init__()
        layer = type(self).__name__
        _positive(layer, in_channels=in_channels, out_channels=out_channels)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair(layer, "kernel_size", kernel_size, 1)
        self.stride = _pair(layer, "stride", stride, 1)
        self.pad = _pair(layer, "pad", pad, 0)
        self.W = init.he_normal_(Parameter(np.empty(self._weight_shape(), _DTYPE)))
        self.b = Parameter(np.zeros(out_channels, _DTYPE)) if bias else None

    def _weight_shape(self) -> tuple[int, ...]:
        raise NotImplementedError

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={_pair_repr(self.kernel_size)}"
        if self.stride != (1, 1):
            text += f", stride={_pair_repr(self.stride)}"
        if self.pad != (0, 0):
            text += f", pad={_pair_repr(self.pad)}"
        return text + ("" if self.b is not None else ", bias=False")


class Conv2d(_ConvBase):
    """y = conv2d(x, W) + b, W (out_channels, in_channels, KH, KW), x (N, C, H, W)."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, pad: Any = 0, bias: bool = True
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, pad, bias)

    def _weight_shape(self) -> tuple[int, ...]:
        return (self.out_channels, self.in_channels, *self.kernel_size)

    def forward(self, x: Any) -> Variable:
        return F.conv2d(x, self.W, self.b, self.stride, self.pad)


class ConvTranspose2d(_ConvBase):
    """The adjoint of Conv2d (up-sampling), W (in_channels, out_channels, KH, KW)."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, pad: Any = 0, bias: bool = True
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, pad, bias)

    def _weight_shape(self) -> tuple[int, ...]:
        return (self.in_channels, self.out_channels, *self.kernel_size)

    def forward(self, x: Any) -> Variable:
        return F.conv_transpose2d(x, self.W, self.b, self.stride, self.pad)


class _Pool(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, pad: Any = 0) -> None:
        super().__init__()
        layer = type(self).__name__
        self.kernel_size = _pair(layer, "kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else _pair(layer, "stride", stride, 1)
        self.pad = _pair(layer, "pad", pad, 0)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={_pair_repr(self.kernel_size)}, stride={_pair_repr(self.stride)}, "
            f"pad={_pair_repr(self.pad)}"
        )


class MaxPool2d(_Pool):
    """The largest value of each window; stride defaults to the window (non-overlapping)."""

    def forward(self, x: Any) -> Variable:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.pad)


class AvgPool2d(_Pool):
    """The mean of each window; stride defaults to the window (non-overlapping)."""

    def forward(self, x: Any) -> Variable:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.pad)


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 · d2 · ...)."""

    def forward(self, x: Any) -> Variable:
        return F.flatten(x, 1)


class ReLU(Module):
    """y = max(x, 0)."""

    def forward(self, x: Any) -> Variable:
        return F.relu(x)


class Sigmoid(Module):
    """y = 1 / (1 + exp(-x))."""

    def forward(self, x: Any) -> Variable:
        return F.sigmoid(x)


class Tanh(Module):
    """y = tanh(x)."""

    def forward(self, x: Any) -> Variable:
        return F.tanh(x)


class LeakyReLU(Module):
    """y = x if x > 0 else negative_slope · x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = _real("LeakyReLU", "negative_slope", negative_slope, -math.inf)

    def forward(self, x: Any) -> Variable:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Dropout(Module):
    """Training: zero each element with probability p and scale the rest by 1 / (1 − p); evaluation: identity."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = _real("Dropout", "p", p, 0.0, 1.0)

    def forward(self, x: Any) -> Variable:
        return F.dropout(x, self.p, self.training, init.generator())

    def extra_repr(self) -> str:
        return f"p={self.p}"


class _BatchNorm(Module):
    input_ndim: int

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5) -> None:
        super().__init__()
        layer = type(self).__name__
        _positive(layer, num_features=num_features)
        momentum, eps = _real(layer, "momentum", momentum, 0.0, 1.0), _real(layer, "eps", eps, 0.0)
        if eps == 0:
            raise ValueError(f"{layer}: eps must be > 0, got {eps!r}")
        self.num_features, self.momentum, self.eps = int(num_features), momentum, eps
        self.gamma = Parameter(np.ones(num_features, _DTYPE))
        self.beta = Parameter(np.zeros(num_features, _DTYPE))
        self.register_buffer("running_mean", np.zeros(num_features, _DTYPE))
        self.register_buffer("running_var", np.ones(num_features, _DTYPE))

    def forward(self, x: Any) -> Variable:
        x = as_variable(x)
        shape = x.shape
        if len(shape) != self.input_ndim:
            raise ValueError(f"{type(self).__name__}: expected a {self.input_ndim}-d input, got shape {shape}")
        return F.batch_norm(
            x, self.gamma, self.beta, self.running_mean, self.running_var, self.training, self.momentum, self.eps
        )

    def extra_repr(self) -> str:
        return f"{self.num_features}, momentum={self.momentum}, eps={self.eps}"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) inputs per feature; running statistics are buffers (saved, not trained).

    running = momentum · running + (1 − momentum) · batch, momentum 0.9 as in the textbook.
    """

    input_ndim = 2


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs per channel; running statistics are buffers."""

    input_ndim = 4
