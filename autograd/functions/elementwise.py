"""Elementwise functions: exp, log, sin, cos, tanh, where, ..."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable, as_variable

__all__ = ["cos", "exp", "log", "sin", "tanh", "where"]


class Exp(Function):
    symbol = "exp"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    def backward(self, gy: Variable) -> Variable:
        return gy * self.outputs[0]()


class Log(Function):
    symbol = "log"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log(x)

    def backward(self, gy: Variable) -> Variable:
        return gy / self.inputs[0]


class Sin(Function):
    symbol = "sin"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sin(x)

    def backward(self, gy: Variable) -> Variable:
        return gy * cos(self.inputs[0])


class Cos(Function):
    symbol = "cos"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cos(x)

    def backward(self, gy: Variable) -> Variable:
        return gy * -sin(self.inputs[0])


class Tanh(Function):
    symbol = "tanh"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def backward(self, gy: Variable) -> Variable:
        y = self.outputs[0]()
        return gy * (1 - y * y)


class Where(Function):
    """y = x where condition else other; condition is a constant boolean array."""

    symbol = "where"

    def __init__(self, condition: np.ndarray) -> None:
        self.condition = condition

    def forward(self, x: np.ndarray, other: np.ndarray) -> np.ndarray:
        try:
            return np.where(self.condition, x, other)
        except ValueError as error:
            raise ValueError(
                f"where: shapes {self.condition.shape}, {x.shape} and {other.shape} cannot be broadcast together"
            ) from error

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        zero = np.zeros((), gy.dtype)
        return where(self.condition, gy, zero), where(self.condition, zero, gy)


def exp(x: Any) -> Variable:
    """y = e ** x"""
    return Exp()(x)


def log(x: Any) -> Variable:
    """y = ln x"""
    return Log()(x)


def sin(x: Any) -> Variable:
    """y = sin x"""
    return Sin()(x)


def cos(x: Any) -> Variable:
    """y = cos x"""
    return Cos()(x)


def tanh(x: Any) -> Variable:
    """y = (e^x - e^-x) / (e^x + e^-x)"""
    return Tanh()(x)


def where(condition: Any, x: Any, other: Any) -> Variable:
    """y = x where condition else other (condition is not differentiated)"""
    condition = np.asarray(condition.data if isinstance(condition, Variable) else condition, dtype=bool)
    if not isinstance(x, Variable) and isinstance(other, Variable):
        x = as_variable(x, other)
    return Where(condition)(x, other)
