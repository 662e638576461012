"""The Optimizer base class: parameters, gradients, per-parameter state and its (de)serialisation."""

from __future__ import annotations

import numbers
import reprlib
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Variable, increment_version


def zeros_state(state: dict[str, Any], key: str, like: np.ndarray) -> np.ndarray:
    """state[key], created as zeros shaped and typed like the parameter on first use."""
    buffer = state.get(key)
    if buffer is None:
        buffer = state[key] = np.zeros_like(like)
    return buffer


def _as_float(owner: str, name: str, value: Any) -> Any:
    """A numeric hyperparameter as a float (a tuple of them elementwise); a flag (a bool) as it is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, tuple):
        return tuple(_as_float(owner, f"{name}[{i}]", v) for i, v in enumerate(value))
    if isinstance(value, np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {type(value).__name__} {reprlib.repr(value)}")
    return float(value)


def check_range(
    owner: str, name: str, value: Any, low: float, high: float | None = None, *, open_high: bool = False
) -> None:
    """Raise ValueError unless low <= value (< or <=) high; NaN never passes."""
    ok = value >= low if high is None else (low <= value < high if open_high else low <= value <= high)
    if not ok:
        if high is None:
            bound = f">= {low}"
        else:
            bound = f"in [{low}, {high})" if open_high else f"in [{low}, {high}]"
        raise ValueError(f"{owner}: {name} must be {bound}, got {value}")


class Optimizer:
    """Updates parameters (Variables) in place from their `.grad`; subclasses define `_update`.

    Each updated parameter's version goes up, so a graph recorded before `step()` cannot backward any more.

    Hyperparameters are plain attributes (`opt.lr` is what the learning-rate schedulers change).
    `state[i]` holds parameter i's running quantities as ndarrays of that parameter's dtype.
    A parameter whose `.grad` is None is skipped by `step()`, its state left untouched.
    """

    def __init__(self, params: Iterable[Variable], hyperparams: dict[str, Any]) -> None:
        """hyperparams: flags as bools, everything else numbers (checked and made floats here)."""
        name = type(self).__name__
        if isinstance(params, Variable):
            raise TypeError(f"{name}: params must be an iterable of Variables, got one Variable; wrap it in a list")
        if not isinstance(params, Iterable):
            raise TypeError(f"{name}: params must be an iterable of Variables, got {type(params).__name__}")
        hyperparams = {key: _as_float(name, key, value) for key, value in hyperparams.items()}
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list")
        seen = set()
        for i, p in enumerate(params):
            if not isinstance(p, Variable):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Variable")
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: parameter {i} has dtype {p.data.dtype}; only floats can be optimized")
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} appears more than once in the parameter list")
            seen.add(id(p))
        self._check(hyperparams)
        self.params: list[Variable] = params
        self.hyperparam_names = tuple(hyperparams)
        for key, value in hyperparams.items():
            setattr(self, key, value)
        self.state: list[dict[str, Any]] = [{} for _ in params]

    def _check(self, hyperparams: dict[str, Any]) -> None:
        """Raise ValueError for an out-of-range hyperparameter; subclasses extend this."""
        check_range(type(self).__name__, "lr", hyperparams["lr"], 0.0)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        """Update the parameter array p in place from its gradient g (same shape and dtype)."""
        raise NotImplementedError(f"{type(self).__name__}._update is not implemented")

    def zero_grad(self) -> None:
        """Drop every parameter's gradient (sets `.grad` to None, as PyTorch's default)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        work = []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad.data
            if g.shape != p.data.shape:
                raise ValueError(
                    f"{type(self).__name__}.step: parameter {i} has shape {p.data.shape} "
                    f"but its gradient has shape {g.shape}"
                )
            work.append((p, g.astype(p.data.dtype, copy=False), self.state[i]))
        for p, g, state in work:
            increment_version(p)
            self._update(p.data, g, state)

    def state_dict(self) -> dict[str, Any]:
        """A snapshot of hyperparameters and per-parameter state (copies: later steps do not change it)."""
        return {
            "type": type(self).__name__,
            "hyperparams": {key: getattr(self, key) for key in self.hyperparam_names},
            "shapes": [p.data.shape for p in self.params],
            "state": {
                i: {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
                for i, s in enumerate(self.state)
                if s
            },
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()`; everything is checked against these parameters before anything changes."""
        name = type(self).__name__
        if state_dict.get("type") != name:
            raise ValueError(f"{name}.load_state_dict: the state was saved by {state_dict.get('type')!r}, not {name!r}")
        hyperparams = dict(state_dict["hyperparams"])
        own_names = sorted(self.hyperparam_names)
        if sorted(hyperparams) != own_names:
            raise ValueError(f"{name}.load_state_dict: hyperparameters {sorted(hyperparams)} do not match {own_names}")
        self._check(hyperparams)
        shapes = [tuple(s) for s in state_dict["shapes"]]
        own = [p.data.shape for p in self.params]
        if len(shapes) != len(own):
            raise ValueError(
                f"{name}.load_state_dict: the state is for {len(shapes)} parameters, this optimizer has {len(own)}"
            )
        for i, (saved, mine) in enumerate(zip(shapes, own)):
            if saved != mine:
                raise ValueError(
                    f"{name}.load_state_dict: parameter {i} has shape {mine}, the state was saved for {saved}"
                )
        state: list[dict[str, Any]] = [{} for _ in self.params]
        for i, entries in state_dict["state"].items():
            i = int(i)
            if not 0 <= i < len(self.params):
                raise ValueError(f"{name}.load_state_dict: state for parameter {i}, but there are {len(self.params)}")
            p = self.params[i].data
            for key, value in entries.items():
                if isinstance(value, np.ndarray):
                    if value.shape != p.shape:
                        raise ValueError(
                            f"{name}.load_state_dict: state {key!r} of parameter {i} has shape {value.shape}, "
                            f"the parameter has shape {p.shape}"
                        )
                    value = np.array(value, dtype=p.dtype)
                state[i][key] = value
        for key, value in hyperparams.items():
            setattr(self, key, value)
        self.state = state

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={getattr(self, key)!r}" for key in self.hyperparam_names)
        return f"{type(self).__name__}({len(self.params)} parameters, {args})"
