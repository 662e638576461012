"""The Optimizer contract: parameters, skipped gradients, dtypes, bad input, state_dict round trips."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import optim
from autograd import Variable

# One configuration per optimizer that exercises all of its state (momentum buffers, amsgrad, ...).
CONFIGS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, weight_decay=0.01),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
    "Adadelta": lambda ps: optim.Adadelta(ps, weight_decay=0.01),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.01),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01, amsgrad=True),
}
CLASSES = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adadelta, optim.Adam, optim.AdamW]


def _params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [Variable(rng.standard_normal(s).astype(dtype)) for s in [(3, 2), (2,), ()]]


def _grads(seed, shapes, steps, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps)]


def _run(opt, params, grads):
    path = []
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = Variable(g)
        opt.step()
        path.append([p.data.copy() for p in params])
    return path


# ----- construction and bad input -----


@pytest.mark.parametrize("cls", CLASSES)
def test_empty_parameter_list_is_an_error(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__}: got an empty parameter list"):
        cls([], lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        cls(iter([]), lr=0.1)


@pytest.mark.parametrize("cls", CLASSES)
def test_negative_learning_rate_is_an_error(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: lr must be >= 0.0, got -0.1"):
        cls(_params(), lr=-0.1)


@pytest.mark.parametrize("cls", CLASSES)
def test_parameters_must_be_distinct_float_variables(cls):
    p = Variable(np.zeros(2))
    with pytest.raises(TypeError, match="wrap it in a list"):
        cls(p, lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 is a ndarray"):
        cls([p, np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 has dtype int64"):
        cls([Variable(np.zeros(2, dtype=np.int64))], lr=0.1)
    with pytest.raises(ValueError, match="parameter 1 appears more than once"):
        cls([p, p], lr=0.1)


@pytest.mark.parametrize("cls", CLASSES)
def test_params_that_are_not_an_iterable_and_non_numeric_hyperparameters_are_errors(cls):
    with pytest.raises(TypeError, match=f"{cls.__name__}: params must be an iterable of Variables, got NoneType"):
        cls(None, lr=0.1)
    with pytest.raises(TypeError, match=f"{cls.__name__}: lr must be a real number, got str 'a'"):
        cls(_params(), lr="a")
    with pytest.raises(TypeError, match=f"{cls.__name__}: weight_decay must be a real number, got NoneType None"):
        cls(_params(), lr=0.1, weight_decay=None)


def test_a_non_numeric_beta_is_an_error():
    with pytest.raises(TypeError, match=r"Adam: betas\[1\] must be a real number, got str 'x'"):
        optim.Adam(_params(), betas=(0.9, "x"))


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match=r"SGD: nesterov=True needs momentum > 0, got momentum=0.0"):
        optim.SGD(_params(), lr=0.1, nesterov=True)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: optim.SGD(ps, lr=0.1, momentum=-0.5), "SGD: momentum must be >= 0.0"),
        (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=-1), "SGD: weight_decay must be >= 0.0"),
        (lambda ps: optim.SGD(ps, lr=float("nan")), "SGD: lr must be >= 0.0, got nan"),
        (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), r"Adam: betas\[0\] must be in \[0.0, 1.0\), got 1.0"),
        (lambda ps: optim.AdamW(ps, betas=(0.9, -0.1)), r"AdamW: betas\[1\] must be in \[0.0, 1.0\)"),
        (lambda ps: optim.Adam(ps, eps=-1e-8), "Adam: eps must be >= 0.0"),
        (lambda ps: optim.RMSprop(ps, alpha=1.5), r"RMSprop: alpha must be in \[0.0, 1.0\]"),
        (lambda ps: optim.Adadelta(ps, rho=-0.1), r"Adadelta: rho must be in \[0.0, 1.0\]"),
        (lambda ps: optim.Adagrad(ps, eps=-1.0), "Adagrad: eps must be >= 0.0"),
    ],
)
def test_out_of_range_hyperparameters_are_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make(_params())


def test_defaults_are_pytorchs():
    ps = _params()
    assert (optim.SGD(ps, lr=0.1).momentum, optim.SGD(ps, lr=0.1).nesterov) == (0.0, False)
    adam, adamw = optim.Adam(ps), optim.AdamW(ps)
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay, adam.amsgrad) == (1e-3, (0.9, 0.999), 1e-8, 0.0, False)
    assert adamw.weight_decay == 1e-2
    assert (optim.Adagrad(ps).lr, optim.Adagrad(ps).eps) == (1e-2, 1e-10)
    rms = optim.RMSprop(ps)
    assert (rms.lr, rms.alpha, rms.eps, rms.momentum, rms.centered) == (1e-2, 0.99, 1e-8, 0.0, False)
    ada = optim.Adadelta(ps)
    assert (ada.lr, ada.rho, ada.eps) == (1.0, 0.9, 1e-6)


# ----- step -----


@pytest.mark.parametrize("name", list(CONFIGS))
def test_parameters_without_a_gradient_are_skipped(name):
    params = _params()
    before = [p.data.copy() for p in params]
    opt = CONFIGS[name](params)
    params[0].grad = Variable(np.ones((3, 2)))
    opt.step()
    assert not np.array_equal(params[0].data, before[0])
    for p, b, s in zip(params[1:], before[1:], opt.state[1:]):
        np.testing.assert_array_equal(p.data, b)
        assert s == {}


def test_adam_counts_steps_per_parameter():
    a, b = Variable(np.zeros(2)), Variable(np.zeros(2))
    opt = optim.Adam([a, b], lr=0.1)
    for k in range(3):
        a.grad = Variable(np.ones(2))
        b.grad = Variable(np.ones(2)) if k == 2 else None
        opt.step()
    assert (opt.state[0]["step"], opt.state[1]["step"]) == (3, 1)
    # A constant gradient moves Adam by exactly lr per step once bias-corrected (eps aside).
    np.testing.assert_allclose(b.data, -0.1, rtol=1e-6)
    np.testing.assert_allclose(a.data, -0.3, rtol=1e-6)


def test_zero_grad_drops_gradients():
    params = _params()
    opt = optim.SGD(params, lr=0.1)
    for p in params:
        p.grad = Variable(np.ones_like(p.data))
    opt.zero_grad()
    assert all(p.grad is None for p in params)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_wrongly_shaped_gradient_changes_nothing(name):
    params = _params()
    opt = CONFIGS[name](params)
    params[0].grad = Variable(np.ones((3, 2)))
    params[1].grad = Variable(np.ones(3))
    before = [p.data.copy() for p in params]
    message = rf"{name}.step: parameter 1 has shape \(2,\) but its gradient has shape \(3,\)"
    with pytest.raises(ValueError, match=message):
        opt.step()
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.data, b)
    assert all(s == {} for s in opt.state)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_float32_stays_float32_even_with_float64_gradients(name):
    params = _params(np.float32)
    opt = CONFIGS[name](params)
    for _ in range(2):
        for p in params:
            p.grad = Variable(np.ones(p.shape))  # float64
        opt.step()
    assert all(p.dtype == np.float32 for p in params)
    for state in opt.state:
        assert all(v.dtype == np.float32 for v in state.values() if isinstance(v, np.ndarray))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_gradient_shared_by_two_parameters_is_never_written_to(name):
    # The engine may give two parameters the very same gradient Variable (e.g. both inputs of x + y).
    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    shared = Variable(np.array([0.5, -1.0, 2.0]))
    opt = CONFIGS[name]([a, b])
    for _ in range(3):
        a.grad = b.grad = shared
        opt.step()
    np.testing.assert_array_equal(shared.data, [0.5, -1.0, 2.0])
    np.testing.assert_array_equal(a.data, b.data)


# ----- state_dict -----


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_state_dict_round_trip_resumes_the_exact_trajectory(name, dtype):
    shapes = [(3, 2), (2,), ()]
    grads = _grads(1, shapes, 7, dtype)
    params = _params(dtype)
    opt = CONFIGS[name](params)
    _run(opt, params, grads[:3])
    saved = copy.deepcopy(opt.state_dict())
    saved_params = [p.data.copy() for p in params]
    expected = _run(opt, params, grads[3:])

    fresh = [Variable(x) for x in saved_params]
    resumed = CONFIGS[name](fresh)
    resumed.lr = 123.0  # overwritten by the loaded hyperparameters
    resumed.load_state_dict(saved)
    assert resumed.lr == opt.lr
    got = _run(resumed, fresh, grads[3:])
    for step_got, step_expected in zip(got, expected):
        for g, e in zip(step_got, step_expected):
            assert g.dtype == dtype
            np.testing.assert_array_equal(g, e)


def test_state_dict_is_a_snapshot_of_plain_values():
    params = _params()
    opt = CONFIGS["Adam"](params)
    grads = _grads(2, [p.shape for p in params], 2)
    _run(opt, params, grads[:1])
    sd = opt.state_dict()
    kept = sd["state"][0]["exp_avg"].copy()
    _run(opt, params, grads[1:])
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], kept)
    assert sd["type"] == "Adam"
    assert sd["hyperparams"] == {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": True}
    assert sd["shapes"] == [(3, 2), (2,), ()]
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}


def _trained(name, params):
    opt = CONFIGS[name](params)
    _run(opt, params, _grads(3, [p.shape for p in params], 2))
    return opt


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda sd: sd.update(type="SGD"), "the state was saved by 'SGD', not 'Adam'"),
        (lambda sd: sd.update(shapes=sd["shapes"][:2]), "the state is for 2 parameters, this optimizer has 3"),
        (lambda sd: sd["shapes"].__setitem__(1, (5,)), r"parameter 1 has shape \(2,\), the state was saved for \(5,\)"),
        (lambda sd: sd["state"][0].update(exp_avg=np.zeros(4)), r"state 'exp_avg' of parameter 0 has shape \(4,\)"),
        (lambda sd: sd["state"].update({7: {}}), "state for parameter 7, but there are 3"),
        (lambda sd: sd["hyperparams"].pop("eps"), "hyperparameters .* do not match"),
        (lambda sd: sd["hyperparams"].update(lr=-1.0), "Adam: lr must be >= 0.0, got -1.0"),
    ],
)
def test_load_state_dict_rejects_a_mismatch_before_changing_anything(mutate, message):
    target = _trained("Adam", _params(seed=5))
    before = copy.deepcopy(target.state_dict())
    sd = copy.deepcopy(_trained("Adam", _params()).state_dict())
    sd["hyperparams"]["lr"] = 0.5
    mutate(sd)
    with pytest.raises(ValueError, match=message):
        target.load_state_dict(sd)
    after = target.state_dict()
    assert after["hyperparams"] == before["hyperparams"]
    for i in before["state"]:
        for key, value in before["state"][i].items():
            np.testing.assert_array_equal(after["state"][i][key], value)
