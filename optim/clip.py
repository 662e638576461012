"""Gradient clipping by the global L2 norm."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from autograd import Variable
from optim.optimizer import check_range


def clip_grad_norm(params: Iterable[Variable], max_norm: float) -> float:
    """Scale all gradients by min(1, max_norm / (total + 1e-6)), total = ||all grads||₂; return total.

    Parameters without a gradient are ignored. Each scaled gradient is a new Variable, so one the
    caller still holds (from `grad`, a hook, or a graph built with create_graph) is left unchanged.
    The norm is accumulated in float64; the gradients keep their dtype.
    """
    if isinstance(params, Variable):
        params = [params]
    check_range("clip_grad_norm", "max_norm", max_norm, 0.0)
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Variable):
            raise TypeError(f"clip_grad_norm: parameter {i} is a {type(p).__name__}, not a Variable")
    with_grad = [p for p in params if p.grad is not None]
    total = float(np.sqrt(sum(np.square(p.grad.data, dtype=np.float64).sum() for p in with_grad)))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in with_grad:
            p.grad = Variable(p.grad.data * scale)
    return total
