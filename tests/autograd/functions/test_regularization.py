"""dropout and batch_norm: statistics, modes, running statistics, gradients, dtypes, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst

# ----- dropout -----


@given(st.floats(0.05, 0.95), st.integers(0, 2**32 - 1))
def test_dropout_zeroes_a_fraction_p_and_scales_the_rest(p, seed):
    x = np.random.default_rng(seed).uniform(1, 2, 20000)
    y = F.dropout(x, p, rng=np.random.default_rng(seed)).data
    dropped = y == 0
    # 20000 Bernoulli draws: the fraction is within 5 standard deviations of p.
    assert abs(dropped.mean() - p) < 5 * np.sqrt(p * (1 - p) / x.size)
    np.testing.assert_allclose(y[~dropped], x[~dropped] / (1 - p))


@given(zst.arrays(zst.shapes(min_dims=1)), st.floats(0.1, 0.9), st.integers(0, 2**32 - 1))
def test_dropout_gradcheck(x, p, seed):
    # A fresh generator with the same seed per call: every evaluation draws the same mask.
    assert gradcheck(lambda x: F.dropout(x, p, rng=np.random.default_rng(seed)), x)


def test_dropout_gradient_is_the_same_mask():
    x = Variable(np.ones((50, 40), np.float32))
    y = F.dropout(x, 0.3, rng=np.random.default_rng(5))
    y.backward(np.ones(y.shape, np.float32))
    np.testing.assert_array_equal(x.grad.data, y.data)
    assert y.dtype == x.grad.dtype == np.float32


def test_dropout_is_the_identity_when_not_training_or_p_is_zero():
    x = Variable(np.arange(6.0))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_with_p_one_drops_everything():
    x = Variable(np.ones(5))
    y = F.dropout(x, 1.0)
    y.backward(np.ones(5))
    assert not y.data.any() and not x.grad.data.any()


def test_dropout_same_seed_same_mask():
    x = np.ones(100)
    a = F.dropout(x, rng=np.random.default_rng(7)).data
    b = F.dropout(x, rng=np.random.default_rng(7)).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, F.dropout(x, rng=np.random.default_rng(8)).data)


def test_dropout_bad_arguments():
    with pytest.raises(ValueError, match=r"dropout: p must be in \[0, 1\], got 1.5"):
        F.dropout(np.ones(3), 1.5)
    with pytest.raises(TypeError, match="dropout: expected a floating-point input, got dtype int64"):
        F.dropout(np.ones(3, np.int64))


# ----- batch_norm -----


@st.composite
def bn_inputs(draw, max_side=4):
    """x of shape (N, C) or (N, C, H, W) with N·H·W >= 2, and per-channel gamma, beta, running statistics."""
    four_d = draw(st.booleans())
    n = draw(st.integers(1 if four_d else 2, max_side))
    c = draw(st.integers(1, 3))
    shape = (n, c, draw(st.integers(1, 3)), draw(st.integers(2, 3))) if four_d else (n, c)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(shape) * rng.uniform(0.5, 3) + rng.uniform(-2, 2)
    gamma, beta = rng.uniform(0.5, 2, c), rng.standard_normal(c)
    running_mean, running_var = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    return x, gamma, beta, running_mean, running_var


def channel_axes(x):
    return (0,) if x.ndim == 2 else (0, 2, 3)


def per_channel(v, x):
    return v.reshape((1, -1) if x.ndim == 2 else (1, -1, 1, 1))


@given(bn_inputs(max_side=6))
def test_batch_norm_training_output_is_standardised_per_channel(inputs):
    x, _, _, running_mean, running_var = inputs
    c = x.shape[1]
    y = F.batch_norm(x, np.ones(c), np.zeros(c), running_mean, running_var, training=True, eps=0.0).data
    axes = channel_axes(x)
    np.testing.assert_allclose(y.mean(axis=axes), 0, atol=1e-10)
    np.testing.assert_allclose(y.var(axis=axes), 1, rtol=1e-8)


@given(bn_inputs(), st.floats(0, 1))
def test_batch_norm_training_updates_running_statistics(inputs, momentum):
    x, gamma, beta, running_mean, running_var = inputs
    old_mean, old_var = running_mean.copy(), running_var.copy()
    y = F.batch_norm(x, gamma, beta, running_mean, running_var, training=True, momentum=momentum).data
    axes = channel_axes(x)
    np.testing.assert_allclose(running_mean, momentum * old_mean + (1 - momentum) * x.mean(axis=axes))
    np.testing.assert_allclose(running_var, momentum * old_var + (1 - momentum) * x.var(axis=axes, ddof=1))
    expected = (x - per_channel(x.mean(axis=axes), x)) / np.sqrt(per_channel(x.var(axis=axes), x) + 1e-5)
    np.testing.assert_allclose(y, per_channel(gamma, x) * expected + per_channel(beta, x), rtol=1e-10, atol=1e-10)


@given(bn_inputs())
def test_batch_norm_evaluation_uses_running_statistics_and_leaves_them(inputs):
    x, gamma, beta, running_mean, running_var = inputs
    saved = running_mean.copy(), running_var.copy()
    y = F.batch_norm(x, gamma, beta, running_mean, running_var, training=False).data
    expected = (x - per_channel(running_mean, x)) / np.sqrt(per_channel(running_var, x) + 1e-5)
    np.testing.assert_allclose(y, per_channel(gamma, x) * expected + per_channel(beta, x), rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(running_mean, saved[0])
    np.testing.assert_array_equal(running_var, saved[1])


@pytest.mark.parametrize("training", [True, False])
@given(bn_inputs())
def test_batch_norm_gradcheck(training, inputs):
    x, gamma, beta, running_mean, running_var = inputs

    def f(x, gamma, beta):
        return F.batch_norm(x, gamma, beta, running_mean.copy(), running_var.copy(), training)

    assert gradcheck(f, x, gamma, beta)


@pytest.mark.parametrize("training", [True, False])
@given(bn_inputs(max_side=3))
def test_batch_norm_gradgradcheck(training, inputs):
    x, gamma, beta, running_mean, running_var = inputs

    def f(x, gamma, beta):
        return F.batch_norm(x, gamma, beta, running_mean.copy(), running_var.copy(), training)

    assert gradgradcheck(f, x, gamma, beta)


def test_batch_norm_backward_uses_the_statistics_of_its_forward():
    """Evaluation-mode gradients stay right when training updates the running statistics in between."""
    rng = np.random.default_rng(3)
    running_mean, running_var = np.zeros(2), np.ones(2)
    x = Variable(rng.standard_normal((4, 2)))
    gamma = Variable(np.array([2.0, 3.0]))
    y = F.batch_norm(x, gamma, np.zeros(2), running_mean, running_var, training=False)
    F.batch_norm(rng.standard_normal((4, 2)) * 5 + 3, gamma, np.zeros(2), running_mean, running_var, training=True)
    y.backward(np.ones((4, 2)))
    np.testing.assert_allclose(x.grad.data, np.broadcast_to(np.array([2.0, 3.0]) / np.sqrt(1 + 1e-5), (4, 2)))


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_float32_stays_float32(training):
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((4, 3, 2, 2)).astype(np.float32))
    gamma, beta = Variable(np.ones(3, np.float32)), Variable(np.zeros(3, np.float32))
    y = F.batch_norm(x, gamma, beta, np.zeros(3, np.float32), np.ones(3, np.float32), training)
    F.sum(y * y).backward()
    assert y.dtype == x.grad.dtype == gamma.grad.dtype == beta.grad.dtype == np.float32


def test_batch_norm_bad_arguments_change_nothing():
    running_mean, running_var = np.zeros(3), np.ones(3)
    ones = np.ones(3)
    with pytest.raises(ValueError, match=r"gamma of shape \(2,\) does not match the 3 channels of x \(4, 3\)"):
        F.batch_norm(np.ones((4, 3)), np.ones(2), ones, running_mean, running_var, True)
    with pytest.raises(ValueError, match=r"running_var of shape \(4,\) does not match"):
        F.batch_norm(np.ones((4, 3)), ones, ones, running_mean, np.ones(4), True)
    with pytest.raises(ValueError, match=r"more than one value per channel, x is \(1, 3\)"):
        F.batch_norm(np.full((1, 3), 7.0), ones, ones, running_mean, running_var, True)
    with pytest.raises(ValueError, match=r"x must be \(N, C\) or \(N, C, H, W\), got shape \(4, 3, 2\)"):
        F.batch_norm(np.ones((4, 3, 2)), ones, ones, running_mean, running_var, True)
    with pytest.raises(TypeError, match="running_mean must be a float ndarray"):
        F.batch_norm(np.ones((4, 3)), ones, ones, [0.0, 0.0, 0.0], running_var, True)
    np.testing.assert_array_equal(running_mean, 0)
    np.testing.assert_array_equal(running_var, 1)
