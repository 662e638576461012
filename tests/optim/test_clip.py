"""clip_grad_norm: the global L2 norm, scaling only when above max_norm, dtypes, shared gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import optim
from autograd import Variable
from autograd.testing import strategies as zs


@given(
    grads=st.lists(zs.arrays(zs.shapes(max_dims=2), low=-10, high=10), min_size=1, max_size=4),
    max_norm=st.floats(0.01, 50.0),
)
def test_returns_the_total_norm_and_clips_to_max_norm(grads, max_norm):
    params = [Variable(np.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = Variable(g.copy())
    total = optim.clip_grad_norm(params, max_norm)
    expected = np.sqrt(sum((g**2).sum() for g in grads))
    assert total == pytest.approx(expected, rel=1e-12, abs=1e-300)
    after = np.sqrt(sum((p.grad.data ** 2).sum() for p in params))
    scale = max_norm / (expected + 1e-6)  # PyTorch's factor; the 1e-6 guards against a zero norm
    if scale < 1:
        assert after == pytest.approx(expected * scale, rel=1e-9)
        assert after <= max_norm * (1 + 1e-12)
        # Clipping keeps the direction: every gradient is scaled by the same factor.
        for p, g in zip(params, grads):
            np.testing.assert_allclose(p.grad.data, g * scale, rtol=1e-12)
    else:
        for p, g in zip(params, grads):
            np.testing.assert_array_equal(p.grad.data, g)


def test_parameters_without_gradients_are_ignored_and_float32_stays_float32():
    a, b = Variable(np.zeros(2, np.float32)), Variable(np.zeros(3, np.float32))
    a.grad = Variable(np.array([3.0, 4.0], np.float32))
    assert optim.clip_grad_norm([a, b], 1.0) == pytest.approx(5.0)
    assert b.grad is None
    assert a.grad.dtype == np.float32
    np.testing.assert_allclose(a.grad.data, [0.6, 0.8], rtol=1e-6)


def test_a_shared_gradient_is_scaled_once_and_left_untouched():
    a, b = Variable(np.zeros(2)), Variable(np.zeros(2))
    shared = Variable(np.array([3.0, 4.0]))
    a.grad = b.grad = shared
    total = optim.clip_grad_norm([a, b], 1.0)
    assert total == pytest.approx(np.sqrt(50.0))
    np.testing.assert_array_equal(shared.data, [3.0, 4.0])
    np.testing.assert_allclose(a.grad.data, [3.0, 4.0] / np.sqrt(50.0), rtol=1e-6)
    np.testing.assert_allclose(b.grad.data, a.grad.data)


def test_a_large_float32_gradient_does_not_overflow_the_norm():
    a = Variable(np.zeros(4, np.float32))
    a.grad = Variable(np.full(4, 1e20, np.float32))
    assert optim.clip_grad_norm([a], 1.0) == pytest.approx(2e20, rel=1e-6)
    np.testing.assert_allclose(a.grad.data, 0.5, rtol=1e-5)


def test_negative_max_norm_is_an_error():
    a = Variable(np.zeros(2))
    a.grad = Variable(np.ones(2))
    with pytest.raises(ValueError, match=r"clip_grad_norm: max_norm must be >= 0\.0, got -1"):
        optim.clip_grad_norm([a], -1)
    np.testing.assert_array_equal(a.grad.data, 1.0)
