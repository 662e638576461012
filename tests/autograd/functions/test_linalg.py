"""matmul, dot and linear: values against NumPy, gradients over drawn shapes, dtypes, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, grad
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst


@st.composite
def matmul_shapes(draw):
    """Operand shapes np.matmul accepts: 1-D operands, and batch dimensions that broadcast."""
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    batch_a, batch_b = draw(zst.broadcastable_shapes(2, max_dims=2, max_side=3))
    kind = draw(st.sampled_from(["matrix", "vector @ batch", "batch @ vector", "vector @ vector"]))
    a = (k,) if kind.startswith("vector") else (*batch_a, m, k)
    b = (k,) if kind.endswith("vector") else (*batch_b, k, n)
    return a, b


@given(shapes=matmul_shapes(), data=st.data())
def test_matmul_matches_numpy_and_gradients(shapes, data):
    a, b = (data.draw(zst.arrays(s)) for s in shapes)
    np.testing.assert_allclose(F.matmul(Variable(a), Variable(b)).data, np.matmul(a, b), rtol=1e-12)
    assert gradcheck(F.matmul, a, b)
    assert gradgradcheck(F.matmul, a, b)


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [
        ((3,), (2, 3, 4)),
        ((2, 1, 2, 3), (3, 3, 4)),
        ((2, 3, 3), (3,)),
        ((4, 2, 3), (3, 2)),
        ((3,), (3,)),
        ((2, 3, 0), (0, 4)),
        ((0, 3, 4), (4, 2)),
    ],
)
def test_matmul_broadcasting_cases(shape_a, shape_b):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    np.testing.assert_allclose(F.matmul(a, b).data, np.matmul(a, b), rtol=1e-12)
    assert gradcheck(F.matmul, a, b)
    assert gradgradcheck(F.matmul, a, b)


def test_matmul_gradient_of_a_shared_matrix_sums_over_the_batch():
    rng = np.random.default_rng(1)
    a, b = Variable(rng.standard_normal((4, 2, 3))), Variable(rng.standard_normal((3, 5)))
    (a @ b).backward(np.ones((4, 2, 5)))
    np.testing.assert_allclose(b.grad.data, a.data.reshape(-1, 3).T @ np.ones((8, 5)))


@given(
    shapes=st.sampled_from([((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4))]),
    data=st.data(),
)
def test_dot_matches_numpy(shapes, data):
    a, b = (data.draw(zst.arrays(s)) for s in shapes)
    np.testing.assert_allclose(F.dot(Variable(a), Variable(b)).data, np.dot(a, b), rtol=1e-12)
    assert gradcheck(F.dot, a, b)
    assert gradgradcheck(F.dot, a, b)


def test_dot_with_a_scalar_multiplies():
    y = F.dot(Variable(2.0), Variable(np.array([1.0, 3.0])))
    np.testing.assert_array_equal(y.data, np.dot(2.0, np.array([1.0, 3.0])))


def test_dot_rejects_more_than_two_dimensions_and_points_to_matmul():
    with pytest.raises(ValueError, match=r"dot: .*\(2, 3, 4\) and \(4,\).*matmul"):
        F.dot(Variable(np.ones((2, 3, 4))), Variable(np.ones(4)))


@st.composite
def linear_inputs(draw):
    lead = draw(zst.shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    n_in, n_out = draw(st.integers(0, 3)), draw(st.integers(1, 3))
    x = draw(zst.arrays((*lead, n_in)))
    W = draw(zst.arrays((n_in, n_out)))
    b = draw(st.none() | zst.arrays((n_out,)))
    return x, W, b


@given(inputs=linear_inputs())
def test_linear_matches_x_at_w_plus_b(inputs):
    x, W, b = inputs
    expected = x @ W + (0 if b is None else b)
    args = (x, W) if b is None else (x, W, b)
    np.testing.assert_allclose(F.linear(*[Variable(a) for a in args]).data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(F.linear, *args)
    assert gradgradcheck(F.linear, *args)


def test_linear_bias_gradient_sums_over_leading_axes():
    rng = np.random.default_rng(2)
    x, W, b = (Variable(rng.standard_normal(s)) for s in [(2, 3, 4), (4, 5), (5,)])
    gy = rng.standard_normal((2, 3, 5))
    F.linear(x, W, b).backward(gy)
    np.testing.assert_allclose(b.grad.data, gy.sum(axis=(0, 1)))
    np.testing.assert_allclose(W.grad.data, x.data.reshape(6, 4).T @ gy.reshape(6, 5))
    np.testing.assert_allclose(x.grad.data, gy @ W.data.T)


def test_products_keep_float32():
    rng = np.random.default_rng(3)
    x = Variable(rng.standard_normal((4, 3)).astype(np.float32))
    W = Variable(rng.standard_normal((3, 2)).astype(np.float32))
    b = Variable(np.zeros(2, np.float32))
    v = Variable(rng.standard_normal(3).astype(np.float32))
    for y, inputs in [
        (F.linear(x, W, b), [x, W, b]),
        (F.matmul(x, W), [x, W]),
        (F.matmul(v, W), [v, W]),
        (F.dot(x, v), [x, v]),
    ]:
        assert y.dtype == np.float32
        grads = grad(y, inputs, np.ones(y.shape, np.float32))
        assert all(g.dtype == np.float32 for g in grads)


def test_matmul_error_names_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned \(3 != 4\)"):
        F.matmul(Variable(np.ones((2, 3))), Variable(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"matmul: the batch dimensions of shapes \(2, 2, 3\) and \(3, 3, 4\)"):
        F.matmul(Variable(np.ones((2, 2, 3))), Variable(np.ones((3, 3, 4))))
    with pytest.raises(ValueError, match=r"matmul: operands must have at least 1 dimension, got shapes \(\) and"):
        F.matmul(Variable(1.0), Variable(np.ones(3)))


def test_linear_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"linear: x of shape \(2, 3\) does not fit W of shape \(4, 5\)"):
        F.linear(Variable(np.ones((2, 3))), Variable(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"linear: b of shape \(4,\) does not fit W of shape \(3, 5\)"):
        F.linear(Variable(np.ones((2, 3))), Variable(np.ones((3, 5))), Variable(np.ones(4)))


def test_linear_does_not_modify_its_inputs():
    x, W, b = np.ones((2, 3)), np.ones((3, 4)), np.arange(4.0)
    y = F.linear(x, W, b)
    np.testing.assert_array_equal(y.data, np.broadcast_to(3 + b, (2, 4)))
    assert np.all(x == 1) and np.all(W == 1) and np.all(b == np.arange(4.0))


@given(shapes=matmul_shapes(), data=st.data(), constant=st.sampled_from([0, 1]))
def test_matmul_computes_no_gradient_for_a_constant_operand(shapes, data, constant):
    arrays = [data.draw(zst.arrays(s)) for s in shapes]
    y = F.matmul(*[Variable(a) for a in arrays])
    gy = Variable(np.ones(y.shape))
    full = y.creator.backward(gy)
    operands = [Variable(a) for a in arrays]
    operands[constant].requires_grad = False
    partial = F.matmul(*operands).creator.backward(gy)
    assert partial[constant] is None
    np.testing.assert_allclose(partial[1 - constant].data, full[1 - constant].data)


@given(inputs=linear_inputs())
def test_linear_computes_no_gradient_for_an_input_that_needs_none(inputs):
    x, W, b = inputs
    args = (x, W) if b is None else (x, W, b)
    y = F.linear(*[Variable(a) for a in args])
    full = y.creator.backward(Variable(np.ones(y.shape)))
    y = F.linear(x, *[Variable(a) for a in args[1:]])  # x as a plain array: a constant
    partial = y.creator.backward(Variable(np.ones(y.shape)))
    assert partial[0] is None
    np.testing.assert_allclose(partial[1].data, full[1].data)
    frozen = Variable(W, requires_grad=False)
    y = F.linear(Variable(x), frozen)
    assert y.creator.backward(Variable(np.ones(y.shape)))[1] is None
