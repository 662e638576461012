"""The Optimizer base class: parameters, gradients, per-parameter state and its (de)serialisation."""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Iterable, Mapping
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
    """Raise ValueError unless low <= value (< or <=) high; NaN and ±inf never pass, non-numbers raise TypeError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {type(value).__name__} {reprlib.repr(value)}")
    ok = value >= low if high is None else (low <= value < high if open_high else low <= value <= high)
    if not ok or math.isinf(value):
        if high is None:
            bound = f">= {low}" + (" and finite" if ok else "")
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
        where = f"{name}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected the dict of state_dict(), got {type(state_dict).__name__}")
        keys = {"type", "hyperparams", "shapes", "state"}
        if set(state_dict) != keys:
            raise ValueError(f"{where}: keys {sorted(map(str, state_dict))} do not match {sorted(keys)}")
        if state_dict["type"] != name:
            raise ValueError(f"{where}: the state was saved by {state_dict['type']!r}, not {name!r}")
        for key, kind in (("hyperparams", Mapping), ("shapes", (list, tuple)), ("state", Mapping)):
            if not isinstance(state_dict[key], kind):
                raise TypeError(f"{where}: {key} is a {type(state_dict[key]).__name__}")
        hyperparams = dict(state_dict["hyperparams"])
        own_names = sorted(self.hyperparam_names)
        if sorted(map(str, hyperparams)) != own_names:
            raise ValueError(f"{where}: hyperparameters {sorted(map(str, hyperparams))} do not match {own_names}")
        for key, value in hyperparams.items():
            current = getattr(self, key)
            same_length = not isinstance(current, tuple) or (
                isinstance(value, (tuple, list)) and len(value) == len(current)
            )
            if isinstance(current, bool) != isinstance(value, bool) or not same_length:
                raise TypeError(f"{where}: hyperparameter {key} = {value!r} is not of the kind of {current!r}")
        hyperparams = {
            key: _as_float(where, key, tuple(value) if isinstance(value, list) else value)
            for key, value in hyperparams.items()
        }
        self._check(hyperparams)
        if not all(isinstance(s, (list, tuple)) and all(isinstance(n, (int, np.integer)) for n in s)
                   for s in state_dict["shapes"]):
            raise TypeError(f"{where}: shapes must be tuples of ints, got {reprlib.repr(state_dict['shapes'])}")
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
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(self.params):
                raise ValueError(f"{where}: state for parameter {i!r}, but there are {len(self.params)}")
            if not isinstance(entries, Mapping):
                raise TypeError(f"{where}: the state of parameter {i} is a {type(entries).__name__}, not a dict")
            p = self.params[i].data
            for key, value in entries.items():
                if isinstance(value, np.ndarray) and value.dtype.kind not in "biuf":
                    raise TypeError(f"{where}: state {key!r} of parameter {i} has dtype {value.dtype}")
                if not isinstance(value, (np.ndarray, numbers.Real)):
                    raise TypeError(
                        f"{where}: state {key!r} of parameter {i} is a {type(value).__name__}, not an array or number"
                    )
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
