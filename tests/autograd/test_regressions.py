"""Cases where simple engines have shipped wrong answers."""

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, grad
from autograd.testing import gradcheck, gradgradcheck
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


# ----- Defects found against PyTorch (issue 9): each test failed before its fix -----


def test_accumulating_gradients_records_no_graph():
    x = Variable(np.ones(3))
    for _ in range(3):
        (x * 2.0).sum().backward()
    assert x.grad.creator is None
    np.testing.assert_allclose(x.grad.data, 6.0)
    h = x * 3.0
    h.retain_grad()
    loss = h.sum()
    loss.backward()
    loss.backward()
    assert h.grad.creator is None
    np.testing.assert_allclose(h.grad.data, 2.0)


def test_create_graph_keeps_no_reference_cycle_through_a_constant():
    gc.disable()
    try:
        x = Variable(np.array([0.5, 1.0]))
        y = F.exp(x * 2.0).sum()
        y.backward(create_graph=True)
        mul = y.creator.inputs[0].creator.inputs[0].creator  # sum <- exp <- mul
        constant = mul.inputs[1]
        assert constant.grad is None and not constant.requires_grad
        probe = weakref.ref(mul)
        del y, mul, constant
        x.grad = None  # the one cycle left is x -> x.grad -> graph -> x, as in PyTorch
        assert probe() is None
    finally:
        gc.enable()


def test_pow_with_zero_exponent_has_zero_base_gradient():
    a, b = Variable(np.array([0.0, 0.0, 2.0])), Variable(np.array([0.0, 2.0, 0.0]))
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 0.0, 0.0])
    assert np.all(np.isfinite(b.grad.data))
    x = Variable(np.zeros(2))
    F.pow(x, [0.0, 2.0]).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    x = Variable(np.zeros(2))
    F.pow(x, np.array([0.0, 2.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


@given(zst.arrays(shape=zst.shapes(min_dims=1), low=0.3, high=2.0), st.data())
def test_pow_with_zero_exponents_and_bases_is_differentiable_twice(x, data):
    choices = st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=x.size, max_size=x.size)
    exponents = np.array(data.draw(choices)).reshape(x.shape)
    assert gradgradcheck(lambda v, e: v**e, x, exponents)
    x = np.where(np.arange(x.size).reshape(x.shape) % 2 == 0, 0.0, x)  # zero bases beside zero exponents
    assert gradcheck(lambda v: F.pow(v, exponents), x)
    assert gradgradcheck(lambda v: F.pow(v, exponents), x)


def test_a_leaf_gradient_has_the_leaf_dtype():
    a32, b64 = Variable(np.ones(3, np.float32)), Variable(np.full(3, 2.0))
    (a32 * b64).sum().backward()
    assert a32.grad.dtype == np.float32 and b64.grad.dtype == np.float64
    a32.cleargrad()
    seen = []
    h = a32 * 2.0
    h.register_hook(lambda g: seen.append(g.dtype))
    h.backward(np.ones(3))  # a float64 root gradient for a float32 output
    assert seen == [np.float32] and a32.grad.dtype == np.float32


@pytest.mark.parametrize(
    "op",
    [
        lambda a: a / np.int64(3),
        lambda a: a * np.int64(3),
        lambda a: a + np.int64(3),
        lambda a: a - np.int64(3),
        lambda a: np.int32(3) - a,
        lambda a: F.maximum(a, np.int64(0)),
    ],
)
def test_numpy_integer_scalars_are_weak_like_python_scalars(op):
    a = Variable(np.array([1.0, 2.0], np.float32))
    y = op(a)
    assert y.dtype == np.float32
    y.sum().backward()
    assert a.grad.dtype == np.float32


@pytest.mark.parametrize("create_graph", [False, True])
def test_no_two_gradients_share_a_buffer(create_graph):
    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    (a + b).sum().backward(create_graph=create_graph)
    assert a.grad is not b.grad and not np.shares_memory(a.grad.data, b.grad.data)
    assert a.grad.data.flags.writeable and b.grad.data.flags.writeable
    # A retained intermediate gradient, the caller's root gradient and a reshaped view stay apart too.
    x = Variable(np.ones((2, 3)))
    h = x.reshape(3, 2) + 0.0
    h.retain_grad()
    g = np.ones((3, 2))
    h.backward(g, create_graph=create_graph)
    assert not np.shares_memory(x.grad.data, h.grad.data) and not np.shares_memory(x.grad.data, g)
    leaf = Variable(np.ones(2))
    leaf.backward(g[0, :2])
    assert not np.shares_memory(leaf.grad.data, g)


# ----- Bad input names the op and the offending value (issue 9) -----


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: Variable([[1, 2], [3]]), ValueError, ["Variable", "[[1, 2], [3]]"]),
        (lambda: F.sum(Variable(np.ones((2, 3))), axis=1.5), TypeError, ["sum", "1.5"]),
        (lambda: F.clip(Variable(np.ones(3)), "a", 1), TypeError, ["clip", "low", "'a'"]),
        (lambda: F.dropout(Variable(np.ones(3)), "a"), TypeError, ["dropout", "p", "'a'"]),
        (lambda: grad(Variable(np.ones(2)).sum(), [np.ones(2)]), TypeError, ["grad", "input 0", "ndarray"]),
    ],
)
def test_bad_input_names_the_op_and_value(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_eval_batch_norm_rejects_integer_input_before_touching_running_statistics():
    running_mean, running_var = np.array([0.5, 1.5]), np.ones(2)
    x = np.arange(8).reshape(4, 2)
    for training in (False, True):
        with pytest.raises(TypeError, match=r"batch_norm: .*dtype int"):
            F.batch_norm(x, Variable(np.ones(2)), Variable(np.zeros(2)), running_mean, running_var, training)
    np.testing.assert_array_equal(running_mean, [0.5, 1.5])
    assert running_mean.dtype == np.float64


def test_grad_accepts_a_single_grad_output():
    x = Variable(np.array([1.0, 2.0]))
    (g,) = grad((x * x).sum(), [x], grad_outputs=2.0)
    np.testing.assert_allclose(g.data, 4 * x.data)
    (g,) = grad(x * x, x, grad_outputs=Variable(np.array([1.0, 0.5])))
    np.testing.assert_allclose(g.data, [2.0, 2.0])
    with pytest.raises(ValueError, match="grad: 1 grad_outputs for 2 outputs"):
        grad([x.sum(), x.sum()], x, grad_outputs=1.0)
