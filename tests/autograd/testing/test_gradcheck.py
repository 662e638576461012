"""gradcheck, gradgradcheck and numerical_grad catch wrong gradients and say where."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Function, Variable
from autograd.testing import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from autograd.testing import strategies as zst


class Cube(Function):
    """y = x**3 with a deliberately wrong backward at one element."""

    def forward(self, x):
        return x**3

    def backward(self, gy):
        (x,) = self.inputs
        wrong = np.ones(x.shape)
        wrong.reshape(-1)[-1] = 2.0
        return gy * 3 * x * x * Variable(wrong)


class CubeFrozenBackward(Function):
    """Correct first derivative computed from raw data, so the second derivative is lost."""

    def forward(self, x):
        return x**3

    def backward(self, gy):
        (x,) = self.inputs
        return gy * Variable(3 * x.data**2)


def test_numerical_grad_of_known_function():
    x = np.array([0.5, -1.0, 2.0])
    (g,) = numerical_grad(lambda v: F.sin(v) * v, x)
    np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), rtol=1e-8)


def test_numerical_grad_with_grad_output_and_integer_inputs_skipped():
    x = np.array([1.0, 2.0])
    labels = np.array([1, 0])
    grads = numerical_grad(lambda v, t: v * v, x, labels, grad_output=np.array([1.0, 3.0]))
    assert len(grads) == 1
    np.testing.assert_allclose(grads[0], [2.0, 12.0], rtol=1e-8)


@given(zst.arrays(zst.shapes(min_dims=1)))
def test_gradcheck_passes_correct_ops(x):
    assert gradcheck(lambda v: F.tanh(v) * v, x)
    assert gradcheck(lambda v: F.tanh(v) * v, x, fast_mode=True)


def test_gradcheck_names_input_and_worst_index():
    x = np.array([[0.5, 1.0], [1.5, 2.0]])
    expected = r"Cube: gradient for input 0 \(shape \(2, 2\)\) is wrong at index \(1, 1\)"
    with pytest.raises(GradcheckError, match=expected):
        gradcheck(Cube(), x)


def test_gradcheck_fast_mode_catches_the_same_bug():
    x = np.linspace(0.5, 2.0, 12).reshape(3, 4)
    with pytest.raises(GradcheckError, match=r"fast mode.*input 0"):
        gradcheck(Cube(), x, fast_mode=True)


def test_gradcheck_checks_every_input_and_broadcasting():
    a, b = np.random.default_rng(1).standard_normal((2, 3, 1)), np.random.default_rng(2).standard_normal((4,))
    assert gradcheck(lambda x, y: x * y + y, a, b)


def test_gradcheck_of_multiple_outputs():
    assert gradcheck(lambda x: (F.sin(x), F.cos(x) * x), np.array([0.3, -0.7]))


def test_gradgradcheck_passes_smooth_ops_and_catches_lost_second_derivative():
    x = np.array([0.5, -1.2, 2.0])
    assert gradgradcheck(lambda v: F.sin(v) * v, x)
    assert gradcheck(CubeFrozenBackward(), x)
    with pytest.raises(GradcheckError):
        gradgradcheck(CubeFrozenBackward(), x)


def test_gradcheck_requires_a_float_input():
    with pytest.raises(ValueError, match="no floating-point input"):
        gradcheck(lambda t: t, np.array([1, 2]))


@given(zst.arrays(low=-1, high=1, avoid=(0.0,), margin=0.1))
def test_arrays_strategy_respects_bounds_and_avoided_points(x):
    assert np.all(np.abs(x) <= 1) and np.all(np.abs(x) > 0.1)


@given(zst.broadcastable_arrays(num_arrays=3))
def test_broadcastable_arrays_broadcast(arrays):
    np.broadcast_shapes(*(a.shape for a in arrays))


@given(st.data())
def test_axes_strategy_gives_valid_axes(data):
    x = data.draw(zst.arrays())
    axis = data.draw(zst.axes(x.ndim))
    np.sum(x, axis=axis)


def test_gradcheck_of_an_output_that_is_not_c_contiguous():
    # A transposed view's one-hot weights must still select the right output element.
    x = np.arange(6.0).reshape(2, 3)
    assert gradcheck(F.transpose, x)
    assert gradgradcheck(lambda v: F.transpose(v) ** 2, x)


def test_gradcheck_of_a_function_returning_its_input():
    # reshape to the same shape returns its input; the identity's gradient is still checked.
    x = np.arange(3.0)
    assert gradcheck(lambda v: F.reshape(v, (3,)), x)
    assert gradgradcheck(lambda v: v, x)
