"""Sliding-window geometry shared by convolution and pooling: argument checks, padding, window views.

Convolution works channel-last inside (N, H, W, C) while the public layout stays NCHW: a window of
a channel-last image is KH runs of KW·C contiguous numbers, so gathering windows (im2col) copies long
runs and the GEMM's output (N·OH·OW, OC) is already the next activation, viewed as NCHW for free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided


def pair(op: str, name: str, value: Any, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints as a pair, each at least `minimum`; a clear error otherwise."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values: tuple[Any, ...] = (value, value)
    elif isinstance(value, (tuple, list)):
        values = tuple(value)
    else:
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in values):
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{op}: {name} must be {kind}, got {value!r}")
    return int(values[0]), int(values[1])


class Window:
    """Kernel size, stride and zero padding of a 2-D sliding window (each a (height, width) pair)."""

    __slots__ = ("kh", "kw", "op", "ph", "pw", "sh", "sw")

    def __init__(self, op: str, kernel_size: Any, stride: Any, pad: Any) -> None:
        self.op = op
        self.kh, self.kw = pair(op, "kernel_size", kernel_size, 1)
        self.sh, self.sw = pair(op, "stride", stride, 1)
        self.ph, self.pw = pair(op, "pad", pad, 0)

    def out_size(self, shape: tuple[int, ...]) -> tuple[int, int]:
        """(OH, OW) for an NCHW input of `shape`; an error naming the shapes when the kernel does not fit."""
        check_4d(self.op, "x", shape)
        hp, wp = shape[2] + 2 * self.ph, shape[3] + 2 * self.pw
        if self.kh > hp or self.kw > wp:
            raise ValueError(
                f"{self.op}: kernel {self.kh}×{self.kw} is larger than the padded input {hp}×{wp} "
                f"(input shape {shape}, pad {(self.ph, self.pw)})"
            )
        return (hp - self.kh) // self.sh + 1, (wp - self.kw) // self.sw + 1

    def tiles(self, shape: tuple[int, ...]) -> bool:
        """Whether the windows cover the input exactly once (no padding, no overlap, nothing left over)."""
        return (
            self.ph == self.pw == 0
            and (self.sh, self.sw) == (self.kh, self.kw)
            and shape[2] % self.kh == 0
            and shape[3] % self.kw == 0
        )

    def slices(self, i: int, j: int, oh: int, ow: int) -> tuple[slice, slice]:
        """Rows and columns of the (padded) input seen at kernel offset (i, j) by the OH×OW windows."""
        return slice(i, i + self.sh * (oh - 1) + 1, self.sh), slice(j, j + self.sw * (ow - 1) + 1, self.sw)

    def offset(self, a: np.ndarray, i: int, j: int, oh: int, ow: int) -> np.ndarray:
        """The elements of (padded) NCHW `a` at kernel offset (i, j) of every window: shape (N, C, OH, OW)."""
        rows, cols = self.slices(i, j, oh, ow)
        return a[:, :, rows, cols]


def check_4d(op: str, name: str, shape: tuple[int, ...]) -> None:
    if len(shape) != 4:
        raise ValueError(f"{op}: {name} must be 4-D (N, C, H, W), got shape {shape}")


Layout = tuple[int, ...]
CHANNELS_LAST: Layout = (0, 2, 3, 1)


def axis_order(a: np.ndarray) -> Layout:
    """The axes of `a` from the slowest-varying in memory to the fastest (C order: 0, 1, 2, ...)."""
    return tuple(sorted(range(a.ndim), key=lambda axis: -a.strides[axis]))


def new_array(
    shape: tuple[int, ...], dtype: Any, order: Layout, make: Callable[..., np.ndarray] = np.empty
) -> np.ndarray:
    """An array of `shape` from `make` (np.empty or np.zeros) whose memory runs along the axes in `order`."""
    return make(tuple(shape[axis] for axis in order), dtype).transpose(np.argsort(order))


def padded(x: np.ndarray, ph: int, pw: int, fill: float = 0, order: Layout | None = None) -> np.ndarray:
    """NCHW x inside a border of `fill` (ph rows, pw columns), laid out as `order` (x's own by default).

    Only the border is filled and the inside copied once; x itself when there is no border.
    """
    if ph == pw == 0:
        return x
    n, c, h, w = x.shape
    buffer = new_array((n, c, h + 2 * ph, w + 2 * pw), x.dtype, axis_order(x) if order is None else order)
    buffer[:, :, :ph] = buffer[:, :, ph + h :] = fill
    buffer[:, :, ph : ph + h, :pw] = buffer[:, :, ph : ph + h, pw + w :] = fill
    buffer[:, :, ph : ph + h, pw : pw + w] = x
    return buffer


def channels_last_padded(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """x (N, C, H, W) as an (N, H + 2ph, W + 2pw, C) array, zero padded; a view when no copy is needed."""
    v = x.transpose(0, 2, 3, 1)
    if ph == pw == 0 and (v.flags.c_contiguous or x.shape[1] == 1):
        return v
    if ph == pw == 0:
        return np.ascontiguousarray(v)
    return padded(x, ph, pw, 0, CHANNELS_LAST).transpose(0, 2, 3, 1)


def windows(xh: np.ndarray, win: Window, oh: int, ow: int) -> np.ndarray:
    """Read-only view (N, OH, OW, KH, KW, C) of every window of channel-last `xh` (no copy)."""
    n, _, _, c = xh.shape
    s_n, s_h, s_w, s_c = xh.strides
    return as_strided(
        xh,
        (n, oh, ow, win.kh, win.kw, c),
        (s_n, s_h * win.sh, s_w * win.sw, s_h, s_w, s_c),
        writeable=False,
    )


def add_windows(patches: np.ndarray, win: Window, shape: tuple[int, int, int, int]) -> np.ndarray:
    """The adjoint of `windows`: sum patches (KH, KW, N, OH, OW, C) into an image of NCHW `shape`.

    One slice-add per kernel offset; overlapping windows accumulate, padding is cropped away.
    Returns an NCHW view of a channel-last buffer.
    """
    n, c, h, w = shape
    _, _, _, oh, ow, _ = patches.shape
    buffer = np.zeros((n, h + 2 * win.ph, w + 2 * win.pw, c), patches.dtype)
    for i in range(win.kh):
        for j in range(win.kw):
            rows, cols = win.slices(i, j, oh, ow)
            buffer[:, rows, cols, :] += patches[i, j]
    return buffer[:, win.ph : win.ph + h, win.pw : win.pw + w, :].transpose(0, 3, 1, 2)
