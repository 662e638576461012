"""softmax and log_softmax: values against the direct formula over drawn axes, gradients, stability, dtypes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst


def _softmax(x, axis):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


REFERENCE = {"softmax": (F.softmax, _softmax), "log_softmax": (F.log_softmax, lambda x, a: np.log(_softmax(x, a)))}


@st.composite
def array_and_axis(draw, shapes=None):
    x = draw(zst.arrays(shapes))
    axis = draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim else draw(st.sampled_from([0, -1]))
    return x, axis


@pytest.mark.parametrize("name", sorted(REFERENCE))
@given(case=array_and_axis())
def test_values_and_gradients(name, case):
    op, reference = REFERENCE[name]
    x, axis = case
    y = op(Variable(x), axis=axis)
    assert y.shape == x.shape
    np.testing.assert_allclose(y.data, reference(x, axis), rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda v: op(v, axis=axis), x)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@given(case=array_and_axis(zst.shapes(max_dims=2, max_side=3)))
def test_second_derivatives(name, case):
    op, _ = REFERENCE[name]
    x, axis = case
    assert gradgradcheck(lambda v: op(v, axis=axis), x)


@given(x=zst.arrays(zst.shapes(min_dims=1)))
def test_softmax_defaults_to_the_last_axis_and_sums_to_one(x):
    y = F.softmax(Variable(x))
    np.testing.assert_allclose(y.data, _softmax(x, -1), rtol=1e-12)
    np.testing.assert_allclose(y.data.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(Variable(x)).data, np.log(_softmax(x, -1)), rtol=1e-12, atol=1e-14)


@given(x=zst.arrays((2, 3)), shift=st.floats(-500, 500))
def test_shifting_a_row_changes_nothing(x, shift):
    np.testing.assert_allclose(F.softmax(x + shift).data, F.softmax(x).data, rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_inputs_stay_finite(dtype):
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        np.testing.assert_array_equal(F.softmax(np.array([1000.0, 1000.0], dtype)).data, [0.5, 0.5])
        np.testing.assert_array_equal(F.softmax(np.array([1000.0, -1000.0], dtype)).data, [1.0, 0.0])
        np.testing.assert_allclose(F.log_softmax(np.array([1000.0, 0.0], dtype)).data, [0.0, -1000.0])
        np.testing.assert_allclose(F.log_softmax(np.array([-1000.0, -1000.0], dtype)).data, [-np.log(2.0)] * 2,
                                   rtol=1e-6)
        x = Variable(np.array([[1000.0, 1000.0, -1000.0]], dtype))
        F.log_softmax(x).backward(np.array([[1.0, 0.0, 0.0]], dtype))
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5, 0.0]])


def test_empty_axis_gives_an_empty_result():
    for op in (F.softmax, F.log_softmax):
        x = Variable(np.zeros((2, 0)))
        y = op(x)
        assert y.shape == (2, 0)
        y.backward(np.zeros((2, 0)))
        assert x.grad.shape == (2, 0)


def test_0d_input_is_a_certain_outcome():
    assert F.softmax(np.array(3.0)).item() == 1.0
    assert F.log_softmax(np.array(3.0)).item() == 0.0
    assert gradcheck(F.softmax, np.array(3.0))
    assert gradcheck(F.log_softmax, np.array(3.0))


@pytest.mark.parametrize("op", [F.softmax, F.log_softmax])
def test_float32_in_float32_out(op):
    x = Variable(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))
    y = op(x, axis=0)
    y.backward(np.ones((2, 3), np.float32))
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("op", [F.softmax, F.log_softmax])
def test_bad_axis_names_the_op(op):
    with pytest.raises(ValueError, match=rf"{op.__name__}: axis 2 is out of range for an array with 2 dimension"):
        op(np.ones((2, 3)), axis=2)


@pytest.mark.parametrize("op", [F.softmax, F.log_softmax])
def test_symbol_for_drawings(op):
    assert isinstance(op(Variable(np.ones(2))).creator.symbol, str)
