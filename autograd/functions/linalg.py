"""Matrix products: matmul (NumPy's rules, batch dimensions and 1-D operands)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.core import Function, Variable
from autograd.functions.shape import reshape, sum_to, transpose

__all__ = ["matmul"]


def _swap_last(x: Variable) -> Variable:
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, axes)


class MatMul(Function):
    symbol = "dot"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}")
        try:
            return np.matmul(a, b)
        except ValueError as error:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} are not aligned "
                f"({a.shape[-1]} != {b.shape[-2] if b.ndim > 1 else b.shape[0]})"
            ) from error

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        a, b = self.inputs
        if a.ndim == 2 and b.ndim == 2:
            return gy @ b.T, a.T @ gy
        # Promote 1-D operands to matrices as NumPy does, then undo it on the gradients.
        a2 = reshape(a, (1, a.shape[0])) if a.ndim == 1 else a
        b2 = reshape(b, (b.shape[0], 1)) if b.ndim == 1 else b
        out_shape = (*np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]), a2.shape[-2], b2.shape[-1])
        gy2 = reshape(gy, out_shape)
        ga = sum_to(gy2 @ _swap_last(b2), a2.shape)
        gb = sum_to(_swap_last(a2) @ gy2, b2.shape)
        return reshape(ga, a.shape), reshape(gb, b.shape)


def matmul(a: Any, b: Any) -> Variable:
    """y = a @ b"""
    return MatMul()(a, b)
