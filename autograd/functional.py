"""Function transforms, as in JAX and HIPS autograd: value_and_grad, vjp, jvp, jacobian, hessian, hvp.

Each takes a function of Variables and arrays. Arguments may be arrays, scalars or Variables; results
are Variables. Given a Variable, the results are recorded as functions of it (the backward passes run
with create_graph), so transforms nest: `hessian` is the jacobian of the gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.core import Variable, as_variable, enable_grad
from autograd.engine import grad
from autograd.functions import reshape, stack

__all__ = ["hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]

Argnums = int | Sequence[int]


def _primals(args: Sequence[Any], argnums: Sequence[int]) -> tuple[list[Any], list[Variable], bool]:
    """args with the differentiated ones as Variables, those Variables, and whether any was given as one
    (then the caller may differentiate the results again, so the backward passes are recorded)."""
    args = list(args)
    for i in argnums:
        if not -len(args) <= i < len(args):
            raise ValueError(f"argnums: {i} is out of range for {len(args)} positional argument(s)")
    nested = any(isinstance(args[i], Variable) for i in argnums)
    for i in argnums:
        # Variable(), not as_variable(): a wrapped array must be a variable to differentiate, not a constant.
        args[i] = args[i] if isinstance(args[i], Variable) else Variable(args[i])
    return args, [args[i] for i in argnums], nested


def _call(f: Callable, args: Sequence[Any]) -> Variable:
    """f(*args), recorded even inside no_grad (a transform needs the graph), checked to be one Variable."""
    with enable_grad():
        y = f(*args)
    if not isinstance(y, Variable):
        name = getattr(f, "__name__", type(f).__name__)
        raise TypeError(f"{name} must return one Variable, got {type(y).__name__}")
    return y


def _gradients(y: Variable, xs: Sequence[Variable], seed: Any, create_graph: bool) -> list[Variable]:
    """d<y, seed>/dx for each x, zeros for an x that y does not depend on."""
    grads = grad(y, list(xs), grad_outputs=seed, create_graph=create_graph, allow_unused=True)
    return [Variable(np.zeros_like(x.data)) if g is None else g for x, g in zip(xs, grads)]


def _argnums(argnums: Argnums) -> tuple[tuple[int, ...], bool]:
    single = isinstance(argnums, (int, np.integer))
    return ((int(argnums),) if single else tuple(argnums)), single


def value_and_grad(f: Callable[..., Variable], argnums: Argnums = 0) -> Callable[..., tuple[Variable, Any]]:
    """g(*args) = (f(*args), ∇f at args): the gradient for argument argnums (a tuple of them for a tuple)."""
    indices, single = _argnums(argnums)

    def value_and_grad_f(*args: Any) -> tuple[Variable, Any]:
        args, xs, nested = _primals(args, indices)
        y = _call(f, args)
        if y.size != 1:
            raise ValueError(f"value_and_grad: f must return a single element, got shape {y.shape}; use jacobian")
        grads = _gradients(y, xs, None, nested)
        return y, grads[0] if single else tuple(grads)

    return value_and_grad_f


def vjp(f: Callable[..., Variable], *primals: Any) -> tuple[Variable, Callable[[Any], tuple[Variable, ...]]]:
    """(f(*primals), v ↦ vᵀJ): the vector-Jacobian product with respect to every primal, as a tuple."""
    args, xs, nested = _primals(primals, range(len(primals)))
    y = _call(f, args)

    def vjp_fn(v: Any) -> tuple[Variable, ...]:
        return tuple(_gradients(y, xs, _seed(v, y, "vjp"), nested))

    return y, vjp_fn


def _seed(v: Any, y: Variable, op: str) -> Variable:
    v = as_variable(v, y)
    if v.shape != y.shape:
        raise ValueError(f"{op}: the vector has shape {v.shape} but f's output has shape {y.shape}")
    return v


def jvp(f: Callable[..., Variable], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Variable, Variable]:
    """(f(*primals), J·t): the Jacobian-vector product, by the double-vjp trick.

    vᵀJ is linear in v; differentiating <vᵀJ, t> with respect to v gives J t, with two reverse passes.
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    args, xs, nested = _primals(primals, range(len(primals)))
    tangents = [_tangent(t, x) for t, x in zip(tangents, xs)]
    y = _call(f, args)
    # The seed must be a Variable of its own, the leaf of the first pass, and any value will do.
    u = Variable(np.zeros_like(y.data))
    firsts = _gradients(y, xs, u, create_graph=True)
    with enable_grad():
        total = sum((g * t).sum() for g, t in zip(firsts, tangents))
    (jt,) = _gradients(total, [u], None, nested)
    return y, jt


def _tangent(t: Any, x: Variable) -> Variable:
    t = as_variable(t, x)
    if t.shape != x.shape:
        raise ValueError(f"tangent of shape {t.shape} for a primal of shape {x.shape}")
    return t


def jacobian(f: Callable[..., Variable], argnums: Argnums = 0) -> Callable[..., Any]:
    """g(*args) = ∂f/∂args[argnums], of shape f's output shape + that argument's shape (a tuple for a tuple)."""
    indices, single = _argnums(argnums)

    def jacobian_f(*args: Any) -> Any:
        args, xs, nested = _primals(args, indices)
        y = _call(f, args)
        rows: list[list[Variable]] = [[] for _ in xs]
        for k in range(y.size):
            seed = np.zeros(y.size, y.dtype)
            seed[k] = 1
            for row, g in zip(rows, _gradients(y, xs, seed.reshape(y.shape), nested)):
                row.append(g)
        blocks = [
            reshape(stack(row), y.shape + x.shape) if row else Variable(np.zeros(y.shape + x.shape, x.dtype))
            for row, x in zip(rows, xs)
        ]
        return blocks[0] if single else tuple(blocks)

    return jacobian_f


def hessian(f: Callable[..., Variable], argnums: int = 0) -> Callable[..., Variable]:
    """g(*args) = ∂²f/∂x², x = args[argnums], of shape x.shape + x.shape (f returns one element)."""

    def gradient(*args: Any) -> Variable:
        return value_and_grad(f, argnums)(*args)[1]

    return jacobian(gradient, argnums)


def hvp(
    f: Callable[..., Variable], primals: Sequence[Any], tangents: Sequence[Any]
) -> tuple[Variable, tuple[Variable, ...]]:
    """(f(*primals), H·t): the Hessian of a one-element f times the tangents, block row by block row.

    Reverse over reverse: (H t)_i = ∂/∂x_i Σ_j <∂f/∂x_j, t_j>, never forming H.
    """
    if len(primals) != len(tangents):
        raise ValueError(f"hvp: {len(primals)} primals but {len(tangents)} tangents")
    args, xs, nested = _primals(primals, range(len(primals)))
    tangents = [_tangent(t, x) for t, x in zip(tangents, xs)]
    y = _call(f, args)
    if y.size != 1:
        raise ValueError(f"hvp: f must return a single element, got shape {y.shape}")
    firsts = _gradients(y, xs, None, create_graph=True)
    with enable_grad():
        total = sum((g * t).sum() for g, t in zip(firsts, tangents))
    return y, tuple(_gradients(total, xs, None, nested))
