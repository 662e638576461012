"""Stochastic gradient descent, with optional (Nesterov) momentum and L2 weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Variable
from optim.optimizer import Optimizer, check_range


class SGD(Optimizer):
    """p -= lr * g, or with momentum mu: buf = mu * buf + g (buf = g at the first step), p -= lr * buf.

    The momentum form is PyTorch's. The textbook writes v = mu * v - lr * g; p += v, which gives the
    same trajectory while lr is constant (v = -lr * buf) but not after a scheduler changes lr: here a
    new lr applies to the whole accumulated buffer at once. With nesterov=True the step uses
    g + mu * buf instead of buf. weight_decay adds weight_decay * p to the gradient (L2).
    """

    def __init__(
        self,
        params: Iterable[Variable],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        hyperparams = {
            "lr": lr,
            "momentum": momentum,
            "nesterov": bool(nesterov),
            "weight_decay": weight_decay,
        }
        super().__init__(params, hyperparams)

    def _check(self, h: dict[str, Any]) -> None:
        super()._check(h)
        check_range("SGD", "momentum", h["momentum"], 0.0)
        check_range("SGD", "weight_decay", h["weight_decay"], 0.0)
        if h["nesterov"] and h["momentum"] <= 0:
            raise ValueError(f"SGD: nesterov=True needs momentum > 0, got momentum={h['momentum']}")

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                # np.array, not g.copy(): arithmetic on a 0-d array gives a NumPy scalar, not an array
                buf = state["momentum_buffer"] = np.array(g, dtype=p.dtype)
            else:
                buf *= self.momentum
                buf += g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g
