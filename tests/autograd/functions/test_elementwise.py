"""Elementwise ops: values against NumPy formulas, gradients over drawn shapes, kinks, stability, dtypes, errors."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd.functions as F
from autograd import Variable
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name: (op, NumPy reference, input strategy keywords, smooth). Ops with a kink or pole keep inputs away from it.
UNARY = {
    "exp": (F.exp, np.exp, {}, True),
    "log": (F.log, np.log, {"low": 0.1}, True),
    "sqrt": (F.sqrt, np.sqrt, {"low": 0.1}, True),
    "sin": (F.sin, np.sin, {}, True),
    "cos": (F.cos, np.cos, {}, True),
    "tanh": (F.tanh, np.tanh, {}, True),
    "sigmoid": (F.sigmoid, _sigmoid, {"low": -10, "high": 10}, True),
    "relu": (F.relu, lambda x: np.maximum(x, 0), {"avoid": (0.0,)}, False),
    "leaky_relu": (F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), {"avoid": (0.0,)}, False),
    "leaky_relu(slope=0.3)": (
        lambda x: F.leaky_relu(x, slope=0.3),
        lambda x: np.where(x > 0, x, 0.3 * x),
        {"avoid": (0.0,)},
        False,
    ),
    "elu": (F.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1), {"avoid": (0.0,)}, True),
    "elu(alpha=1.7)": (
        lambda x: F.elu(x, alpha=1.7),
        lambda x: np.where(x > 0, x, 1.7 * (np.exp(x) - 1)),
        {"avoid": (0.0,)},
        True,
    ),
    "abs": (F.abs, np.abs, {"avoid": (0.0,)}, False),
    "clip(-1, 1.5)": (lambda x: F.clip(x, -1, 1.5), lambda x: np.clip(x, -1, 1.5), {"avoid": (-1.0, 1.5)}, False),
    "clip(None, 0.5)": (lambda x: F.clip(x, None, 0.5), lambda x: np.minimum(x, 0.5), {"avoid": (0.5,)}, False),
}
SMOOTH = sorted(name for name, spec in UNARY.items() if spec[3])
SMALL = zst.shapes(max_dims=2, max_side=3)  # second derivatives cost a Jacobian of a backward pass


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_values_and_gradients(name, data):
    op, reference, bounds, _ = UNARY[name]
    x = data.draw(zst.arrays(**bounds))
    y = op(Variable(x))
    assert y.shape == x.shape
    np.testing.assert_allclose(y.data, reference(x), rtol=1e-12, atol=1e-15)
    assert gradcheck(op, x)


@pytest.mark.parametrize("name", SMOOTH)
@given(data=st.data())
def test_unary_second_derivatives(name, data):
    op, _, bounds, _ = UNARY[name]
    assert gradgradcheck(op, data.draw(zst.arrays(SMALL, **bounds)))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_on_0d_input(name):
    op, reference, _, _ = UNARY[name]
    x = np.array(0.7)
    y = op(Variable(x))
    assert y.shape == ()
    np.testing.assert_allclose(y.data, reference(x))
    assert gradcheck(op, x)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_keeps_float32(name):
    op = UNARY[name][0]
    x = Variable(np.linspace(0.2, 1.4, 6, dtype=np.float32).reshape(2, 3))
    y = op(x)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "op, x, expected",
    [
        (F.tanh, [-1000.0, 1000.0], [-1.0, 1.0]),
        (F.sigmoid, [-1000.0, 1000.0], [0.0, 1.0]),
        (F.exp, [-1000.0], [0.0]),
        (F.elu, [-1000.0, 1000.0], [-1.0, 1000.0]),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_stay_finite_without_warnings(op, x, expected, dtype):
    v = Variable(np.array(x, dtype))
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        y = op(v)
        y.backward(np.ones(y.shape, dtype))
    np.testing.assert_array_equal(y.data, np.array(expected, dtype))
    assert np.all(np.isfinite(v.grad.data))


def test_sigmoid_keeps_relative_precision_in_the_tails():
    x = np.array([-40.0, -20.0, 20.0, 40.0])
    expected = [1 / (1 + np.exp(40)), 1 / (1 + np.exp(20)), 1 / (1 + np.exp(-20)), 1.0]
    np.testing.assert_allclose(F.sigmoid(x).data, expected, rtol=1e-14)


@pytest.mark.parametrize(
    "op, expected",
    [
        (F.relu, 0.0),  # as PyTorch: relu'(0) = 0
        (lambda x: F.leaky_relu(x, slope=0.2), 0.2),  # the slope, as PyTorch
        (lambda x: F.elu(x, alpha=1.7), 1.7),  # alpha, the left limit, as PyTorch
        (F.abs, 0.0),  # sign(0)
    ],
)
def test_gradient_at_the_kink(op, expected):
    x = Variable(np.array(0.0))
    op(x).backward()
    assert x.grad.item() == expected


def test_clip_gradient_is_one_inside_and_on_the_bounds_zero_outside():
    x = Variable(np.array([-2.0, -1.0, 0.3, 1.5, 2.0]))
    y = F.clip(x, -1.0, 1.5)
    y.backward(np.ones(5))
    np.testing.assert_array_equal(y.data, [-1.0, -1.0, 0.3, 1.5, 1.5])
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("op, reference", [(F.maximum, np.maximum), (F.minimum, np.minimum)])
@given(pair=zst.broadcastable_arrays())
def test_maximum_minimum_broadcast_values_and_gradients(op, reference, pair):
    a, b = pair
    # Where a and b nearly tie, the function has a kink that central differences cannot see across.
    assume(np.all(np.abs(np.subtract(a, b)) > 1e-3))
    y = op(Variable(a), Variable(b))
    np.testing.assert_array_equal(y.data, reference(a, b))
    assert gradcheck(op, a, b)


@pytest.mark.parametrize("op", [F.maximum, F.minimum])
def test_maximum_minimum_split_ties_evenly(op):
    """Equal elements share the gradient half and half, as torch.maximum / torch.minimum do."""
    a, b = Variable(np.array([1.0, 2.0, 3.0])), Variable(np.array([2.0, 2.0, 2.0]))
    op(a, b).backward(np.array([1.0, 1.0, 1.0]))
    first = [0.0, 0.5, 1.0] if op is F.maximum else [1.0, 0.5, 0.0]
    np.testing.assert_array_equal(a.grad.data, first)
    np.testing.assert_array_equal(b.grad.data, 1 - np.array(first))


def test_maximum_with_itself_passes_the_whole_gradient():
    x = Variable(np.array([1.0, -2.0]))
    F.maximum(x, x).backward(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


@pytest.mark.parametrize("op", [F.maximum, F.minimum])
def test_maximum_minimum_keep_float32_beside_python_scalars(op):
    x = Variable(np.array([0.5, -1.5], np.float32))
    y = op(x, 0.0)
    y.backward(np.ones(2, np.float32))
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32
    y = op(x, Variable(np.array([0.0, 0.0], np.float32)))
    assert y.dtype == np.float32


@given(data=st.data())
def test_where_broadcasts_values_and_gradients(data):
    shape_c, shape_x, shape_o = data.draw(zst.broadcastable_shapes(3))
    condition = data.draw(hnp.arrays(bool, shape_c))
    x, other = data.draw(zst.arrays(shape_x)), data.draw(zst.arrays(shape_o))
    y = F.where(condition, Variable(x), Variable(other))
    np.testing.assert_array_equal(y.data, np.where(condition, x, other))
    assert gradcheck(lambda a, b: F.where(condition, a, b), x, other)
    assert gradgradcheck(lambda a, b: F.where(condition, a * a, b * b), x, other)


def test_where_keeps_float32():
    x = Variable(np.array([1.0, 2.0], np.float32))
    y = F.where(np.array([True, False]), x, 0.0)
    y.backward(np.ones(2, np.float32))
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: F.maximum(np.ones(3), np.ones(4)), ValueError, ["maximum", "(3,)", "(4,)"]),
        (lambda: F.minimum(np.ones((2, 3)), np.ones(2)), ValueError, ["minimum", "(2, 3)", "(2,)"]),
        (lambda: F.where(np.ones(3, bool), np.ones(2), np.ones(3)), ValueError, ["where", "(2,)"]),
        (lambda: F.clip(np.ones(3), 2.0, 1.0), ValueError, ["clip", "low=2.0", "high=1.0"]),
        (lambda: F.leaky_relu(np.ones(3), slope=np.ones(3)), TypeError, ["leaky_relu", "slope", "(3,)"]),
        (lambda: F.elu(np.ones(3), alpha=np.ones(2)), TypeError, ["elu", "alpha", "(2,)"]),
    ],
)
def test_bad_input_names_the_op_and_shapes(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("op", [F.sqrt, F.sigmoid, F.relu, F.leaky_relu, F.elu, F.abs, F.maximum, F.minimum])
def test_every_op_has_a_symbol_for_drawings(op):
    args = (Variable(np.ones(2)),) * (2 if op in (F.maximum, F.minimum) else 1)
    assert isinstance(op(*args).creator.symbol, str)
