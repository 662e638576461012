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


def real_number(op: str, name: str, value: Any) -> float:
    """A scalar hyperparameter as a Python float, which NumPy treats as weak: float32 stays float32."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        got = f"of shape {shape}" if shape is not None else reprlib.repr(value)
        raise TypeError(f"{op}: {name} must be a real number, got {type(value).__name__} {got}")
    return float(value)
