"""Arithmetic: add, sub, mul, div, neg, pow (broadcasting is undone by the engine).

Two 0-d operands are combined as NumPy scalars (`a[()]`): NumPy's scalar arithmetic is 5-8x faster
than its 0-d array arithmetic (60 ns against 450 ns for a product, measured), and a graph of scalars
(the apple example, benchmarks/overhead.py) does little else; the result follows the same type rules
and Function.__call__ makes it an array again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable, as_variable
from autograd.functions._common import broadcast_error, scalar_if_0d
from autograd.functions.elementwise import log, where

__all__ = ["add", "div", "mul", "neg", "pow", "sub"]


class Add(Function):
    symbol = "+"
    saved_inputs = ()
    backward_reads_outputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 and b.ndim == 0:
            return a[()] + b[()]
        try:
            return a + b
        except ValueError:
            raise broadcast_error(self, a, b) from None

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        return gy, gy


class Sub(Function):
    symbol = "−"
    saved_inputs = ()
    backward_reads_outputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 and b.ndim == 0:
            return a[()] - b[()]
        try:
            return a - b
        except ValueError:
            raise broadcast_error(self, a, b) from None

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        return gy, -gy


class Mul(Function):
    symbol = "×"
    backward_reads_outputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 and b.ndim == 0:
            return a[()] * b[()]
        try:
            return a * b
        except ValueError:
            raise broadcast_error(self, a, b) from None

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        a, b = self.inputs
        return gy * b, gy * a


class Div(Function):
    symbol = "÷"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 and b.ndim == 0:
            return a[()] / b[()]
        try:
            return a / b
        except ValueError:
            raise broadcast_error(self, a, b) from None

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        a, b = self.inputs
        ga = gy / b
        return ga, -ga * a / b


class Neg(Function):
    symbol = "−"
    saved_inputs = ()
    backward_reads_outputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -scalar_if_0d(x)

    def backward(self, gy: Variable) -> Variable:
        return -gy


class Pow(Function):
    """y = a ** b with a variable exponent: both the base and the exponent get gradients."""

    symbol = "**"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return np.power(a, b)
        except ValueError:
            raise broadcast_error(self, a, b) from None

    def backward(self, gy: Variable) -> tuple[Variable | None, Variable | None]:
        a, b = self.inputs
        ga = _base_grad(gy, a, b, b.data) if self.needs_grad(0) else None
        if not self.needs_grad(1):
            return ga, None
        y = self.outputs[0]()
        y = a**b if y is None else y
        # d(a**b)/db = a**b * log(a) is real only for a > 0; elsewhere we give 0 (the limit at a = 0+).
        positive = a.data > 0
        return ga, where(positive, gy * y * log(where(positive, a, 1.0)), 0.0)


class PowConst(Function):
    """y = x ** c for a constant exponent c."""

    def __init__(self, c: Any) -> None:
        self.c = c

    @property
    def symbol(self) -> str:
        return f"**{self.c:g}" if np.ndim(self.c) == 0 else "**"

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return np.power(x, self.c)
        except ValueError:
            raise ValueError(
                f"pow: shapes {x.shape} and {np.shape(self.c)} cannot be broadcast together"
            ) from None

    def backward(self, gy: Variable) -> Variable:
        (x,) = self.inputs
        if np.ndim(self.c) == 0:
            # x ** 0 is constant; 0 * x ** -1 would be nan at x = 0
            return gy * 0 if self.c == 0 else gy * self.c * x ** (self.c - 1)
        return _base_grad(gy, x, self.c, self.c)


def _base_grad(gy: Variable, a: Variable, b: Any, b_data: np.ndarray) -> Variable:
    """d(a ** b)/da · gy = b · a ** (b − 1) · gy, which is 0 at a = b = 0 (as PyTorch), not 0 · 0 ** −1 = nan."""
    both_zero = (b_data == 0) & (a.data == 0)
    if np.any(both_zero):
        # There the base is replaced by 1: b = 0 still zeroes the gradient, and nothing meets 0 ** −1.
        a = where(both_zero, 1.0, a)
    return gy * b * a ** (b - 1)


def add(a: Any, b: Any) -> Variable:
    """y = a + b"""
    return Add()(a, b)


def sub(a: Any, b: Any) -> Variable:
    """y = a - b"""
    return Sub()(a, b)


def mul(a: Any, b: Any) -> Variable:
    """y = a * b"""
    return Mul()(a, b)


def div(a: Any, b: Any) -> Variable:
    """y = a / b"""
    return Div()(a, b)


def neg(x: Any) -> Variable:
    """y = -x"""
    return Neg()(x)


def pow(a: Any, b: Any) -> Variable:
    """y = a ** b (the exponent is differentiated too when it is a Variable)"""
    if isinstance(b, Variable):
        return Pow()(a, b)
    if isinstance(b, np.generic):
        b = b.item()  # a Python scalar exponent keeps x's dtype (NumPy scalars would promote it)
    elif not isinstance(b, (int, float)):
        b = as_variable(b).data
    return PowConst(b)(a)
