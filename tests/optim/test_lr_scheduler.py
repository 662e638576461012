"""Learning-rate schedules: their closed forms, their effect on the optimizer, state_dict, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import optim
from autograd import Variable
from optim import lr_scheduler


def _opt(lr=0.1, **kw):
    return optim.SGD([Variable(np.zeros(2))], lr=lr, **kw)


def _lrs(scheduler, steps):
    lrs = [scheduler.optimizer.lr]
    for _ in range(steps):
        scheduler.step()
        lrs.append(scheduler.optimizer.lr)
    return lrs


def test_step_lr():
    s = lr_scheduler.StepLR(_opt(), step_size=3, gamma=0.5)
    np.testing.assert_allclose(_lrs(s, 7), [0.1] * 3 + [0.05] * 3 + [0.025] * 2)
    assert s.get_last_lr() == pytest.approx(0.025)


@given(gamma=st.floats(0.5, 1.0), steps=st.integers(0, 50))
def test_exponential_lr(gamma, steps):
    s = lr_scheduler.ExponentialLR(_opt(), gamma=gamma)
    lrs = _lrs(s, steps)
    np.testing.assert_allclose(lrs, [0.1 * gamma**k for k in range(steps + 1)], rtol=1e-12)


@given(t_max=st.integers(1, 100), eta_min=st.floats(0.0, 0.05))
def test_cosine_annealing_goes_from_lr_to_eta_min_along_a_half_cosine(t_max, eta_min):
    s = lr_scheduler.CosineAnnealingLR(_opt(), T_max=t_max, eta_min=eta_min)
    lrs = np.array(_lrs(s, t_max))
    assert lrs[0] == pytest.approx(0.1)
    assert lrs[-1] == pytest.approx(eta_min)
    assert np.all(np.diff(lrs) <= 1e-15)
    middle = 0.1 - (0.1 - eta_min) * (1 - math.cos(math.pi * (t_max // 2) / t_max)) / 2
    assert lrs[t_max // 2] == pytest.approx(middle)


def test_linear_warmup_then_constant():
    s = lr_scheduler.LinearLR(_opt(lr=1.0), start_factor=0.25, total_iters=3)
    np.testing.assert_allclose(_lrs(s, 6), [0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 1.0])


def test_defaults_are_pytorchs():
    s = lr_scheduler.LinearLR(_opt(lr=0.3))
    assert (s.start_factor, s.end_factor, s.total_iters) == (1 / 3, 1.0, 5)
    assert lr_scheduler.StepLR(_opt(), step_size=2).gamma == 0.1
    assert lr_scheduler.CosineAnnealingLR(_opt(), T_max=2).eta_min == 0.0


def test_the_schedule_drives_the_updates():
    p = Variable(np.zeros(1))
    opt = optim.SGD([p], lr=1.0)
    s = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = Variable(np.ones(1))
        opt.step()
        s.step()
    np.testing.assert_array_equal(p.data, [-(1 + 0.5 + 0.25)])


def test_a_new_lr_scales_the_whole_momentum_buffer():
    # PyTorch's momentum form (p -= lr * buf), documented on SGD: the textbook's v = mu v - lr g would
    # keep the old lr inside v. After one step at lr 1 (buf = 1), a step at lr 0.1 moves by 0.1 * 1.9.
    p = Variable(np.zeros(1))
    opt = optim.SGD([p], lr=1.0, momentum=0.9)
    s = lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
    for _ in range(2):
        p.grad = Variable(np.ones(1))
        opt.step()
        s.step()
    np.testing.assert_allclose(p.data, [-1.0 - 0.1 * 1.9])


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
        lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
        lambda o: lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=8),
    ],
)
def test_state_dict_resumes_the_schedule(make):
    opt = _opt()
    s = make(opt)
    _lrs(s, 4)
    saved_opt, saved, lr_at_save = opt.state_dict(), s.state_dict(), opt.lr
    expected = _lrs(s, 6)[1:]

    opt2 = _opt(lr=0.7)
    s2 = make(opt2)
    opt2.load_state_dict(saved_opt)
    s2.load_state_dict(saved)
    assert opt2.lr == lr_at_save
    assert _lrs(s2, 6)[1:] == pytest.approx(expected, rel=1e-15)


def test_load_state_dict_checks_the_kind_and_keys():
    s = lr_scheduler.StepLR(_opt(), step_size=2)
    with pytest.raises(ValueError, match="saved by 'ExponentialLR', not 'StepLR'"):
        s.load_state_dict(lr_scheduler.ExponentialLR(_opt(), gamma=0.5).state_dict())
    bad = s.state_dict()
    del bad["gamma"]
    with pytest.raises(ValueError, match="do not match"):
        s.load_state_dict(bad)
    assert s.gamma == 0.1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=0), "StepLR: step_size must be a positive integer, got 0"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=-0.1), "StepLR: gamma must be >= 0.0"),
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=-1), "ExponentialLR: gamma must be >= 0.0"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max must be a positive integer"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=1.5), r"LinearLR: start_factor must be in \[0.0, 1.0\]"),
        (lambda o: lr_scheduler.LinearLR(o, total_iters=0), "LinearLR: total_iters must be a positive integer"),
        (lambda o: lr_scheduler.StepLR(object(), step_size=1), "StepLR: expected an Optimizer, got object"),
    ],
)
def test_bad_settings_are_errors(make, message):
    opt = _opt()
    with pytest.raises((ValueError, TypeError), match=message):
        make(opt)
    assert opt.lr == 0.1
