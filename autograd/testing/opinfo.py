"""OpInfo describes how to test a differentiable function; check_op tests it under hypothesis.

`check_op(OpInfo("cube", lambda x: Cube()(x)))` is all a user's own elementwise op needs. The table of
every public op, `OPS`, is in `autograd.testing.op_table`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd.core import Variable, enable_grad, no_grad
from autograd.engine import grad
from autograd.testing.gradcheck import gradcheck, gradgradcheck
from autograd.testing.strategies import arrays, broadcastable_shapes

__all__ = ["Case", "OpCheckError", "OpInfo", "check_op"]

Shape = tuple[int, ...]
Domain = Callable[[Shape], st.SearchStrategy[np.ndarray]]

# Above this many input elements the gradient checks compare random projections (gradcheck's fast mode),
# whose cost does not grow with the size, instead of every entry of the Jacobian.
_FULL_CHECK_SIZE = 48


class OpCheckError(AssertionError):
    """An op failed one of check_op's checks (gradient mismatches raise GradcheckError instead)."""


class Case(NamedTuple):
    """One call of an op: the shape of each array input, and the keyword parameters passed beside them."""

    shapes: tuple[Shape, ...]
    params: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class OpInfo:
    """How to test `fn(*arrays, **params)`, a function of `nin` arrays returning a Variable (or several).

    domain: a strategy of input values for a shape, one for all inputs or one per input; the default
    draws floats in [-3, 3]. Leave `cases` out for an elementwise op: its inputs then take mutually
    broadcastable shapes (0-d included), its output must have their broadcast shape, `edge_cases`
    default to 0-d and size-0 inputs, and `bad_cases` (two inputs or more) to shapes that do not
    broadcast. Otherwise `cases` draws the calls and `edge_cases`/`bad_cases` default to none.
    Every bad case must raise a ValueError or TypeError naming the op and the offending shapes.
    """

    name: str
    fn: Callable[..., Any]
    nin: int = 1
    domain: Domain | tuple[Domain, ...] = arrays
    cases: st.SearchStrategy[Case] | None = None
    edge_cases: tuple[Case, ...] | None = None
    bad_cases: tuple[Case, ...] | None = None
    twice_differentiable: bool = True
    atol: float = 1e-5
    rtol: float = 1e-3

    @property
    def elementwise(self) -> bool:
        return self.cases is None

    def case_strategy(self) -> st.SearchStrategy[Case]:
        if self.cases is not None:
            return self.cases
        return broadcastable_shapes(self.nin).map(Case)

    def edges(self) -> tuple[Case, ...]:
        if self.edge_cases is not None or not self.elementwise:
            return self.edge_cases or ()
        n = self.nin
        return (Case(((),) * n), Case(((0,),) * n), Case(((2, 0),) + ((0,),) * (n - 1)))

    def bads(self) -> tuple[Case, ...]:
        if self.bad_cases is not None or not self.elementwise or self.nin < 2:
            return self.bad_cases or ()
        return (Case(((2, 3), (4,)) + ((2, 3),) * (self.nin - 2)),)

    def values(self, index: int, shape: Shape) -> st.SearchStrategy[np.ndarray]:
        domain = self.domain[index] if isinstance(self.domain, tuple) else self.domain
        return domain(shape)


def check_op(info: OpInfo, max_examples: int | None = None) -> None:
    """Test an op under hypothesis; raise with hypothesis's smallest failing example when a check fails.

    For each drawn case (and every edge case): gradcheck, and gradgradcheck when twice differentiable,
    in float64 against central differences (with the op's broadcasting undone for every input); the
    output of the broadcast shape for elementwise ops; float32 inputs giving float32 outputs and
    gradients. Each bad case must raise a clear error. max_examples defaults to hypothesis's profile.
    """
    for case in info.bads():
        _check_rejects(info, case)
    options: dict[str, Any] = {
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    }
    if max_examples is not None:
        options["max_examples"] = max_examples
    edges = info.edges()

    @settings(**options)
    @given(st.data())
    def check_cases(data: st.DataObject) -> None:
        _check_case(info, data.draw(info.case_strategy(), label="case"), data)

    @settings(**{**options, "max_examples": 2})
    @given(st.data())
    def check_edges(data: st.DataObject) -> None:
        for case in edges:
            _check_case(info, case, data)

    if edges:
        check_edges()
    check_cases()


def _check_case(info: OpInfo, case: Case, data: st.DataObject) -> None:
    inputs = [data.draw(info.values(i, shape), label=f"input {i}") for i, shape in enumerate(case.shapes)]

    def op(*xs: Any) -> Any:
        return info.fn(*xs, **case.params)

    op.__name__ = info.name
    fast = sum(np.size(x) for x in inputs) > _FULL_CHECK_SIZE
    gradcheck(op, *inputs, atol=info.atol, rtol=info.rtol, fast_mode=fast)
    if info.twice_differentiable:
        gradgradcheck(op, *inputs, atol=info.atol, rtol=info.rtol, fast_mode=fast)
    if info.elementwise:
        with no_grad():
            shape = _outputs(op(*[_wrap(x) for x in inputs]))[0].shape
        expected = np.broadcast_shapes(*case.shapes)
        if shape != expected:
            raise OpCheckError(f"{info.name}: inputs of shapes {case.shapes} gave shape {shape}, expected {expected}")
    _check_float32(info, op, inputs)


def _wrap(x: Any) -> Any:
    return Variable(x) if isinstance(x, np.ndarray) and x.dtype.kind == "f" else x


def _outputs(result: Any) -> list[Variable]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _check_float32(info: OpInfo, op: Callable[..., Any], inputs: list[Any]) -> None:
    """float32 in, float32 out: for the outputs and for the gradients of every float input."""
    xs = [_wrap(x.astype(np.float32) if x.dtype.kind == "f" else x) for x in inputs]
    with enable_grad():
        outputs = _outputs(op(*xs))
    for y in outputs:
        if y.dtype != np.float32:
            raise OpCheckError(f"{info.name}: float32 inputs of shapes {[x.shape for x in xs]} gave a {y.dtype} output")
    variables = [x for x in xs if isinstance(x, Variable)]
    connected = [y for y in outputs if y.creator is not None]
    if not connected or not variables:
        return
    ones = [Variable(np.ones(y.shape, np.float32)) for y in connected]
    for x, g in zip(variables, grad(connected, variables, grad_outputs=ones, allow_unused=True)):
        if g is not None and g.dtype != np.float32:
            raise OpCheckError(f"{info.name}: the gradient for a float32 input of shape {x.shape} is {g.dtype}")


def _check_rejects(info: OpInfo, case: Case) -> None:
    """The op must refuse inputs of mismatched shapes with a ValueError/TypeError naming it and the shapes."""
    xs = [Variable(np.full(shape, 0.5)) for shape in case.shapes]
    try:
        info.fn(*xs, **case.params)
    except (ValueError, TypeError) as error:
        message = str(error)
        named = sum(str(shape) in message for shape in case.shapes)
        if info.name not in message or named < min(2, len(case.shapes)):
            raise OpCheckError(
                f"{info.name}: the error for inputs of shapes {case.shapes} should name the op and the shapes, "
                f"got {type(error).__name__}: {message}"
            ) from error
        return
    raise OpCheckError(f"{info.name}: inputs of shapes {case.shapes} ({dict(case.params)}) raised no error")
