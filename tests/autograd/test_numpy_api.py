"""NumPy ufuncs and functions on Variables record the same op, value and gradient as autograd.functions."""

from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd.functions as F
from autograd import Variable, grad, no_grad
from autograd.numpy_api import _FUNCTIONS, _UFUNCS
from autograd.testing import strategies as zst
from autograd.testing.op_table import coarse, coarse_shifted, grid, matmuls

positive = partial(zst.arrays, low=0.1)
nonzero = partial(zst.arrays, avoid=(0.0,), margin=0.3)

# ufunc, the op it must record, and the values of each input
UFUNCS = [
    (np.add, F.add, (zst.arrays, zst.arrays)),
    (np.subtract, F.sub, (zst.arrays, zst.arrays)),
    (np.multiply, F.mul, (zst.arrays, zst.arrays)),
    (np.true_divide, F.div, (zst.arrays, nonzero)),
    (np.power, F.pow, (positive, zst.arrays)),
    (np.maximum, F.maximum, (coarse, coarse_shifted)),
    (np.minimum, F.minimum, (coarse, coarse_shifted)),
    (np.negative, F.neg, (zst.arrays,)),
    (np.positive, lambda x: x, (zst.arrays,)),
    (np.square, lambda x: F.pow(x, 2), (zst.arrays,)),
    (np.exp, F.exp, (zst.arrays,)),
    (np.log, F.log, (positive,)),
    (np.sqrt, F.sqrt, (positive,)),
    (np.sin, F.sin, (zst.arrays,)),
    (np.cos, F.cos, (zst.arrays,)),
    (np.tanh, F.tanh, (zst.arrays,)),
    (np.absolute, F.abs, (nonzero,)),
]


def run(fn, args):
    """fn's output and the gradients of sum(output * w) for every Variable argument."""
    y = fn(*args)
    assert isinstance(y, Variable)
    variables = [a for a in args if isinstance(a, Variable)]
    w = np.linspace(0.5, 1.5, y.size).reshape(y.shape)
    grads = grad(y, variables, grad_outputs=w, allow_unused=True)
    return y, [None if g is None else g.data for g in grads]


def assert_same(np_call, op_call, args):
    """Same value, same recorded op, same gradients (each call gets fresh Variables)."""
    fresh = [Variable(a.data) if isinstance(a, Variable) else a for a in args]
    y, grads = run(np_call, args)
    expected, expected_grads = run(op_call, fresh)
    np.testing.assert_array_equal(y.data, expected.data)
    assert y.dtype == expected.dtype
    assert type(y.creator) is type(expected.creator)
    for g, e in zip(grads, expected_grads):
        np.testing.assert_array_equal(g, e)


def test_every_mapped_ufunc_and_function_is_tested_here():
    assert {u for u, _, _ in UFUNCS} == set(_UFUNCS) - {np.matmul}
    assert set(FUNCTIONS) | {np.amax, np.amin} == set(_FUNCTIONS)


@pytest.mark.parametrize(("ufunc", "op", "domains"), UFUNCS, ids=lambda p: getattr(p, "__name__", ""))
@given(data=st.data())
def test_ufunc_records_the_matching_op_in_every_operand_position(ufunc, op, domains, data):
    shapes = data.draw(zst.broadcastable_shapes(len(domains)))
    arrays = [data.draw(domain(shape)) for domain, shape in zip(domains, shapes)]
    positions = [[True] * len(arrays)]
    if len(arrays) == 2:
        positions += [[False, True], [True, False]]
    for variables in positions:
        args = [Variable(a) if v else a for a, v in zip(arrays, variables)]
        assert_same(ufunc, op, args)


@given(case=matmuls(), data=st.data())
def test_matmul_ufunc_and_operator_with_an_ndarray_on_either_side(case, data):
    a, b = (data.draw(zst.arrays(shape)) for shape in case.shapes)
    assert_same(np.matmul, F.matmul, [Variable(a), Variable(b)])
    assert_same(lambda x, y: x @ y, F.matmul, [a, Variable(b)])
    assert_same(lambda x, y: x @ y, F.matmul, [Variable(a), b])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_scalars_and_arrays_beside_a_variable_keep_its_dtype_and_record(dtype):
    v = Variable(np.array([1.0, 2.0], dtype))
    for y, op in [
        (np.float32(2) * v, "Mul"),
        (np.ones(2, dtype) + v, "Add"),
        (2.0 - v, "Sub"),
        (np.float64(3.0) / v, "Div"),
        (np.eye(2, dtype=dtype) @ v, "MatMul"),
    ]:
        assert isinstance(y, Variable)
        assert y.dtype == dtype
        assert type(y.creator).__name__ == op


def axis_and_keepdims(data, shape):
    return data.draw(zst.axes(len(shape))), data.draw(st.booleans())


def draw_reduction(np_fn, op, domain=zst.arrays):
    def check(data):
        x = data.draw(domain(data.draw(zst.shapes(max_side=3))))
        axis, keepdims = axis_and_keepdims(data, x.shape)
        assert_same(lambda v: np_fn(v, axis=axis, keepdims=keepdims), lambda v: op(v, axis, keepdims), [Variable(x)])
        np.testing.assert_allclose(np_fn(Variable(x), axis, keepdims=keepdims).data, np_fn(x, axis, keepdims=keepdims))

    return check


def check_reshape(data):
    x = data.draw(zst.arrays())
    target = tuple(data.draw(st.permutations(x.shape)))
    assert_same(lambda v: np.reshape(v, target), lambda v: F.reshape(v, target), [Variable(x)])
    assert_same(np.ravel, lambda v: F.reshape(v, -1), [Variable(x)])


def check_squeeze_expand_dims(data):
    x = data.draw(zst.arrays(zst.shapes(max_side=2)))
    squeezed = np.squeeze(x).shape
    assert_same(np.squeeze, lambda v: F.reshape(v, squeezed), [Variable(x)])
    axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    expanded = np.expand_dims(x, axis).shape
    assert_same(lambda v: np.expand_dims(v, axis), lambda v: F.reshape(v, expanded), [Variable(x)])


def check_transposes(data):
    x = data.draw(zst.arrays(zst.shapes(min_dims=1)))
    axes = tuple(data.draw(st.permutations(range(x.ndim))))
    assert_same(lambda v: np.transpose(v, axes), lambda v: F.transpose(v, axes), [Variable(x)])
    assert_same(np.transpose, F.transpose, [Variable(x)])
    i, j = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.integers(-x.ndim, x.ndim - 1))
    y = np.swapaxes(Variable(x), i, j)
    np.testing.assert_array_equal(y.data, np.swapaxes(x, i, j))
    assert type(y.creator).__name__ == "Transpose"
    source, destination = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.integers(-x.ndim, x.ndim - 1))
    y = np.moveaxis(Variable(x), source, destination)
    np.testing.assert_array_equal(y.data, np.moveaxis(x, source, destination))
    assert type(y.creator).__name__ == "Transpose"


def check_broadcast_to(data):
    x = data.draw(zst.arrays(zst.shapes(max_side=2)))
    target = (2, *x.shape)
    assert_same(lambda v: np.broadcast_to(v, target), lambda v: F.broadcast_to(v, target), [Variable(x)])


def check_joins(data):
    shapes = data.draw(zst.broadcastable_shapes(1, min_dims=1))
    a, b = data.draw(zst.arrays(shapes[0])), data.draw(zst.arrays(shapes[0]))
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    assert_same(lambda x, y: np.concatenate([x, y], axis), lambda x, y: F.concat([x, y], axis), [Variable(a), b])
    assert_same(
        lambda x, y: np.concatenate((x, y), axis=None),
        lambda x, y: F.concat([x.reshape(-1), y.reshape(-1)]),
        [Variable(a), Variable(b)],
    )
    assert_same(lambda x, y: np.stack([x, y], axis), lambda x, y: F.stack([x, y], axis), [a, Variable(b)])


def check_where(data):
    shapes = data.draw(zst.broadcastable_shapes(3))
    condition = data.draw(hnp.arrays(bool, shapes[0]))
    x, y = Variable(data.draw(zst.arrays(shapes[1]))), Variable(data.draw(zst.arrays(shapes[2])))
    assert_same(lambda a, b: np.where(condition, a, b), lambda a, b: F.where(condition, a, b), [x, y])
    assert_same(lambda a: np.where(condition, a, 0.0), lambda a: F.where(condition, a, 0.0), [x])


def check_clip(data):
    x = data.draw(zst.arrays(avoid=(-1.0, 1.0)))
    assert_same(lambda v: np.clip(v, -1.0, 1.0), lambda v: F.clip(v, -1.0, 1.0), [Variable(x)])
    assert_same(lambda v: np.clip(v, None, 1.0), lambda v: F.clip(v, None, 1.0), [Variable(x)])


def check_dot(data):
    k = data.draw(st.integers(1, 3))
    a = data.draw(zst.arrays(data.draw(st.sampled_from([(), (k,), (2, k)]))))
    b = data.draw(zst.arrays(data.draw(st.sampled_from([(k,), (k, 2)]))))
    assert_same(np.dot, F.dot, [Variable(a), Variable(b)])
    assert_same(np.dot, F.dot, [a, Variable(b)])


FUNCTIONS = {
    np.sum: draw_reduction(np.sum, F.sum),
    np.mean: draw_reduction(np.mean, F.mean),
    np.max: draw_reduction(np.max, F.max, domain=grid),
    np.min: draw_reduction(np.min, F.min, domain=grid),
    np.reshape: check_reshape,
    np.ravel: check_reshape,
    np.squeeze: check_squeeze_expand_dims,
    np.expand_dims: check_squeeze_expand_dims,
    np.transpose: check_transposes,
    np.swapaxes: check_transposes,
    np.moveaxis: check_transposes,
    np.broadcast_to: check_broadcast_to,
    np.concatenate: check_joins,
    np.stack: check_joins,
    np.where: check_where,
    np.clip: check_clip,
    np.dot: check_dot,
}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@given(data=st.data())
def test_function_records_the_matching_op(function, data):
    FUNCTIONS[function](data)


def test_amax_and_amin_are_max_and_min():
    x = np.array([[1.0, 3.0], [2.0, 0.5]])
    assert_same(lambda v: np.amax(v, axis=0), lambda v: F.max(v, 0), [Variable(x)])
    assert_same(lambda v: np.amin(v), F.min, [Variable(x)])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda v: np.fft.fft(v), "np.fft.fft"),
        (lambda v: np.linalg.norm(v), "np.linalg.norm"),
        (lambda v: np.cumsum(v), "np.cumsum"),
        (np.sign, "np.sign"),
        (np.floor, "np.floor"),
        (lambda v: np.add.reduce(v), "np.add.reduce"),
        (lambda v: np.multiply.outer(v, v), "np.multiply.outer"),
    ],
)
def test_functions_without_an_op_raise_naming_themselves(call, name):
    with pytest.raises(TypeError, match=f"^{name} is not differentiable in autograd"):
        call(Variable(np.array([1.0, 2.0])))


def test_unsupported_arguments_raise_naming_the_function_and_the_argument():
    v = Variable(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"np.sum on a Variable: argument\(s\) dtype are not supported"):
        np.sum(v, dtype=np.float32)
    with pytest.raises(TypeError, match=r"np.sum on a Variable: argument\(s\) out"):
        np.sum(v, out=np.zeros(()))
    with pytest.raises(TypeError, match=r"np\.add on a Variable: keyword"):
        np.add(v, 1.0, dtype=np.float32)
    with pytest.raises(ValueError, match="only order='C'"):
        np.reshape(v, (3, 2), order="F")
    # Arguments equal to NumPy's defaults are fine, whether given by position or by name.
    assert np.sum(v, None, None, None).shape == ()
    assert np.sum(v, axis=None, out=None).shape == ()


def test_out_and_in_place_ufuncs_raise_while_recording_and_write_under_no_grad():
    v = Variable(np.array([1.0, 2.0]))
    a = np.zeros(2)
    with pytest.raises(TypeError, match=r"np.add with out= \(or in place\) on a Variable is not differentiable"):
        np.add(v, 1.0, out=a)
    with pytest.raises(TypeError, match=r"np\.add with out="):
        a += v
    with pytest.raises(TypeError, match=r"np\.exp with out="):
        np.exp(v, out=v)
    np.testing.assert_array_equal(a, [0.0, 0.0])
    with no_grad():
        a += v
        np.exp(v, out=v)
    np.testing.assert_array_equal(a, [1.0, 2.0])
    np.testing.assert_allclose(v.data, np.exp([1.0, 2.0]))


def test_asarray_gives_the_data_and_array_copies_it():
    v = Variable(np.array([1.0, 2.0], np.float32))
    assert np.asarray(v) is v.data
    copy = np.array(v)
    assert copy.dtype == np.float32 and not np.shares_memory(copy, v.data)
    assert np.asarray(v, dtype=np.float64).dtype == np.float64


def test_functions_without_a_gradient_run_on_the_data():
    v = Variable(np.array([[3.0, -1.0], [0.5, 2.0]]))
    assert np.shape(v) == (2, 2) and np.ndim(v) == 2 and np.size(v) == 4
    assert np.argmax(v) == 0
    assert np.allclose(v, v.data)
    np.testing.assert_array_equal(np.zeros_like(v), np.zeros((2, 2)))
    mask = np.greater(v, 0.0)
    assert type(mask) is np.ndarray and mask.dtype == bool
    np.testing.assert_array_equal(np.zeros(2) < v[0], [True, False])
    np.testing.assert_array_equal(np.isfinite(v), np.ones((2, 2), bool))


def test_types_with_their_own_ufunc_override_are_left_to_handle_it():
    class Other:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "handled by Other"

        def __array_function__(self, func, types, args, kwargs):
            return "handled by Other"

    v = Variable(np.ones(2))
    assert np.add(v, Other()) == "handled by Other"
    assert np.concatenate([v, Other()]) == "handled by Other"
