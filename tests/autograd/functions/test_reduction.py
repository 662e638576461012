"""Reductions: values against NumPy over drawn axes and keepdims, gradients, ties, empty axes, stability, dtypes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst


@st.composite
def arrays_and_axes(draw, shapes=None, distinct=False):
    """An array, an axis argument for it, and keepdims; distinct elements give max and min one winner."""
    x = draw((zst.distinct_arrays if distinct else zst.arrays)(shapes))
    return x, draw(zst.axes(x.ndim)), draw(st.booleans())


@pytest.mark.parametrize("op, reference", [(F.sum, np.sum), (F.mean, np.mean)])
@given(case=arrays_and_axes())
def test_sum_mean_values_and_gradients(op, reference, case):
    x, axis, keepdims = case
    y = op(Variable(x), axis, keepdims)
    np.testing.assert_allclose(y.data, reference(x, axis=axis, keepdims=keepdims), rtol=1e-12)
    assert gradcheck(lambda v: op(v, axis, keepdims), x)


@given(case=arrays_and_axes(shapes=zst.shapes(min_dims=1, min_side=0)))
def test_sum_over_empty_axes(case):
    x, axis, keepdims = case
    y = F.sum(Variable(x), axis, keepdims)
    np.testing.assert_array_equal(y.data, np.sum(x, axis=axis, keepdims=keepdims))
    assert gradcheck(lambda v: F.sum(v, axis, keepdims), x)


@pytest.mark.parametrize("op, reference", [(F.max, np.max), (F.min, np.min)])
@given(case=arrays_and_axes(distinct=True))
def test_max_min_values_and_gradients(op, reference, case):
    x, axis, keepdims = case
    y = op(Variable(x), axis, keepdims)
    np.testing.assert_array_equal(y.data, reference(x, axis=axis, keepdims=keepdims))
    assert gradcheck(lambda v: op(v, axis, keepdims), x)


@given(case=arrays_and_axes(distinct=True))
def test_max_gradient_marks_the_argmax(case):
    x, axis, keepdims = case
    v = Variable(x)
    y = F.max(v, axis, keepdims)
    y.backward(np.ones(y.shape))
    expected = (x == np.max(x, axis=axis, keepdims=True)).astype(float)
    np.testing.assert_array_equal(v.grad.data, expected)


def test_max_min_split_the_gradient_evenly_among_ties():
    """As PyTorch's amax/amin and global max()/min(); PyTorch's max(dim) gives it to one index instead."""
    x = Variable(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]))
    F.max(x).backward()
    np.testing.assert_allclose(x.grad.data, [[0, 0.5, 0.5], [0, 0, 0]])
    x.cleargrad()
    F.max(x, axis=1).backward(np.array([1.0, 6.0]))
    np.testing.assert_allclose(x.grad.data, [[0, 0.5, 0.5], [2, 2, 2]])
    x.cleargrad()
    F.min(x, axis=0, keepdims=True).backward(np.ones((1, 3)))
    np.testing.assert_allclose(x.grad.data, [[1, 0, 0], [0, 1, 1]])


def test_max_gives_the_gradient_to_a_nan():
    x = Variable(np.array([1.0, np.nan, 3.0]))
    y = F.max(x)
    y.backward()
    assert np.isnan(y.item())
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])


def test_max_min_methods_on_variables():
    x = Variable(np.array([[1.0, 5.0], [4.0, 2.0]]))
    np.testing.assert_array_equal(x.max(axis=0).data, [4.0, 5.0])
    np.testing.assert_array_equal(x.min(axis=1, keepdims=True).data, [[1.0], [2.0]])


@pytest.mark.parametrize("op", [F.max, F.min])
def test_max_min_over_an_empty_axis_is_an_error(op):
    name = op.__name__
    with pytest.raises(ValueError, match=rf"{name}: cannot reduce over axis 0 of size 0 \(input of shape \(0, 3\)\)"):
        op(Variable(np.zeros((0, 3))), axis=0)


@pytest.mark.parametrize("op", [F.max, F.min])
def test_max_min_along_a_full_axis_of_an_empty_array(op):
    x = Variable(np.zeros((0, 3)))
    y = op(x, axis=1)
    assert y.shape == (0,)
    y.backward(np.zeros((0,)))
    assert x.grad.shape == (0, 3)


def _logsumexp(x, axis, keepdims):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


@given(case=arrays_and_axes())
def test_logsumexp_values_and_gradients(case):
    x, axis, keepdims = case
    y = F.logsumexp(Variable(x), axis, keepdims)
    np.testing.assert_allclose(y.data, _logsumexp(x, axis, keepdims), rtol=1e-12, atol=1e-14)
    assert gradcheck(lambda v: F.logsumexp(v, axis, keepdims), x)


@given(case=arrays_and_axes(shapes=zst.shapes(max_dims=2, max_side=3)))
def test_logsumexp_second_derivatives(case):
    x, axis, keepdims = case
    assert gradgradcheck(lambda v: F.logsumexp(v, axis, keepdims), x)


@given(case=arrays_and_axes(shapes=zst.shapes(min_dims=1, min_side=0)))
def test_logsumexp_over_empty_axes_is_minus_infinity(case):
    x, axis, keepdims = case
    with np.errstate(divide="ignore"):
        expected = _logsumexp(x, axis, keepdims)
    v = Variable(x)
    y = F.logsumexp(v, axis, keepdims)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-14)
    if x.size == 0:
        y.backward(np.ones(y.shape))
        assert v.grad.shape == x.shape


@pytest.mark.parametrize(
    "x, expected",
    [
        ([1000.0, 1000.0], 1000.0 + np.log(2.0)),
        ([-1000.0, -1000.0], -1000.0 + np.log(2.0)),
        ([-np.inf, -np.inf], -np.inf),
        ([np.inf, 0.0], np.inf),
        ([1000.0, -1000.0], 1000.0),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logsumexp_is_stable(x, expected, dtype):
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = F.logsumexp(Variable(np.array(x, dtype)))
    assert y.dtype == dtype
    np.testing.assert_allclose(y.data, np.array(expected, dtype), rtol=1e-6)


def test_logsumexp_gradient_at_large_inputs_is_the_softmax():
    x = Variable(np.array([1000.0, 1000.0, -1000.0]))
    with np.errstate(over="raise", invalid="raise"):
        F.logsumexp(x).backward()
    np.testing.assert_allclose(x.grad.data, [0.5, 0.5, 0.0])


@pytest.mark.parametrize("op", [F.sum, F.mean, F.max, F.min, F.logsumexp])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, True), ((0, 2), False)])
def test_reductions_keep_float32(op, axis, keepdims):
    x = Variable(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7)
    y = op(x, axis, keepdims)
    y.backward(np.ones(y.shape, np.float32))
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("op", [F.sum, F.mean, F.max, F.min, F.logsumexp])
def test_reductions_on_0d_input(op):
    x = np.array(0.4)
    assert op(Variable(x)).item() == pytest.approx(0.4)
    assert gradcheck(op, x)
    for axis in (0, -1):  # a 0-d array has one axis to name, as in PyTorch
        assert op(Variable(x), axis=axis).item() == pytest.approx(0.4)


@pytest.mark.parametrize("op", [F.sum, F.mean, F.max, F.min, F.logsumexp])
def test_bad_axis_names_the_op(op):
    name = op.__name__
    with pytest.raises(ValueError, match=rf"{name}: axis 2 is out of range for an array with 2 dimension"):
        op(Variable(np.ones((2, 3))), axis=2)
    with pytest.raises(ValueError, match=rf"{name}: repeated axis"):
        op(Variable(np.ones((2, 3))), axis=(1, -1))


@pytest.mark.parametrize("op", [F.max, F.min, F.logsumexp])
def test_every_reduction_has_a_symbol_for_drawings(op):
    assert isinstance(op(Variable(np.ones(2))).creator.symbol, str)
