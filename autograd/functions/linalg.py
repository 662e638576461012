"""Matrix products: matmul (NumPy's rules, batch dimensions and 1-D operands), dot, linear (x @ W + b)."""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from autograd.core import Function, Variable, as_variable
from autograd.functions.arithmetic import mul
from autograd.functions.shape import reshape, sum_to, transpose
from autograd.threads import SPLIT_MULTIPLY_ADDS, batch_parts, map_parts

__all__ = ["dot", "linear", "matmul"]


def _swap_last(x: Variable) -> Variable:
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, axes)


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for matrices, a's rows split across zerograd's threads (autograd.threads) when it is large."""
    m, k = a.shape
    n = b.shape[1]
    if m * k * n < SPLIT_MULTIPLY_ADDS:
        return a @ b
    y = np.empty((m, n), np.result_type(a, b))
    map_parts(lambda rows: np.matmul(a[rows], b, out=y[rows]), batch_parts(m))
    return y


def _rows(x: Variable) -> Variable:
    """x as a matrix with its last axis as columns and every other axis merged into rows."""
    return reshape(x, (prod(x.shape[:-1]), x.shape[-1])) if x.ndim != 2 else x


class MatMul(Function):
    symbol = "dot"
    backward_reads_outputs = False
    op = "matmul"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"{self.op}: operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}")
        inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if a.shape[-1] != inner_b:
            raise ValueError(f"{self.op}: shapes {a.shape} and {b.shape} are not aligned ({a.shape[-1]} != {inner_b})")
        if b.ndim == 2 and a.ndim == 2:
            return _product(a, b)
        if b.ndim == 2 and a.ndim > 2 and a.flags.c_contiguous:
            # One GEMM over the merged batch rows beats np.matmul's loop of small products.
            return _product(a.reshape(prod(a.shape[:-1]), a.shape[-1]), b).reshape(*a.shape[:-1], b.shape[1])
        try:
            return np.matmul(a, b)
        except ValueError as error:
            raise ValueError(
                f"{self.op}: the batch dimensions of shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from error

    def backward(self, gy: Variable) -> tuple[Variable | None, Variable | None]:
        a, b = self.inputs
        # A product nobody needs (a constant operand's gradient) is a GEMM saved.
        need_a, need_b = self.needs_grad(0), self.needs_grad(1)
        if a.ndim == 2 and b.ndim == 2:
            return gy @ b.T if need_a else None, a.T @ gy if need_b else None
        # Promote 1-D operands to matrices as NumPy does, then undo it on the gradients.
        a2 = reshape(a, (1, a.shape[0])) if a.ndim == 1 else a
        b2 = reshape(b, (b.shape[0], 1)) if b.ndim == 1 else b
        out_shape = (*np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]), a2.shape[-2], b2.shape[-1])
        gy2 = reshape(gy, out_shape)
        ga = reshape(sum_to(gy2 @ _swap_last(b2), a2.shape), a.shape) if need_a else None
        if not need_b:
            gb = None
        elif b2.ndim == 2:
            # b is shared by the whole batch (whose shape is a's): one GEMM over a's rows, not a
            # batched product summed afterwards.
            gb = reshape(_rows(a2).T @ _rows(gy2), b.shape)
        else:
            gb = reshape(sum_to(_swap_last(a2) @ gy2, b2.shape), b.shape)
        return ga, gb


class Dot(MatMul):
    op = "dot"


class Linear(Function):
    """y = x @ W + b as one GEMM over all leading axes of x; W has shape (in, out)."""

    symbol = "affine"
    saved_inputs = (0, 1)
    backward_reads_outputs = False

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if W.ndim != 2 or x.ndim == 0 or x.shape[-1] != W.shape[0]:
            raise ValueError(
                f"linear: x of shape {x.shape} does not fit W of shape {W.shape} "
                "(W must be (in, out) with in equal to x's last dimension)"
            )
        out_shape = x.shape[:-1] + W.shape[1:]
        if b is not None and b.shape != W.shape[1:]:
            raise ValueError(f"linear: b of shape {b.shape} does not fit W of shape {W.shape}; expected {W.shape[1:]}")
        y = _product(x.reshape(prod(x.shape[:-1]), x.shape[-1]) if x.ndim != 2 else x, W)
        if b is not None:
            if b.dtype == y.dtype:
                y += b  # y is the fresh GEMM result, so adding in place saves an allocation
            else:
                y = y + b
        return y.reshape(out_shape)

    def backward(self, gy: Variable) -> tuple[Variable | None, ...]:
        x, W = self.inputs[:2]
        # The first layer's input needs no gradient: skipping it saves the largest GEMM of a small net.
        gx = linear(gy, W.T) if self.needs_grad(0) else None
        gW = _rows(x).T @ _rows(gy) if self.needs_grad(1) else None
        # The engine sums b's gradient over the leading axes it was broadcast along.
        return (gx, gW, gy) if len(self.inputs) == 3 else (gx, gW)


def matmul(a: Any, b: Any) -> Variable:
    """y = a @ b"""
    return MatMul()(a, b)


def dot(a: Any, b: Any) -> Variable:
    """y = a · b as np.dot for operands of at most 2 dimensions (a scalar operand multiplies)"""
    shapes = [as_variable(x).shape for x in (a, b)]
    ndims = [len(s) for s in shapes]
    if max(ndims) > 2:
        raise ValueError(
            f"dot: operands of shapes {shapes[0]} and {shapes[1]}: dot takes at most 2 dimensions; "
            "use matmul for batched products"
        )
    if min(ndims) == 0:
        return mul(a, b)
    return Dot()(a, b)


def linear(x: Any, W: Any, b: Any = None) -> Variable:
    """y = x @ W + b, W of shape (in, out), b of shape (out,) (the textbook's Affine layer)"""
    if b is None:
        return Linear()(x, W)
    return Linear()(x, W, b)
