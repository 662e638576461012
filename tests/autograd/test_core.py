"""Variable and Function: construction, operators and aliases, dtypes, grad mode, bad input."""

import threading

import numpy as np
import pytest
from hypothesis import given

import autograd.functions as F
from autograd import Function, Variable, as_variable, enable_grad, is_grad_enabled, no_grad
from autograd.functions.indexing import Split
from autograd.testing import strategies as zst


def test_python_numbers_and_0d_arrays_become_0d_variables():
    for value in (3, 2.5, np.array(1.5), np.float32(2)):
        v = Variable(value)
        assert isinstance(v.data, np.ndarray)
        assert v.shape == () and v.ndim == 0 and v.size == 1
    assert Variable(np.float32(2)).dtype == np.float32


def test_array_attributes_mirror_numpy():
    data = np.arange(6.0).reshape(2, 3)
    v = Variable(data, name="v")
    assert v.data is data
    assert (v.shape, v.ndim, v.size, v.dtype, len(v)) == ((2, 3), 2, 6, np.float64, 2)
    assert v.name == "v" and v.grad is None and v.creator is None
    assert "name='v'" in repr(v)


def test_non_numeric_data_is_rejected_with_a_clear_error():
    with pytest.raises(TypeError, match="numeric"):
        Variable(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="already a Variable"):
        Variable(Variable(1.0))


def test_every_operator_and_method_alias():
    a_data = np.array([[1.0, 2.0], [3.0, 4.0]])
    b_data = np.array([[0.5, -1.0], [2.0, 1.5]])
    a, b = Variable(a_data), Variable(b_data)
    cases = {
        "add": (a + b, a_data + b_data),
        "radd": (1.0 + a, 1.0 + a_data),
        "sub": (a - b, a_data - b_data),
        "rsub": (1.0 - a, 1.0 - a_data),
        "mul": (a * b, a_data * b_data),
        "rmul": (2.0 * a, 2.0 * a_data),
        "div": (a / b, a_data / b_data),
        "rdiv": (1.0 / a, 1.0 / a_data),
        "pow": (a**2, a_data**2),
        "pow_var": (a**b, a_data**b_data),
        "rpow": (2.0**a, 2.0**a_data),
        "matmul": (a @ b, a_data @ b_data),
        "rmatmul": (a_data @ b, a_data @ b_data),
        "neg": (-a, -a_data),
        "pos": (+a, a_data),
        "T": (a.T, a_data.T),
        "reshape_args": (a.reshape(4, 1), a_data.reshape(4, 1)),
        "reshape_tuple": (a.reshape((1, 4)), a_data.reshape(1, 4)),
        "transpose": (a.transpose(), a_data.transpose()),
        "transpose_axes": (a.transpose(1, 0), a_data.transpose(1, 0)),
        "sum": (a.sum(), a_data.sum()),
        "sum_axis": (a.sum(axis=0, keepdims=True), a_data.sum(axis=0, keepdims=True)),
        "mean": (a.mean(axis=1), a_data.mean(axis=1)),
        "max": (a.max(axis=0), a_data.max(axis=0)),
        "min": (a.min(), a_data.min()),
        "astype": (a.astype(np.float32), a_data.astype(np.float32)),
        "getitem": (a[1], a_data[1]),
        "slice": (a[:, ::-1], a_data[:, ::-1]),
    }
    for name, (result, expected) in cases.items():
        assert isinstance(result, Variable), name
        np.testing.assert_allclose(result.data, expected, err_msg=name)


def test_numpy_on_the_left_returns_variables():
    v = Variable(np.array([1.0, 2.0], dtype=np.float32))
    for result in (np.float32(2) * v, np.ones(2, np.float32) + v, np.ones(2, np.float32) - v, np.ones(2) / v):
        assert isinstance(result, Variable)
    assert (np.float32(2) * v).dtype == np.float32


@given(zst.arrays(dtype=np.float32))
def test_python_scalars_never_upcast_float32(x):
    v = Variable(x)
    for result in (v + 1, 2 * v, v - 0.5, 1.5 / (v * v + 1), v**2, 3.0**v, -v):
        assert result.dtype == np.float32
    y = (v * 2.5 + 1).sum()
    y.backward()
    assert y.dtype == np.float32 and v.grad.dtype == np.float32


def test_as_variable_passes_variables_through_and_wraps_the_rest():
    v = Variable(1.0)
    assert as_variable(v) is v
    assert isinstance(as_variable(np.ones(3)), Variable)
    assert as_variable(2.0, like=Variable(np.float32(1))).dtype == np.float32


def test_no_grad_records_nothing_and_enable_grad_restores():
    x = Variable(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x + 1
        with enable_grad():
            z = x * x
    assert is_grad_enabled()
    assert y.creator is None
    assert z.creator is not None


def test_grad_mode_is_thread_local():
    seen = []
    with no_grad():
        thread = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        thread.start()
        thread.join()
        assert not is_grad_enabled()
    assert seen == [True]


def test_grad_mode_is_restored_after_an_exception_and_across_nesting():
    with pytest.raises(KeyError):
        with no_grad():
            with enable_grad():
                assert is_grad_enabled()
            assert not is_grad_enabled()
            raise KeyError
    assert is_grad_enabled()


@pytest.mark.parametrize("grad_mode", [enable_grad, no_grad])
def test_op_outputs_have_every_attribute_set(grad_mode):
    x = Variable(np.array([1.0, -2.0]))
    with grad_mode():
        outputs = [x * 2, F.tanh(x), x.sum(), *Split([1, 1], 0)(x)]  # Split: an op with two outputs
    for y in outputs:
        for name in Variable.__slots__:
            if name != "__weakref__":
                getattr(y, name)  # raises AttributeError for a slot the fast path forgot
        assert y.requires_grad == (grad_mode is enable_grad) == (y.creator is not None)
        assert y.grad is None and y.name is None and y.version == 0


def test_user_defined_function_with_autograd_backward():
    class Square(Function):
        def forward(self, x):
            return x**2

        def backward(self, gy):
            (x,) = self.inputs
            return 2 * x * gy

    x = Variable(3.0)
    y = Square()(x)
    y.backward(create_graph=True)
    assert y.item() == 9.0 and x.grad.item() == 6.0
    gx = x.grad
    x.cleargrad()
    gx.backward()
    assert x.grad.item() == 2.0


def test_function_returning_wrong_number_of_gradients_names_the_op():
    class Broken(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, gy):
            return gy

    y = Broken()(Variable(np.ones((2, 3))), Variable(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match=r"Broken\.backward returned 1 gradient\(s\) for 2 input\(s\).*\(2, 3\)"):
        y.sum().backward()


def test_function_returning_a_wrongly_shaped_gradient_names_the_op_and_shapes():
    class WrongShape(Function):
        def forward(self, x):
            return x.copy()

        def backward(self, gy):
            return Variable(np.ones((5,)))

    x = Variable(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"WrongShape\.backward returned a gradient of shape \(5,\).*\(2, 3\)"):
        WrongShape()(x).sum().backward()
    assert x.grad is None


def test_mismatched_shapes_in_add_and_matmul_name_op_and_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\)"):
        Variable(np.ones((2, 3))) + Variable(np.ones(4))
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        Variable(np.ones((2, 3))) @ Variable(np.ones((4, 5)))


def test_astype_and_detach():
    x = Variable(np.array([1.5, 2.5]))
    y = x.astype(np.float32)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.data, 2 * x.data)
    d = x.detach()
    assert d.creator is None and d.data is x.data


def test_f_functions_accept_plain_arrays():
    y = F.exp(np.zeros(3))
    assert isinstance(y, Variable)
    np.testing.assert_allclose(y.data, 1.0)


def test_requires_grad_defaults_to_the_dtype():
    assert Variable(1.0).requires_grad and Variable(np.ones(2, np.float32)).requires_grad
    assert not Variable([1, 2]).requires_grad and not Variable(np.array([True])).requires_grad
    assert not Variable(1.0, requires_grad=False).requires_grad
    with pytest.raises(TypeError, match=r"Variable: only floating-point .* got dtype int64"):
        Variable(np.array([1, 2], np.int64), requires_grad=True)


def test_wrapped_operands_and_detached_variables_are_constants():
    x = Variable(np.ones(3))
    y = x * np.full(3, 2.0) + 1.0
    assert y.requires_grad and y.creator is not None
    assert not as_variable(np.ones(2)).requires_grad
    d = y.detach()
    assert not d.requires_grad and d.creator is None


def test_an_op_with_no_input_requiring_grad_is_not_recorded():
    c = Variable(np.ones(3), requires_grad=False)
    for y in (c * 2.0, F.exp(c), c + np.ones(3), Variable([1, 2, 3]) * 2):
        assert y.creator is None and not y.requires_grad
    w = Variable(np.ones(3))
    y = c * w
    assert y.requires_grad and y.creator.inputs == (c, w)


def test_requires_grad_changes_only_on_leaves():
    x = Variable(np.ones(2))
    x.requires_grad = False
    assert F.exp(x).creator is None
    x.requires_grad = True
    y = F.exp(x)
    assert y.creator is not None
    with pytest.raises(ValueError, match="only on a leaf"):
        y.requires_grad = False
    i = Variable([1, 2])
    with pytest.raises(TypeError, match="got dtype int"):
        i.requires_grad = True
    with pytest.raises(ValueError, match=r"retain_grad: .* does not require a gradient"):
        i.retain_grad()
    with pytest.raises(ValueError, match=r"register_hook: .* does not require a gradient"):
        i.register_hook(print)


def test_an_integer_result_of_astype_is_a_constant():
    x = Variable(np.array([1.5, 2.5]))
    n = x.astype(np.int64)
    assert n.dtype == np.int64 and not n.requires_grad and n.creator is None


def test_needs_grad_tells_forward_and_backward_which_inputs_need_a_gradient():
    seen = []

    class Probe(Function):
        def forward(self, a, b):
            seen.append((self.needs_grad(0), self.needs_grad(1)))
            return a * b

        def backward(self, gy):
            a, b = self.inputs
            return gy * b, gy * a  # the engine drops the constant's

    x = Variable(np.array([1.0, 2.0]))
    Probe()(x, np.array([3.0, 4.0])).sum().backward()
    with no_grad():
        Probe()(x, x)
    assert seen == [(True, False), (False, False)]
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])
