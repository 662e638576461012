"""Arithmetic ops and operators: values, broadcasting gradients, second derivatives, dtypes, errors."""

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, grad
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst

BINARY = {
    "add": (F.add, np.add),
    "sub": (F.sub, np.subtract),
    "mul": (F.mul, np.multiply),
    "div": (F.div, np.divide),
}


def _pair(name):
    # Keep divisors away from 0, where the quotient's derivatives blow up.
    return zst.broadcastable_arrays(avoid=(0.0,), margin=0.3) if name == "div" else zst.broadcastable_arrays()


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_values_and_gradients(name, data):
    op, reference = BINARY[name]
    a, b = data.draw(_pair(name))
    np.testing.assert_allclose(op(Variable(a), Variable(b)).data, reference(a, b))
    assert gradcheck(op, a, b)
    assert gradgradcheck(op, a, b)


@given(x=zst.arrays())
def test_neg(x):
    np.testing.assert_array_equal(F.neg(Variable(x)).data, -x)
    assert gradcheck(F.neg, x)
    assert gradgradcheck(lambda v: F.neg(v * v), x)


@given(pair=zst.broadcastable_arrays(low=0.3, high=2.5))
def test_pow_with_variable_exponent_differentiates_both(pair):
    base, exponent = pair
    exponent = exponent - 1.5  # exponents in [-1.2, 1], bases positive: a ** b is smooth there
    y = F.pow(Variable(base), Variable(exponent))
    np.testing.assert_allclose(y.data, base**exponent)
    assert gradcheck(F.pow, base, exponent)
    assert gradgradcheck(F.pow, base, exponent)


def test_pow_exponent_gradient_value():
    a, b = Variable(2.0), Variable(3.0)
    y = a**b
    y.backward()
    assert a.grad.item() == pytest.approx(3 * 2.0**2)
    assert b.grad.item() == pytest.approx(8 * np.log(2.0))


def test_pow_exponent_gradient_is_zero_at_a_zero_base():
    a, b = Variable(np.array([0.0, 2.0])), Variable(np.array([2.0, 2.0]))
    (a**b).backward(np.ones(2))
    assert np.all(np.isfinite(b.grad.data))
    assert b.grad.data[0] == 0.0


@pytest.mark.parametrize("c", [2, 3, 0.5, -1.0, 2.5])
@given(x=zst.arrays(low=0.3, high=3.0))
def test_pow_constant_exponent(c, x):
    np.testing.assert_allclose(F.pow(Variable(x), c).data, x**c)
    assert gradcheck(lambda v: v**c, x)
    assert gradgradcheck(lambda v: v**c, x)


@given(x=zst.arrays(low=0.3, high=3.0))
def test_scalar_raised_to_a_variable(x):
    np.testing.assert_allclose((2.0 ** Variable(x)).data, 2.0**x)
    assert gradcheck(lambda v: 2.0**v, x)
    assert gradgradcheck(lambda v: 2.0**v, x)


OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("op", OPERATORS)
def test_operators_and_reflected_operators_give_variables(op):
    x = np.array([[1.5, 2.0, 0.5]], dtype=np.float32)
    other = np.array([[2.0], [0.5]], dtype=np.float32)
    v = Variable(x)
    for result, expected in [
        (op(v, Variable(other)), op(x, other)),
        (op(v, 2.0), op(x, np.float32(2.0))),
        (op(2.0, v), op(np.float32(2.0), x)),
        (op(other, v), op(other, x)),  # ndarray on the left must not swallow the Variable
        (op(v, other), op(x, other)),
        (op(np.float32(2.0), v), op(np.float32(2.0), x)),
    ]:
        assert isinstance(result, Variable)
        assert result.dtype == np.float32
        np.testing.assert_allclose(result.data, expected, rtol=1e-6)


def test_matmul_and_negation_operators():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.ones((3, 2), dtype=np.float32)
    for result in (Variable(a) @ Variable(b), a @ Variable(b), Variable(a) @ b):
        assert isinstance(result, Variable)
        np.testing.assert_array_equal(result.data, a @ b)
    neg = -Variable(a)
    assert isinstance(neg, Variable)
    np.testing.assert_array_equal(neg.data, -a)


@given(pair=zst.broadcastable_arrays(dtype=np.float32, low=0.5, high=2.0))
def test_float32_stays_float32(pair):
    a, b = (Variable(p) for p in pair)
    for f in (F.add, F.sub, F.mul, F.div, F.pow, lambda x, y: x * 2.5 - 1 / y + y**2 + 3**x):
        y = f(a, b)
        assert y.dtype == np.float32
        ga, gb = grad(y, [a, b], np.ones(y.shape, np.float32))
        assert ga.dtype == np.float32 and gb.dtype == np.float32
    assert F.neg(a).dtype == np.float32


def test_reflected_operators_values():
    v = Variable(np.array([1.0, 4.0]))
    np.testing.assert_allclose((10 - v).data, [9.0, 6.0])
    np.testing.assert_allclose((8 / v).data, [8.0, 2.0])
    np.testing.assert_allclose((2**v).data, [2.0, 16.0])
    (10 - v * 3).backward(np.ones(2))
    np.testing.assert_allclose(v.grad.data, [-3.0, -3.0])


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_mismatched_shapes_name_the_op_and_shapes(name):
    op = getattr(F, name)
    with pytest.raises(ValueError, match=rf"{name}: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        op(Variable(np.ones((2, 3))), Variable(np.ones(4)))


def test_constant_exponent_edge_cases():
    v = Variable(np.array([0.0, 2.0], np.float32))
    assert (v ** np.float64(2)).dtype == np.float32  # a NumPy scalar exponent does not promote
    (v**0).backward(np.ones(2, np.float32))
    np.testing.assert_array_equal(v.grad.data, [0.0, 0.0])  # not 0 * 0 ** -1 = nan
    with pytest.raises(ValueError, match=r"pow: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        Variable(np.ones((2, 3))) ** np.ones(4)
