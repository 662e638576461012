"""Per-coordinate adaptive step sizes: Adagrad, RMSprop and Adadelta (PyTorch's update rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Variable
from optim.optimizer import Optimizer, check_range, zeros_state


class Adagrad(Optimizer):
    """sum += g²; p -= lr * g / (sqrt(sum) + eps). weight_decay adds weight_decay * p to g first."""

    def __init__(
        self, params: Iterable[Variable], lr: float = 1e-2, weight_decay: float = 0.0, eps: float = 1e-10
    ) -> None:
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay, "eps": eps})

    def _check(self, h: dict[str, Any]) -> None:
        super()._check(h)
        check_range("Adagrad", "weight_decay", h["weight_decay"], 0.0)
        check_range("Adagrad", "eps", h["eps"], 0.0)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        total = zeros_state(state, "sum", p)
        total += g * g
        denom = np.sqrt(total)
        denom += self.eps
        step = g / denom
        step *= self.lr
        p -= step


class RMSprop(Optimizer):
    """sq = alpha * sq + (1 - alpha) * g²; p -= lr * g / (sqrt(sq) + eps).

    centered=True also tracks avg = alpha * avg + (1 - alpha) * g and divides by
    sqrt(sq - avg²) + eps (sq - avg² is clipped at 0: rounding can make it slightly negative when
    the gradient barely changes). With momentum mu: buf = mu * buf + g / denom; p -= lr * buf.
    """

    def __init__(
        self,
        params: Iterable[Variable],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(
            params,
            {
                "lr": lr,
                "alpha": alpha,
                "eps": eps,
                "weight_decay": weight_decay,
                "momentum": momentum,
                "centered": bool(centered),
            },
        )

    def _check(self, h: dict[str, Any]) -> None:
        super()._check(h)
        check_range("RMSprop", "alpha", h["alpha"], 0.0, 1.0)
        check_range("RMSprop", "eps", h["eps"], 0.0)
        check_range("RMSprop", "weight_decay", h["weight_decay"], 0.0)
        check_range("RMSprop", "momentum", h["momentum"], 0.0)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        sq = zeros_state(state, "square_avg", p)
        sq *= self.alpha
        sq += (1 - self.alpha) * g * g
        if self.centered:
            avg = zeros_state(state, "grad_avg", p)
            avg *= self.alpha
            avg += (1 - self.alpha) * g
            denom = np.sqrt(np.maximum(sq - avg * avg, 0))
        else:
            denom = np.sqrt(sq)
        denom += self.eps
        step = g / denom
        if self.momentum:
            buf = zeros_state(state, "momentum_buffer", p)
            buf *= self.momentum
            buf += step
            step = buf * self.lr
        else:
            step *= self.lr
        p -= step


class Adadelta(Optimizer):
    """sq = rho * sq + (1 - rho) * g²; d = sqrt(acc + eps) / sqrt(sq + eps) * g;
    acc = rho * acc + (1 - rho) * d²; p -= lr * d."""

    def __init__(
        self,
        params: Iterable[Variable],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        hyperparams = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, hyperparams)

    def _check(self, h: dict[str, Any]) -> None:
        super()._check(h)
        check_range("Adadelta", "rho", h["rho"], 0.0, 1.0)
        check_range("Adadelta", "eps", h["eps"], 0.0)
        check_range("Adadelta", "weight_decay", h["weight_decay"], 0.0)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if not state:
            state["square_avg"] = np.zeros_like(p)
            state["acc_delta"] = np.zeros_like(p)
        sq, acc = state["square_avg"], state["acc_delta"]
        sq *= self.rho
        sq += (1 - self.rho) * g * g
        delta = np.sqrt(acc + self.eps)
        delta /= np.sqrt(sq + self.eps)
        delta *= g
        acc *= self.rho
        acc += (1 - self.rho) * delta * delta
        delta *= self.lr
        p -= delta
