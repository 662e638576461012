"""Garbage in: Variable and every op of the op table (autograd.testing.OPS) fed wrong types, object and
string arrays, ragged lists, mismatched or wrong-rank shapes, bad parameters and non-finite data.

What comes out of a bad call is a TypeError or ValueError whose message names the op (or `Variable`, for
data that is no numeric array); getitem's bad indices raise IndexError naming getitem, as indexing does in
Python, NumPy and PyTorch. A call that is not refused must be consistent: its output has the broadcast
shape (elementwise ops) and backward gives every input a gradient of that input's shape.

NaN and inf in *data* are values, not errors: they propagate through every op by IEEE arithmetic (a NaN
input of an elementwise op gives NaN there), forward and backward, and anomaly mode (`detect_anomaly`) is
the tool that finds where the first one appeared. NaN and inf in what is not data (a probability, a
bound, a slope, an axis, a shape, a kernel size, a count) raise ValueError or TypeError.
"""

import operator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, as_variable, grad
from autograd.testing import OPS
from autograd.testing import strategies as zs
from tests.garbage import refused

SETTINGS = settings(
    max_examples=8, deadline=2000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
# Keyword parameters that are flags: any truthy value counts, as for Python's own `if`.
FLAGS = {"keepdims", "training"}
WITH_PARAMETERS = [info for info in OPS if info.cases is not None]


def _outputs(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _gradients_fit(inputs, result) -> None:
    """Backward through the result gives each input a gradient of its own shape."""
    connected = [y for y in _outputs(result) if y.creator is not None]
    if not connected:
        return
    ones = [Variable(np.ones(y.shape)) for y in connected]
    for x, g in zip(inputs, grad(connected, inputs, grad_outputs=ones, allow_unused=True)):
        assert g is None or g.shape == x.shape, f"gradient of shape {g.shape} for an input of shape {x.shape}"


@st.composite
def other_shapes(draw, shape):
    """A shape near `shape` but different: an axis added, an axis dropped, or one side changed (0 included)."""
    shape = list(shape)
    moves = ["add"] + (["drop", "resize"] if shape else [])
    move = draw(st.sampled_from(moves))
    if move == "add":
        shape.insert(draw(st.integers(0, len(shape))), draw(st.integers(0, 3)))
    elif move == "drop":
        del shape[draw(st.integers(0, len(shape) - 1))]
    else:
        at = draw(st.integers(0, len(shape) - 1))
        shape[at] = draw(st.integers(0, 4).filter(lambda n: n != shape[at]))
    return tuple(shape)


# ----- Variable and the operators -----


@SETTINGS
@given(zs.garbage())
def test_variable_refuses_non_numeric_data(data):
    refused(lambda: Variable(data), "Variable")
    refused(lambda: as_variable(data), "Variable")


@SETTINGS
@given(zs.non_finite_arrays())
def test_variable_keeps_non_finite_data(x):
    np.testing.assert_array_equal(Variable(x).data, x)


@SETTINGS
@given(zs.garbage(), st.sampled_from([operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
                                      operator.matmul]), st.booleans())
def test_operators_refuse_garbage_on_either_side(junk, op, left):
    v = Variable(np.ones((2, 2)))
    a, b = (junk, v) if left else (v, junk)
    # Python itself refuses some pairs (a str times a Variable) when our operator returns NotImplemented.
    refused(lambda: op(a, b), "Variable", "unsupported operand", "can't multiply")


# ----- every op of the table -----


@pytest.mark.parametrize("info", OPS, ids=lambda info: info.name)
@SETTINGS
@given(data=st.data())
def test_op_refuses_garbage_inputs(info, data):
    case = data.draw(info.case_strategy(), label="case")
    inputs = [np.full(shape, 0.5) for shape in case.shapes]
    at = data.draw(st.integers(0, len(inputs) - 1), label="garbage at")
    inputs[at] = data.draw(zs.garbage(), label="garbage")
    if inputs[at] is None and at == 2:
        return  # b=None is no bias (linear, conv2d, conv_transpose2d)
    refused(lambda: info.fn(*inputs, **case.params), info.name, "Variable")


@pytest.mark.parametrize("info", OPS, ids=lambda info: info.name)
@SETTINGS
@given(data=st.data())
def test_op_on_other_shapes_refuses_clearly_or_stays_consistent(info, data):
    case = data.draw(info.case_strategy(), label="case")
    shapes = list(case.shapes)
    at = data.draw(st.integers(0, len(shapes) - 1), label="reshaped input")
    shapes[at] = data.draw(other_shapes(shapes[at]), label="its shape")
    inputs = [Variable(np.full(shape, 0.5)) for shape in shapes]
    try:
        result = info.fn(*inputs, **case.params)
    except (TypeError, ValueError) as error:
        assert info.name in str(error), f"{info.name}: shapes {shapes}: {type(error).__name__}: {error}"
        return
    except IndexError as error:
        assert info.name == "getitem" and "getitem" in str(error), f"{info.name}: shapes {shapes}: {error}"
        return
    if info.elementwise:
        assert _outputs(result)[0].shape == np.broadcast_shapes(*shapes)
    _gradients_fit(inputs, result)


# None is left out: it is a valid axis, axes, stride and index.
BAD_PARAMETERS = st.one_of(
    zs.non_numeric().filter(lambda v: v is not None),
    st.sampled_from([np.nan, np.inf, -np.inf, 1.5, (np.nan, 1), ("a",)]),
)


@pytest.mark.parametrize("info", WITH_PARAMETERS, ids=lambda info: info.name)
@SETTINGS
@given(data=st.data())
def test_op_refuses_garbage_parameters(info, data):
    case = data.draw(info.case_strategy(), label="case")
    params = dict(case.params)
    keys = sorted(set(params) - FLAGS)
    if not keys:
        return
    key = data.draw(st.sampled_from(keys), label="parameter")
    params[key] = data.draw(BAD_PARAMETERS, label="value")
    inputs = [np.full(shape, 0.5) for shape in case.shapes]
    errors = (TypeError, ValueError, IndexError) if info.name == "getitem" else (TypeError, ValueError)
    # Data passed as a parameter (labels t, a condition) is refused as data, by Variable.
    refused(lambda: info.fn(*inputs, **params), info.name, "Variable", errors=errors)


@pytest.mark.parametrize("info", OPS, ids=lambda info: info.name)
@SETTINGS
@given(data=st.data())
def test_op_carries_non_finite_data_through(info, data):
    case = data.draw(info.case_strategy(), label="case")
    arrays = [data.draw(zs.non_finite_arrays(shape), label=f"input {i}") for i, shape in enumerate(case.shapes)]
    inputs = [Variable(x) for x in arrays]
    with np.errstate(all="ignore"):
        result = info.fn(*inputs, **case.params)
        _gradients_fit(inputs, result)
    if info.elementwise and info.nin == 1 and info.name != "clip":
        y = _outputs(result)[0].data
        assert np.isnan(y[np.isnan(arrays[0])]).all(), f"{info.name} lost a NaN"


@pytest.mark.parametrize("name", ["leaky_relu", "elu"])
@SETTINGS
@given(zs.bad_reals())
def test_activation_refuses_bad_hyperparameter(name, value):
    refused(lambda: getattr(F, name)(np.ones(3), value), name)


@SETTINGS
@given(zs.bad_reals().filter(lambda v: v is not None), st.booleans())
def test_clip_refuses_bad_bounds(value, low):
    bounds = (value, 1.0) if low else (-1.0, value)
    if bounds in ((-np.inf, 1.0), (-1.0, np.inf)):
        return  # an infinite bound on its own side is no bound, like None
    refused(lambda: F.clip(np.ones(3), *bounds), "clip")


@SETTINGS
@given(zs.bad_reals())
def test_dropout_refuses_bad_probability(p):
    refused(lambda: F.dropout(np.ones(3), p), "dropout")


@SETTINGS
@given(zs.bad_reals(), st.sampled_from(["momentum", "eps"]))
def test_batch_norm_refuses_bad_hyperparameters(value, name):
    x, ones, zeros = np.ones((2, 3)), np.ones(3), np.zeros(3)
    refused(lambda: F.batch_norm(x, ones, zeros, zeros.copy(), ones.copy(), True, **{name: value}), "batch_norm")


@SETTINGS
@given(zs.garbage() | st.sampled_from([np.ones((3, 3)), np.ones(2), np.ones(1)]))
def test_backward_refuses_a_bad_seed_gradient(seed):
    x = Variable(np.ones((2, 2)))
    y = x * 2
    refused(lambda: y.backward(Variable(seed) if isinstance(seed, np.ndarray) else seed), "backward", "Variable")
    assert x.grad is None
