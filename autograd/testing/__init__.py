"""Gradient testing: numerical gradients, gradcheck, gradgradcheck, and hypothesis strategies."""

import importlib

from autograd.testing.gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numerical_grad", "strategies"]


def __getattr__(name: str):  # hypothesis is a test-time dependency, imported only when asked for
    if name == "strategies":
        return importlib.import_module("autograd.testing.strategies")
    raise AttributeError(name)
