"""Shape ops: reshape, transpose, broadcast_to, sum_to, flatten, astype: values, gradients, dtypes, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, grad
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst


def _check(f, x):
    assert gradcheck(f, x)
    # Squaring after the op makes the first derivative depend on x, so the op's backward is differentiated.
    assert gradgradcheck(lambda v: f(v) ** 2, x)


@st.composite
def reshapes(draw):
    """An array and a shape of the same size: its sides shuffled, 1s inserted, maybe one -1."""
    x = draw(zst.arrays(zst.shapes(max_dims=3, min_side=0, max_side=4)))
    sides = list(draw(st.permutations(x.shape)))
    for _ in range(draw(st.integers(0, 2))):
        sides.insert(draw(st.integers(0, len(sides))), 1)
    if sides and x.size and draw(st.booleans()):
        sides[draw(st.integers(0, len(sides) - 1))] = -1
    return x, tuple(sides)


@given(case=reshapes())
def test_reshape(case):
    x, shape = case
    y = F.reshape(Variable(x), shape)
    np.testing.assert_array_equal(y.data, x.reshape(shape))
    _check(lambda v: F.reshape(v, shape), x)


@st.composite
def transposes(draw):
    x = draw(zst.arrays())
    axes = draw(st.none() | st.permutations(range(x.ndim)))
    if axes is not None and draw(st.booleans()):
        axes = [a - x.ndim for a in axes]  # negative axes
    return x, axes


@given(case=transposes())
def test_transpose(case):
    x, axes = case
    np.testing.assert_array_equal(F.transpose(Variable(x), axes).data, np.transpose(x, axes))
    _check(lambda v: F.transpose(v, axes), x)


@st.composite
def broadcasts(draw):
    """(small, large): small broadcasts to large (dims dropped from the front or set to 1)."""
    large = draw(zst.shapes(max_dims=3))
    dropped = draw(st.integers(0, len(large)))
    small = tuple(1 if draw(st.booleans()) else side for side in large[dropped:])
    return small, large


@given(shapes=broadcasts(), data=st.data())
def test_broadcast_to(shapes, data):
    small, large = shapes
    x = data.draw(zst.arrays(small))
    np.testing.assert_array_equal(F.broadcast_to(Variable(x), large).data, np.broadcast_to(x, large))
    _check(lambda v: F.broadcast_to(v, large), x)


@given(shapes=broadcasts(), data=st.data())
def test_sum_to(shapes, data):
    small, large = shapes
    x = data.draw(zst.arrays(large))
    expected = x.sum(axis=tuple(range(len(large) - len(small)))) if len(large) > len(small) else x
    expected = expected.sum(axis=tuple(i for i, s in enumerate(small) if s == 1), keepdims=True)
    y = F.sum_to(Variable(x), small)
    assert y.shape == small
    np.testing.assert_allclose(y.data, expected)
    _check(lambda v: F.sum_to(v, small), x)


@st.composite
def flattens(draw):
    x = draw(zst.arrays(zst.shapes(max_dims=4, max_side=3)))
    ndim = max(x.ndim, 1)
    start = draw(st.integers(-ndim, ndim - 1))
    end = draw(st.integers(start % ndim, ndim - 1))
    if draw(st.booleans()):
        end -= ndim
    return x, start, end


@given(case=flattens())
def test_flatten(case):
    x, start, end = case
    y = F.flatten(Variable(x), start, end)
    s, e = start % max(x.ndim, 1), end % max(x.ndim, 1)
    expected = (int(np.prod(x.shape[s : e + 1])),) if x.ndim == 0 else (*x.shape[:s], -1, *x.shape[e + 1 :])
    np.testing.assert_array_equal(y.data, x.reshape(expected))
    _check(lambda v: F.flatten(v, start, end), x)


def test_flatten_default_and_batch():
    x = Variable(np.zeros((2, 3, 4)))
    assert F.flatten(x).shape == (24,)
    assert F.flatten(x, 1).shape == (2, 12)
    assert F.flatten(Variable(1.0)).shape == (1,)


@given(x=zst.arrays())
def test_astype_round_trip_gradient(x):
    y = F.astype(Variable(x), np.float32)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, x.astype(np.float32))

    def f(v):
        return F.astype(v, np.float32) * 1.5

    # float32 rounding swamps small steps; f is linear (and f**2 quadratic), so a large step is exact.
    assert gradcheck(f, x, eps=0.25, atol=1e-4)
    assert gradgradcheck(lambda v: f(v) ** 2, x, eps=0.25, atol=1e-3)


def test_astype_gradient_takes_the_input_dtype():
    x = Variable(np.array([1.0, 2.0], np.float32))
    y = F.astype(x, np.float64)
    (gx,) = grad(y, [x], np.ones(2))
    assert y.dtype == np.float64 and gx.dtype == np.float32
    assert x.astype(np.float32) is not x and x.astype(np.float32).dtype == np.float32


def test_astype_of_an_integer_input_gives_it_no_gradient():
    n = Variable(np.array([1, 2, 3]))
    w = Variable(np.ones(3))
    (n.astype(np.float64) * w).backward(np.ones(3))
    assert n.grad is None
    np.testing.assert_array_equal(w.grad.data, [1.0, 2.0, 3.0])


def test_variable_shape_methods():
    x = np.arange(6.0).reshape(2, 3)
    v = Variable(x)
    np.testing.assert_array_equal(v.reshape(3, 2).data, x.reshape(3, 2))
    np.testing.assert_array_equal(v.reshape((6,)).data, x.reshape(6))
    np.testing.assert_array_equal(v.T.data, x.T)
    np.testing.assert_array_equal(v.transpose(1, 0).data, x.T)
    np.testing.assert_array_equal(v.transpose().data, x.T)
    assert v.reshape(2, 3) is v  # no node for a no-op


def test_shape_ops_keep_float32():
    x = Variable(np.ones((2, 3), np.float32))
    for y in (
        F.reshape(x, (3, 2)),
        F.transpose(x),
        F.broadcast_to(x, (4, 2, 3)),
        F.sum_to(x, (1, 3)),
        F.flatten(x),
    ):
        assert y.dtype == np.float32
        (gx,) = grad(y, [x], np.ones(y.shape, np.float32))
        assert gx.dtype == np.float32


def test_errors_name_the_op_and_shapes():
    x = Variable(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape: cannot reshape an array of shape \(2, 3\) into \(4, 2\)"):
        F.reshape(x, (4, 2))
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 5\) are not a permutation of the 2 axes of \(2, 3\)"):
        F.transpose(x, (0, 5))
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 0\)"):
        F.transpose(x, (0, 0))
    with pytest.raises(ValueError, match=r"broadcast_to: cannot broadcast shape \(2, 3\) to \(2, 4\)"):
        F.broadcast_to(x, (2, 4))
    with pytest.raises(ValueError, match=r"sum_to: cannot sum shape \(2, 3\) to \(2,\)"):
        F.sum_to(x, (2,))
    with pytest.raises(ValueError, match=r"flatten: dimension 5 is out of range for shape \(2, 3\)"):
        F.flatten(x, 5)
    with pytest.raises(ValueError, match=r"flatten: start_dim 1 comes after end_dim 0 for shape \(2, 3\)"):
        F.flatten(x, 1, 0)
