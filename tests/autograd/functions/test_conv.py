"""im2col, col2im, conv2d, conv_transpose2d: against loops written here, gradients, adjoints, dtypes, errors."""

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable
from autograd.functions import conv
from autograd.functions._window import Window, channels_last_padded, windows
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing import strategies as zst


def out_size(shape, kernel, stride, pad):
    return tuple((shape[2 + d] + 2 * pad[d] - kernel[d]) // stride[d] + 1 for d in range(2))


def padded(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))


def loop_im2col(x, kernel, stride, pad):
    """The textbook's layout, one window at a time: row (n, oh, ow), column (c, kh, kw)."""
    xp = padded(x, pad)
    (oh, ow), (kh, kw), (sh, sw) = out_size(x.shape, kernel, stride, pad), kernel, stride
    rows = []
    for n in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                rows.append(xp[n, :, i * sh : i * sh + kh, j * sw : j * sw + kw].reshape(-1))
    return np.array(rows)


def loop_conv2d(x, W, b, stride, pad):
    xp = padded(x, pad)
    kernel = W.shape[2:]
    oh, ow = out_size(x.shape, kernel, stride, pad)
    y = np.zeros((x.shape[0], W.shape[0], oh, ow))
    (sh, sw), (kh, kw) = stride, kernel
    for n in range(x.shape[0]):
        for o in range(W.shape[0]):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    y[n, o, i, j] = np.sum(window * W[o]) + (0 if b is None else b[o])
    return y


def adjoint_padding(x_shape, y_shape, kernel, stride, pad):
    """conv_transpose2d's output_padding that brings y back to x's size (rows conv2d's floor dropped)."""
    return tuple(x_shape[2 + d] - ((y_shape[2 + d] - 1) * stride[d] - 2 * pad[d] + kernel[d]) for d in range(2))


@st.composite
def conv_cases(draw, max_side=6, max_channels=3):
    shape, kernel, stride, pad = draw(zst.windows(max_side=max_side, max_channels=max_channels))
    out_channels = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    W = rng.standard_normal((out_channels, shape[1], *kernel))
    b = rng.standard_normal(out_channels) if draw(st.booleans()) else None
    return x, W, b, stride, pad


@given(conv_cases(max_channels=6))
def test_conv2d_equals_nested_loops(case):
    x, W, b, stride, pad = case
    np.testing.assert_allclose(F.conv2d(x, W, b, stride, pad).data, loop_conv2d(x, W, b, stride, pad), atol=1e-12)


@given(zst.windows(max_batch=4, max_side=6, max_channels=6), st.sampled_from([1, 200, 1 << 20]))
def test_window_blocks_make_up_the_window_matrix(window, block_bytes):
    """Few channels build one block per kernel offset, more gather windows in blocks of 1 image up to all."""
    shape, kernel, stride, pad = window
    x = np.random.default_rng(0).standard_normal(shape)
    win = Window("conv2d", kernel, stride, pad)
    oh, ow = win.out_size(shape)
    with patch.object(conv, "_BLOCK_BYTES", block_bytes):
        blocks = [(rows, block.copy()) for rows, block in conv._window_blocks(x, win, oh, ow)]
    view = windows(channels_last_padded(x, win.ph, win.pw), win, oh, ow).reshape(shape[0] * oh * ow, -1)
    np.testing.assert_array_equal(np.concatenate([block for _, block in blocks]), view)
    starts = [rows.start for rows, _ in blocks]
    assert starts == [0] + [rows.stop for rows, _ in blocks[:-1]] and blocks[-1][0].stop == len(view)
    if shape[1] <= conv._FEW_CHANNELS:
        assert len(blocks) == 1
    elif block_bytes == 1:
        assert len(blocks) == shape[0]


@given(conv_cases(max_side=4, max_channels=6))
def test_conv2d_gradcheck_one_image_per_block(case):
    """Blocks of one image each (the many-block case of a real batch) give the same gradients."""
    x, W, b, stride, pad = case
    assume(x.shape[1] > conv._FEW_CHANNELS)
    inputs = (x, W) if b is None else (x, W, b)

    def conv2d(*a):
        return F.conv2d(*a[:2], a[2] if len(a) == 3 else None, stride, pad)

    with patch.object(conv, "_BLOCK_BYTES", 1):
        assert gradcheck(conv2d, *inputs, fast_mode=True)


@given(conv_cases())
def test_im2col_equals_windows_read_one_by_one(case):
    x, W, _, stride, pad = case
    kernel = W.shape[2:]
    np.testing.assert_array_equal(F.im2col(x, kernel, stride, pad).data, loop_im2col(x, kernel, stride, pad))


@given(conv_cases())
def test_conv2d_is_im2col_times_weight_matrix(case):
    x, W, _, stride, pad = case
    n, oc = x.shape[0], W.shape[0]
    oh, ow = out_size(x.shape, W.shape[2:], stride, pad)
    col = F.im2col(x, W.shape[2:], stride, pad).data
    expected = (col @ W.reshape(oc, -1).T).reshape(n, oh, ow, oc).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(F.conv2d(x, W, None, stride, pad).data, expected, atol=1e-12)


@given(conv_cases(max_side=5))
def test_conv2d_gradcheck(case):
    x, W, b, stride, pad = case
    inputs = (x, W) if b is None else (x, W, b)
    assert gradcheck(lambda *a: F.conv2d(*a[:2], a[2] if len(a) == 3 else None, stride, pad), *inputs)


@given(conv_cases(max_side=4, max_channels=6))
def test_conv2d_gradcheck_many_channels(case):
    """More channels gather the channel-last window rows instead of copying per kernel offset."""
    x, W, b, stride, pad = case
    assume(x.shape[1] > conv._FEW_CHANNELS)
    inputs = (x, W) if b is None else (x, W, b)
    assert gradcheck(lambda *a: F.conv2d(*a[:2], a[2] if len(a) == 3 else None, stride, pad), *inputs, fast_mode=True)


@given(conv_cases(max_side=4, max_channels=2))
def test_conv2d_gradgradcheck(case):
    x, W, b, stride, pad = case
    inputs = (x, W) if b is None else (x, W, b)
    assert gradgradcheck(lambda *a: F.conv2d(*a[:2], a[2] if len(a) == 3 else None, stride, pad), *inputs)


@given(conv_cases(max_side=5), st.data())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(case, data):
    x, W, _, stride, pad = case
    y = np.random.default_rng(0).standard_normal(F.conv2d(x, W, None, stride, pad).shape)
    extra = adjoint_padding(x.shape, y.shape, W.shape[2:], stride, pad)
    transposed = F.conv_transpose2d(y, W, None, stride, pad, extra).data
    assert transposed.shape == x.shape
    lhs = np.sum(F.conv2d(x, W, None, stride, pad).data * y)
    np.testing.assert_allclose(lhs, np.sum(x * transposed), rtol=1e-10, atol=1e-10)


@given(conv_cases(max_side=4), st.booleans())
def test_conv_transpose2d_gradcheck(case, with_bias):
    x, W, _, stride, pad = case
    y = F.conv2d(x, W, None, stride, pad).data
    extra = adjoint_padding(x.shape, y.shape, W.shape[2:], stride, pad)
    b = (np.linspace(-1, 1, W.shape[1]),) if with_bias else ()
    assert gradcheck(lambda y, W, *b: F.conv_transpose2d(y, W, *b or (None,), stride, pad, extra), y, W, *b)


@given(conv_cases(max_side=4, max_channels=2))
def test_conv_transpose2d_gradgradcheck(case):
    x, W, _, stride, pad = case
    y = F.conv2d(x, W, None, stride, pad).data
    extra = adjoint_padding(x.shape, y.shape, W.shape[2:], stride, pad)
    assert gradgradcheck(lambda y, W: F.conv_transpose2d(y, W, None, stride, pad, extra), y, W)


@given(conv_cases(max_side=5))
def test_im2col_and_col2im_gradcheck(case):
    x, W, _, stride, pad = case
    kernel = W.shape[2:]
    assert gradcheck(lambda x: F.im2col(x, kernel, stride, pad), x)
    col = F.im2col(x, kernel, stride, pad).data
    assert gradcheck(lambda c: F.col2im(c, x.shape, kernel, stride, pad), np.cos(col))


@given(conv_cases(), st.integers(0, 2**32 - 1))
def test_col2im_is_the_adjoint_of_im2col(case, seed):
    x, W, _, stride, pad = case
    kernel = W.shape[2:]
    col = F.im2col(x, kernel, stride, pad).data
    y = np.random.default_rng(seed).standard_normal(col.shape)
    lhs = np.sum(col * y)
    rhs = np.sum(x * F.col2im(y, x.shape, kernel, stride, pad).data)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10, atol=1e-10)


@given(conv_cases())
def test_layout_of_the_input_does_not_matter(case):
    """A channel-last view (what conv2d itself returns) gives the same values and gradients."""
    x, W, b, stride, pad = case
    channel_last = Variable(np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2))
    plain = Variable(x.copy())
    for v in (channel_last, plain):
        y = F.conv2d(v, W, b, stride, pad)
        y.backward(np.ones(y.shape))
    np.testing.assert_allclose(F.conv2d(channel_last, W, b, stride, pad).data, F.conv2d(plain, W, b, stride, pad).data)
    np.testing.assert_allclose(channel_last.grad.data, plain.grad.data)


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((2, 3, 6, 5)).astype(np.float32))
    W = Variable(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    b = Variable(np.zeros(4, np.float32))
    Wt = Variable(rng.standard_normal((4, 2, 2, 2)).astype(np.float32))
    y = F.conv2d(x, W, b, stride=2, pad=1)
    z = F.conv_transpose2d(y, Wt, None, stride=2)
    col = F.im2col(z, 2, 2)
    back = F.col2im(col, z.shape, 2, 2)
    for v in (y, z, col, back):
        assert v.dtype == np.float32
    F.sum(back * back).backward()
    for v in (x, W, b, Wt):
        assert v.grad.dtype == np.float32


def test_backward_twice_accumulates():
    """conv2d keeps no window matrix between forward and backward, so a second backward sees the same inputs."""
    rng = np.random.default_rng(1)
    x, W = Variable(rng.standard_normal((2, 2, 5, 5))), Variable(rng.standard_normal((3, 2, 3, 3)))
    y = F.sum(F.conv2d(x, W, pad=1) ** 2)
    y.backward()
    first = W.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(W.grad.data, 2 * first)


def test_bad_shapes_are_clear_errors():
    x = np.zeros((2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"kernel 5×5 is larger than the padded input 4×4 .*\(2, 3, 4, 4\)"):
        F.conv2d(x, np.zeros((1, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"x of shape \(2, 3, 4, 4\) has 3 channels but W of shape \(1, 2, 3, 3\)"):
        F.conv2d(x, np.zeros((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        F.conv2d(x, np.zeros((1, 3, 3, 3)), stride=0)
    with pytest.raises(ValueError, match=r"stride must be positive, got \(1, -1\)"):
        F.im2col(x, 2, stride=(1, -1))
    with pytest.raises(ValueError, match="pad must be non-negative"):
        F.conv2d(x, np.zeros((1, 3, 3, 3)), pad=-1)
    with pytest.raises(ValueError, match=r"b of shape \(2,\) does not match the 1 output channels"):
        F.conv2d(x, np.zeros((1, 3, 3, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"W must be 4-D .* got shape \(3, 3\)"):
        F.conv2d(x, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"x must be 4-D .* got shape \(3, 4, 4\)"):
        F.conv2d(np.zeros((3, 4, 4)), np.zeros((1, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"col of shape \(5, 12\) does not match input_shape \(2, 3, 4, 4\)"):
        F.col2im(np.zeros((5, 12)), (2, 3, 4, 4), 2)
    with pytest.raises(ValueError, match="output_padding 2 must be smaller than stride"):
        F.conv_transpose2d(x, np.zeros((3, 1, 2, 2)), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"x of shape \(2, 3, 4, 4\) has 3 channels but W of shape \(2, 3, 2, 2\)"):
        F.conv_transpose2d(x, np.zeros((2, 3, 2, 2)))
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints"):
        F.im2col(x, 2.5)


@pytest.mark.parametrize("op", [F.conv2d, F.conv_transpose2d])
def test_an_ndarray_input_is_a_constant(op):
    """Data given as an ndarray gets no gradient (no one could read it); the same data as a Variable does."""
    rng = np.random.default_rng(4)
    data, W = rng.standard_normal((2, 3, 5, 5)), Variable(rng.standard_normal((3, 3, 3, 3)))
    y = op(data, W, None, 1, 1)
    F.sum(y * y).backward()
    assert y.creator.inputs[0].grad is None
    expected_gW = W.grad.data.copy()
    x = Variable(data)
    W.cleargrad()
    F.sum(op(x, W, None, 1, 1) ** 2).backward()
    assert x.grad is not None
    np.testing.assert_allclose(W.grad.data, expected_gW)


@given(conv_cases(max_side=7, max_channels=6), st.booleans())
def test_conv2d_matches_pytorch(case, channel_last):
    """Values and every gradient in float32 against torch.nn.functional.conv2d, both input layouts."""
    torch = pytest.importorskip("torch")
    x, W, b, stride, pad = case
    x, W, b = (None if a is None else a.astype(np.float32) for a in (x, W, b))
    if channel_last:
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    inputs = [Variable(a) for a in (x, W, b) if a is not None]
    y = F.conv2d(*inputs[:2], inputs[2] if b is not None else None, stride, pad)
    gy = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
    y.backward(gy)
    tensors = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in (x, W, b) if a is not None]
    ty = torch.nn.functional.conv2d(*tensors[:2], tensors[2] if b is not None else None, stride, pad)
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    for v, tv in zip(inputs, tensors):
        assert v.grad.dtype == np.float32
        np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-4, atol=1e-4)


@given(conv_cases(max_side=5, max_channels=6), st.booleans())
def test_conv_transpose2d_matches_pytorch(case, with_bias):
    torch = pytest.importorskip("torch")
    x, W, _, stride, pad = case
    y = F.conv2d(x, W, None, stride, pad).data.astype(np.float32)
    extra = adjoint_padding(x.shape, y.shape, W.shape[2:], stride, pad)
    W = W.astype(np.float32)
    b = np.linspace(-1, 1, W.shape[1], dtype=np.float32) if with_bias else None
    inputs = [Variable(a) for a in (y, W, b) if a is not None]
    z = F.conv_transpose2d(*inputs[:2], inputs[2] if with_bias else None, stride, pad, extra)
    gz = np.random.default_rng(5).standard_normal(z.shape).astype(np.float32)
    z.backward(gz)
    tensors = [torch.tensor(a, requires_grad=True) for a in (y, W, b) if a is not None]
    tz = torch.nn.functional.conv_transpose2d(
        *tensors[:2], tensors[2] if with_bias else None, stride, pad, extra
    )
    tz.backward(torch.tensor(gz))
    np.testing.assert_allclose(z.data, tz.detach().numpy(), rtol=1e-4, atol=1e-4)
    for v, tv in zip(inputs, tensors):
        np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-4, atol=1e-4)
