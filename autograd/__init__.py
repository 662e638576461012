"""zerograd's engine: Variable, Function, backprop, differentiable ops, drawing and gradient testing."""

from autograd import operators  # noqa: F401  (binds Variable's operators and backward)
from autograd.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from autograd.core import Function, Variable, as_variable, enable_grad, increment_version, is_grad_enabled, no_grad
from autograd.engine import InplaceModificationError, grad
from autograd.threads import get_num_threads, set_num_threads

# isort: split
# After core: attaches NumPy's dispatch protocols to Variable (np.exp(v) records an op).
from autograd import numpy_api as _numpy_api  # noqa: F401
from autograd.functional import hessian, hvp, jacobian, jvp, value_and_grad, vjp

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled", "set_detect_anomaly"]
__all__ += ["Function", "Variable", "as_variable", "enable_grad", "grad", "is_grad_enabled", "no_grad"]
__all__ += ["InplaceModificationError", "increment_version"]
__all__ += ["get_num_threads", "set_num_threads"]
__all__ += ["hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]
