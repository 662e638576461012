"""max_pool2d and avg_pool2d: against loops written here, gradients (ties included), layouts, dtypes, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst

POOLS = {"max": F.max_pool2d, "avg": F.avg_pool2d}


def loop_pool(x, kernel, stride, pad, kind):
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), constant_values=fill)
    oh = (x.shape[2] + 2 * pad[0] - kernel[0]) // stride[0] + 1
    ow = (x.shape[3] + 2 * pad[1] - kernel[1]) // stride[1] + 1
    y = np.zeros((*x.shape[:2], oh, ow))
    (sh, sw), (kh, kw) = stride, kernel
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    y[n, c, i, j] = window.max() if kind == "max" else window.mean()
    return y


@st.composite
def pool_cases(draw, max_side=6):
    """Inputs whose values are distinct by at least 0.1, so no window's maximum is a (near) tie."""
    shape, kernel, stride, pad = draw(zst.windows(max_side=max_side, half_kernel_pad=True))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = (rng.permutation(int(np.prod(shape))) * 0.1 - 1.0).reshape(shape)
    return x, kernel, stride, pad


@pytest.mark.parametrize("kind", POOLS)
@given(pool_cases())
def test_pool_equals_nested_loops(kind, case):
    x, kernel, stride, pad = case
    np.testing.assert_allclose(POOLS[kind](x, kernel, stride, pad).data, loop_pool(x, kernel, stride, pad, kind))


@pytest.mark.parametrize("kind", POOLS)
@given(pool_cases(max_side=5))
def test_pool_gradcheck(kind, case):
    x, kernel, stride, pad = case
    assert gradcheck(lambda x: POOLS[kind](x, kernel, stride, pad), x)


@pytest.mark.parametrize("kind", POOLS)
@given(pool_cases(max_side=4))
def test_pool_gradgradcheck(kind, case):
    x, kernel, stride, pad = case
    assert gradgradcheck(lambda x: POOLS[kind](x, kernel, stride, pad), x)


@given(st.integers(2, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_tiled_fast_path_equals_the_general_path(k, rows, cols, n):
    """Windows that tile the input take the fast path; with one more row and column they do not."""
    rng = np.random.default_rng(k * 100 + rows * 10 + cols)
    x = rng.standard_normal((n, 2, k * rows + 1, k * cols + 1))
    gy = rng.standard_normal((n, 2, rows, cols))
    for pool in POOLS.values():
        tiled, general = Variable(x[:, :, :-1, :-1].copy()), Variable(x)
        pool(tiled, k).backward(gy)
        pool(general, k).backward(gy)
        np.testing.assert_array_equal(pool(tiled, k).data, pool(general, k).data)
        np.testing.assert_array_equal(tiled.grad.data, general.grad.data[:, :, :-1, :-1])
        assert not general.grad.data[:, :, -1, :].any() and not general.grad.data[:, :, :, -1].any()


@given(st.sampled_from([(2, 2, 0), (3, 1, 1), (2, 1, 0), (3, 2, 1)]), st.integers(0, 1))
def test_max_pool_ties_send_the_gradient_to_one_element(geometry, value):
    """Constant windows (as after a ReLU) have every element tied: exactly one, the first, gets the gradient."""
    k, s, p = geometry
    x = Variable(np.full((2, 3, 6, 5), float(value)))
    y = F.max_pool2d(x, k, s, p)
    gy = np.random.default_rng(k).standard_normal(y.shape)
    y.backward(gy)
    # Each window's gradient lands on its first element inside the input, i.e. the top-left one not in the padding.
    expected = np.zeros(x.shape)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            expected[:, :, max(i * s - p, 0), max(j * s - p, 0)] += gy[:, :, i, j]
    np.testing.assert_allclose(x.grad.data, expected)


def test_avg_pool_spreads_the_gradient_evenly():
    x = Variable(np.zeros((1, 1, 4, 6)))
    F.avg_pool2d(x, (2, 3)).backward(np.array([[[[6.0, 12.0], [18.0, 24.0]]]]))
    expected = np.kron(np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 3)))
    np.testing.assert_array_equal(x.grad.data[0, 0], expected)


@pytest.mark.parametrize("kind", POOLS)
def test_channel_last_input_and_float32(kind):
    """conv2d hands pooling channel-last views: values, gradients and float32 are unaffected."""
    rng = np.random.default_rng(2)
    data = rng.standard_normal((3, 8, 6, 4)).astype(np.float32)
    channel_last = Variable(data.transpose(0, 3, 1, 2))
    plain = Variable(np.ascontiguousarray(data.transpose(0, 3, 1, 2)))
    for k, s, p in [(2, 2, 0), (3, 2, 1)]:
        ys = [POOLS[kind](v, k, s, p) for v in (channel_last, plain)]
        for y in ys:
            y.backward(np.ones(y.shape, np.float32))
        np.testing.assert_array_equal(ys[0].data, ys[1].data)
        assert ys[0].dtype == np.float32
    np.testing.assert_array_equal(channel_last.grad.data, plain.grad.data)
    assert channel_last.grad.dtype == np.float32


def test_stride_defaults_to_the_kernel():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    np.testing.assert_array_equal(F.max_pool2d(x, 3).data, [[[[14.0, 17.0], [32.0, 35.0]]]])
    np.testing.assert_array_equal(F.avg_pool2d(x, 3).data, [[[[7.0, 10.0], [25.0, 28.0]]]])


@pytest.mark.parametrize("kind", POOLS)
def test_bad_arguments_are_clear_errors(kind):
    pool = POOLS[kind]
    x = np.zeros((2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"kernel 5×5 is larger than the padded input 4×4 .*\(2, 3, 4, 4\)"):
        pool(x, 5)
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        pool(x, 2, 0)
    with pytest.raises(ValueError, match=r"pad 2 must be at most half the kernel size \(3, 3\)"):
        pool(x, 3, 1, 2)
    with pytest.raises(ValueError, match=r"x must be 4-D .* got shape \(4, 4\)"):
        pool(np.zeros((4, 4)), 2)


@pytest.mark.parametrize(
    ("window", "winner"),
    [
        ([[1.0, 2.0], [np.nan, 0.0]], (1, 0)),
        ([[np.nan, 2.0], [np.nan, 0.0]], (1, 0)),  # the last NaN, as PyTorch
        ([[np.nan, 2.0], [0.0, 5.0]], (0, 0)),
        ([[1.0, 3.0], [3.0, 0.0]], (0, 1)),  # ties: the first maximum in row-major order
    ],
)
def test_max_pool_gradient_goes_to_the_nan_or_the_first_maximum(window, winner):
    """Regression: a NaN window's gradient went to its largest number instead of the NaN."""
    x = Variable(np.array([[window, [[0.0, 1.0], [2.0, 3.0]]]]))
    y = F.max_pool2d(x, 2)
    y.backward(np.array([[[[5.0]], [[7.0]]]]))
    expected = np.zeros((2, 2))
    expected[winner] = 5.0
    np.testing.assert_array_equal(x.grad.data[0, 0], expected)
    np.testing.assert_array_equal(x.grad.data[0, 1], [[0.0, 0.0], [0.0, 7.0]])


def test_max_pool_nan_with_padding_and_overlap():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    x[0, 0, 1, 1] = np.nan
    v = Variable(x)
    y = F.max_pool2d(v, 3, 2, 1)
    y.backward(np.ones(y.shape))
    # The 3×3 windows at stride 2 overlap: four of the nine hold the NaN, which wins each of them.
    assert np.isnan(y.data[0, 0, :2, :2]).all() and not np.isnan(y.data[0, 0, 2]).any()
    assert v.grad.data[0, 0, 1, 1] == 4.0
    # The other five go to their largest element, the bottom-right one inside the input.
    for r, c in [(1, 4), (3, 4), (4, 1), (4, 3), (4, 4)]:
        assert v.grad.data[0, 0, r, c] == 1.0
    assert v.grad.data.sum() == 9.0


@pytest.mark.parametrize("kind", POOLS)
@pytest.mark.parametrize("dtype", [np.int64, np.uint8, bool])
def test_integer_input_is_a_clear_error(kind, dtype):
    with pytest.raises(TypeError, match=rf"{kind}_pool2d: expected a floating-point input, got dtype"):
        POOLS[kind](np.ones((1, 1, 4, 4), dtype), 2)


@st.composite
def relu_like_cases(draw):
    """Windows and values as a CNN gives them: a quarter of the values are exactly 0 (ties), layouts vary."""
    shape, kernel, stride, pad = draw(zst.windows(max_side=7, max_channels=4, half_kernel_pad=True))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(shape).astype(np.float32)
    x[rng.random(shape) < 0.25] = 0.0
    if draw(st.booleans()):
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return x, kernel, stride, pad


@pytest.mark.parametrize("kind", POOLS)
@given(relu_like_cases())
def test_pool_matches_pytorch(kind, case):
    torch = pytest.importorskip("torch")
    x, kernel, stride, pad = case
    v = Variable(x)
    y = POOLS[kind](v, kernel, stride, pad)
    gy = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    y.backward(gy)
    tx = torch.tensor(x, requires_grad=True)
    pool = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d
    ty = pool(tx, kernel, stride, pad)
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(v.grad.data, tx.grad.numpy(), rtol=1e-6, atol=1e-6)
    assert v.grad.dtype == np.float32
