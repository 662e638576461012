"""Edges: an op whose backward reads no input value records a large computed input as an Edge, so its array
is freed once the user drops it, while gradients (of any order), hooks and drawings stay as they were."""

import contextlib
import weakref

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd.core as core
import autograd.functions as F
from autograd import Variable, grad
from autograd.core import Edge
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst
from autograd.viz import to_dot


@contextlib.contextmanager
def edges_from(nbytes):
    """Record every computed input of at least nbytes as an edge where the ops allow it."""
    previous = core._EDGE_MIN_BYTES
    core._EDGE_MIN_BYTES = nbytes
    try:
        yield
    finally:
        core._EDGE_MIN_BYTES = previous


# Each chain feeds the output of an op that never reads its outputs (×, +, −, conv2d, linear, relu,
# max_pool2d, batch_norm) to ops that read no input value (relu, max_pool2d, avg_pool2d, dropout).
CHAINS = {
    "relu(x × w)": lambda x, w: F.relu(x * w),
    "max_pool(relu(x + w))": lambda x, w: F.max_pool2d(F.relu(x + w), 2, 1),
    "avg_pool(x − w) twice": lambda x, w: F.avg_pool2d(F.avg_pool2d(x - w, 2, 1), 1),
    "relu and max_pool of one product": lambda x, w: F.relu(x * w) * F.max_pool2d(x * w, 1),
    "dropout(relu(conv))": lambda x, w: F.dropout(
        F.relu(F.conv2d(x, w * x[:1, :, :2, :2])), 0.5, rng=np.random.default_rng(0)
    ),
    "relu(batch_norm)": lambda x, w: F.relu(
        F.batch_norm(x, w * np.ones(x.shape[1]), x[0, :, 0, 0], *_statistics(x), True)
    ),
}


def _statistics(x):
    return np.zeros(x.shape[1]), np.ones(x.shape[1])


def _edges_in(y):
    """The Edges recorded in the graph of y."""
    found, stack, seen = [], [y.creator], set()
    while stack:
        f = stack.pop()
        if f is None or f in seen:
            continue
        seen.add(f)
        found += [x for x in f.inputs if type(x) is Edge]
        stack += [x.creator for x in f.inputs]
    return found


@st.composite
def chain_inputs(draw):
    """x (N, C, H, W) with distinct values at least 0.1 apart and away from 0 (no ties, no kinks), w > 0."""
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(2, 4)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.permutation(int(np.prod(shape))) * 0.1 + 0.05
    x = (values * rng.choice([-1.0, 1.0], values.shape)).reshape(shape)
    return x, draw(zst.arrays((), low=0.5, high=2.0))


@given(chain_inputs(), st.sampled_from(sorted(CHAINS)))
def test_chains_through_edges_pass_gradcheck_and_gradgradcheck(inputs, name):
    x, w = inputs
    with edges_from(0):
        y = CHAINS[name](Variable(x), Variable(w))
        assert _edges_in(y)
        assert gradcheck(CHAINS[name], x, w)
        assert gradgradcheck(CHAINS[name], x, w)


def _conv_relu(x, W):
    h = F.conv2d(x, W)
    return h, F.relu(h)


def test_a_large_computed_input_is_freed_and_gradients_do_not_change():
    rng = np.random.default_rng(0)
    x, W = rng.standard_normal((8, 1, 28, 28)), Variable(rng.standard_normal((4, 1, 5, 5)))
    h, y = _conv_relu(x, W)  # h: 8·4·24·24 float64, above the size an edge is made for
    assert type(y.creator.inputs[0]) is Edge and y.creator.inputs[0].variable() is h
    assert y.creator.mask.dtype == bool
    data = weakref.ref(h.data)
    del h
    assert data() is None
    assert y.creator.inputs[0].variable() is y.creator.inputs[0]
    (y * y).sum().backward()
    with edges_from(np.inf):
        W_kept = Variable(W.data.copy())
        h_kept, y_kept = _conv_relu(x, W_kept)
        assert y_kept.creator.inputs[0] is h_kept
        (y_kept * y_kept).sum().backward()
    np.testing.assert_array_equal(W.grad.data, W_kept.grad.data)


def test_small_inputs_and_inputs_of_ops_that_read_their_outputs_stay_variables():
    x = Variable(np.ones((4, 4)))
    small = x * 2
    assert F.relu(small).creator.inputs[0] is small
    big = F.exp(Variable(np.ones((128, 128))))  # exp's backward reads its output
    assert F.relu(big).creator.inputs[0] is big


def test_consumers_share_one_edge_and_hooks_retain_grad_and_grad_see_the_variable():
    x = Variable(np.linspace(-1, 1, 128 * 128).reshape(1, 1, 128, 128))
    with edges_from(0):
        h = x * 3.0
        a, b = F.relu(h), F.max_pool2d(h, 2)
        assert a.creator.inputs[0] is b.creator.inputs[0]
        loss = a.sum() + b.sum()
        (gh,) = grad(loss, [h])
        seen = []
        h.register_hook(lambda g: seen.append(g.data.copy()))
        h.retain_grad()
        loss.backward()
    expected = (h.data > 0).astype(float)
    expected[0, 0, 1::2, 1::2] += 1  # each 2×2 window's maximum is its bottom-right element
    np.testing.assert_array_equal(gh.data, expected)
    np.testing.assert_array_equal(h.grad.data, expected)
    np.testing.assert_array_equal(seen[-1], expected)
    np.testing.assert_array_equal(x.grad.data, 3 * expected)


def test_drawing_is_the_same_with_edges_whether_or_not_the_variables_live():
    rng = np.random.default_rng(1)
    x, W = rng.standard_normal((8, 1, 28, 28)), Variable(rng.standard_normal((4, 1, 5, 5)), name="W")
    with edges_from(np.inf):
        expected = to_dot(F.max_pool2d(_conv_relu(x, W)[1], 2).sum())
    h, y = _conv_relu(x, W)
    alive = F.max_pool2d(y, 2).sum()
    assert to_dot(alive) == expected
    del h, y
    assert to_dot(F.max_pool2d(_conv_relu(x, W)[1], 2).sum()) == expected
