"""Each optimizer's first steps equal its update rule written out here in closed form (float64 and float32)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import optim
from autograd import Variable
from autograd.testing import strategies as zs

# ----- the update rules, written from their definitions, in float64, one whole array at a time -----


def sgd(p, grads, lr, momentum, nesterov, weight_decay):
    path, buf, v = [], None, None
    for g in grads:
        g = g + weight_decay * p
        if momentum and not nesterov:
            # The textbook's form: v = mu v - lr g; p += v (equal to PyTorch's while lr is constant).
            v = -lr * g if v is None else momentum * v - lr * g
            p = p + v
        elif momentum:
            buf = g if buf is None else momentum * buf + g
            p = p - lr * (g + momentum * buf)
        else:
            p = p - lr * g
        path.append(p)
    return path


def adagrad(p, grads, lr, weight_decay, eps):
    path, h = [], 0.0
    for g in grads:
        g = g + weight_decay * p
        h = h + g**2
        p = p - lr * g / (np.sqrt(h) + eps)
        path.append(p)
    return path


def rmsprop(p, grads, lr, alpha, eps, weight_decay, momentum, centered):
    path, sq, mean, buf = [], 0.0, 0.0, 0.0
    for g in grads:
        g = g + weight_decay * p
        sq = alpha * sq + (1 - alpha) * g**2
        mean = alpha * mean + (1 - alpha) * g
        variance = sq - mean**2 if centered else sq
        buf = momentum * buf + g / (np.sqrt(variance) + eps)
        p = p - lr * buf
        path.append(p)
    return path


def adadelta(p, grads, lr, rho, eps, weight_decay):
    path, eg2, edx2 = [], 0.0, 0.0
    for g in grads:
        g = g + weight_decay * p
        eg2 = rho * eg2 + (1 - rho) * g**2
        dx = np.sqrt(edx2 + eps) / np.sqrt(eg2 + eps) * g
        edx2 = rho * edx2 + (1 - rho) * dx**2
        p = p - lr * dx
        path.append(p)
    return path


def adam(p, grads, lr, betas, eps, weight_decay, amsgrad, decoupled=False):
    (b1, b2), path, m, v, v_hat_max = betas, [], 0.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        if not decoupled:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        if amsgrad:
            # max over raw v, then bias-corrected with the current t (as PyTorch does)
            v_hat_max = np.maximum(v_hat_max, v)
            v_hat = v_hat_max / (1 - b2**t)
        decay = lr * weight_decay * p if decoupled else 0.0
        p = p - decay - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(p)
    return path


def adamw(p, grads, **h):
    return adam(p, grads, decoupled=True, **h)


# ----- hyperparameters drawn by hypothesis -----


def _unit(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


_decay = st.one_of(st.just(0.0), _unit(0.0, 0.1))
_momentum = st.one_of(st.just(0.0), _unit(0.0, 0.95))


@st.composite
def _sgd_hyper(draw: st.DrawFn) -> dict[str, Any]:
    momentum = draw(_momentum)
    nesterov = momentum > 0 and draw(st.booleans())
    return {"lr": draw(_unit(0.0, 1.0)), "momentum": momentum, "nesterov": nesterov, "weight_decay": draw(_decay)}


_adam_hyper = st.fixed_dictionaries(
    {
        "lr": _unit(0.0, 0.5),
        "betas": st.tuples(_unit(0.0, 0.99), _unit(0.5, 0.9999)),
        "eps": st.sampled_from([1e-8, 1e-6]),
        "weight_decay": _decay,
        "amsgrad": st.booleans(),
    }
)

CASES: dict[str, tuple[type, Callable[..., list[np.ndarray]], st.SearchStrategy[dict[str, Any]]]] = {
    "SGD": (optim.SGD, sgd, _sgd_hyper()),
    "Adagrad": (
        optim.Adagrad,
        adagrad,
        st.fixed_dictionaries({"lr": _unit(0.0, 1.0), "weight_decay": _decay, "eps": st.sampled_from([1e-10, 1e-6])}),
    ),
    "RMSprop": (
        optim.RMSprop,
        rmsprop,
        st.fixed_dictionaries(
            {
                "lr": _unit(0.0, 0.1),
                # alpha near 0 makes a centered variance a difference of two nearly equal numbers
                "alpha": _unit(0.5, 0.999),
                "eps": st.sampled_from([1e-8, 1e-6]),
                "weight_decay": _decay,
                "momentum": _momentum,
                "centered": st.booleans(),
            }
        ),
    ),
    "Adadelta": (
        optim.Adadelta,
        adadelta,
        st.fixed_dictionaries(
            {
                "lr": _unit(0.0, 1.0),
                "rho": _unit(0.5, 0.99),
                "eps": st.sampled_from([1e-6, 1e-4]),
                "weight_decay": _decay,
            }
        ),
    ),
    "Adam": (optim.Adam, adam, _adam_hyper),
    "AdamW": (optim.AdamW, adamw, _adam_hyper),
}


@st.composite
def _problem(draw: st.DrawFn) -> tuple[np.dtype, np.ndarray, list[np.ndarray]]:
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    shape = draw(zs.shapes(max_dims=2))
    steps = draw(st.integers(1, 5))
    p0 = draw(zs.arrays(shape, dtype, low=-5, high=5))
    grads = [draw(zs.arrays(shape, dtype, low=-5, high=5)) for _ in range(steps)]
    return np.dtype(dtype), p0, grads


@pytest.mark.parametrize("name", list(CASES))
@given(data=st.data())
def test_first_steps_match_closed_form(name: str, data: st.DataObject) -> None:
    cls, reference, hyper_strategy = CASES[name]
    hyper = data.draw(hyper_strategy, label="hyperparameters")
    dtype, p0, grads = data.draw(_problem(), label="problem")

    param = Variable(p0.copy())
    array = param.data
    opt = cls([param], **hyper)
    ours = []
    for g in grads:
        param.grad = Variable(g)
        opt.step()
        ours.append(param.data.copy())

    expected = reference(p0.astype(np.float64), [g.astype(np.float64) for g in grads], **hyper)
    # Rounding in float32 is relative to the size of the parameters and of the steps, not of the result.
    points = [p0.astype(np.float64), *expected]
    scale = 1 + max(np.abs(x).max(initial=0) for x in points)
    scale += max(np.abs(b - a).max(initial=0) for a, b in itertools.pairwise(points))
    atol = (2e-5 if dtype == np.float32 else 1e-11) * scale
    for k, (got, want) in enumerate(zip(ours, expected), start=1):
        np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=f"{name} step {k} with {hyper}")

    assert param.data is array, "the update must be in place"
    assert param.data.dtype == dtype
    for state in opt.state:
        for key, value in state.items():
            if key != "step":
                assert type(value) is np.ndarray and value.dtype == dtype and value.shape == p0.shape, key
