"""Learning-rate schedules: each sets `optimizer.lr` from the initial lr and a step counter.

Every schedule is a closed form of the step count (`last_epoch`), so a schedule can be
resumed from its `state_dict()` exactly. Constructing one sets the lr for step 0 at once
(as in PyTorch: LinearLR starts at start_factor * lr); call `step()` after each epoch (or
iteration, whatever unit the schedule's lengths are counted in).
"""

from __future__ import annotations

import math
from typing import Any

from optim.optimizer import Optimizer, check_range

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LinearLR", "StepLR"]


def _count(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return value


def _real(owner: str, name: str, value: Any, high: float | None = None) -> float:
    check_range(owner, name, value, 0.0, high)
    return float(value)


class LRScheduler:
    """Base class: subclasses give `lr_at(epoch)` from `self.base_lr`."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError(f"{type(self).__name__}.lr_at is not implemented")

    def step(self) -> None:
        """Advance one step and set the optimizer's lr for it."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        """The lr this schedule set last."""
        return self.lr_at(self.last_epoch)

    def _settings(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def _validate(**settings: Any) -> dict[str, Any]:
        """The schedule's settings checked (ValueError/TypeError naming the schedule) and normalised."""
        return settings

    def state_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "base_lr": self.base_lr, "last_epoch": self.last_epoch, **self._settings()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore base_lr, last_epoch and the schedule's settings, and set the optimizer's lr to match."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            got = type(state_dict).__name__
            raise TypeError(f"{name}.load_state_dict: expected the dict of state_dict(), got {got}")
        if state_dict.get("type") != name:
            raise ValueError(f"{name}.load_state_dict: the state was saved by {state_dict.get('type')!r}, not {name!r}")
        expected = {"type", "base_lr", "last_epoch", *self._settings()}
        if set(state_dict) != expected:
            raise ValueError(f"{name}.load_state_dict: keys {sorted(state_dict)} do not match {sorted(expected)}")
        last_epoch = state_dict["last_epoch"]
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < 0:
            raise ValueError(f"{name}.load_state_dict: last_epoch must be a non-negative int, got {last_epoch!r}")
        check_range(name, "base_lr", state_dict["base_lr"], 0.0)
        settings = self._validate(**{key: state_dict[key] for key in self._settings()})
        self.base_lr, self.last_epoch = float(state_dict["base_lr"]), last_epoch
        for key, value in settings.items():
            setattr(self, key, value)
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def __repr__(self) -> str:
        settings = "".join(f", {k}={v!r}" for k, v in self._settings().items())
        return f"{type(self).__name__}(base_lr={self.base_lr}{settings}, last_epoch={self.last_epoch})"


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        settings = self._validate(step_size=step_size, gamma=gamma)
        self.step_size, self.gamma = settings["step_size"], settings["gamma"]
        super().__init__(optimizer)

    @staticmethod
    def _validate(step_size: Any, gamma: Any) -> dict[str, Any]:
        return {"step_size": _count("StepLR", "step_size", step_size), "gamma": _real("StepLR", "gamma", gamma)}

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)

    def _settings(self) -> dict[str, Any]:
        return {"step_size": self.step_size, "gamma": self.gamma}


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = self._validate(gamma)["gamma"]
        super().__init__(optimizer)

    @staticmethod
    def _validate(gamma: Any) -> dict[str, Any]:
        return {"gamma": _real("ExponentialLR", "gamma", gamma)}

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch

    def _settings(self) -> dict[str, Any]:
        return {"gamma": self.gamma}


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.

    Past T_max the cosine carries on (back up towards base_lr), as PyTorch's closed form does.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        settings = self._validate(T_max=T_max, eta_min=eta_min)
        self.T_max, self.eta_min = settings["T_max"], settings["eta_min"]
        super().__init__(optimizer)

    @staticmethod
    def _validate(T_max: Any, eta_min: Any) -> dict[str, Any]:
        name = "CosineAnnealingLR"
        return {"T_max": _count(name, "T_max", T_max), "eta_min": _real(name, "eta_min", eta_min)}

    def lr_at(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2

    def _settings(self) -> dict[str, Any]:
        return {"T_max": self.T_max, "eta_min": self.eta_min}


class LinearLR(LRScheduler):
    """Linear warm-up: the factor on base_lr goes from start_factor to end_factor over total_iters steps, then stays."""

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0, total_iters: int = 5
    ) -> None:
        settings = self._validate(start_factor=start_factor, end_factor=end_factor, total_iters=total_iters)
        self.start_factor, self.end_factor = settings["start_factor"], settings["end_factor"]
        self.total_iters = settings["total_iters"]
        super().__init__(optimizer)

    @staticmethod
    def _validate(start_factor: Any, end_factor: Any, total_iters: Any) -> dict[str, Any]:
        return {
            "start_factor": _real("LinearLR", "start_factor", start_factor, 1.0),
            "end_factor": _real("LinearLR", "end_factor", end_factor, 1.0),
            "total_iters": _count("LinearLR", "total_iters", total_iters),
        }

    def lr_at(self, epoch: int) -> float:
        done = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * done)

    def _settings(self) -> dict[str, Any]:
        return {"start_factor": self.start_factor, "end_factor": self.end_factor, "total_iters": self.total_iters}
