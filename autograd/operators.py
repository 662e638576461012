"""Operator binding: Variable's operators, NumPy-like methods and backward, attached here so that the
graph nodes (core) import neither the ops nor the engine."""

from __future__ import annotations

from typing import Any

from autograd import engine
from autograd import functions as F
from autograd.core import Variable
from autograd.functions.arithmetic import Add, Div, Mul, Neg, Sub


class VariableMethods:
    """The methods of Variable that run ops or the engine; each is copied onto Variable below."""

    def backward(self, grad: Any = None, retain_grad: bool = False, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) * grad into every leaf's `.grad` (grad defaults to 1 for one element)."""
        engine.backward(self, grad, retain_grad, create_graph)

    def __add__(self, other: Any) -> Variable:
        return Add()(self, other)

    def __radd__(self, other: Any) -> Variable:
        return Add()(other, self)

    def __sub__(self, other: Any) -> Variable:
        return Sub()(self, other)

    def __rsub__(self, other: Any) -> Variable:
        return Sub()(other, self)

    def __mul__(self, other: Any) -> Variable:
        return Mul()(self, other)

    def __rmul__(self, other: Any) -> Variable:
        return Mul()(other, self)

    def __truediv__(self, other: Any) -> Variable:
        return Div()(self, other)

    def __rtruediv__(self, other: Any) -> Variable:
        return Div()(other, self)

    def __pow__(self, other: Any) -> Variable:
        return F.pow(self, other)

    def __rpow__(self, other: Any) -> Variable:
        return F.pow(other, self)

    def __matmul__(self, other: Any) -> Variable:
        return F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Variable:
        return F.matmul(other, self)

    def __neg__(self) -> Variable:
        return Neg()(self)

    def __pos__(self) -> Variable:
        return self

    def __getitem__(self, index: Any) -> Variable:
        return F.getitem(self, index)

    @property
    def T(self) -> Variable:
        return F.transpose(self)

    def reshape(self, *shape: Any) -> Variable:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return F.reshape(self, shape)

    def transpose(self, *axes: Any) -> Variable:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return F.transpose(self, axes or None)

    def astype(self, dtype: Any) -> Variable:
        return F.astype(self, dtype)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return F.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return F.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return F.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return F.min(self, axis, keepdims)


for _name, _method in vars(VariableMethods).items():
    if callable(_method) or isinstance(_method, property):
        setattr(Variable, _name, _method)
