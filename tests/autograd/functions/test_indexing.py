"""getitem (basic and advanced), concat and stack: values, accumulated gradients, higher order, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd.functions as F
from autograd import Variable, grad
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst


def _selection_counts(shape, index):
    """How many times x[index] selects each element of an array of `shape` (index: a tuple of int arrays)."""
    arrays = np.broadcast_arrays(*[np.mod(i, side) for i, side in zip(index, shape)])
    flat = np.ravel_multi_index(arrays, shape) if arrays else np.zeros(0, int)
    return np.bincount(flat.ravel(), minlength=int(np.prod(shape))).reshape(shape).astype(float)


@st.composite
def basic_indexing(draw):
    shape = draw(zst.shapes(min_dims=0, max_dims=3, max_side=4))
    index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return draw(zst.arrays(shape)), index


@given(case=basic_indexing())
def test_basic_indexing(case):
    x, index = case
    y = F.getitem(Variable(x), index)
    np.testing.assert_array_equal(y.data, x[index])
    assert gradcheck(lambda v: F.getitem(v, index), x)
    # Squaring makes the first derivative depend on x, so the backward of the scatter is exercised.
    assert gradgradcheck(lambda v: F.getitem(v, index) ** 2, x)


@st.composite
def integer_array_indexing(draw):
    shape = draw(zst.shapes(min_dims=1, max_dims=3, max_side=4))
    index = draw(hnp.integer_array_indices(shape, result_shape=zst.shapes(min_dims=1, max_dims=2, max_side=5)))
    return draw(zst.arrays(shape)), index


@given(case=integer_array_indexing())
def test_integer_array_indexing_accumulates_repeated_indices(case):
    x, index = case
    v = Variable(x)
    y = v[index]
    np.testing.assert_array_equal(y.data, x[index])
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(v.grad.data, _selection_counts(x.shape, index))
    assert gradcheck(lambda u: F.getitem(u, index), x)
    assert gradgradcheck(lambda u: F.getitem(u, index) ** 2, x)


def test_repeated_index_gradient():
    v = Variable(np.arange(4.0))
    y = v[np.array([1, 1, 3, 1])]
    y.backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(v.grad.data, [0.0, 7.0, 0.0, 3.0])


@given(data=st.data())
def test_boolean_mask(data):
    x = data.draw(zst.arrays(zst.shapes(min_dims=1, max_dims=3)))
    mask = data.draw(hnp.arrays(bool, x.shape))
    v = Variable(x)
    y = v[mask]
    np.testing.assert_array_equal(y.data, x[mask])
    y.backward(np.ones(y.shape))
    np.testing.assert_array_equal(v.grad.data, mask.astype(float))
    assert gradgradcheck(lambda u: F.getitem(u, mask) ** 2, x)


@st.composite
def mixed_indexing(draw):
    """An integer array (repeats allowed) on one axis beside slices, None, Ellipsis or a mask."""
    shape = draw(zst.shapes(min_dims=2, max_dims=3, max_side=4))
    axis = draw(st.integers(0, len(shape) - 1))
    rows = draw(hnp.arrays(np.intp, draw(zst.shapes(1, 2, max_side=4)), elements=st.integers(0, shape[axis] - 1)))
    rest = [draw(st.sampled_from([slice(None), slice(None, None, -2), slice(1, None)])) for _ in shape]
    index = [*rest[:axis], rows, *rest[axis + 1 :]]
    variant = draw(st.sampled_from(["plain", "newaxis", "ellipsis"]))
    if variant == "newaxis":
        index.insert(0, None)
    elif variant == "ellipsis" and axis == 0:
        index = [rows, Ellipsis]
    return draw(zst.arrays(shape)), tuple(index)


@given(case=mixed_indexing())
def test_mixed_basic_and_advanced_indexing(case):
    x, index = case
    np.testing.assert_array_equal(F.getitem(Variable(x), index).data, x[index])
    assert gradcheck(lambda v: F.getitem(v, index), x)
    assert gradgradcheck(lambda v: F.getitem(v, index) ** 2, x)


def test_mask_beside_an_integer_array():
    x = np.arange(12.0).reshape(3, 4)
    index = (np.array([True, False, True]), np.array([0, 0]))
    v = Variable(x)
    y = v[index]
    np.testing.assert_array_equal(y.data, x[index])
    assert gradcheck(lambda u: F.getitem(u, index), x)


def test_indices_given_as_variables_and_lists():
    x = np.arange(12.0).reshape(3, 4)
    rows = Variable(np.array([2, 0, 2]))
    np.testing.assert_array_equal(Variable(x)[rows].data, x[[2, 0, 2]])
    np.testing.assert_array_equal(Variable(x)[rows, Variable(np.array(1))].data, x[[2, 0, 2], 1])
    np.testing.assert_array_equal(Variable(x)[[1, 1]].data, x[[1, 1]])
    assert Variable(x)[[]].shape == x[[]].shape
    v = Variable(x)
    v[Variable(x > 5)].backward(np.ones(6))
    np.testing.assert_array_equal(v.grad.data, (x > 5).astype(float))


def test_gradient_of_the_gradient_is_getitem():
    x = Variable(np.array([1.0, 2.0, 3.0]))
    index = np.array([0, 2, 2])
    (gx,) = grad(F.getitem(x, index) ** 3, [x], np.ones(3), create_graph=True)
    np.testing.assert_allclose(gx.data, [3.0, 0.0, 2 * 27.0])
    gx.backward(np.ones(3))
    np.testing.assert_allclose(x.grad.data, [6.0, 0.0, 2 * 18.0])


def test_getitem_keeps_float32():
    v = Variable(np.ones((3, 4), np.float32))
    for index in [(1, slice(None)), np.array([0, 0]), np.ones((3, 4), bool)]:
        y = v[index]
        assert y.dtype == np.float32
        (gx,) = grad(y, [v], np.ones(y.shape, np.float32))
        assert gx.dtype == np.float32


def test_bad_index_names_the_op_and_shape():
    with pytest.raises(IndexError, match=r"getitem: index 5 is invalid for an array of shape \(3,\)"):
        F.getitem(Variable(np.ones(3)), 5)
    with pytest.raises(IndexError, match=r"getitem: .*shape \(2,\) and dtype float64.*shape \(3,\)"):
        F.getitem(Variable(np.ones(3)), np.ones(2))


@st.composite
def concat_inputs(draw):
    shape = draw(zst.shapes(min_dims=1, max_dims=3, max_side=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    xs = []
    for size in sizes:
        piece = list(shape)
        piece[axis] = size
        xs.append(draw(zst.arrays(tuple(piece))))
    return xs, axis


@given(case=concat_inputs())
def test_concat(case):
    xs, axis = case
    np.testing.assert_array_equal(F.concat([Variable(x) for x in xs], axis).data, np.concatenate(xs, axis))
    assert gradcheck(lambda *vs: F.concat(list(vs), axis), *xs)
    assert gradgradcheck(lambda *vs: F.concat(list(vs), axis) ** 2, *xs)


@st.composite
def stack_inputs(draw):
    shape = draw(zst.shapes(min_dims=0, max_dims=2, max_side=3))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    count = draw(st.integers(1, 3))
    return [draw(zst.arrays(shape)) for _ in range(count)], axis


@given(case=stack_inputs())
def test_stack(case):
    xs, axis = case
    np.testing.assert_array_equal(F.stack([Variable(x) for x in xs], axis).data, np.stack(xs, axis))
    assert gradcheck(lambda *vs: F.stack(list(vs), axis), *xs)
    assert gradgradcheck(lambda *vs: F.stack(list(vs), axis) ** 2, *xs)


def test_concat_and_stack_gradients_when_an_input_is_reused():
    a = Variable(np.array([1.0, 2.0]))
    F.concat([a, a * 2, a], 0).backward(np.arange(6.0))
    np.testing.assert_array_equal(a.grad.data, [0 + 2 * 2 + 4, 1 + 2 * 3 + 5])
    b = Variable(np.array([1.0, 2.0]))
    F.stack([b, b], 1).backward(np.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(b.grad.data, [1.0, 5.0])


def test_concat_and_stack_keep_float32():
    a, b = Variable(np.ones((2, 3), np.float32)), Variable(np.zeros((2, 3), np.float32))
    for y in (F.concat([a, b], 1), F.stack([a, b], 0)):
        assert y.dtype == np.float32
        assert all(g.dtype == np.float32 for g in grad(y, [a, b], np.ones(y.shape, np.float32)))


def test_concat_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"concat: shapes \(2, 3\), \(3, 3\) differ outside axis 1"):
        F.concat([Variable(np.ones((2, 3))), Variable(np.ones((3, 3)))], axis=1)
    with pytest.raises(ValueError, match=r"concat: .*dimensions.*\(2, 3\), \(3,\)"):
        F.concat([Variable(np.ones((2, 3))), Variable(np.ones(3))])
    with pytest.raises(ValueError, match=r"concat: axis 2 is out of range .*\(2, 3\)"):
        F.concat([Variable(np.ones((2, 3)))], axis=2)
    with pytest.raises(ValueError, match=r"concat: .*\(\)"):
        F.concat([Variable(1.0), Variable(2.0)])
    with pytest.raises(ValueError, match=r"concat: expected at least one array"):
        F.concat([])
    with pytest.raises(TypeError, match=r"concat: expected a list or tuple"):
        F.concat(Variable(np.ones((2, 3))))


def test_stack_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"stack: all arrays must have the same shape, got shapes \(2,\), \(3,\)"):
        F.stack([Variable(np.ones(2)), Variable(np.ones(3))])
    with pytest.raises(ValueError, match=r"stack: axis 3 is out of range"):
        F.stack([Variable(np.ones(2))], axis=3)
