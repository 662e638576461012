"""Higher-order derivatives: closed forms for tanh and sin, and Newton's method with create_graph."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, grad


def nth_derivative(f, x0: float, n: int) -> list[float]:
    x = Variable(x0)
    y = f(x)
    values = []
    for _ in range(n):
        (y,) = grad(y, x, create_graph=True)
        values.append(y.item())
    return values


def tanh_derivatives(x: float) -> list[float]:
    t = np.tanh(x)
    s = 1 - t * t
    return [s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)]


def sin_derivatives(x: float) -> list[float]:
    return [np.cos(x), -np.sin(x), -np.cos(x), np.sin(x)]


@given(st.floats(-3, 3))
def test_tanh_derivatives_1_to_4(x0):
    np.testing.assert_allclose(nth_derivative(F.tanh, x0, 4), tanh_derivatives(x0), rtol=1e-9, atol=1e-12)


@given(st.floats(-6, 6))
def test_sin_derivatives_1_to_4(x0):
    np.testing.assert_allclose(nth_derivative(F.sin, x0, 4), sin_derivatives(x0), rtol=1e-9, atol=1e-12)


def test_newton_method_on_quartic_with_create_graph():
    """f(x) = x^4 - 2x^2 from x = 2: Newton's steps match the analytic ones and reach the minimum at 1."""
    x = Variable(2.0)
    expected = 2.0
    for _ in range(10):
        y = x**4 - 2 * x**2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        gx2 = x.grad
        x.data = x.data - gx.data / gx2.data
        expected = expected - (4 * expected**3 - 4 * expected) / (12 * expected**2 - 4)
        assert x.item() == pytest.approx(expected, rel=1e-12)
    assert x.item() == pytest.approx(1.0, abs=1e-12)


def test_second_derivative_of_variable_exponent():
    """d²/db² a**b = a**b log(a)²."""
    a, b = Variable(2.0), Variable(1.5)
    (gb,) = grad(a**b, b, create_graph=True)
    (gbb,) = grad(gb, b)
    assert gbb.item() == pytest.approx(2.0**1.5 * np.log(2.0) ** 2)
