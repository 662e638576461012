"""Pooling over 2-D windows (NCHW): max_pool2d and avg_pool2d; output sizes use floor.

Both loop over the KH·KW kernel offsets, each step one vectorised op over strided views of the
whole batch. The strided views beat reshaping to (N, C, H/k, k, W/k, k) and reducing, which NumPy
does slowly over two small axes. When the windows tile the input exactly, the gradient is written
straight into an uninitialised array with one assignment per offset, with no padding and no sums.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd.core import Function, Variable, is_grad_enabled
from autograd.functions._window import Window

__all__ = ["avg_pool2d", "max_pool2d"]


def _padded(x: np.ndarray, win: Window, fill: float) -> np.ndarray:
    if win.ph == win.pw == 0:
        return x
    n, c, h, w = x.shape
    buffer = np.full((n, c, h + 2 * win.ph, w + 2 * win.pw), fill, x.dtype)
    buffer[:, :, win.ph : win.ph + h, win.pw : win.pw + w] = x
    return buffer


def _laid_out_like(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    """a, copied into the memory layout of `like` (same shape) unless it has it already.

    Elementwise loops over operands laid out differently (NCHW against channel-last) run several
    times slower than one copy that aligns them.
    """
    if a.strides == tuple(s // like.itemsize * a.itemsize for s in like.strides):
        return a
    aligned = np.empty_like(like, dtype=a.dtype)
    aligned[...] = a
    return aligned


def _offsets(win: Window) -> Iterator[tuple[int, int, int]]:
    for i in range(win.kh):
        for j in range(win.kw):
            yield i * win.kw + j, i, j


def _scatter(win: Window, x: np.ndarray, like: np.ndarray, fill: Callable[[int, np.ndarray], Any]) -> np.ndarray:
    """An array shaped (and, when tiled, laid out) like x: Σ over kernel offsets o of fill's values at o.

    fill(o, out) writes offset o's (N, C, OH, OW) values, shaped and typed like `like`, into out.
    """
    oh, ow = like.shape[2:]
    if win.tiles(x.shape):
        gx = np.empty_like(x, dtype=like.dtype)
        for o, i, j in _offsets(win):
            fill(o, win.offset(gx, i, j, oh, ow))
        return gx
    n, c, h, w = x.shape
    buffer = np.zeros((n, c, h + 2 * win.ph, w + 2 * win.pw), like.dtype)
    values = np.empty_like(like)
    for o, i, j in _offsets(win):
        fill(o, values)
        view = win.offset(buffer, i, j, oh, ow)
        view += values
    return buffer[:, :, win.ph : win.ph + h, win.pw : win.pw + w]


class MaxPool2d(Function):
    """y[n, c, i, j] = max over the window at (i·sh − ph, j·sw − pw) of x (padding never wins)."""

    symbol = "max_pool"

    def __init__(self, win: Window) -> None:
        self.win = win
        self.index: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        oh, ow = self.win.out_size(x.shape)
        if x.dtype.kind != "f":
            raise TypeError(f"max_pool2d: expected a floating-point input, got dtype {x.dtype}")
        source = _padded(x, self.win, -np.inf)
        views = (self.win.offset(source, i, j, oh, ow) for _, i, j in _offsets(self.win))
        y = np.array(next(views))
        kk = self.win.kh * self.win.kw
        # The gradient needs each window's argmax: the offset o = i·KW + j of its first maximum.
        index = np.zeros_like(y, dtype=np.uint8 if kk <= 256 else np.uint32) if is_grad_enabled() else None
        for o, view in enumerate(views, 1):
            if index is not None:
                # Unsigned wrap-around makes index + better·(o − index) equal o where better: a masked
                # assignment without NumPy's slow masked assignment. Strictly greater keeps the first.
                index += (view > y) * (o - index)
            np.maximum(y, view, out=y)
        self.index = index
        return y

    def backward(self, gy: Variable) -> Variable:
        return MaxPoolScatter(self)(gy)


class MaxPoolScatter(Function):
    """Max pooling's gradient: each window's gradient goes to the element that was its maximum."""

    symbol = "max_pool_grad"

    def __init__(self, pool: MaxPool2d) -> None:
        self.pool = pool

    def forward(self, gy: np.ndarray) -> np.ndarray:
        index = self.pool.index
        x = self.pool.inputs[0].data
        gy = _laid_out_like(gy, index)
        return _scatter(self.pool.win, x, gy, lambda o, out: np.multiply(gy, index == o, out=out))

    def backward(self, ggx: Variable) -> Variable:
        return MaxPoolGather(self.pool)(ggx)


class MaxPoolGather(Function):
    """The adjoint of MaxPoolScatter: each window takes the input's value at that window's maximum."""

    symbol = "max_pool_gather"

    def __init__(self, pool: MaxPool2d) -> None:
        self.pool = pool

    def forward(self, gx: np.ndarray) -> np.ndarray:
        index = self.pool.index
        win = self.pool.win
        oh, ow = index.shape[2:]
        source = _padded(gx, win, 0)
        gy = np.zeros(index.shape, gx.dtype)
        for o, i, j in _offsets(win):
            gy += win.offset(source, i, j, oh, ow) * (index == o)
        return gy

    def backward(self, ggy: Variable) -> Variable:
        return MaxPoolScatter(self.pool)(ggy)


class AvgPool2d(Function):
    """y[n, c, i, j] = mean of x over the window at (i·sh − ph, j·sw − pw), zero padding included."""

    symbol = "avg_pool"

    def __init__(self, win: Window) -> None:
        self.win = win

    def forward(self, x: np.ndarray) -> np.ndarray:
        oh, ow = self.win.out_size(x.shape)
        source = _padded(x, self.win, 0)
        views = (self.win.offset(source, i, j, oh, ow) for _, i, j in _offsets(self.win))
        y = np.array(next(views))
        for view in views:
            y += view
        y *= 1 / (self.win.kh * self.win.kw)
        return y

    def backward(self, gy: Variable) -> Variable:
        return AvgPoolScatter(self.win, self.inputs[0].data)(gy)


class AvgPoolScatter(Function):
    """Average pooling's gradient: each window's gradient spread evenly over the window."""

    symbol = "avg_pool_grad"

    def __init__(self, win: Window, x: np.ndarray) -> None:
        self.win = win
        self.x = x

    def forward(self, gy: np.ndarray) -> np.ndarray:
        share = 1 / (self.win.kh * self.win.kw)
        return _scatter(self.win, self.x, gy, lambda _, out: np.multiply(gy, share, out=out))

    def backward(self, ggx: Variable) -> Variable:
        return AvgPool2d(self.win)(ggx)


def _window(op: str, kernel_size: Any, stride: Any, pad: Any) -> Window:
    win = Window(op, kernel_size, kernel_size if stride is None else stride, pad)
    if 2 * win.ph > win.kh or 2 * win.pw > win.kw:
        raise ValueError(f"{op}: pad {pad!r} must be at most half the kernel size {(win.kh, win.kw)}")
    return win


def max_pool2d(x: Any, kernel_size: Any, stride: Any = None, pad: Any = 0) -> Variable:
    """y[n, c, i, j] = max_{kh, kw} x_padded[n, c, i·s + kh, j·s + kw]; stride defaults to kernel_size"""
    return MaxPool2d(_window("max_pool2d", kernel_size, stride, pad))(x)


def avg_pool2d(x: Any, kernel_size: Any, stride: Any = None, pad: Any = 0) -> Variable:
    """y[n, c, i, j] = mean_{kh, kw} x_padded[n, c, i·s + kh, j·s + kw], zeros padded; stride defaults to kernel_size"""
    return AvgPool2d(_window("avg_pool2d", kernel_size, stride, pad))(x)
