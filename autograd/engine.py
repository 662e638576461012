"""Reverse-mode backpropagation over the recorded graph, iterative and in topological order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.core import Function, Variable, _mode, _new_variable, as_variable


def _count_consumers(roots: Sequence[Variable]) -> dict[Function, int]:
    """Every function reachable from the roots, with how many recorded edges consume its outputs."""
    consumers: dict[Function, int] = {}
    stack = []
    for root in roots:
        f = root.creator
        if f is not None and f not in consumers:
            consumers[f] = 0
            stack.append(f)
    while stack:
        for x in stack.pop().inputs:
            g = x.creator
            if g is None:
                continue
            if g in consumers:
                consumers[g] += 1
            else:
                consumers[g] = 1
                stack.append(g)
    return consumers


def _apply_hooks(x: Variable, gx: Variable) -> Variable:
    for hook in list(x._hooks):
        replaced = hook(gx)
        if replaced is not None:
            gx = as_variable(replaced)
    return gx


def _as_tuple(f: Function, gxs: Any) -> tuple:
    if not isinstance(gxs, tuple):
        gxs = tuple(gxs) if isinstance(gxs, list) else (gxs,)
    if len(gxs) != len(f.inputs):
        shapes = ", ".join(str(x.shape) for x in f.inputs)
        raise RuntimeError(
            f"{f.name}.backward returned {len(gxs)} gradient(s) for {len(f.inputs)} input(s) "
            f"of shapes {shapes}"
        )
    return gxs


def _reducible(src: tuple[int, ...], dst: tuple[int, ...]) -> bool:
    if len(src) < len(dst):
        return False
    tail = src[len(src) - len(dst):]
    return all(d == s or d == 1 for s, d in zip(tail, dst))


def _fit(f: Function, x: Variable, gx: Any) -> Variable:
    """Bring a gradient to its input's shape, summing away the dimensions forward broadcast."""
    if not isinstance(gx, Variable):
        gx = as_variable(gx)
    if gx.data.shape != x.data.shape:
        if not _reducible(gx.data.shape, x.data.shape):
            raise RuntimeError(
                f"{f.name}.backward returned a gradient of shape {gx.shape} for an input of "
                f"shape {x.shape}; it cannot be summed back to that shape"
            )
        gx = _sum_to(gx, x.data.shape)
    return gx


def _run(
    roots: Sequence[Variable],
    root_grads: Sequence[Variable],
    create_graph: bool,
    retain_grad: bool,
    targets: set[int] | None = None,
) -> tuple[dict[int, tuple[Variable, Variable]], dict[int, Variable]]:
    """Propagate gradients from the roots through every reachable function, each run once.

    Returns the gradients left on leaves (id -> (leaf, grad)) and those captured for the ids in
    `targets` (which may be intermediate variables). Keys are ids: every keyed variable stays alive
    meanwhile, held by the roots or by the `inputs` of a reachable function.
    """
    grads: dict[int, Variable] = {}
    leaves: dict[int, Variable] = {}
    for root, g in zip(roots, root_grads):
        key = id(root)
        grads[key] = grads[key] + g if key in grads else g
        if root.creator is None:
            leaves[key] = root
    consumers = _count_consumers(roots)
    ready = [f for f, n in consumers.items() if n == 0]
    captured: dict[int, Variable] = {}

    previous = _mode.enabled
    _mode.enabled = create_graph
    try:
        while ready:
            f = ready.pop()
            outputs = f.outputs
            if len(outputs) == 1:
                y = outputs[0]()
                gy = None if y is None else grads.pop(id(y), None)
                if gy is not None and (y._hooks or y._retains_grad or retain_grad or targets):
                    gy = _visit(y, gy, retain_grad, targets, captured)
                gxs = None if gy is None else f.backward(gy)
            else:
                gys = []
                for ref in outputs:
                    y = ref()
                    gy = None if y is None else grads.pop(id(y), None)
                    if gy is not None and (y._hooks or y._retains_grad or retain_grad or targets):
                        gy = _visit(y, gy, retain_grad, targets, captured)
                    gys.append(gy)
                gxs = f.backward(*_fill_missing(f, gys)) if any(g is not None for g in gys) else None
            inputs = f.inputs
            if type(gxs) is not tuple:
                if gxs is None:
                    gxs = (None,) * len(inputs)
                elif type(gxs) is Variable and len(inputs) == 1:
                    gxs = (gxs,)
                else:
                    gxs = _as_tuple(f, gxs)
            elif len(gxs) != len(inputs):
                _as_tuple(f, gxs)
            for x, gx in zip(inputs, gxs):
                if gx is not None:
                    if type(gx) is not Variable or gx.data.shape != x.data.shape:
                        gx = _fit(f, x, gx)
                    key = id(x)
                    if key in grads:
                        # Without create_graph, summing the arrays directly spares recording an add.
                        total = grads[key]
                        grads[key] = total + gx if create_graph else _new_variable(np.asarray(total.data + gx.data))
                    else:
                        grads[key] = gx
                g = x.creator
                if g is None:
                    if gx is not None:
                        leaves[key] = x
                else:
                    n = consumers[g] - 1
                    consumers[g] = n
                    if n == 0:
                        ready.append(g)
        result = {}
        for key, x in leaves.items():
            gx = grads[key]
            if x._hooks:
                gx = _apply_hooks(x, gx)
            result[key] = (x, gx)
            if targets is not None and key in targets:
                captured[key] = gx
    finally:
        _mode.enabled = previous
    return result, captured


def _visit(
    y: Variable, gy: Variable, retain_grad: bool, targets: set[int] | None, captured: dict[int, Variable]
) -> Variable:
    """An intermediate variable's gradient is complete: run its hooks, keep or capture it."""
    if y._hooks:
        gy = _apply_hooks(y, gy)
    if retain_grad or y._retains_grad:
        y.grad = gy if y.grad is None else y.grad + gy
    if targets is not None and id(y) in targets:
        captured[id(y)] = gy
    return gy


def _fill_missing(f: Function, gys: list[Variable | None]) -> list[Variable]:
    """Zeros for outputs nobody used, so multi-output backwards always get every gradient."""
    if all(gy is not None for gy in gys):
        return gys
    return [
        Variable(np.zeros(shape, dtype)) if gy is None else gy
        for gy, (shape, dtype) in zip(gys, f._output_meta)
    ]


def _root_grad(y: Variable, grad: Any, op: str) -> Variable:
    if grad is None:
        if y.data.size != 1:
            raise RuntimeError(
                f"{op}: a gradient can be implied only for a single-element output; "
                f"pass grad for the output of shape {y.shape}"
            )
        return Variable(np.ones_like(y.data))
    grad = as_variable(grad, y)
    if grad.shape != y.shape:
        raise RuntimeError(f"{op}: grad of shape {grad.shape} does not match the output's shape {y.shape}")
    return grad


def backward(y: Variable, grad: Any, retain_grad: bool, create_graph: bool) -> None:
    """Add dy/dx * grad to the `.grad` of every leaf x that y depends on."""
    leaves, _ = _run([y], [_root_grad(y, grad, "backward")], create_graph, retain_grad)
    for x, gx in leaves.values():
        if x.grad is not None:
            x.grad = x.grad + gx
        elif create_graph:
            x.grad = gx
        else:
            # A fresh array, so no two leaves (nor the caller's grad) ever share one gradient buffer.
            x.grad = Variable(np.array(gx.data))


def grad(
    outputs: Variable | Sequence[Variable],
    inputs: Variable | Sequence[Variable],
    grad_outputs: Any = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Variable | None, ...]:
    """The gradients of sum(outputs * grad_outputs) with respect to inputs, leaving `.grad` untouched."""
    outputs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Variable) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Variable, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    root_grads = [_root_grad(y, g, "grad") for y, g in zip(outputs, grad_outputs)]
    _, captured = _run(outputs, root_grads, create_graph, False, {id(x) for x in inputs})
    result = tuple(captured.get(id(x)) for x in inputs)
    for x, gx in zip(inputs, result):
        if gx is None and not allow_unused:
            raise RuntimeError(
                f"grad: input of shape {x.shape} (name {x.name!r}) is not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
    return result


from autograd.functions.shape import sum_to as _sum_to  # noqa: E402
