"""Compare analytic gradients with central differences, in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.core import Variable, enable_grad, no_grad
from autograd.engine import grad


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message names the input and the worst element."""


def _prepare(inputs: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """Float inputs become float64 arrays (the ones we differentiate); others pass through."""
    prepared, checked = [], []
    for i, x in enumerate(inputs):
        data = x.data if isinstance(x, Variable) else x
        array = np.asarray(data)
        if array.dtype.kind in "fc":
            prepared.append(array.astype(np.float64))
            checked.append(i)
        else:
            prepared.append(data)
    return prepared, checked


def _outputs(result: Any) -> list[Variable]:
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    return [y if isinstance(y, Variable) else Variable(np.asarray(y, dtype=np.float64)) for y in items]


def _evaluate(f: Callable, arrays: list[Any]) -> list[np.ndarray]:
    with no_grad():
        return [y.data.astype(np.float64) for y in _outputs(f(*[_wrap(a) for a in arrays]))]


def _wrap(a: Any) -> Any:
    return Variable(a) if isinstance(a, np.ndarray) and a.dtype.kind in "fc" else a


def _name(f: Callable) -> str:
    return getattr(f, "__name__", type(f).__name__)


def numerical_grad(
    f: Callable, *inputs: Any, grad_output: Any = None, eps: float = 1e-6
) -> list[np.ndarray]:
    """d(sum(f(*inputs) * grad_output))/d(input) for every float input, by central differences in float64.

    grad_output defaults to ones; for several outputs pass a list, one array per output.
    f is evaluated under no_grad (wrap its body in enable_grad if it differentiates internally).
    """
    arrays, checked = _prepare(inputs)
    base = _evaluate(f, arrays)
    weights = _grad_outputs(grad_output, base)

    def objective() -> float:
        return float(sum(np.sum(y * w) for y, w in zip(_evaluate(f, arrays), weights)))

    grads = []
    for i in checked:
        x = arrays[i]
        g = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            original = x[index]
            x[index] = original + eps
            plus = objective()
            x[index] = original - eps
            minus = objective()
            x[index] = original
            g[index] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def _grad_outputs(grad_output: Any, outputs: list[np.ndarray]) -> list[np.ndarray]:
    if grad_output is None:
        return [np.ones_like(y) for y in outputs]
    items = grad_output if isinstance(grad_output, (list, tuple)) else [grad_output]
    return [np.asarray(w.data if isinstance(w, Variable) else w, dtype=np.float64) for w in items]


def _depends(y: Variable, variables: Sequence[Any]) -> bool:
    """Whether y can carry a gradient: recorded by an op, or one of the inputs itself (a no-op f)."""
    return y.creator is not None or any(y is v for v in variables)


def _analytic_vjp(
    f: Callable, arrays: list[Any], checked: list[int], weights: list[np.ndarray]
) -> list[np.ndarray]:
    variables = [_wrap(a.copy()) if i in checked else a for i, a in enumerate(arrays)]
    outputs = _outputs(f(*variables))
    connected = [(y, w) for y, w in zip(outputs, weights) if _depends(y, variables)]
    if not connected:
        return [np.zeros_like(arrays[i]) for i in checked]
    grads = grad(
        [y for y, _ in connected],
        [variables[i] for i in checked],
        grad_outputs=[Variable(w.astype(y.dtype)) for y, w in connected],
        allow_unused=True,
    )
    result = []
    for i, g in zip(checked, grads):
        if g is not None and g.shape != np.shape(arrays[i]):
            raise GradcheckError(
                f"gradcheck of {_name(f)}: gradient for input {i} has shape {g.shape}, "
                f"expected {np.shape(arrays[i])}"
            )
        if g is not None and g.dtype != np.float64:
            raise GradcheckError(
                f"gradcheck of {_name(f)}: gradient for float64 input {i} has dtype {g.dtype}"
            )
        result.append(np.zeros_like(arrays[i]) if g is None else g.data)
    return result


def gradcheck(
    f: Callable,
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast_mode: bool = False,
    seed: int = 0,
) -> bool:
    """Check f's backward against central differences, in float64; True, or raise GradcheckError.

    The full check compares every entry of v^T J for several random v (one per output element when
    outputs are small); fast_mode compares only the random projection <v, J u>, whose cost does not
    grow with the input size.
    """
    arrays, checked = _prepare(inputs)
    if not checked:
        raise ValueError(f"gradcheck of {_name(f)}: no floating-point input to check")
    rng = np.random.default_rng(seed)
    base = _evaluate(f, arrays)
    if fast_mode:
        return _fast_check(f, arrays, checked, base, rng, eps, atol, rtol)
    jac_num = _numerical_jacobian(f, arrays, checked, base, eps)
    total = sum(y.size for y in base)
    for row in range(total):
        weights = _unit(base, row)
        analytic = _analytic_vjp(f, arrays, checked, weights)
        for k, (i, g) in enumerate(zip(checked, analytic)):
            _compare(f, i, row, g, jac_num[k][row], atol, rtol)
    return True


def _unit(outputs: list[np.ndarray], row: int) -> list[np.ndarray]:
    """One-hot weights selecting output element `row` across all outputs."""
    weights = [np.zeros_like(y) for y in outputs]
    for w in weights:
        if row < w.size:
            w.flat[row] = 1.0  # reshape would copy, and lose the write, when y is not C-contiguous
            break
        row -= w.size
    return weights


def _numerical_jacobian(
    f: Callable, arrays: list[Any], checked: list[int], base: list[np.ndarray], eps: float
) -> list[np.ndarray]:
    """For each checked input, J[row, *input_index]: d(output element row)/d(input element)."""
    total = sum(y.size for y in base)
    jacobians = []
    for i in checked:
        x = arrays[i]
        jac = np.zeros((total, *x.shape))
        for index in np.ndindex(x.shape):
            original = x[index]
            x[index] = original + eps
            plus = np.concatenate([y.reshape(-1) for y in _evaluate(f, arrays)] or [np.zeros(0)])
            x[index] = original - eps
            minus = np.concatenate([y.reshape(-1) for y in _evaluate(f, arrays)] or [np.zeros(0)])
            x[index] = original
            jac[(slice(None), *index)] = (plus - minus) / (2 * eps)
        jacobians.append(jac)
    return jacobians


def _compare(
    f: Callable, i: int, row: int, analytic: np.ndarray, numeric: np.ndarray, atol: float, rtol: float
) -> None:
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    bad = ~(excess <= 0)  # nan counts as a failure
    if np.any(bad):
        worst = np.unravel_index(int(np.argmax(np.where(np.isnan(excess), np.inf, excess))), analytic.shape)
        worst = tuple(int(w) for w in worst)
        raise GradcheckError(
            f"gradcheck of {_name(f)}: gradient for input {i} (shape {analytic.shape}) is wrong at "
            f"index {worst} (output element {row}): analytic {float(analytic[worst]):.8g}, "
            f"numeric {float(numeric[worst]):.8g}"
        )


def _fast_check(
    f: Callable,
    arrays: list[Any],
    checked: list[int],
    base: list[np.ndarray],
    rng: np.random.Generator,
    eps: float,
    atol: float,
    rtol: float,
) -> bool:
    weights = [rng.standard_normal(y.shape) for y in base]
    analytic = _analytic_vjp(f, arrays, checked, weights)

    def objective() -> float:
        return float(sum(np.sum(y * w) for y, w in zip(_evaluate(f, arrays), weights)))

    for i, g in zip(checked, analytic):
        u = rng.standard_normal(np.shape(arrays[i]))
        x = arrays[i]
        original = x.copy()
        x += eps * u
        plus = objective()
        x[...] = original - eps * u
        minus = objective()
        x[...] = original
        numeric = (plus - minus) / (2 * eps)
        projected = float(np.sum(g * u))
        if not abs(projected - numeric) <= atol + rtol * abs(numeric):
            raise GradcheckError(
                f"gradcheck of {_name(f)} (fast mode): for input {i} (shape {x.shape}) the projection "
                f"<v, J u> is analytic {projected!r}, numeric {numeric!r}"
            )
    return True


def gradgradcheck(
    f: Callable,
    *inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast_mode: bool = False,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of x -> grad(f(x), x, v, create_graph=True) for a random v."""
    arrays, checked = _prepare(inputs)
    rng = np.random.default_rng(seed + 1)
    base = _evaluate(f, arrays)
    weights = _grad_outputs(grad_outputs, base) if grad_outputs is not None else [
        rng.standard_normal(y.shape) for y in base
    ]

    def first_derivative(*xs: Any) -> tuple[Variable, ...]:
        with enable_grad():  # the inner forward must be recorded even when gradcheck evaluates under no_grad
            outputs = _outputs(f(*xs))
        connected = [(y, w) for y, w in zip(outputs, weights) if _depends(y, xs)]
        targets = [xs[i] for i in checked]
        if not connected:
            return tuple(Variable(np.zeros(np.shape(t.data))) for t in targets)
        grads = grad(
            [y for y, _ in connected],
            targets,
            grad_outputs=[Variable(w) for _, w in connected],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(Variable(np.zeros(t.shape)) if g is None else g for g, t in zip(grads, targets))

    first_derivative.__name__ = f"grad of {_name(f)}"
    return gradcheck(first_derivative, *arrays, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode, seed=seed)
