"""Function transforms against central differences and closed forms."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, hessian, hvp, jacobian, jvp, no_grad, value_and_grad, vjp
from autograd.testing import numerical_grad
from autograd.testing import strategies as zst


def smooth(x, y):
    """A non-linear function of two broadcasting inputs, with a non-trivial Hessian."""
    return F.tanh(x) * y + F.sin(x * y)


def central_jacobian(f, x, eps=1e-6):
    """J[out..., in...] by central differences in float64."""
    x = np.array(x, dtype=np.float64)
    y = f(Variable(x)).data
    J = np.zeros(y.shape + x.shape)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        J[(..., *index)] = (f(Variable(x + step)).data - f(Variable(x - step)).data) / (2 * eps)
    return J


@given(pair=zst.broadcastable_arrays())
def test_value_and_grad_matches_central_differences(pair):
    x, y = pair
    value, (gx, gy) = value_and_grad(lambda a, b: smooth(a, b).sum(), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(value.data, np.sum(np.tanh(x) * y + np.sin(x * y)))
    nx, ny = numerical_grad(lambda a, b: smooth(a, b).sum(), x, y)
    np.testing.assert_allclose(gx.data, nx, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(gy.data, ny, atol=1e-6, rtol=1e-5)


def test_value_and_grad_single_argnum_returns_one_gradient_and_leaves_others_constant():
    x, y = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    _, g = value_and_grad(lambda a, b: (a * b).sum(), argnums=1)(x, y)
    assert isinstance(g, Variable)
    np.testing.assert_allclose(g.data, x)


@given(pair=zst.broadcastable_arrays(), data=st.data())
def test_vjp_matches_central_differences(pair, data):
    x, y = pair
    out, vjp_fn = vjp(smooth, x, y)
    v = data.draw(zst.arrays(out.shape))
    gx, gy = vjp_fn(v)
    nx, ny = numerical_grad(smooth, x, y, grad_output=v)
    np.testing.assert_allclose(gx.data, nx, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(gy.data, ny, atol=1e-6, rtol=1e-5)


@given(x=zst.arrays(zst.shapes(max_dims=2)), data=st.data())
def test_jvp_matches_central_differences(x, data):
    t = data.draw(zst.arrays(x.shape))
    w = np.linspace(-1.0, 1.0, max(x.size, 1))[: x.size].reshape(x.shape)

    def f(a):
        return F.tanh(a * w) * a

    out, jt = jvp(f, (x,), (t,))
    eps = 1e-6
    expected = (f(Variable(x + eps * t)).data - f(Variable(x - eps * t)).data) / (2 * eps)
    np.testing.assert_allclose(out.data, f(Variable(x)).data)
    np.testing.assert_allclose(jt.data, expected, atol=1e-6, rtol=1e-5)


def test_jvp_of_a_linear_map_is_the_matrix_times_the_tangent():
    A = np.arange(6.0).reshape(2, 3)
    _, jt = jvp(lambda x: A @ x, (np.ones(3),), (np.array([1.0, -1.0, 2.0]),))
    np.testing.assert_allclose(jt.data, A @ [1.0, -1.0, 2.0])


@given(x=zst.arrays(zst.shapes(max_dims=2, max_side=3)))
def test_jacobian_matches_central_differences(x):
    def f(a):
        return F.sin(a) * F.sum(a * a)

    J = jacobian(f)(x)
    assert J.shape == x.shape + x.shape
    np.testing.assert_allclose(J.data, central_jacobian(f, x), atol=1e-6, rtol=1e-5)


def test_jacobian_of_elementwise_tanh_is_diagonal():
    x = np.array([0.3, -0.7, 1.2])
    np.testing.assert_allclose(jacobian(F.tanh)(x).data, np.diag(1 - np.tanh(x) ** 2))


def test_jacobian_with_a_tuple_of_argnums_and_an_empty_output():
    A, x = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    JA, Jx = jacobian(lambda A, x: A @ x, argnums=(0, 1))(A, x)
    np.testing.assert_allclose(Jx.data, A)
    np.testing.assert_allclose(JA.data, np.einsum("ij,k->ijk", np.eye(2), x))
    assert jacobian(lambda a: a[:0])(x).shape == (0, 3)


@given(n=st.integers(1, 4), data=st.data())
def test_hessian_of_a_quadratic_form_is_a_plus_a_transposed(n, data):
    A = data.draw(zst.arrays((n, n)))
    x = data.draw(zst.arrays((n,)))
    H = hessian(lambda x: x @ (A @ x))(x)
    np.testing.assert_allclose(H.data, A + A.T, atol=1e-12)


@given(x=zst.arrays(zst.shapes(min_dims=1, max_dims=2, max_side=3)))
def test_hessian_matches_central_differences_of_the_gradient(x):
    def f(a):
        return F.sum(F.sin(a) * a * a) + F.sum(a) ** 2

    def gradient(a):
        return value_and_grad(f)(a)[1]

    H = hessian(f)(x)
    np.testing.assert_allclose(H.data, central_jacobian(gradient, x), atol=1e-5, rtol=1e-5)


@given(n=st.integers(1, 4), data=st.data())
def test_hvp_is_the_hessian_times_the_tangent(n, data):
    A = data.draw(zst.arrays((n, n)))
    x, t = data.draw(zst.arrays((n,))), data.draw(zst.arrays((n,)))

    def f(a):
        return a @ (A @ a) + F.sum(F.sin(a))

    value, (hv,) = hvp(f, (x,), (t,))
    np.testing.assert_allclose(value.data, f(Variable(x)).data)
    np.testing.assert_allclose(hv.data, (A + A.T - np.diag(np.sin(x))) @ t, atol=1e-12)
    np.testing.assert_allclose(hv.data, hessian(f)(x).data @ t, atol=1e-12)


def test_hvp_over_two_arguments_sums_the_mixed_blocks():
    x, y = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    _, (hx, hy) = hvp(lambda a, b: (a * a * b).sum(), (x, y), (np.ones(2), np.ones(2)))
    # f = Σ a²b: H_aa = diag(2b), H_ab = diag(2a), H_bb = 0
    np.testing.assert_allclose(hx.data, 2 * y + 2 * x)
    np.testing.assert_allclose(hy.data, 2 * x)


def test_variable_arguments_give_results_that_differentiate_again():
    x = Variable(np.array([0.5, -1.0, 2.0]))
    _, g = value_and_grad(lambda a: F.sum(a**3))(x)
    F.sum(g).backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data)


def test_array_arguments_give_results_without_a_recorded_backward():
    _, g = value_and_grad(lambda a: F.sum(a**3))(np.array([0.5, 2.0]))
    assert g.creator is None


def test_transforms_record_inside_no_grad():
    x = np.array([0.5, -1.0])
    with no_grad():
        _, g = value_and_grad(lambda a: F.sum(F.exp(a)))(x)
        _, jt = jvp(F.exp, (x,), (np.ones(2),))
        H = hessian(lambda a: F.sum(F.exp(a)))(x)
    np.testing.assert_allclose(g.data, np.exp(x))
    np.testing.assert_allclose(jt.data, np.exp(x))
    np.testing.assert_allclose(H.data, np.diag(np.exp(x)))


def test_unused_arguments_get_zero_derivatives():
    x, y = np.array([1.0, 2.0]), np.array([3.0])
    _, (gx, gy) = value_and_grad(lambda a, b: F.sum(a), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx.data, [1.0, 1.0])
    np.testing.assert_array_equal(gy.data, [0.0])
    _, jt = jvp(lambda a: Variable(np.ones(2)) * 2, (x,), (x,))
    np.testing.assert_array_equal(jt.data, [0.0, 0.0])


def test_bad_calls_raise_clear_errors():
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="value_and_grad: f must return a single element, got shape"):
        value_and_grad(F.exp)(x)
    with pytest.raises(TypeError, match="must return one Variable, got ndarray"):
        value_and_grad(lambda a: np.ones(1))(x)
    with pytest.raises(ValueError, match=r"tangent of shape \(3,\) for a primal of shape \(2,\)"):
        jvp(F.exp, (x,), (np.ones(3),))
    with pytest.raises(ValueError, match="jvp: 1 primals but 2 tangents"):
        jvp(F.exp, (x,), (x, x))
    with pytest.raises(ValueError, match=r"vjp: the vector has shape \(3,\)"):
        vjp(F.exp, x)[1](np.ones(3))
    with pytest.raises(ValueError, match="argnums: 2 is out of range"):
        value_and_grad(lambda a: F.sum(a), argnums=2)(x)
    with pytest.raises(ValueError, match="hvp: f must return a single element"):
        hvp(F.exp, (x,), (x,))
