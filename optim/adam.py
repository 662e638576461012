"""Adam (bias-corrected moment estimates, optional AMSGrad) and AdamW (decoupled weight decay)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Variable
from optim.optimizer import Optimizer, check_range, zeros_state


class Adam(Optimizer):
    """m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g²;
    p -= lr * m̂ / (sqrt(v̂) + eps) with m̂ = m / (1 - b1^t), v̂ = v / (1 - b2^t).

    amsgrad=True uses the running maximum of v in place of v. weight_decay adds weight_decay * p
    to g (L2, coupled with the adaptive scaling; AdamW decouples it). The step count t is kept per
    parameter, so a parameter skipped at some step (no gradient) keeps its own bias correction.
    """

    decoupled_weight_decay = False

    def __init__(
        self,
        params: Iterable[Variable],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{type(self).__name__}: betas must be a pair of numbers, got {betas!r}")
        b1, b2 = betas
        super().__init__(
            params,
            {
                "lr": lr,
                "betas": (b1, b2),
                "eps": eps,
                "weight_decay": weight_decay,
                "amsgrad": bool(amsgrad),
            },
        )

    def _check(self, h: dict[str, Any]) -> None:
        super()._check(h)
        name = type(self).__name__
        b1, b2 = h["betas"]
        check_range(name, "betas[0]", b1, 0.0, 1.0, open_high=True)
        check_range(name, "betas[1]", b2, 0.0, 1.0, open_high=True)
        check_range(name, "eps", h["eps"], 0.0)
        check_range(name, "weight_decay", h["weight_decay"], 0.0)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        b1, b2 = self.betas
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
        state["step"] += 1
        t = state["step"]
        if self.weight_decay:
            if self.decoupled_weight_decay:
                p *= 1 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        if self.amsgrad:
            v_max = zeros_state(state, "max_exp_avg_sq", p)
            np.maximum(v_max, v, out=v_max)
            v = v_max
        denom = np.sqrt(v)
        denom /= math.sqrt(1 - b2**t)
        denom += self.eps
        step = m / denom
        step *= self.lr / (1 - b1**t)
        p -= step


class AdamW(Adam):
    """Adam with decoupled weight decay: p *= 1 - lr * weight_decay before the Adam step."""

    decoupled_weight_decay = True

    def __init__(
        self,
        params: Iterable[Variable],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
