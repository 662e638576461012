"""Convolution through im2col (NCHW): im2col, col2im, conv2d, conv_transpose2d.

conv2d is one GEMM of the window matrix with the weights. Its backward is built from the two other
members of the family, conv_transpose2d (the input gradient) and a weight-gradient op, each of which
differentiates into the others, so gradients of gradients come for free.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.core import Function, Variable, as_variable
from autograd.functions._common import int_tuple
from autograd.functions._window import (
    CHANNELS_LAST,
    Window,
    add_windows,
    channels_last_padded,
    check_4d,
    new_array,
    padded,
    pair,
    windows,
)
from autograd.functions.shape import broadcast_to, reshape
from autograd.threads import batch_parts, map_parts

__all__ = ["col2im", "conv2d", "conv_transpose2d", "im2col"]


class Im2col(Function):
    """col[(n, oh, ow), (c, kh, kw)] = x_padded[n, c, oh·sh + kh, ow·sw + kw] (the textbook's layout)."""

    symbol = "im2col"
    saved_inputs = ()
    returns_view = True

    def __init__(self, win: Window) -> None:
        self.win = win

    def forward(self, x: np.ndarray) -> np.ndarray:
        oh, ow = self.win.out_size(x.shape)
        n, c = x.shape[:2]
        view = windows(channels_last_padded(x, self.win.ph, self.win.pw), self.win, oh, ow)
        return view.transpose(0, 1, 2, 5, 3, 4).reshape(n * oh * ow, c * self.win.kh * self.win.kw)

    def backward(self, gy: Variable) -> Variable:
        return Col2im(self.win, self.inputs[0].shape)(gy)


class Col2im(Function):
    """The adjoint of im2col: every column entry is added back to the input pixel it was read from."""

    symbol = "col2im"
    saved_inputs = ()

    def __init__(self, win: Window, shape: tuple[int, ...]) -> None:
        self.win = win
        self.shape = tuple(int(s) for s in shape)

    def forward(self, col: np.ndarray) -> np.ndarray:
        oh, ow = self.win.out_size(self.shape)
        n, c = self.shape[:2]
        kh, kw = self.win.kh, self.win.kw
        expected = (n * oh * ow, c * kh * kw)
        if col.shape != expected:
            raise ValueError(
                f"col2im: col of shape {col.shape} does not match input_shape {self.shape} with kernel "
                f"{kh}×{kw}; expected {expected}"
            )
        patches = col.reshape(n, oh, ow, c, kh, kw).transpose(4, 5, 0, 1, 2, 3)
        return add_windows(patches, self.win, self.shape)

    def backward(self, gy: Variable) -> Variable:
        return Im2col(self.win)(gy)


def _conv_shapes(op: str, x: np.ndarray, W: np.ndarray, b: np.ndarray | None, in_axis: int) -> None:
    """Check that x is NCHW, W is 4-D with x's channels on `in_axis`, and b has W's other channel count."""
    check_4d(op, "x", x.shape)
    check_4d(op, "W", W.shape)
    if 0 in W.shape:
        raise ValueError(f"{op}: W of shape {W.shape} is empty (no channels or no kernel)")
    if x.shape[1] != W.shape[in_axis]:
        raise ValueError(
            f"{op}: x of shape {x.shape} has {x.shape[1]} channels but W of shape {W.shape} expects "
            f"{W.shape[in_axis]}"
        )
    out_channels = W.shape[1 - in_axis]
    if b is not None and b.shape != (out_channels,):
        raise ValueError(f"{op}: b of shape {b.shape} does not match the {out_channels} output channels of W {W.shape}")


# The window matrix is built and multiplied in blocks of whole images of about this many bytes, so
# each block is still in cache when its GEMM reads it: 1.3–2× faster than building the whole matrix
# first for DeepConvNet's convolutions (single thread, measured), and the whole matrix (45 MB for
# DeepConvNet's second layer at batch 100) is never held.
_BLOCK_BYTES = 3 << 19

# With few channels a window row is a handful of scattered numbers, and gathering them row by row
# runs ~4× slower than copying, per kernel offset and channel, whole shifted images.
_FEW_CHANNELS = 4


def _window_blocks(x: np.ndarray, win: Window, oh: int, ow: int) -> Iterator[tuple[slice, np.ndarray]]:
    """The window matrix of x — a row (n, oh, ow) per window, columns (kh, kw, c) — in blocks of images.

    Yields (rows, block) pairs, block being those rows of the matrix. One buffer holds every block in
    turn: a block is valid until the next one is asked for. The column order is channel-last (unlike
    im2col's) so that with many channels each window row is KH runs of KW·C contiguous numbers.
    """
    n, c = x.shape[:2]
    width = win.kh * win.kw * c
    few = c <= _FEW_CHANNELS
    # Per-offset copies of whole images stream well without blocks, and each block would repeat them.
    # At least one image per block, so empty batches and empty windows still make a valid range step.
    images = max(1, n if few else min(n, _BLOCK_BYTES // max(1, oh * ow * width * x.itemsize)))
    buffer = np.empty(images * oh * ow * width, x.dtype)
    source = padded(x, win.ph, win.pw) if few else windows(channels_last_padded(x, win.ph, win.pw), win, oh, ow)
    for start in range(0, n, images):
        stop = min(n, start + images)
        rows = (stop - start) * oh * ow
        if few:
            # Built transposed, one contiguous copy per (kh, kw, c) row; GEMMs read the transpose view as is.
            colt = buffer[: rows * width].reshape(width, stop - start, oh, ow)
            for i in range(win.kh):
                for j in range(win.kw):
                    k = (i * win.kw + j) * c
                    colt[k : k + c] = win.offset(source[start:stop], i, j, oh, ow).transpose(1, 0, 2, 3)
            block = colt.reshape(width, rows).T
        else:
            block = buffer[: rows * width].reshape(rows, width)
            np.copyto(block.reshape(source[start:stop].shape), source[start:stop])
        yield slice(start * oh * ow, stop * oh * ow), block


def _conv(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, win: Window, oh: int, ow: int) -> np.ndarray:
    """conv2d as GEMMs of window-matrix blocks with the weights: the output as rows (n, oh, ow) by channels.

    The batch is split across threads (_parallel), each part writing its own rows of the output.
    """
    # The weights are permuted to the matrix's (kh, kw, c) column order, not the matrix to theirs.
    weights = W.transpose(2, 3, 1, 0).reshape(-1, W.shape[0])
    y = np.empty((x.shape[0] * oh * ow, W.shape[0]), np.result_type(x, W, *(() if b is None else (b,))))

    def part(images: slice) -> None:
        y_part = y[images.start * oh * ow : images.stop * oh * ow]
        for rows, block in _window_blocks(x[images], win, oh, ow):
            out = y_part[rows]
            np.matmul(block, weights, out=out)
            if b is not None:
                out += b  # while the block's output is still in cache

    map_parts(part, batch_parts(x.shape[0]))
    return y


class Conv2d(Function):
    """y[n, o, i, j] = Σ_{c, kh, kw} W[o, c, kh, kw] · x_padded[n, c, i·sh + kh, j·sw + kw] + b[o].

    The window matrix is not kept for backward, which builds it again from x: keeping it costs more
    memory than the layer's output (+56 MB at the peak of a DeepConvNet step at batch 100) and saved
    no measurable time (benchmarks/conv.py).
    """

    symbol = "conv2d"
    saved_inputs = (0, 1)
    backward_reads_outputs = False

    def __init__(self, win: Window) -> None:
        self.win = win

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        _conv_shapes("conv2d", x, W, b, 1)
        oh, ow = self.win.out_size(x.shape)
        y = _conv(x, W, b, self.win, oh, ow)
        return y.reshape(x.shape[0], oh, ow, W.shape[0]).transpose(0, 3, 1, 2)

    def backward(self, gy: Variable) -> tuple[Variable | None, ...]:
        x, W = self.inputs[0], self.inputs[1]
        # The weight gradient first, so its window matrix is freed before the input gradient builds one.
        gw = Conv2dGradW(self.win, len(self.inputs) == 3)(x, gy)
        gx = ConvTranspose2d(self.win, x.shape[2:])(gy, W) if self.needs_grad(0) else None
        return (gx, gw) if len(self.inputs) == 2 else (gx, *gw)


class Conv2dGradW(Function):
    """conv2d's weight gradient: gW[o, c, kh, kw] = Σ_{n,i,j} gy[n, o, i, j] · x_padded[n, c, i·sh + kh, j·sw + kw].

    With `bias`, also the bias gradient gb[o] = Σ_{n,i,j} gy[n, o, i, j] as a second output.
    """

    symbol = "conv2d_grad_W"

    def __init__(self, win: Window, bias: bool) -> None:
        self.win = win
        self.bias = bias

    def forward(self, x: np.ndarray, gy: np.ndarray) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        oh, ow = self.win.out_size(x.shape)
        n, c = x.shape[:2]
        out_channels = gy.shape[1]
        if gy.shape != (n, out_channels, oh, ow):
            raise ValueError(f"conv2d_grad_W: gy of shape {gy.shape} does not fit x of shape {x.shape}")
        g = gy.transpose(0, 2, 3, 1).reshape(n * oh * ow, out_channels)
        width = self.win.kh * self.win.kw * c
        # Both products are Σ over the rows; OpenBLAS runs it faster (up to 1.5×, measured) with the
        # longer of the two short sides as the result's rows.
        tall = width > out_channels

        def part(images: slice) -> tuple[np.ndarray, np.ndarray | None]:
            gw = np.zeros((width, out_channels) if tall else (out_channels, width), np.result_type(x, gy))
            g_part = g[images.start * oh * ow : images.stop * oh * ow]
            for rows, block in _window_blocks(x[images], self.win, oh, ow):
                gw += block.T @ g_part[rows] if tall else g_part[rows].T @ block
            return gw, _column_sums(g_part) if self.bias else None

        # Each thread sums over its part of the batch; the parts' sums are added in a fixed order.
        sums = map_parts(part, batch_parts(n))
        gw = sum(gw for gw, _ in sums)
        gw_nchw = (gw.T if tall else gw).reshape(out_channels, self.win.kh, self.win.kw, c).transpose(0, 3, 1, 2)
        if not self.bias:
            return np.ascontiguousarray(gw_nchw)
        return np.ascontiguousarray(gw_nchw), sum(gb for _, gb in sums)

    def backward(self, ggw: Variable, ggb: Variable | None = None) -> tuple[Variable, Variable]:
        x, gy = self.inputs
        gx = ConvTranspose2d(self.win, x.shape[2:])(gy, ggw)
        return gx, Conv2d(self.win)(x, ggw) if ggb is None else Conv2d(self.win)(x, ggw, ggb)


def _column_sums(rows: np.ndarray) -> np.ndarray:
    # A matrix-vector product: NumPy sums a (rows, channels) matrix down its columns several times slower.
    return np.ones(rows.shape[0], rows.dtype) @ rows


class ChannelSum(Function):
    """gb[o] = Σ_{n, i, j} gy[n, o, i, j]: the bias gradient of conv_transpose2d."""

    symbol = "Σ per channel"
    saved_inputs = ()

    def forward(self, gy: np.ndarray) -> np.ndarray:
        return _column_sums(gy.transpose(0, 2, 3, 1).reshape(-1, gy.shape[1]))

    def backward(self, ggb: Variable) -> Variable:
        return broadcast_to(reshape(ggb, (1, -1, 1, 1)), self.inputs[0].shape)


class ConvTranspose2d(Function):
    """The adjoint of conv2d: y[n, o, i·sh + kh − ph, j·sw + kw − pw] += Σ_c x[n, c, i, j] · W[c, o, kh, kw]."""

    symbol = "conv_transpose2d"
    saved_inputs = (0, 1)
    backward_reads_outputs = False

    def __init__(
        self,
        win: Window,
        out_hw: tuple[int, int] | None = None,
        output_padding: tuple[int, int] = (0, 0),
    ) -> None:
        self.win = win
        self.out_hw = out_hw
        self.output_padding = output_padding

    def output_size(self, x_shape: tuple[int, ...]) -> tuple[int, int]:
        win = self.win
        if self.out_hw is not None:
            return int(self.out_hw[0]), int(self.out_hw[1])
        if x_shape[2] == 0 or x_shape[3] == 0:
            # (0 − 1)·s + K would be a made-up size, and the backward's conv2d could not fit the kernel.
            raise ValueError(f"conv_transpose2d: input of shape {x_shape} has no height or width")
        oh = (x_shape[2] - 1) * win.sh - 2 * win.ph + win.kh + self.output_padding[0]
        ow = (x_shape[3] - 1) * win.sw - 2 * win.pw + win.kw + self.output_padding[1]
        if oh < 1 or ow < 1:
            raise ValueError(
                f"conv_transpose2d: input of shape {x_shape} with kernel {win.kh}×{win.kw}, stride "
                f"{(win.sh, win.sw)} and pad {(win.ph, win.pw)} gives an empty output {oh}×{ow}"
            )
        return oh, ow

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        _conv_shapes("conv_transpose2d", x, W, b, 0)
        n, in_channels, h, w = x.shape
        out_channels, kh, kw = W.shape[1:]
        oh, ow = self.output_size(x.shape)
        win = self.win
        if (win.sh, win.sw) == (1, 1) and win.ph < kh and win.pw < kw and in_channels <= out_channels:
            # At stride 1 the adjoint is a convolution too: of x padded by K − 1 − p, with the kernel
            # flipped and its channel axes swapped. Its window matrix is no bigger than the patches below
            # when in_channels <= out_channels, and one large GEMM beats KH·KW thin ones.
            flipped = Window("conv_transpose2d", (kh, kw), 1, (kh - 1 - win.ph, kw - 1 - win.pw))
            y = _conv(x, W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3), b, flipped, oh, ow)
            return y.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)
        y = new_array((n, out_channels, oh, ow), np.result_type(x, W), CHANNELS_LAST)
        wt = W.transpose(2, 3, 0, 1).reshape(kh * kw, in_channels, out_channels)

        def part(images: slice) -> None:
            m = images.stop - images.start
            xs = x[images].transpose(0, 2, 3, 1).reshape(m * h * w, in_channels)
            if out_channels == 1:
                # One GEMM: the batched form below would multiply by KH·KW single columns.
                patches = (W.reshape(in_channels, kh * kw).T @ xs.T).reshape(kh, kw, m, h, w, 1)
            else:
                # Batched over kernel offsets so each offset's patch is contiguous for its slice-add.
                patches = np.matmul(xs, wt).reshape(kh, kw, m, h, w, out_channels)
            y[images] = add_windows(patches, win, (m, out_channels, oh, ow))

        map_parts(part, batch_parts(n))
        if b is not None:
            if np.result_type(y, b) != y.dtype:
                return y + b[:, None, None]
            y += b[:, None, None]
        return y

    def backward(self, gy: Variable) -> tuple[Variable, ...]:
        x, W = self.inputs[0], self.inputs[1]
        gx = Conv2d(self.win)(gy, W) if self.needs_grad(0) else None
        gW = Conv2dGradW(self.win, False)(gy, x)
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, ChannelSum()(gy)


def _kernel_size(op: str, W: Any) -> tuple[int, int]:
    shape = as_variable(W).shape
    check_4d(op, "W", shape)
    return shape[2], shape[3]


def im2col(x: Any, kernel_size: Any, stride: Any = 1, pad: Any = 0) -> Variable:
    """col[(n, oh, ow), (c, kh, kw)] = x_padded[n, c, oh·sh + kh, ow·sw + kw], shape (N·OH·OW, C·KH·KW)"""
    return Im2col(Window("im2col", kernel_size, stride, pad))(x)


def col2im(col: Any, input_shape: Any, kernel_size: Any, stride: Any = 1, pad: Any = 0) -> Variable:
    """x[n, c, h, w] = Σ of the entries col[(n, oh, ow), (c, kh, kw)] read from (h, w): the adjoint of im2col"""
    shape = int_tuple("col2im", "input_shape", input_shape)
    check_4d("col2im", "input_shape", shape)
    if min(shape) < 0:
        raise ValueError(f"col2im: input_shape {shape} has a negative size")
    return Col2im(Window("col2im", kernel_size, stride, pad), shape)(col)


def conv2d(x: Any, W: Any, b: Any = None, stride: Any = 1, pad: Any = 0) -> Variable:
    """y[n, o, i, j] = Σ_{c, kh, kw} W[o, c, kh, kw] · x_padded[n, c, i·s + kh, j·s + kw] + b[o], W (OC, C, KH, KW)

    An x that needs no gradient (an ndarray, or a Variable with requires_grad False) gets none computed.
    """
    win = Window("conv2d", _kernel_size("conv2d", W), stride, pad)
    f = Conv2d(win)
    return f(x, W) if b is None else f(x, W, b)


def conv_transpose2d(
    x: Any, W: Any, b: Any = None, stride: Any = 1, pad: Any = 0, output_padding: Any = 0
) -> Variable:
    """y[n, o, i·s + kh − p, j·s + kw − p] += Σ_c x[n, c, i, j] · W[c, o, kh, kw] + b[o], W (C, OC, KH, KW)

    The adjoint of conv2d (a "deconvolution", which decoders use to upsample). output_padding (less
    than stride) adds rows/columns at the bottom/right, to reach the input sizes that conv2d's floor
    division maps to the same output size. As for conv2d, no gradient is computed for an ndarray x.
    """
    win = Window("conv_transpose2d", _kernel_size("conv_transpose2d", W), stride, pad)
    extra = pair("conv_transpose2d", "output_padding", output_padding, 0)
    if extra[0] >= win.sh or extra[1] >= win.sw:
        raise ValueError(
            f"conv_transpose2d: output_padding {output_padding!r} must be smaller than stride {(win.sh, win.sw)}"
        )
    f = ConvTranspose2d(win, None, extra)
    return f(x, W) if b is None else f(x, W, b)
