"""Layers: gradients through the module API, values against hand computation, modes, dtypes, bad arguments."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Variable
from autograd.testing import gradcheck
from autograd.testing import strategies as zst
from tests.nn.helpers import as_float64, through_parameters


def _check_module(layer: nn.Module, x: np.ndarray) -> None:
    f, params = through_parameters(as_float64(layer))
    assert gradcheck(f, x, *params)


@given(st.integers(0, 3), st.integers(1, 4), st.integers(1, 4), st.booleans(), st.data())
def test_linear_gradients(n, d_in, d_out, bias, data):
    x = data.draw(zst.arrays((n, d_in)))
    _check_module(nn.Linear(d_in, d_out, bias=bias), x)


def test_linear_computes_x_W_plus_b():
    layer = nn.Linear(3, 2)
    layer.W.data[...] = [[1, 2], [3, 4], [5, 6]]
    layer.b.data[...] = [10, 20]
    y = layer(np.array([[1, 1, 1], [1, 0, -1]], np.float32))
    np.testing.assert_array_equal(y.data, [[19, 32], [6, 16]])
    assert y.dtype == np.float32
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)
    assert nn.Linear(3, 2, bias=False).b is None


@st.composite
def _conv_case(draw):
    k = draw(st.integers(1, 3))
    stride, pad = draw(st.integers(1, 2)), draw(st.integers(0, 1))
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, w = draw(st.integers(max(k - 2 * pad, 1), 5)), draw(st.integers(max(k - 2 * pad, 1), 5))
    x = draw(zst.arrays((n, c_in, h, w)))
    return k, stride, pad, c_in, c_out, x


@given(_conv_case(), st.booleans())
def test_conv2d_gradients(case, bias):
    k, stride, pad, c_in, c_out, x = case
    _check_module(nn.Conv2d(c_in, c_out, k, stride=stride, pad=pad, bias=bias), x)


@given(_conv_case())
def test_conv_transpose2d_gradients(case):
    k, stride, pad, c_in, c_out, x = case
    # A transposed convolution's pad trims its output, which must stay non-empty.
    _check_module(nn.ConvTranspose2d(c_in, c_out, k, stride=stride, pad=min(pad, (k - 1) // 2)), x)


def test_conv2d_against_a_direct_sum():
    rng = np.random.default_rng(0)
    layer = nn.Conv2d(2, 3, (2, 3), stride=1, pad=1)
    x = rng.standard_normal((2, 2, 4, 5)).astype(np.float32)
    y = layer(x).data
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    W, b = layer.W.data, layer.b.data
    assert y.shape == (2, 3, 5, 5)
    for i in range(5):
        for j in range(5):
            window = padded[:, :, i : i + 2, j : j + 3]
            expected = np.einsum("nchw,ochw->no", window, W) + b
            np.testing.assert_allclose(y[:, :, i, j], expected, rtol=1e-5, atol=1e-5)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    rng = np.random.default_rng(1)
    conv = nn.Conv2d(2, 3, 3, stride=2, pad=1, bias=False)
    up = nn.ConvTranspose2d(3, 2, 3, stride=2, pad=1, bias=False)
    up.W.data[...] = conv.W.data
    x = rng.standard_normal((1, 2, 5, 5))
    g = rng.standard_normal((1, 3, 3, 3))
    # <conv(x), g> == <x, conv^T(g)>
    np.testing.assert_allclose((conv(x).data * g).sum(), (x * up(g).data).sum(), rtol=1e-5)


def test_pooling_values_and_default_stride():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data, [[[[5, 7], [13, 15]]]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).data, [[[[2.5, 4.5], [10.5, 12.5]]]])
    assert nn.MaxPool2d(3, stride=1)(x).shape == (1, 1, 2, 2)
    assert nn.MaxPool2d(2, pad=1)(x).shape == (1, 1, 3, 3)


@given(zst.arrays((2, 1, 4, 4)))
def test_avg_pool_gradients(x):
    assert gradcheck(nn.AvgPool2d(2, stride=1), x)


@given(st.permutations(range(32)))
def test_max_pool_gradients(order):
    # A permutation keeps every element 0.1 from the others: each window has one clear winner.
    x = 0.1 * np.array(order, np.float64).reshape(1, 2, 4, 4)
    assert gradcheck(nn.MaxPool2d(2), x)


@given(zst.arrays(zst.shapes(min_dims=2, max_dims=4)))
def test_flatten_keeps_the_batch_axis(x):
    y = nn.Flatten()(x)
    assert y.shape == (x.shape[0], int(np.prod(x.shape[1:])))
    assert gradcheck(nn.Flatten(), x)


def test_activations_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(nn.ReLU()(x).data, [0, 0, 3])
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(x).data, [-0.2, 0, 3])
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x))


@given(zst.arrays(avoid=(0.0,)), st.sampled_from([nn.ReLU(), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Tanh()]))
def test_activation_gradients(x, layer):
    assert gradcheck(layer, x)


def test_dropout_follows_train_and_eval():
    layer = nn.Dropout(0.4)
    x = np.ones((200, 100), np.float32)
    y = layer(x).data
    assert abs((y == 0).mean() - 0.4) < 0.02
    np.testing.assert_allclose(y[y != 0], 1 / 0.6, rtol=1e-6)
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, x)


def test_dropout_masks_repeat_with_the_seed():
    layer, x = nn.Dropout(0.5), np.ones((10, 10), np.float32)
    nn.manual_seed(3)
    first = layer(x).data
    nn.manual_seed(3)
    np.testing.assert_array_equal(layer(x).data, first)


@given(st.booleans(), st.integers(2, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_batch_norm_gradients_in_training(four_d, n, c, seed):
    rng = np.random.default_rng(seed)
    shape = (n, c, 2, 2) if four_d else (n, c)
    x = rng.standard_normal(shape) * rng.uniform(0.5, 3) + rng.uniform(-2, 2)
    layer = (nn.BatchNorm2d if four_d else nn.BatchNorm1d)(c)
    layer.gamma.data[...] = rng.uniform(0.5, 2, c)
    _check_module(layer, x)


def test_batch_norm_training_normalises_and_updates_running_statistics():
    layer = nn.BatchNorm1d(2)
    x = np.array([[1, 10], [3, 20], [5, 60]], np.float32)
    y = layer(x).data
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(y.var(axis=0), 1, rtol=1e-3)
    # running = 0.9 · running + 0.1 · batch, the variance unbiased
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-6)


def test_batch_norm_eval_uses_running_statistics():
    layer = nn.BatchNorm2d(2)
    layer.running_mean[...] = [1, -1]
    layer.running_var[...] = [4, 9]
    layer.gamma.data[...] = [2, 3]
    layer.beta.data[...] = [0.5, 0]
    layer.eval()
    x = np.ones((1, 2, 1, 1), np.float32)
    y = layer(x).data.ravel()
    np.testing.assert_allclose(y, [2 * 0 / np.sqrt(4 + 1e-5) + 0.5, 3 * 2 / np.sqrt(9 + 1e-5)], rtol=1e-6)
    before = layer.running_mean.copy()
    layer(np.full((3, 2, 1, 1), 7, np.float32))
    np.testing.assert_array_equal(layer.running_mean, before)


def test_batch_norm_statistics_are_buffers_not_parameters():
    layer = nn.BatchNorm2d(4)
    assert [name for name, _ in layer.named_parameters()] == ["gamma", "beta"]
    assert [name for name, _ in layer.named_buffers()] == ["running_mean", "running_var"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.Linear(0, 3), "Linear: in_features"),
        (lambda: nn.Linear(3, 2.5), "Linear: out_features"),
        (lambda: nn.Conv2d(1, 2, 0), "Conv2d: kernel_size"),
        (lambda: nn.Conv2d(1, 2, 3, stride=0), "Conv2d: stride"),
        (lambda: nn.ConvTranspose2d(1, 2, 3, pad=-1), "ConvTranspose2d: pad"),
        (lambda: nn.MaxPool2d((2, 2, 2)), "MaxPool2d: kernel_size"),
        (lambda: nn.Dropout(1.5), "Dropout: p"),
        (lambda: nn.BatchNorm1d(3, momentum=2), "BatchNorm1d: momentum"),
    ],
)
def test_bad_arguments_name_the_layer(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_batch_norm_refuses_the_wrong_number_of_dimensions():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected a 4-d input, got shape \(2, 3\)"):
        nn.BatchNorm2d(3)(np.ones((2, 3), np.float32))


def test_layers_hold_float32_and_keep_float32():
    x = Variable(np.ones((2, 1, 6, 6), np.float32))
    for layer in (nn.Conv2d(1, 2, 3), nn.ConvTranspose2d(1, 2, 3), nn.BatchNorm2d(1), nn.MaxPool2d(2)):
        assert all(p.dtype == np.float32 for p in layer.parameters())
        assert layer(x).dtype == np.float32
