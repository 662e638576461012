"""Test helpers: run a module on float64 copies of its parameters, with the parameters as function inputs."""

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Variable
from nn import Module


def as_float64(module: Module) -> Module:
    """Switch every parameter and buffer of module to float64 in place (gradcheck works in float64)."""
    for _, p in module.named_parameters():
        p.data = p.data.astype(np.float64)
    for m in module.modules():
        for name, b in list(m._buffers.items()):
            m.register_buffer(name, b.astype(np.float64))
    return module


def through_parameters(module: Module) -> tuple[Callable[..., Variable], list[np.ndarray]]:
    """f(x, *params) running module with the given Variables in place of its parameters, and their values."""

    def owner_of(dotted: str) -> tuple[Any, str]:
        *path, attr = dotted.split(".")
        owner = module
        for part in path:
            owner = getattr(owner, part)
        return owner, attr

    owners = [owner_of(name) for name, _ in module.named_parameters()]

    def f(x: Any, *params: Variable) -> Variable:
        kept = [getattr(owner, attr) for owner, attr in owners]
        # Bypass registration: the module keeps its Parameter, forward reads the test's Variable, and
        # the Parameter is put back afterwards.
        for (owner, attr), value in zip(owners, params):
            object.__setattr__(owner, attr, value)
        try:
            return module(x)
        finally:
            for (owner, attr), value in zip(owners, kept):
                object.__setattr__(owner, attr, value)

    return f, [p.data.copy() for p in module.parameters()]
