"""Gradient testing: numerical gradients, gradcheck, gradgradcheck, hypothesis strategies and the op table."""

import importlib

from autograd.testing.gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad

__all__ = [
    "OPS",
    "Case",
    "GradcheckError",
    "OpCheckError",
    "OpInfo",
    "check_op",
    "gradcheck",
    "gradgradcheck",
    "numerical_grad",
    "strategies",
]

# hypothesis is a test-time dependency: what needs it is imported only when asked for.
_LAZY = {
    "strategies": ("autograd.testing.strategies", None),
    "Case": ("autograd.testing.opinfo", "Case"),
    "OpCheckError": ("autograd.testing.opinfo", "OpCheckError"),
    "OpInfo": ("autograd.testing.opinfo", "OpInfo"),
    "check_op": ("autograd.testing.opinfo", "check_op"),
    "OPS": ("autograd.testing.op_table", "OPS"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(name)
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
