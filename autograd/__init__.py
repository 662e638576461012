"""zerograd's engine: Variable, Function, backprop, differentiable ops, drawing and gradient testing."""

from autograd import operators  # noqa: F401  (binds Variable's operators and backward)
from autograd.core import Function, Variable, as_variable, enable_grad, is_grad_enabled, no_grad
from autograd.engine import grad

__all__ = ["Function", "Variable", "as_variable", "enable_grad", "grad", "is_grad_enabled", "no_grad"]
