"""Helpers that several op families share: error messages and argument checks."""

from __future__ import annotations

import numbers
import reprlib
from typing import Any

import numpy as np

from autograd.core import Function


def broadcast_error(f: Function, a: np.ndarray, b: np.ndarray) -> ValueError:
    """The error for operands whose shapes do not broadcast, naming the op."""
    return ValueError(f"{type(f).__name__.lower()}: shapes {a.shape} and {b.shape} cannot be broadcast together")


def scalar_if_0d(x: np.ndarray) -> np.ndarray | np.generic:
    """x's one number as a NumPy scalar when x is 0-d, else x itself.

    NumPy computes on scalars 2-20x faster than on 0-d arrays (tanh 650 against 1100 ns, negation 40
    against 800 ns, measured), which is all a graph of scalars does; Function.__call__ makes the result
    an array again.
    """
    return x[()] if x.ndim == 0 else x


def real_number(op: str, name: str, value: Any) -> float:
    """A scalar hyperparameter as a Python float, which NumPy treats as weak: float32 stays float32."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        got = f"of shape {shape}" if shape is not None else reprlib.repr(value)
        raise TypeError(f"{op}: {name} must be a real number, got {type(value).__name__} {got}")
    return float(value)
