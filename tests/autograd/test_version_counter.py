"""Saved-tensor safety: backward refuses data changed in place since forward, and only where it reads it."""

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
import autograd.functions as F
from autograd import InplaceModificationError, Variable, increment_version
from autograd.testing import OPS, OpInfo

# Ops (by their name in the op table) and the inputs whose values their backward never reads: changing
# one of those in place must not stop backward. Every other float input must make backward raise.
NOT_READ: dict[str, tuple[int, ...]] = {
    "add": (0, 1), "sub": (0, 1), "neg": (0,), "clone": (0,), "where": (0, 1),
    # these read their output, not their input
    "exp": (0,), "sqrt": (0,), "tanh": (0,), "sigmoid": (0,), "softmax": (0,), "log_softmax": (0,),
    "sum": (0,), "mean": (0,), "sum_to": (0,), "concat": (0, 1, 2), "stack": (0, 1),
    "reshape": (0,), "transpose": (0,), "broadcast_to": (0,), "flatten": (0,), "astype": (0,), "getitem": (0,),
    "im2col": (0,), "col2im": (0,), "max_pool2d": (0,), "avg_pool2d": (0,), "dropout": (0,), "relu": (0,),
    # the bias
    "linear": (2,), "conv2d": (2,), "conv_transpose2d": (2,), "batch_norm": (2,),
}


def change_in_place(x: Variable) -> None:
    """What an optimizer step does: new values in the same array, and a new version."""
    x.data[...] = x.data * 1.5 + 0.25
    increment_version(x)


def test_an_in_place_change_of_a_read_input_makes_backward_raise_naming_the_op_input_and_versions() -> None:
    x = Variable(np.ones((2, 3)), name="x")
    w = Variable(np.full((2, 3), 2.0), name="w")
    loss = F.sum(x * w)
    change_in_place(w)
    with pytest.raises(InplaceModificationError) as caught:
        loss.backward()
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    for words in ("input 1 of Mul", "shape (2, 3)", "float64", "'w'", f"at version {w.version}", "recorded at version"):
        assert words in message, words
    assert "optimizer step" in message and "nn.init" in message


def test_nothing_changes_when_backward_refuses() -> None:
    x = Variable(np.array([1.0, 2.0]))
    x.grad = Variable(np.array([5.0, 5.0]))
    seen = []
    x.register_hook(seen.append)
    y = F.sum(F.sin(x))
    change_in_place(x)
    with pytest.raises(InplaceModificationError, match="input 0 of Sin"):
        y.backward()
    np.testing.assert_array_equal(x.grad.data, [5.0, 5.0])
    assert seen == []


def test_an_op_that_does_not_read_its_input_gives_the_right_gradient_after_a_change() -> None:
    x = Variable(np.array([1.0, -2.0, 3.0]))
    y = x + 1
    change_in_place(x)
    F.sum(y * y).backward()
    # d/dx Σ (x + 1)² = 2 (x + 1) at the forward's x: backward uses y, never x.
    np.testing.assert_array_equal(x.grad.data, [4.0, -2.0, 8.0])


def test_a_view_taken_before_a_change_and_used_after_it_is_fine() -> None:
    # The view shows the new values, and so did the forward of the op that read it: nothing is stale.
    W = Variable(np.arange(6.0).reshape(2, 3))
    Wt = W.T
    change_in_place(W)
    x = Variable(np.ones((4, 3)))
    F.sum(x @ Wt).backward()
    np.testing.assert_array_equal(x.grad.data, np.tile(W.data.sum(axis=0), (4, 1)))


def test_a_change_seen_through_a_view_makes_backward_raise() -> None:
    # x @ W.T keeps a transpose view of W: the optimizer's in-place step changes what matmul saved.
    W = Variable(np.arange(6.0).reshape(2, 3), name="W")
    x = Variable(np.ones((4, 3)))
    loss = F.sum(x @ W.T.reshape(3, 2))
    change_in_place(W)
    with pytest.raises(InplaceModificationError, match=r"input 1 of MatMul .*, a view of a Variable .*'W'"):
        loss.backward()


def test_a_graph_recorded_after_the_change_backpropagates() -> None:
    W = Variable(np.ones((2, 2)))
    assert W.version == 0
    change_in_place(W)
    assert W.version > 0
    loss = F.sum(W * W)
    loss.backward()
    np.testing.assert_array_equal(W.grad.data, 2 * W.data)


def test_ops_of_three_inputs_are_checked_by_grad_too() -> None:
    x, W, b = Variable(np.ones((2, 3))), Variable(np.ones((3, 4))), Variable(np.zeros(4))
    y = F.sum(F.linear(x, W, b))
    change_in_place(b)  # linear's backward never reads b
    (gW,) = autograd.grad(y, [W])
    np.testing.assert_array_equal(gW.data, np.full((3, 4), 2.0))
    change_in_place(W)
    with pytest.raises(InplaceModificationError, match="input 1 of Linear"):
        autograd.grad(y, [x])


def test_a_copy_made_before_the_change_is_not_affected_by_it() -> None:
    a, b = Variable(np.array([1.0, 2.0])), Variable(np.array([3.0]))
    joined = F.concat([a, b])
    y = F.sum(joined * joined)
    change_in_place(a)  # Mul saved the concatenation, a copy
    y.backward()
    np.testing.assert_array_equal(a.grad.data, [2.0, 4.0])


def test_higher_order_gradients_work_and_are_checked_too() -> None:
    x = Variable(np.array([1.0, 2.0]))
    (gx,) = autograd.grad(F.sum(x**3), [x], create_graph=True)
    (ggx,) = autograd.grad(F.sum(gx), [x])
    np.testing.assert_allclose(ggx.data, 6 * x.data)
    change_in_place(x)
    with pytest.raises(InplaceModificationError):
        autograd.grad(F.sum(gx), [x])


def test_writing_into_data_directly_is_not_tracked() -> None:
    # The escape hatch, as PyTorch's .data: no version, no error (and the gradient uses the new values).
    x = Variable(np.array([1.0, 2.0]))
    y = F.sum(x * x)
    x.data[...] = 0.0
    y.backward()
    assert x.version == 0
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def _float_inputs(values: list[np.ndarray]) -> list[int]:
    return [i for i, v in enumerate(values) if v.dtype.kind == "f"]


@pytest.mark.parametrize("info", OPS, ids=lambda info: info.name)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_op_raises_exactly_for_the_inputs_its_backward_reads(info: OpInfo, data: Any) -> None:
    """Change one input in place after forward: backward raises if the op reads it, else gives the old gradients."""
    case = data.draw(info.case_strategy(), label="case")
    values = [data.draw(info.values(i, shape), label=f"input {i}") for i, shape in enumerate(case.shapes)]
    floats = _float_inputs(values)
    if not floats:
        return
    xs = [Variable(v.copy()) if v.dtype.kind == "f" else v for v in values]
    out = info.fn(*xs, **case.params)
    outputs = [y for y in (out if isinstance(out, (tuple, list)) else [out]) if y.creator is not None]
    if not outputs:
        return
    variables = [xs[i] for i in floats]
    gys = [np.ones(y.shape, y.dtype) for y in outputs]
    expected = autograd.grad(outputs, variables, gys, allow_unused=True)
    i = data.draw(st.sampled_from(floats), label="changed input")
    change_in_place(xs[i])
    if i in NOT_READ.get(info.name, ()):
        got = autograd.grad(outputs, variables, gys, allow_unused=True)
        for g, e in zip(got, expected):
            assert (g is None) == (e is None)
            if g is not None:
                np.testing.assert_array_equal(g.data, e.data)
    else:
        with pytest.raises(InplaceModificationError):
            autograd.grad(outputs, variables, gys, allow_unused=True)


def test_the_exemption_table_names_ops_of_the_op_table() -> None:
    assert set(NOT_READ) <= {info.name for info in OPS}
