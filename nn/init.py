"""Weight initialisation and the one random generator that `nn` draws from.

The textbook's recommendations, which the layers follow by default:
- He: std = sqrt(2 / fan_in), for layers followed by ReLU (the default of Linear, Conv2d, ConvTranspose2d);
- Xavier: std = sqrt(1 / fan_in), the textbook's form of Glorot's rule, for sigmoid and tanh (MLP uses it
  when its activation is one of those);
- a fixed std (SimpleConvNet's 0.01), with `normal_`.
Biases start at zero.

fan_in is the number of inputs feeding one output: `in` for a Linear weight (in, out), and
`in · KH · KW` for a convolution weight (out, in, KH, KW) — dimension 1 times the kernel, as PyTorch counts it.

Each initialiser changes its argument in place and raises its version (autograd.increment_version), so a
graph recorded before cannot backward through the new values.

`manual_seed(seed)` makes initial weights and dropout masks reproducible: every initialiser and every
Dropout layer draws from `generator()`.
"""

from __future__ import annotations

import math

import numpy as np

from autograd import Variable, increment_version

__all__ = ["fan_in", "generator", "he_normal_", "manual_seed", "normal_", "xavier_normal_", "zeros_"]

_generator = np.random.Generator(np.random.PCG64())


def manual_seed(seed: int) -> None:
    """Reseed the generator behind every initialiser and Dropout (in place, so holders of it follow)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _generator.bit_generator.state = np.random.PCG64(int(seed)).state


def generator() -> np.random.Generator:
    """The generator nn draws initial weights and dropout masks from."""
    return _generator


def fan_in(shape: tuple[int, ...]) -> int:
    """Inputs per output: shape[0] for a (in, out) matrix, shape[1] · KH · KW for a convolution kernel."""
    if len(shape) == 2:
        return shape[0]
    if len(shape) == 4:
        return shape[1] * shape[2] * shape[3]
    raise ValueError(f"fan_in: expected a (in, out) or (out, in, KH, KW) weight, got shape {shape}")


def _check(op: str, p: Variable) -> None:
    if not isinstance(p, Variable) or p.data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a float Parameter or Variable, got {type(p).__name__}")


def normal_(p: Variable, std: float) -> Variable:
    """p ~ N(0, std²), in place."""
    _check("normal_", p)
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std!r}")
    p.data[...] = _generator.standard_normal(p.shape, dtype=np.float64) * std
    increment_version(p)
    return p


def xavier_normal_(p: Variable) -> Variable:
    """p ~ N(0, 1 / fan_in), in place (the textbook's Xavier initialisation, for sigmoid and tanh)."""
    _check("xavier_normal_", p)
    return normal_(p, math.sqrt(1.0 / fan_in(p.shape)))


def he_normal_(p: Variable) -> Variable:
    """p ~ N(0, 2 / fan_in), in place (He initialisation, for ReLU)."""
    _check("he_normal_", p)
    return normal_(p, math.sqrt(2.0 / fan_in(p.shape)))


def zeros_(p: Variable) -> Variable:
    """p = 0, in place."""
    _check("zeros_", p)
    p.data[...] = 0
    increment_version(p)
    return p
