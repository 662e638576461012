"""Pooling over 2-D windows (NCHW): max_pool2d and avg_pool2d; output sizes use floor.

Both loop over the KH·KW kernel offsets, each step one vectorised op over strided views of the
whole batch. The strided views beat reshaping to (N, C, H/k, k, W/k, k) and reducing, which NumPy
does slowly over two small axes. When the windows tile the input exactly, the gradient is written
straight into an uninitialised array with one assignment per offset, with no padding and no sums.
Every array keeps the memory layout of the input (conv2d hands over channel-last views): elementwise
loops over operands laid out differently run several times slower than over aligned ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd.core import Function, Variable
from autograd.functions._window import Layout, Window, axis_order, new_array, padded
from autograd.threads import SPLIT_ELEMENTS, batch_parts, map_parts

__all__ = ["avg_pool2d", "max_pool2d"]

def _check_float(op: str, x: np.ndarray) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got dtype {x.dtype} (shape {x.shape})")


def _laid_out_like(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    """a, copied into the memory layout of `like` (same shape) unless it has it already."""
    if a.strides == tuple(s // like.itemsize * a.itemsize for s in like.strides):
        return a
    aligned = np.empty_like(like, dtype=a.dtype)
    aligned[...] = a
    return aligned


def _offsets(win: Window) -> Iterator[tuple[int, int, int]]:
    for i in range(win.kh):
        for j in range(win.kw):
            yield i * win.kw + j, i, j


def _views(source: np.ndarray, win: Window, oh: int, ow: int) -> list[np.ndarray]:
    """The (N, C, OH, OW) views of the (padded) input at each kernel offset, in offset order."""
    return [win.offset(source, i, j, oh, ow) for _, i, j in _offsets(win)]


def _scatter(
    win: Window,
    shape: tuple[int, ...],
    layout: Layout,
    like: np.ndarray,
    fill: Callable[[int, slice, np.ndarray], Any],
) -> np.ndarray:
    """An input-shaped array laid out as `layout`: Σ over kernel offsets o of fill's values at o.

    fill(o, images, out) writes offset o's (N, C, OH, OW) values for those images of the batch, shaped
    and typed like like[images], into out. Large batches are split across zerograd's threads.
    """
    oh, ow = like.shape[2:]
    parts = batch_parts(shape[0], like.size >= SPLIT_ELEMENTS)
    if win.tiles(shape):
        gx = new_array(shape, like.dtype, layout)

        def tiled(images: slice) -> None:
            for o, i, j in _offsets(win):
                fill(o, images, win.offset(gx[images], i, j, oh, ow))

        map_parts(tiled, parts)
        return gx
    n, c, h, w = shape
    buffer = new_array((n, c, h + 2 * win.ph, w + 2 * win.pw), like.dtype, layout, np.zeros)

    def summed(images: slice) -> None:
        values = np.empty_like(like[images])
        for o, i, j in _offsets(win):
            fill(o, images, values)
            view = win.offset(buffer[images], i, j, oh, ow)
            view += values

    map_parts(summed, parts)
    return buffer[:, :, win.ph : win.ph + h, win.pw : win.pw + w]


def _window_max(views: list[np.ndarray], y: np.ndarray, index: np.ndarray | None, nan: bool = False) -> None:
    """Writes the max over the offset views into y and, given `index`, the offset of each window's winner.

    The winner is the first maximum; with `nan` (some window holds a NaN) a NaN beats every number
    and a later NaN an earlier one, as in PyTorch.
    """
    y[...] = views[0]
    if index is not None:
        index[...] = 0
    for o, view in enumerate(views[1:], 1):
        if index is not None:
            better = view > y
            if nan:
                better |= np.isnan(view)
            # Unsigned wrap-around makes index + better·(o − index) equal o where better: a masked
            # assignment without NumPy's slow masked assignment. Strictly greater keeps the first.
            index += better * (o - index)
        np.maximum(y, view, out=y)


class WindowArgmax:
    """Where each window's maximum is: made by max_pool2d's forward, shared by its gradient ops.

    `index[n, c, i, j]` is the kernel offset o = kh·KW + kw of the element of window (i, j) that
    gets its gradient; `shape` and `layout` are the input's.
    """

    __slots__ = ("index", "layout", "shape", "win")

    def __init__(self, win: Window, shape: tuple[int, ...], layout: Layout, index: np.ndarray) -> None:
        self.win = win
        self.shape = shape
        self.layout = layout
        self.index = index

    def scatter(self, gy: np.ndarray) -> np.ndarray:
        """gx: each window's gradient gy[n, c, i, j] added to the element that was its maximum."""
        index = self.index
        gy = _laid_out_like(gy, index)
        return _scatter(
            self.win, self.shape, self.layout, gy, lambda o, part, out: np.multiply(gy[part], index[part] == o, out=out)
        )

    def gather(self, gx: np.ndarray) -> np.ndarray:
        """gy[n, c, i, j] = gx at window (i, j)'s maximum: the adjoint of scatter."""
        index = self.index
        gy = np.zeros_like(index, dtype=gx.dtype)
        for o, view in enumerate(_views(padded(gx, self.win.ph, self.win.pw), self.win, *index.shape[2:])):
            gy += view * (index == o)
        return gy


class MaxPool2d(Function):
    """y[n, c, i, j] = max over the window at (i·sh − ph, j·sw − pw) of x (padding never wins).

    Each window's gradient goes to one element: its first maximum, or its last NaN if it has one.
    Saves only where each maximum is (WindowArgmax), not x: backward reads no input or output value.
    """

    symbol = "max_pool"
    saved_inputs = ()
    backward_reads_outputs = False

    def __init__(self, win: Window) -> None:
        self.win = win
        self.argmax: WindowArgmax | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_float("max_pool2d", x)
        oh, ow = self.win.out_size(x.shape)
        source = padded(x, self.win.ph, self.win.pw, -np.inf)
        out_shape, layout = (*x.shape[:2], oh, ow), axis_order(x)
        y = new_array(out_shape, x.dtype, layout)
        offsets = self.win.kh * self.win.kw
        index = new_array(out_shape, np.uint8 if offsets <= 256 else np.uint32, layout) if self.needs_grad(0) else None

        def part(images: slice) -> None:
            views = _views(source[images], self.win, oh, ow)
            _window_max(views, y[images], None if index is None else index[images])

        map_parts(part, batch_parts(x.shape[0], x.size >= SPLIT_ELEMENTS))
        if index is not None:
            # NaN compares false, so windows holding one need the slower NaN-aware pass. The sum is
            # NaN when y holds one (or, harmlessly, both infinities).
            if np.isnan(np.sum(y)):
                _window_max(_views(source, self.win, oh, ow), np.empty_like(y), index, nan=True)
            self.argmax = WindowArgmax(self.win, x.shape, layout, index)
        return y

    def backward(self, gy: Variable) -> Variable:
        return MaxPoolScatter(self.argmax)(gy)


class MaxPoolScatter(Function):
    """Max pooling's gradient: each window's gradient goes to the element that was its maximum."""

    symbol = "max_pool_grad"
    saved_inputs = ()

    def __init__(self, argmax: WindowArgmax) -> None:
        self.argmax = argmax

    def forward(self, gy: np.ndarray) -> np.ndarray:
        return self.argmax.scatter(gy)

    def backward(self, ggx: Variable) -> Variable:
        return MaxPoolGather(self.argmax)(ggx)


class MaxPoolGather(Function):
    """The adjoint of MaxPoolScatter: each window takes the input's value at that window's maximum."""

    symbol = "max_pool_gather"
    saved_inputs = ()

    def __init__(self, argmax: WindowArgmax) -> None:
        self.argmax = argmax

    def forward(self, gx: np.ndarray) -> np.ndarray:
        return self.argmax.gather(gx)

    def backward(self, ggy: Variable) -> Variable:
        return MaxPoolScatter(self.argmax)(ggy)


class AvgPool2d(Function):
    """y[n, c, i, j] = mean of x over the window at (i·sh − ph, j·sw − pw), zero padding included.

    Saves x's shape and memory layout, not x: backward reads no input or output value.
    """

    symbol = "avg_pool"
    saved_inputs = ()
    backward_reads_outputs = False

    def __init__(self, win: Window) -> None:
        self.win = win

    def forward(self, x: np.ndarray) -> np.ndarray:
        _check_float("avg_pool2d", x)
        oh, ow = self.win.out_size(x.shape)  # checks x is 4-D before padding it
        self.shape, self.layout = x.shape, axis_order(x)
        views = _views(padded(x, self.win.ph, self.win.pw), self.win, oh, ow)
        y = np.array(views[0])
        for view in views[1:]:
            y += view
        y *= 1 / (self.win.kh * self.win.kw)
        return y

    def backward(self, gy: Variable) -> Variable:
        return AvgPoolScatter(self.win, self.shape, self.layout)(gy)


class AvgPoolScatter(Function):
    """Average pooling's gradient: each window's gradient spread evenly over the window."""

    symbol = "avg_pool_grad"
    saved_inputs = ()

    def __init__(self, win: Window, shape: tuple[int, ...], layout: Layout) -> None:
        self.win = win
        self.shape = shape
        self.layout = layout

    def forward(self, gy: np.ndarray) -> np.ndarray:
        share = 1 / (self.win.kh * self.win.kw)
        return _scatter(
            self.win, self.shape, self.layout, gy, lambda _, part, out: np.multiply(gy[part], share, out=out)
        )

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
