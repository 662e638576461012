"""Reverse-mode backpropagation over the recorded graph, iterative and in topological order.

The algorithm, a named step each: count how many recorded edges consume each function's outputs;
the functions nobody consumes form the ready queue; pop one and call its backward with its outputs'
gradients, complete by then; fit each input's gradient to the input's shape; accumulate it; a
function becomes ready once every consumer of its outputs has run. Inputs that do not require a
gradient get none; each leaf's gradient is cast to the leaf's dtype once, at the end. Before any
backward runs, the inputs' versions are compared with when each op was recorded (saved-tensor safety).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import core
from autograd.core import Function, Variable, _asarray, _ndarray, as_variable, enable_grad, new_variable, no_grad
from autograd.functions.shape import astype, clone, sum_to

# Gradients summed so far, by `_key` of the variable they belong to: its creator when that has one output
# (so an Edge standing for the variable sums into the same place), else the variable itself. The objects
# are the keys, not their ids: hashing one is cheaper than making its id an int, and they hash by identity.
# A first gradient is kept as the op returned it (a Variable, perhaps shared); once a second arrives the
# entry is a bare sum the engine made (an ndarray or NumPy scalar, wrapped when handed on, see `_given`):
# nobody else holds it, so later gradients are added into it in place.
Grads = dict[Any, Any]


def _given(g: Any) -> Variable:
    """A gradient from `grads` as a Variable (a bare sum is wrapped)."""
    return g if type(g) is Variable else new_variable(_asarray(g))


def _key(x: Variable) -> Variable | Function:
    g = x.creator
    return g if g is not None and len(g.outputs) == 1 else x


class InplaceModificationError(RuntimeError):
    """backward would read a Variable's data that was changed in place after forward recorded it.

    A RuntimeError, as PyTorch's "one of the variables needed for gradient computation has been modified
    by an inplace operation".
    """


def _count_consumers(roots: Sequence[Variable]) -> dict[Function, int]:
    """Every function reachable from the roots, with how many recorded edges consume its outputs.

    Raises InplaceModificationError, before any backward runs, if a backward would read changed data.
    """
    consumers: dict[Function, int] = {}
    stack: deque[Function] = deque()  # a deque: a list that keeps emptying and refilling reallocates each time
    now = core._clock
    changed = []
    for root in roots:
        f = root.creator
        if f is not None and f not in consumers:
            consumers[f] = 0
            stack.append(f)
    while stack:
        f = stack.pop()
        if f._tick != now:  # the rare case: something changed in place since f was recorded
            changed.append(f)
        for x in f.inputs:
            g = x.creator
            if g is None:
                continue
            if g in consumers:
                consumers[g] += 1
            else:
                consumers[g] = 1
                stack.append(g)
    for f in changed:
        _check_saved(f)
    return consumers


def _changed_since(f: Function, x: Variable) -> Variable | None:
    """The variable changed in place since f was recorded whose data input x shows: x, or what x is a view of."""
    if x._version > f._tick:
        return x
    g = x.creator
    while g is not None and g.returns_view:
        x = g.inputs[0]
        if x._version > f._tick:
            return x
        g = x.creator
    return None


def _check_saved(f: Function) -> None:
    """Raise InplaceModificationError if an input whose value f's backward reads changed since f was recorded."""
    saved = range(len(f.inputs)) if f.saved_inputs is None else f.saved_inputs
    for i in saved:
        x = f.inputs[i]
        changed = _changed_since(f, x)
        if changed is None:
            continue
        which = f"input {i} of {f.name} ({_describe(x)})"
        if changed is not x:
            which += f", a view of a Variable ({_describe(changed)}),"
        raise InplaceModificationError(
            "backward: one of the variables needed for gradient computation has been modified by an in-place "
            f"operation: {which} is at version {changed._version}; {f.name} was recorded at version {f._tick}. "
            "An optimizer step, nn.init or load_state_dict between forward and backward? Run the forward pass "
            "again after changing parameters."
        )


def _describe(x: Variable) -> str:
    return f"shape {x.shape}, dtype {x.dtype}" + ("" if x.name is None else f", name {x.name!r}")


class _Run:
    """One backward pass: its options, and the gradients it hands out besides the leaves' `.grad`."""

    __slots__ = ("captured", "create_graph", "exposed", "retain_grad", "targets", "visits_all")

    def __init__(self, create_graph: bool, retain_grad: bool, targets: set[int] | None) -> None:
        self.create_graph = create_graph
        self.retain_grad = retain_grad
        self.targets = targets
        self.visits_all = retain_grad or targets is not None
        self.captured: dict[int, Variable] = {}
        # ids of gradient arrays someone else may hold (a retained or captured gradient, a hook's
        # argument or result, the caller's root gradient, a leaf's gradient): never stored twice.
        self.exposed: set[int] = set()

    def visit(self, y: Variable, gy: Variable) -> Variable:
        """y's gradient is complete: run its hooks, then retain or capture it as asked."""
        if y._hooks:
            gy = self.apply_hooks(y, gy)
        if self.retain_grad or y._retains_grad:
            self.exposed.add(id(gy.data))
            y.grad = gy if y.grad is None else self.sum(y.grad, gy)
        if self.targets is not None and id(y) in self.targets:
            self.exposed.add(id(gy.data))
            self.captured[id(y)] = gy
        return gy

    def apply_hooks(self, x: Variable, gx: Variable) -> Variable:
        for hook in list(x._hooks):
            self.exposed.add(id(gx.data))
            replaced = hook(gx)
            if replaced is not None:
                gx = as_variable(replaced)
        self.exposed.add(id(gx.data))
        return gx

    def sum(self, total: Variable, g: Variable) -> Variable:
        """total + g, recorded only when the backward pass is (create_graph)."""
        if self.create_graph:
            return total + g
        return new_variable(np.asarray(total.data + g.data))


def _backward_of_many(f: Function, grads: Grads, run: _Run) -> Any:
    """Call backward of a function with several outputs: zeros stand in for an output nobody used."""
    gys = []
    for ref in f.outputs:
        y = ref()
        gy = None if y is None else grads.pop(y, None)
        if gy is not None:
            gy = _given(gy)
        if gy is not None and (run.visits_all or y._hooks or y._retains_grad):
            gy = run.visit(y, gy)
        gys.append(gy)
    if all(gy is None for gy in gys):
        return None
    return f.backward(
        *[new_variable(np.zeros(shape, dtype)) if gy is None else gy for gy, (shape, dtype) in zip(gys, f._output_meta)]
    )


def _one_per_input(f: Function, gxs: Any) -> tuple[Any, ...]:
    """What backward returned, as one gradient (or None) per input."""
    n = len(f.inputs)
    if gxs is None:
        return (None,) * n
    if n == 1 and isinstance(gxs, Variable):
        return (gxs,)
    if isinstance(gxs, (tuple, list)) and len(gxs) == n:
        return tuple(gxs)
    count = len(gxs) if isinstance(gxs, (tuple, list)) else 1
    shapes = ", ".join(str(x.shape) for x in f.inputs)
    raise RuntimeError(f"{f.name}.backward returned {count} gradient(s) for {n} input(s) of shapes {shapes}")


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
        gx = sum_to(gx, x.data.shape)
    return gx


def _propagate(roots: Sequence[Variable], root_grads: Sequence[Variable], run: _Run) -> list[tuple[Variable, Variable]]:
    """Propagate gradients from the roots through every reachable function, each run once.

    Returns each reached leaf that requires a gradient with its gradient; gradients asked for by
    `run.targets` land in `run.captured`. Runs in the grad mode the caller set (on for create_graph).
    The loop is written out, its steps named in comments: it is the per-op overhead of every backward.
    """
    grads: Grads = {}
    leaves: dict[Variable, Variable] = {}
    for root, g in zip(roots, root_grads):
        key = _key(root)
        grads[key] = run.sum(grads[key], g) if key in grads else g
        if root.creator is None:
            leaves[key] = root
    consumers = _count_consumers(roots)
    ready = deque(f for f, n in consumers.items() if n == 0)  # a deque, as the stack of _count_consumers
    visits_all, create_graph = run.visits_all, run.create_graph
    pop_ready, release, pop_grad = ready.pop, ready.append, grads.pop
    while ready:
        f = pop_ready()
        # Call backward with the gradients of f's outputs, complete by now.
        outputs = f.outputs
        if len(outputs) == 1:
            gy = pop_grad(f, None)
            if gy is None:
                gxs = None
            else:
                if type(gy) is not Variable:
                    gy = new_variable(_asarray(gy))  # _given, written out
                y = outputs[0]()
                # (y is gone when the user dropped it and its consumers kept an Edge: nothing then to visit.)
                if y is not None and (visits_all or y._hooks or y._retains_grad):
                    gy = run.visit(y, gy)
                gxs = f.backward(gy)
        else:
            gxs = _backward_of_many(f, grads, run)
        inputs = f.inputs
        if type(gxs) is not tuple:
            gxs = (gxs,) if type(gxs) is Variable and len(inputs) == 1 else _one_per_input(f, gxs)
        elif len(gxs) != len(inputs):
            gxs = _one_per_input(f, gxs)
        for x, gx in zip(inputs, gxs):
            g = x.creator
            # (An input with a creator requires a gradient: ops none of whose inputs do are not recorded.)
            if gx is not None and (g is not None or x._requires_grad):
                # Fit the gradient to the input's shape (its dtype is fitted once per leaf), then accumulate it.
                if type(gx) is not Variable or gx.data.shape != x.data.shape:
                    gx = _fit(f, x, gx)
                key = x if g is None or len(g.outputs) != 1 else g  # _key, written out
                if key not in grads:
                    grads[key] = gx
                    if g is None:
                        leaves[key] = x
                else:
                    total = grads[key]
                    if create_graph:
                        grads[key] = total + gx
                    elif type(total) is Variable:
                        grads[key] = total.data + gx.data
                    elif type(total) is not _ndarray:
                        # A NumPy scalar (the sum of 0-d gradients): adding a scalar, not a 0-d array,
                        # stays on NumPy's scalar path, five times faster.
                        grads[key] = total + gx.data[()]
                    elif total.dtype == gx.data.dtype:
                        np.add(total, gx.data, out=total)
                    else:
                        grads[key] = total + gx.data
            # Release the input's creator: it is ready once every consumer of its outputs has run.
            if g is not None:
                n = consumers[g] - 1
                if n:
                    consumers[g] = n
                else:
                    release(g)
    return [_leaf_result(x, _given(grads[key]), run) for key, x in leaves.items()]


def _leaf_result(x: Variable, gx: Variable, run: _Run) -> tuple[Variable, Variable]:
    """A leaf's gradient is complete: give it the leaf's dtype, run its hooks, capture it if asked.

    (Mixing dtypes in forward, e.g. a float32 and a float64 leaf, makes the gradients between wider.)
    """
    if gx.data.dtype != x.data.dtype:
        gx = astype(gx, x.data.dtype)
    if x._hooks:
        gx = run.apply_hooks(x, gx)
    if run.targets is not None and id(x) in run.targets:
        run.captured[id(x)] = gx
    return x, gx


def _recording(create_graph: bool) -> Any:
    """The grad mode a backward pass runs in: recorded only for create_graph."""
    return enable_grad() if create_graph else no_grad()


def _root_grad(y: Variable, grad: Any, op: str, run: _Run) -> Variable:
    """The gradient to start from at output y: ones for one element, else the caller's, in y's dtype."""
    if grad is None:
        if y.data.size != 1:
            raise ValueError(
                f"{op}: a gradient can be implied only for a single-element output; "
                f"pass grad for the output of shape {y.shape}"
            )
        return new_variable(np.ones_like(y.data))
    grad = as_variable(grad, y)
    if grad.shape != y.shape:
        raise ValueError(f"{op}: grad of shape {grad.shape} does not match the output's shape {y.shape}")
    run.exposed.add(id(grad.data))
    return grad if grad.dtype == y.dtype else astype(grad, y.dtype)


def _store(x: Variable, gx: Variable, run: _Run) -> None:
    """Add gx into leaf x's `.grad`; a buffer someone else may hold is copied first, so none is ever shared."""
    if x.grad is not None:
        x.grad = run.sum(x.grad, gx)
        return
    data = gx.data
    if id(data) in run.exposed or data.base is not None or not data.flags.writeable:
        gx = clone(gx) if run.create_graph else new_variable(data.copy())
    run.exposed.add(id(gx.data))
    x.grad = gx


def backward(y: Variable, grad: Any, retain_grad: bool, create_graph: bool) -> None:
    """Add dy/dx * grad to the `.grad` of every leaf x that y depends on and that requires a gradient."""
    if not y._requires_grad:
        raise RuntimeError(
            f"backward: the output of shape {y.shape} and dtype {y.dtype} does not require a gradient (it is a "
            "constant or an integer Variable, or was computed from such only, or under no_grad)"
        )
    run = _Run(create_graph, retain_grad, None)
    with _recording(create_graph):
        for x, gx in _propagate([y], [_root_grad(y, grad, "backward", run)], run):
            _store(x, gx, run)


def grad(
    outputs: Variable | Sequence[Variable],
    inputs: Variable | Sequence[Variable],
    grad_outputs: Any = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Variable | None, ...]:
    """The gradients of sum(outputs * grad_outputs) with respect to inputs, leaving `.grad` untouched.

    grad_outputs is one gradient per output (a list or tuple), or a single one (a number, an array or a
    Variable) for a single output; None means ones for single-element outputs. An output that requires
    no gradient contributes nothing.
    """
    outputs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Variable) else list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Variable):
            raise TypeError(f"grad: input {i} must be a Variable, got {type(x).__name__}")
        if not x._requires_grad:
            raise ValueError(f"grad: input {i} of shape {x.shape} (name {x.name!r}) does not require a gradient")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    run = _Run(create_graph, False, {id(x) for x in inputs})
    # An output that requires no gradient depends on no input: it contributes nothing.
    roots = [(y, g) for y, g in zip(outputs, grad_outputs) if y._requires_grad]
    with _recording(create_graph):
        _propagate([y for y, _ in roots], [_root_grad(y, g, "grad", run) for y, g in roots], run)
    result = tuple(run.captured.get(id(x)) for x in inputs)
    for x, gx in zip(inputs, result):
        if gx is None and not allow_unused:
            raise RuntimeError(
                f"grad: input of shape {x.shape} (name {x.name!r}) is not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
    return result
