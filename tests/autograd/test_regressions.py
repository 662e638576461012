"""Cases where simple engines have shipped wrong answers."""

import numpy as np
import pytest
from hypothesis import given

import autograd.functions as F
from autograd import Variable
from autograd.testing import gradcheck
from autograd.testing import strategies as zst


def test_pow_differentiates_the_exponent():
    a, b = Variable(3.0), Variable(2.0)
    (a**b).backward()
    assert a.grad.item() == pytest.approx(6.0)
    assert b.grad.item() == pytest.approx(9.0 * np.log(3.0))


def test_pow_exponent_gradient_is_finite_at_zero_base():
    a, b = Variable(np.array([0.0, 2.0])), Variable(np.array([2.0, 2.0]))
    (a**b).sum().backward()
    assert np.all(np.isfinite(b.grad.data))
    assert b.grad.data[0] == 0.0


@given(zst.broadcastable_arrays(low=0.2, high=2.0))
def test_variable_pow_gradcheck_broadcasting(pair):
    gradcheck(lambda a, b: a**b, *pair)


def test_tanh_and_exp_stay_finite_at_extremes():
    x = Variable(np.array([1000.0, -1000.0]))
    y = F.tanh(x)
    y.sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad.data))
    z = Variable(np.array([-1000.0, -750.0]))
    e = F.exp(z)
    e.sum().backward()
    assert np.all(e.data == 0.0) and np.all(z.grad.data == 0.0)


def test_constant_exponent_keeps_graph_small_and_correct():
    x = Variable(np.array([-2.0, 0.0, 3.0]))
    y = x**2
    assert len(y.creator.inputs) == 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [-4.0, 0.0, 6.0])
