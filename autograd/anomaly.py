"""Anomaly mode: every op recorded inside it checks its forward output and backward gradients for NaN or infinity.

Normal mode pays one module-level flag check per op (in `Function.__call__`); only in anomaly mode is the
creation stack of each op recorded and its `forward` / `backward` wrapped with the checks.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd import core

# Frames inside these packages are the library's, not the user's: the error names the innermost frame outside them.
_LIBRARY_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), name) + os.sep
    for name in ("autograd", "nn", "optim")
)


class AnomalyError(FloatingPointError):
    """A NaN or infinity came out of an op in anomaly mode; names the op, the pass, the shapes and the user's line."""


class _InBackward(threading.local):
    depth = 0


# Ops run by a checked backward are part of that backward: a NaN there is reported as the backward's, once.
_in_backward = _InBackward()


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on (for every thread)."""
    return core._anomaly_hook is not None


def set_detect_anomaly(enabled: bool) -> None:
    """Turn anomaly mode on or off for every thread."""
    core._anomaly_hook = watch if enabled else None


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Context manager: anomaly mode inside, the previous mode restored after."""
    previous = core._anomaly_hook
    core._anomaly_hook = watch
    try:
        yield
    finally:
        core._anomaly_hook = previous


def _user_frame(stack: traceback.StackSummary) -> traceback.FrameSummary | None:
    for frame in reversed(stack):
        if not os.path.abspath(frame.filename).startswith(_LIBRARY_DIRS):
            return frame
    return None


def _bad(values: Any) -> int | None:
    """Index of the first array among values holding a NaN or infinity, or None."""
    for i, value in enumerate(values):
        data = value.data if isinstance(value, core.Variable) else value
        if isinstance(data, np.ndarray) and data.dtype.kind in "fc" and not np.isfinite(data).all():
            return i
    return None


def _raise(f: core.Function, stage: str, which: str, shapes: list[tuple[int, ...]], stack: Any) -> None:
    frame = _user_frame(stack)
    where = "an unknown line" if frame is None else f"{frame.filename}:{frame.lineno} ({frame.line})"
    shapes_text = ", ".join(str(s) for s in shapes)
    error = AnomalyError(
        f"{f.name} {stage}: {which} holds NaN or infinity; inputs of shapes {shapes_text}; op created at {where}"
    )
    error.op = f.name
    error.stage = stage
    error.input_shapes = shapes
    error.creation_stack = stack
    raise error


def watch(f: core.Function) -> None:
    """Record f's creation stack and wrap its forward and backward with NaN/infinity checks (anomaly mode only)."""
    if _in_backward.depth:
        return
    stack = traceback.extract_stack()[:-2]  # drop watch and Function.__call__
    forward, backward = f.forward, f.backward
    shapes: list[tuple[int, ...]] = []

    def checked_forward(*xs: np.ndarray) -> Any:
        shapes[:] = [np.shape(x) for x in xs]
        ys = forward(*xs)
        i = _bad(ys if type(ys) is tuple else (ys,))
        if i is not None:
            _raise(f, "forward", f"output {i}", shapes, stack)
        return ys

    def checked_backward(*gys: Any) -> Any:
        _in_backward.depth += 1
        try:
            gxs = backward(*gys)
        finally:
            _in_backward.depth -= 1
        i = _bad(gxs if type(gxs) is tuple else (gxs,))
        if i is not None:
            _raise(f, "backward", f"the gradient of input {i}", shapes, stack)
        return gxs

    f.forward = checked_forward
    f.backward = checked_backward
