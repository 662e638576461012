"""Losses: values against direct NumPy formulas, gradients for logits and targets, stability, dtypes, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst

BATCH = st.tuples(st.integers(1, 4), st.integers(1, 4))  # (N, C)


def _log_softmax(x):
    return np.log(np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))


def _softmax(x):
    return np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)


@st.composite
def logits_and_labels(draw, shape=BATCH):
    x = draw(zst.arrays(shape))
    n, c = x.shape
    return x, np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)


@st.composite
def logits_and_targets(draw, shape=BATCH):
    x = draw(zst.arrays(shape))
    return x, draw(zst.arrays(x.shape, low=0.0, high=1.0))


# ----- softmax_cross_entropy -----


@given(case=logits_and_labels())
def test_softmax_cross_entropy_with_labels(case):
    x, t = case
    n = len(t)
    loss = F.softmax_cross_entropy(Variable(x), t)
    np.testing.assert_allclose(loss.data, -_log_softmax(x)[np.arange(n), t].mean(), rtol=1e-12)
    assert gradcheck(lambda v: F.softmax_cross_entropy(v, t), x)
    assert gradgradcheck(lambda v: F.softmax_cross_entropy(v, t), x)


@given(case=logits_and_labels())
def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot_over_n(case):
    x, t = case
    v, labels = Variable(x), Variable(t)
    F.softmax_cross_entropy(v, labels).backward()
    onehot = np.eye(x.shape[1])[t]
    np.testing.assert_allclose(v.grad.data, (_softmax(x) - onehot) / len(t), rtol=1e-10, atol=1e-15)
    assert labels.grad is None


@given(case=logits_and_labels())
def test_softmax_cross_entropy_one_hot_targets_match_labels(case):
    x, t = case
    onehot = np.eye(x.shape[1])[t]
    by_label = F.softmax_cross_entropy(x, t)
    np.testing.assert_allclose(F.softmax_cross_entropy(x, onehot).data, by_label.data, rtol=1e-12)
    np.testing.assert_allclose(F.softmax_cross_entropy(x, onehot.astype(np.int64)).data, by_label.data, rtol=1e-12)


@given(case=logits_and_targets())
def test_softmax_cross_entropy_with_soft_targets_differentiates_both(case):
    x, t = case
    loss = F.softmax_cross_entropy(Variable(x), Variable(t))
    np.testing.assert_allclose(loss.data, -(t * _log_softmax(x)).sum() / len(x), rtol=1e-12, atol=1e-15)
    assert gradcheck(F.softmax_cross_entropy, x, t)
    assert gradgradcheck(F.softmax_cross_entropy, x, t)


def test_softmax_cross_entropy_is_stable_for_large_logits():
    x = Variable(np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 0.0]]))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = F.softmax_cross_entropy(x, np.array([2, 0]))
        loss.backward()
    np.testing.assert_allclose(loss.item(), (2000.0 + np.log(2.0)) / 2)
    np.testing.assert_allclose(x.grad.data, [[0.5, 0.0, -0.5], [-0.25, 0.25, 0.0]])


@pytest.mark.parametrize(
    "targets",
    [
        np.array([0, 2, 1]),
        np.eye(3, dtype=np.float32)[[0, 2, 1]],
        np.eye(3, dtype=np.int64)[[0, 2, 1]],
        np.eye(3)[[0, 2, 1]],  # float64 targets must not upcast a float32 graph
    ],
    ids=["labels", "float32-one-hot", "int-one-hot", "float64-one-hot"],
)
def test_softmax_cross_entropy_keeps_float32(targets):
    x = Variable(np.linspace(-1, 1, 9, dtype=np.float32).reshape(3, 3))
    t = Variable(targets)
    loss = F.softmax_cross_entropy(x, t)
    loss.backward()
    assert loss.dtype == np.float32
    assert x.grad.dtype == np.float32
    if targets.dtype.kind == "f":
        assert t.grad.dtype == targets.dtype
    else:
        assert t.grad is None


@pytest.mark.parametrize(
    "x, t, error, words",
    [
        (np.zeros((2, 3)), np.array([0, 3]), ValueError, ["softmax_cross_entropy", "label 3", "3 classes", "(2, 3)"]),
        (np.zeros((2, 3)), np.array([-1, 0]), ValueError, ["softmax_cross_entropy", "label -1", "(2, 3)"]),
        (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, ["softmax_cross_entropy", "(2,)", "(3,)", "(2, 3)"]),
        (np.zeros((2, 3)), np.zeros((2, 4)), ValueError, ["softmax_cross_entropy", "(2, 4)", "(2, 3)"]),
        (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, ["softmax_cross_entropy", "integers", "float64"]),
        (np.zeros(3), np.array(1), ValueError, ["softmax_cross_entropy", "(N, C)", "(3,)"]),
        (np.zeros((0, 3)), np.zeros(0, np.int64), ValueError, ["softmax_cross_entropy", "(0, 3)"]),
    ],
)
def test_softmax_cross_entropy_rejects_bad_targets(x, t, error, words):
    with pytest.raises(error) as info:
        F.softmax_cross_entropy(Variable(x), t)
    for word in words:
        assert word in str(info.value)


# ----- sigmoid_cross_entropy -----


def _sigmoid_cross_entropy(x, t):
    p = 1 / (1 + np.exp(-x))
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


@given(case=logits_and_targets(zst.shapes()))
def test_sigmoid_cross_entropy_values_and_gradients(case):
    x, t = case
    loss = F.sigmoid_cross_entropy(Variable(x), Variable(t))
    np.testing.assert_allclose(loss.data, _sigmoid_cross_entropy(x, t), rtol=1e-10)
    assert gradcheck(F.sigmoid_cross_entropy, x, t)


@given(case=logits_and_targets(zst.shapes(max_dims=2, max_side=3)))
def test_sigmoid_cross_entropy_second_derivatives(case):
    assert gradgradcheck(F.sigmoid_cross_entropy, *case)


def test_sigmoid_cross_entropy_is_stable_for_large_logits():
    x = Variable(np.array([-1000.0, 1000.0, 1000.0, -1000.0]))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = F.sigmoid_cross_entropy(x, np.array([1, 1, 0, 0]))
        loss.backward()
    assert loss.item() == pytest.approx(500.0)
    np.testing.assert_allclose(x.grad.data, [-0.25, 0.0, 0.25, 0.0])


def test_sigmoid_cross_entropy_integer_targets_get_no_gradient_and_keep_float32():
    x = Variable(np.array([[0.5, -1.0]], np.float32))
    t = Variable(np.array([[1, 0]]))
    loss = F.sigmoid_cross_entropy(x, t)
    loss.backward()
    assert loss.dtype == np.float32
    assert x.grad.dtype == np.float32
    assert t.grad is None
    np.testing.assert_allclose(x.grad.data, (1 / (1 + np.exp(-x.data)) - [[1, 0]]) / 2, rtol=1e-6)


def test_sigmoid_cross_entropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"sigmoid_cross_entropy: .*\(2, 3\) and \(3,\)"):
        F.sigmoid_cross_entropy(np.zeros((2, 3)), np.zeros(3))


# ----- mean_squared_error -----


@given(pair=st.data())
def test_mean_squared_error_values_and_gradients(pair):
    x0 = pair.draw(zst.arrays())
    x1 = pair.draw(zst.arrays(x0.shape))
    loss = F.mean_squared_error(Variable(x0), Variable(x1))
    np.testing.assert_allclose(loss.data, np.mean((x0 - x1) ** 2), rtol=1e-12)
    assert gradcheck(F.mean_squared_error, x0, x1)
    assert gradgradcheck(F.mean_squared_error, x0, x1)


def test_mean_squared_error_averages_over_all_elements():
    loss = F.mean_squared_error(np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2)))
    assert loss.item() == 7.5


def test_mean_squared_error_keeps_float32():
    x0 = Variable(np.array([1.0, 2.0], np.float32))
    x1 = Variable(np.array([0.5, 3.0], np.float32))
    loss = F.mean_squared_error(x0, x1)
    loss.backward()
    assert loss.dtype == x0.grad.dtype == x1.grad.dtype == np.float32


@pytest.mark.parametrize(
    "x0, x1, words",
    [(np.zeros((2, 3)), np.zeros((3, 2)), ["(2, 3)", "(3, 2)"]), (np.zeros(0), np.zeros(0), ["empty", "(0,)"])],
)
def test_mean_squared_error_rejects_bad_shapes(x0, x1, words):
    with pytest.raises(ValueError) as info:
        F.mean_squared_error(x0, x1)
    assert "mean_squared_error" in str(info.value)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "op, args",
    [
        (F.softmax_cross_entropy, (np.zeros((1, 2)), np.array([1]))),
        (F.sigmoid_cross_entropy, (np.zeros(2), np.zeros(2))),
        (F.mean_squared_error, (np.zeros(2), np.zeros(2))),
    ],
)
def test_losses_are_scalars_with_a_symbol(op, args):
    loss = op(*[Variable(a) for a in args])
    assert loss.shape == ()
    assert isinstance(loss.creator.symbol, str)
