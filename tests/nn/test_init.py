"""nn.init: the spread of each initialiser, fan_in, reproducibility with manual_seed, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from nn import init


@pytest.mark.parametrize(
    "shape, fan",
    [((300, 200), 300), ((64, 16, 3, 3), 144), ((8, 4, 5, 5), 100)],
)
def test_fan_in_counts_inputs_per_output(shape, fan):
    assert init.fan_in(shape) == fan


@pytest.mark.parametrize(
    "initialise, scale",
    [(init.he_normal_, lambda fan: math.sqrt(2 / fan)), (init.xavier_normal_, lambda fan: math.sqrt(1 / fan))],
)
def test_initialisers_have_the_textbook_spread(initialise, scale):
    p = nn.Parameter(np.empty((400, 300), np.float32))
    initialise(p)
    # 120,000 draws: the sample std is within 1% of the target and the mean near zero.
    assert p.data.std() == pytest.approx(scale(400), rel=0.01)
    assert abs(p.data.mean()) < 0.01 * scale(400)
    assert p.dtype == np.float32


def test_normal_and_zeros():
    p = nn.Parameter(np.empty((500, 500), np.float64))
    init.normal_(p, 0.01)
    assert p.data.std() == pytest.approx(0.01, rel=0.01)
    init.zeros_(p)
    assert not p.data.any()


@given(st.integers(0, 2**32 - 1))
def test_manual_seed_makes_initial_weights_repeat(seed):
    nn.manual_seed(seed)
    a = nn.MLP([6, 5, 3]).state_dict()
    nn.manual_seed(seed)
    b = nn.MLP([6, 5, 3]).state_dict()
    c = nn.MLP([6, 5, 3]).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["0.W"], c["0.W"])


def test_bad_input_names_the_initialiser():
    with pytest.raises(ValueError, match="manual_seed: seed must be a non-negative integer"):
        nn.manual_seed(-1)
    with pytest.raises(TypeError, match="he_normal_: expected a float Parameter"):
        init.he_normal_(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="normal_: std must be >= 0"):
        init.normal_(nn.Parameter(np.zeros(2)), -1.0)
    with pytest.raises(ValueError, match=r"fan_in: expected a \(in, out\) or \(out, in, KH, KW\) weight"):
        init.he_normal_(nn.Parameter(np.zeros(3)))
