"""Backpropagation: ordering, accumulation, retained and freed gradients, hooks, grad(), memory."""

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Function, Variable, grad, no_grad
from autograd.testing import strategies as zst


def test_apple_example():
    apple, num, tax = Variable(100.0, name="apple"), Variable(2.0, name="apple_num"), Variable(1.1, name="tax")
    price = apple * num * tax
    price.backward()
    assert price.item() == pytest.approx(220.0)
    assert apple.grad.item() == pytest.approx(2.2)
    assert num.grad.item() == pytest.approx(110.0)
    assert tax.grad.item() == pytest.approx(200.0)
    assert isinstance(apple.grad, Variable)


def test_apple_and_orange_example():
    apple, apple_num = Variable(100.0), Variable(2.0)
    orange, orange_num = Variable(150.0), Variable(3.0)
    tax = Variable(1.1)
    price = (apple * apple_num + orange * orange_num) * tax
    price.backward()
    assert price.item() == pytest.approx(715.0)
    assert apple_num.grad.item() == pytest.approx(110.0)
    assert apple.grad.item() == pytest.approx(2.2)
    assert orange.grad.item() == pytest.approx(3.3)
    assert orange_num.grad.item() == pytest.approx(165.0)
    assert tax.grad.item() == pytest.approx(650.0)


def test_reused_variable_diamond():
    a = Variable(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_interior_node_with_several_consumers_runs_its_creator_once():
    calls = []

    class Counted(F.elementwise.Exp):
        def backward(self, gy):
            calls.append(1)
            return super().backward(gy)

    x = Variable(0.5)
    h = Counted()(x)
    y = h * h + F.sin(h) + h / 2
    y.backward()
    e = np.exp(0.5)
    assert len(calls) == 1
    assert x.grad.item() == pytest.approx((2 * e + np.cos(e) + 0.5) * e)


@given(st.integers(1, 4))
def test_backward_twice_accumulates_exactly(times):
    x = Variable(np.array([1.0, -2.0, 3.0]))
    for _ in range(times):
        y = (x * x).sum()
        y.backward()
    np.testing.assert_allclose(x.grad.data, times * 2 * x.data)


def test_backward_on_the_same_graph_twice_accumulates():
    x = Variable(2.0)
    y = x**3
    y.backward()
    y.backward()
    assert x.grad.item() == 24.0


def test_cleargrad_resets():
    x = Variable(2.0)
    (x * x).backward()
    x.cleargrad()
    assert x.grad is None
    (x * 3).backward()
    assert x.grad.item() == 3.0


def test_leaf_gradients_never_share_a_buffer():
    x, y = Variable(np.ones(3)), Variable(np.ones(3))
    g = Variable(np.ones(3))
    z = x + y
    z.backward(g)
    x.grad.data[0] = 100.0
    assert y.grad.data[0] == 1.0 and g.data[0] == 1.0


def test_non_scalar_backward_needs_grad():
    y = Variable(np.ones((3, 4))) * 2
    with pytest.raises(ValueError, match=r"backward.*single-element.*\(3, 4\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"backward: grad of shape \(4,\).*\(3, 4\)"):
        y.backward(np.ones(4))


def test_intermediate_gradients_are_freed_unless_retained():
    x = Variable(2.0)
    h = x * 3
    y = h * h
    y.backward()
    assert h.grad is None and y.grad is None
    y.backward(retain_grad=True)
    assert h.grad.item() == pytest.approx(12.0) and y.grad.item() == 1.0


def test_retain_grad_on_one_variable():
    x = Variable(2.0)
    h = x * 3
    k = h + 1
    h.retain_grad()
    (k * k).backward()
    assert h.grad.item() == pytest.approx(14.0)
    assert k.grad is None


def test_hooks_see_and_replace_gradients():
    x = Variable(np.array([1.0, 2.0]))
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.data.copy()))
    h.register_hook(lambda g: g * 10)
    remove = x.register_hook(lambda g: g + 1)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    np.testing.assert_allclose(x.grad.data, [21.0, 21.0])
    remove()
    x.cleargrad()
    h2 = x * 2
    h2.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_grad_returns_gradients_without_touching_dot_grad():
    x, w = Variable(np.array([1.0, 2.0])), Variable(np.array([3.0, -1.0]))
    h = x * w
    y = (h * h).sum()
    gx, gh = grad(y, [x, h])
    np.testing.assert_allclose(gx.data, 2 * (x.data * w.data) * w.data)
    np.testing.assert_allclose(gh.data, 2 * h.data)
    assert x.grad is None and w.grad is None and h.grad is None


def test_grad_through_a_non_leaf_input_reaches_inputs_behind_it():
    x = Variable(1.5)
    h = F.sin(x)
    y = h * x
    gx, gh = grad(y, [x, h])
    assert gx.item() == pytest.approx(np.cos(1.5) * 1.5 + np.sin(1.5))
    assert gh.item() == pytest.approx(1.5)


def test_grad_with_grad_outputs_and_several_outputs():
    x = Variable(np.array([1.0, 2.0, 3.0]))
    y1, y2 = x * 2, x * x
    (g,) = grad([y1, y2], x, grad_outputs=[np.ones(3), np.array([1.0, 0.0, 1.0])])
    np.testing.assert_allclose(g.data, [4.0, 2.0, 8.0])


def test_grad_of_unused_input_raises_unless_allowed():
    x, unused = Variable(1.0), Variable(2.0)
    y = x * 2
    with pytest.raises(RuntimeError, match="not used"):
        grad(y, [x, unused])
    gx, gu = grad(y, [x, unused], allow_unused=True)
    assert gx.item() == 2.0 and gu is None


def test_under_no_grad_nothing_is_recorded():
    x = Variable(np.ones(3))
    with no_grad():
        y = F.exp(x * 2).sum()
    assert y.creator is None and not y.requires_grad
    with pytest.raises(RuntimeError, match=r"backward: the output of shape \(\) .* does not require a gradient"):
        y.backward()
    assert x.grad is None


def test_a_chain_of_100000_ops_backpropagates():
    x = Variable(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y = y + 0.0
    y.backward()
    assert x.grad.item() == 1.0


def test_dropping_the_output_frees_the_graph():
    x = Variable(np.ones(10))
    h = F.exp(x)
    y = (h * 2).sum()
    ref_h, ref_fn = weakref.ref(h), weakref.ref(h.creator)
    del h
    assert ref_h() is not None
    del y
    gc.disable()
    try:
        assert ref_h() is None and ref_fn() is None  # freed by reference counting alone: no cycles
    finally:
        gc.enable()


def test_after_backward_the_graph_is_still_freed():
    x = Variable(np.ones(4))
    y = F.tanh(x * 3).sum()
    y.backward()
    ref = weakref.ref(y.creator)
    del y
    assert ref() is None


@given(zst.arrays(dtype=np.float32, low=-2, high=2))
def test_float32_graph_stays_float32(x):
    v = Variable(x)
    y = (F.tanh(v) * 2.0 + v**2 - 1 / (v * v + 1)).sum()
    y.backward()
    assert y.dtype == np.float32
    assert v.grad.dtype == np.float32


def test_gradient_of_broadcast_input_is_summed_back():
    a = Variable(np.ones((3, 1)))
    b = Variable(np.arange(4.0))
    (a * b).sum().backward()
    np.testing.assert_allclose(a.grad.data, np.full((3, 1), 6.0))
    np.testing.assert_allclose(b.grad.data, np.full(4, 3.0))


def test_backward_with_create_graph_records_the_backward_pass():
    x = Variable(3.0)
    y = x**3
    y.backward(create_graph=True)
    assert x.grad.creator is not None
    (g2,) = grad(x.grad, x)
    assert g2.item() == pytest.approx(18.0)


def test_constants_and_variables_not_requiring_grad_get_no_gradient():
    x = Variable(np.array([1.0, 2.0]))
    frozen = Variable(np.array([3.0, 4.0]), requires_grad=False)
    labels = Variable(np.array([1, 2]))
    (x * frozen * labels + np.ones(2)).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 8.0])
    assert frozen.grad is None and labels.grad is None


def test_backward_from_an_integer_variable_raises():
    with pytest.raises(RuntimeError, match=r"backward: .* dtype int64 does not require a gradient"):
        Variable(np.array([1, 2, 3], np.int64)).sum().backward()


def test_grad_skips_outputs_that_need_no_gradient_and_rejects_inputs_that_need_none():
    x = Variable(np.array([1.0, 2.0]))
    (g,) = grad([(x * x).sum(), Variable(3.0, requires_grad=False)], [x])
    np.testing.assert_allclose(g.data, 2 * x.data)
    with pytest.raises(RuntimeError, match="not used"):
        grad(Variable(1.0, requires_grad=False), [x])
    with pytest.raises(ValueError, match=r"grad: input 0 .* does not require a gradient"):
        grad(x.sum(), [Variable([1, 2])])


def test_accumulation_under_create_graph_is_recorded():
    x = Variable(np.array([1.0, 2.0]))
    (x**3).sum().backward(create_graph=True)
    (x**3).sum().backward(create_graph=True)
    np.testing.assert_allclose(x.grad.data, 6 * x.data**2)
    (gg,) = grad(x.grad.sum(), [x])  # d/dx Σ 6x² = 12x, through the recorded accumulation
    np.testing.assert_allclose(gg.data, 12 * x.data)


def test_a_fresh_gradient_buffer_is_kept_not_copied():
    made = []

    class Double(Function):
        def forward(self, x):
            return 2 * x

        def backward(self, gy):
            g = Variable(gy.data * 2)
            made.append(weakref.ref(g.data))
            return g

    x = Variable(np.ones(3))
    Double()(x).sum().backward()
    assert made[0]() is x.grad.data


@pytest.mark.parametrize("shape", [(), (3, 2)])
def test_sums_the_engine_makes_never_write_into_a_gradient_an_op_returned(shape):
    # z = b + x + x: each + hands its one gy to both inputs, so x's first gradient is the very array that
    # is also b's; the engine adds x's later gradients into a sum of its own, never into that array.
    x = Variable(np.full(shape, 2.0))
    b = x * 1.0
    b.retain_grad()
    seen = []
    b.register_hook(lambda g: seen.append((g, g.data.copy())))
    z = b + x + x
    z.backward(np.ones(shape))
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 3.0))
    np.testing.assert_array_equal(b.grad.data, np.ones(shape))
    g, value = seen[0]
    np.testing.assert_array_equal(g.data, value)
    z.backward(np.ones(shape))
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 6.0))
    assert type(x.grad.data) is np.ndarray and x.grad.dtype == np.float64 and x.grad.shape == shape
