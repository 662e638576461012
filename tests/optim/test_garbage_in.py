"""Garbage in for optim: hyperparameters that are NaN, inf, negative or no number, parameter lists of wrong
things, learning-rate schedules with bad settings, and load_state_dict with bad dicts.

A refused call raises TypeError or ValueError naming the optimizer or schedule, and leaves the optimizer,
the schedule and the parameters as they were (compared with deep copies taken before). Hyperparameters
are never data: NaN and ±inf are refused, as in PyTorch.
"""

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optim
from autograd import Variable
from autograd.testing import strategies as zs
from optim import lr_scheduler
from tests.garbage import refused

SETTINGS = settings(max_examples=10, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

HYPERPARAMETERS = {
    optim.SGD: ("lr", "momentum", "weight_decay"),
    optim.Adagrad: ("lr", "weight_decay", "eps"),
    optim.RMSprop: ("lr", "alpha", "eps", "weight_decay", "momentum"),
    optim.Adadelta: ("lr", "rho", "eps", "weight_decay"),
    optim.Adam: ("lr", "eps", "weight_decay"),
    optim.AdamW: ("lr", "eps", "weight_decay"),
}
CASES = [(cls, name) for cls, names in HYPERPARAMETERS.items() for name in names]


def params() -> list[Variable]:
    return [Variable(np.ones((2, 3), np.float32)), Variable(np.zeros(3, np.float32))]


def trained(cls, **kwargs):
    """An optimizer that has taken two steps, so it holds state."""
    ps = params()
    opt = cls(ps, **({"lr": 0.1} | kwargs))
    for _ in range(2):
        for p in ps:
            p.grad = Variable(np.full(p.shape, 0.5, np.float32))
        opt.step()
    return opt


def picture(opt) -> tuple:
    """Everything a failed call must leave alone: hyperparameters, state and parameter values."""
    return copy.deepcopy(opt.state_dict()), [p.data.copy() for p in opt.params]


def assert_same(before: tuple, after: tuple) -> None:
    (state_a, values_a), (state_b, values_b) = before, after
    assert state_a["hyperparams"] == state_b["hyperparams"]
    assert state_a["state"].keys() == state_b["state"].keys()
    for i in state_a["state"]:
        for key, value in state_a["state"][i].items():
            np.testing.assert_array_equal(value, state_b["state"][i][key])
    for a, b in zip(values_a, values_b):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("cls", "name"), CASES, ids=lambda c: getattr(c, "__name__", c))
@SETTINGS
@given(value=zs.bad_reals() | st.floats(max_value=-1e-9, allow_nan=False) | st.just(-1))
def test_optimizers_refuse_bad_hyperparameters(cls, name, value):
    refused(lambda: cls(params(), **{"lr": 0.1, name: value}), cls.__name__)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize("betas", [0.9, (0.9,), (0.9, 0.99, 0.5), "ab", None, (np.nan, 0.9), (0.9, 1.0), (-0.1, 0.9)])
def test_adam_refuses_bad_betas(cls, betas):
    refused(lambda: cls(params(), betas=betas), cls.__name__)


@pytest.mark.parametrize("cls", list(HYPERPARAMETERS))
@SETTINGS
@given(junk=st.one_of(zs.garbage(), st.lists(zs.garbage() | st.floats() | st.builds(np.ones, st.integers(1, 3)),
                                             min_size=1, max_size=3)))
def test_optimizers_refuse_parameter_lists_of_wrong_things(cls, junk):
    refused(lambda: cls(junk, lr=0.1), cls.__name__)


@st.composite
def bad_optimizer_states(draw, good):
    """good (an optimizer's state_dict) with one part broken."""
    state = copy.deepcopy(good)
    # Plain SGD keeps no per-parameter state: nothing to break there.
    parts = ["not a dict", "key", "hyperparam", "shapes", "index"] + (["entry"] if state["state"] else [])
    part = draw(st.sampled_from(parts))
    if part == "not a dict":
        return draw(zs.non_numeric() | st.lists(st.integers(), max_size=2))
    if part == "key":
        del state[draw(st.sampled_from(sorted(state)))]
    elif part == "hyperparam":
        state["hyperparams"][draw(st.sampled_from(sorted(state["hyperparams"])))] = draw(zs.bad_reals())
    elif part == "shapes":
        state["shapes"] = draw(zs.garbage() | st.lists(zs.shapes(), max_size=3))
    elif part == "index":
        state["state"] = {draw(st.sampled_from(["a", -1, 7, 1.5, None])): {}} | state["state"]
    else:
        entries = state["state"][0]
        key = draw(st.sampled_from(sorted(entries)))
        entries[key] = draw(zs.garbage() | zs.string_arrays((2, 3)) | zs.non_finite_arrays((4,)))
    return state


@pytest.mark.parametrize("cls", list(HYPERPARAMETERS))
@SETTINGS
@given(data=st.data())
def test_load_state_dict_refuses_bad_states_and_changes_nothing(cls, data):
    opt = trained(cls)
    state = data.draw(bad_optimizer_states(opt.state_dict()), label="state")
    before = picture(opt)
    refused(lambda: opt.load_state_dict(state), cls.__name__)
    assert_same(before, picture(opt))


def test_load_state_dict_takes_non_finite_state_as_data():
    opt = trained(optim.Adam)
    state = opt.state_dict()
    state["state"][0]["exp_avg"][0, 0] = np.nan
    opt.load_state_dict(state)
    assert np.isnan(opt.state[0]["exp_avg"][0, 0])


@SETTINGS
@given(zs.bad_reals() | st.just(-1.0))
def test_clip_grad_norm_refuses_bad_max_norm(max_norm):
    refused(lambda: optim.clip_grad_norm(params(), max_norm), "clip_grad_norm")


@SETTINGS
@given(st.lists(zs.garbage() | st.floats(), min_size=1, max_size=3))
def test_clip_grad_norm_refuses_parameter_lists_of_wrong_things(junk):
    refused(lambda: optim.clip_grad_norm(junk, 1.0), "clip_grad_norm")


SCHEDULES = {
    "StepLR step_size": (lambda o, v: lr_scheduler.StepLR(o, v), "count"),
    "StepLR gamma": (lambda o, v: lr_scheduler.StepLR(o, 2, gamma=v), "real"),
    "ExponentialLR gamma": (lambda o, v: lr_scheduler.ExponentialLR(o, v), "real"),
    "CosineAnnealingLR T_max": (lambda o, v: lr_scheduler.CosineAnnealingLR(o, v), "count"),
    "CosineAnnealingLR eta_min": (lambda o, v: lr_scheduler.CosineAnnealingLR(o, 5, eta_min=v), "real"),
    "LinearLR start_factor": (lambda o, v: lr_scheduler.LinearLR(o, start_factor=v), "real"),
    "LinearLR total_iters": (lambda o, v: lr_scheduler.LinearLR(o, total_iters=v), "count"),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@SETTINGS
@given(data=st.data())
def test_schedules_refuse_bad_settings_and_leave_lr_alone(name, data):
    make, kind = SCHEDULES[name]
    value = data.draw(zs.bad_counts() if kind == "count" else zs.bad_reals() | st.just(-0.5), label="value")
    opt = optim.SGD(params(), lr=0.1)
    refused(lambda: make(opt, value), name.split()[0])
    assert opt.lr == 0.1


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@SETTINGS
@given(data=st.data())
def test_schedule_load_state_dict_refuses_bad_states_and_changes_nothing(name, data):
    make, _ = SCHEDULES[name]
    opt = optim.SGD(params(), lr=0.1)
    schedule = make(opt, 3 if "step_size" in name or "T_max" in name or "total" in name else 0.5)
    schedule.step()
    state = copy.deepcopy(schedule.state_dict())
    key = data.draw(st.sampled_from(sorted(set(state) - {"type"})), label="key")
    state[key] = data.draw(zs.bad_counts() if key in ("last_epoch", "step_size", "T_max", "total_iters")
                           else zs.bad_reals() | st.just(-0.5), label="value")
    if key == "last_epoch" and state[key] == 0:
        return  # epoch 0 is a valid place to resume from
    before, lr = copy.deepcopy(schedule.__dict__ | {"optimizer": None}), opt.lr
    refused(lambda: schedule.load_state_dict(state), type(schedule).__name__)
    assert schedule.__dict__ | {"optimizer": None} == before and opt.lr == lr


@pytest.mark.parametrize("junk", [None, "sgd", 0.1, object()])
def test_schedules_refuse_what_is_no_optimizer(junk):
    refused(lambda: lr_scheduler.StepLR(junk, 2), "StepLR")
