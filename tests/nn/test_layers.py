"""Layers: gradients through the module API (gradcheck), hand-computed values, train/eval behaviour, errors."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nn
from autograd import Variable, grad
from autograd.testing import gradcheck
from autograd.testing import strategies as zst
from tests.nn.helpers import through_parameters


def check(layer, x, seed=None):
    """gradcheck of layer(x) with respect to x and every parameter, through the module's own forward.

    seed reseeds nn's generator before each call, so dropout draws the same mask every time.
    """
    run, params = through_parameters(layer)

    def f(x, *ps):
        if seed is not None:
            nn.manual_seed(seed)
        return run(x, *ps)

    variables = [Variable(p.astype(np.float64)) for p in params]
    y = f(Variable(x), *variables)
    grad(y, variables, np.ones_like(y.data))  # raises unless forward computed with every substituted parameter
    assert gradcheck(f, x, *params)
    # The layer computes with its own float32 Parameters again.
    assert f(x.astype(np.float32)).dtype == np.float32


def rng(seed=0):
    return np.random.default_rng(seed)


# ----- gradients through the module API -----


@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.booleans(), st.booleans())
def test_linear_gradcheck(n, d_in, d_out, bias, batched):
    shape = (2, n, d_in) if batched else (n, d_in)
    check(nn.Linear(d_in, d_out, bias=bias), rng().standard_normal(shape))


@given(zst.windows(max_side=5, max_channels=2), st.integers(1, 2), st.booleans())
def test_conv2d_gradcheck(window, out_channels, bias):
    shape, kernel, stride, pad = window
    layer = nn.Conv2d(shape[1], out_channels, kernel, stride, pad, bias=bias)
    check(layer, rng().standard_normal(shape))


@given(zst.windows(max_side=3, max_channels=2), st.integers(1, 2), st.booleans())
def test_conv_transpose2d_gradcheck(window, out_channels, bias):
    shape, kernel, stride, pad = window
    assume(all((shape[2 + d] - 1) * stride[d] - 2 * pad[d] + kernel[d] >= 1 for d in range(2)))
    layer = nn.ConvTranspose2d(shape[1], out_channels, kernel, stride, pad, bias=bias)
    check(layer, rng().standard_normal(shape))


@given(st.sampled_from([nn.MaxPool2d, nn.AvgPool2d]), st.data())
def test_pool_gradcheck(cls, data):
    shape, kernel, stride, pad = data.draw(zst.windows(max_side=5, max_channels=2, half_kernel_pad=True))
    x = data.draw(zst.distinct_arrays(shape))
    check(cls(kernel, stride, pad), x)


@given(
    st.sampled_from([nn.Flatten(), nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU(0.1)]),
    zst.arrays(zst.shapes(min_dims=2, max_dims=4), avoid=(0.0,)),
)
def test_stateless_layer_gradcheck(layer, x):
    check(layer, x)


@given(zst.arrays(zst.shapes(min_dims=2, max_dims=3)), st.sampled_from([0.0, 0.3, 0.5]), st.booleans())
def test_dropout_gradcheck(x, p, training):
    layer = nn.Dropout(p).train(training)
    check(layer, x, seed=0)


@given(st.integers(2, 4), st.integers(1, 3), st.booleans())
def test_batch_norm1d_gradcheck(n, c, training):
    layer = nn.BatchNorm1d(c).train(training)
    layer.gamma.data[...] = rng(1).uniform(0.5, 2, c)
    layer.running_var[...] = rng(2).uniform(0.5, 2, c)
    check(layer, rng().standard_normal((n, c)))


@given(zst.shapes(min_dims=4, max_dims=4, max_side=3), st.booleans())
def test_batch_norm2d_gradcheck(shape, training):
    assume(not training or shape[0] * shape[2] * shape[3] > 1)
    layer = nn.BatchNorm2d(shape[1]).train(training)
    layer.beta.data[...] = rng(1).standard_normal(shape[1])
    check(layer, rng().standard_normal(shape))


# ----- values computed by hand -----


def test_linear_by_hand():
    layer = nn.Linear(2, 3)
    layer.W.data[...] = [[1, 2, 3], [4, 5, 6]]
    layer.b.data[...] = [0.5, 0, -1]
    y = layer(np.array([[1, 1], [2, -1]], np.float32))
    np.testing.assert_array_equal(y.data, [[5.5, 7, 8], [-1.5, -1, -1]])
    assert y.dtype == np.float32
    assert layer.W.shape == (2, 3) and layer.b.shape == (3,)
    assert nn.Linear(2, 3, bias=False).b is None


def test_conv2d_by_hand():
    layer = nn.Conv2d(1, 1, 2)
    layer.W.data[...] = [[[[1, 0], [0, -1]]]]
    layer.b.data[...] = 10
    x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    # Each output is x[i, j] - x[i + 1, j + 1] + 10 = -4 + 10.
    np.testing.assert_array_equal(layer(x).data, np.full((1, 1, 2, 2), 6))
    padded = nn.Conv2d(1, 1, 3, stride=2, pad=1, bias=False)
    padded.W.data[...] = 1
    # Windows centred on (0, 0), (0, 2), (2, 0), (2, 2): sums of their in-bounds neighbours.
    np.testing.assert_array_equal(padded(x).data, [[[[8, 12], [20, 24]]]])
    assert nn.Conv2d(3, 5, (2, 4)).W.shape == (5, 3, 2, 4)


def test_conv_transpose2d_by_hand():
    layer = nn.ConvTranspose2d(1, 1, 2, stride=2)
    layer.W.data[...] = [[[[1, 2], [3, 4]]]]
    layer.b.data[...] = 1
    x = np.array([[[[1, 10]]]], np.float32)
    # Each input pixel stamps x · W into its own 2×2 block.
    np.testing.assert_array_equal(layer(x).data, [[[[2, 3, 11, 21], [4, 5, 31, 41]]]])
    assert nn.ConvTranspose2d(3, 5, 2).W.shape == (3, 5, 2, 2)


def test_pooling_by_hand():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data, [[[[5, 7], [13, 15]]]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).data, [[[[2.5, 4.5], [10.5, 12.5]]]])
    np.testing.assert_array_equal(nn.MaxPool2d(3, stride=1)(x).data, [[[[10, 11], [14, 15]]]])


def test_flatten_keeps_the_batch_axis():
    x = np.zeros((2, 3, 4, 5), np.float32)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten()(np.zeros((2, 3))).shape == (2, 3)


def test_activations_by_hand():
    x = np.array([-2.0, 0.0, 3.0], np.float32)
    np.testing.assert_array_equal(nn.ReLU()(x).data, [0, 0, 3])
    np.testing.assert_allclose(nn.LeakyReLU()(x).data, [-0.02, 0, 3], rtol=1e-6)
    np.testing.assert_allclose(nn.LeakyReLU(0.5)(x).data, [-1, 0, 3])
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x), rtol=1e-6)


# ----- training and evaluation modes -----


def test_dropout_zeroes_and_rescales_when_training_only():
    x = np.ones((200, 50), np.float32)
    layer = nn.Dropout(0.3)
    y = layer(x).data
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
    assert abs(np.mean(y == 0) - 0.3) < 0.02
    assert y.dtype == np.float32
    np.testing.assert_array_equal(layer.eval()(x).data, x)


def test_dropout_masks_follow_manual_seed():
    x = np.ones((10, 10), np.float32)
    layer = nn.Dropout(0.5)
    nn.manual_seed(3)
    first = layer(x).data
    second = layer(x).data
    nn.manual_seed(3)
    np.testing.assert_array_equal(layer(x).data, first)
    assert not np.array_equal(first, second)


def test_dropout_extremes():
    x = np.ones((3, 4), np.float32)
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).data, x)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, 0)


def test_batch_norm1d_train_uses_the_batch_and_updates_running_statistics():
    layer = nn.BatchNorm1d(2)
    x = np.array([[1, 10], [3, 10], [5, 40]], np.float32)
    y = layer(x).data
    # Column 0: mean 3, biased variance 8/3; column 1: mean 20, biased variance 200.
    expected = (x - [3, 20]) / np.sqrt(np.array([8 / 3, 200]) + 1e-5)
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    # running = 0.9 · running + 0.1 · batch, the variance unbiased (4 and 300).
    np.testing.assert_allclose(layer.running_mean, [0.3, 2.0], rtol=1e-6)
    np.testing.assert_allclose(layer.running_var, [0.9 + 0.4, 0.9 + 30], rtol=1e-6)


def test_batch_norm_eval_uses_the_running_statistics_and_leaves_them():
    layer = nn.BatchNorm1d(2)
    layer.running_mean[...] = [1, -1]
    layer.running_var[...] = [4, 0.25]
    layer.gamma.data[...] = [2, 1]
    layer.beta.data[...] = [0, 5]
    layer.eval()
    x = np.array([[3, 0], [1, -1]], np.float32)
    np.testing.assert_allclose(layer(x).data, [[2, 7], [0, 5]], rtol=1e-4)
    np.testing.assert_array_equal(layer.running_mean, [1, -1])
    np.testing.assert_array_equal(layer.running_var, [4, 0.25])
    assert not np.allclose(layer.train()(x).data, [[2, 7], [0, 5]], rtol=1e-2)


def test_batch_norm2d_normalises_each_channel():
    x = rng().standard_normal((4, 3, 5, 5)).astype(np.float32) * [[[[1]], [[5]], [[0.1]]]] + 7
    y = nn.BatchNorm2d(3)(x).data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-4)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-3)


def test_running_statistics_are_buffers_not_parameters():
    layer = nn.BatchNorm2d(3)
    assert [name for name, _ in layer.named_parameters()] == ["gamma", "beta"]
    assert [name for name, _ in layer.named_buffers()] == ["running_mean", "running_var"]
    assert list(layer.state_dict()) == ["gamma", "beta", "running_mean", "running_var"]


# ----- parameters and errors -----


def test_layers_create_float32_parameters():
    layers = [nn.Linear(2, 3), nn.Conv2d(1, 2, 3), nn.ConvTranspose2d(1, 2, 3), nn.BatchNorm1d(4)]
    for layer in layers:
        for name, p in layer.named_parameters():
            assert p.dtype == np.float32, name
            assert p.name == name


def test_input_variable_gets_a_gradient_and_ndarray_input_is_data():
    layer = nn.Linear(3, 2)
    x = Variable(np.ones((2, 3), np.float32))
    layer(x).sum().backward()
    assert x.grad is not None and x.grad.shape == (2, 3)
    layer.zero_grad()
    layer(np.ones((2, 3), np.float32)).sum().backward()
    assert layer.W.grad.shape == (3, 2)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: nn.Linear(0, 3), "Linear: in_features"),
        (lambda: nn.Linear(2, 2.5), "Linear: out_features"),
        (lambda: nn.Conv2d(1, 2, 0), "Conv2d: kernel_size"),
        (lambda: nn.Conv2d(1, 2, 3, pad=-1), "Conv2d: pad"),
        (lambda: nn.ConvTranspose2d(1, 2, (2, 2, 2)), "ConvTranspose2d: kernel_size"),
        (lambda: nn.MaxPool2d(2, stride=0), "MaxPool2d: stride"),
        (lambda: nn.Dropout(1.5), "Dropout: p"),
        (lambda: nn.BatchNorm1d(0), "BatchNorm1d: num_features"),
        (lambda: nn.BatchNorm2d(3, momentum=2), "BatchNorm2d: momentum"),
    ],
)
def test_bad_settings_are_value_errors_naming_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_are_errors_naming_the_shapes():
    with pytest.raises(ValueError, match="BatchNorm1d"):
        nn.BatchNorm1d(3)(np.zeros((2, 3, 4, 4), np.float32))
    with pytest.raises(ValueError, match="BatchNorm2d"):
        nn.BatchNorm2d(3)(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(2, 5\)"):
        nn.Linear(3, 2)(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="conv2d"):
        nn.Conv2d(3, 2, 3)(np.zeros((1, 2, 5, 5), np.float32))


def test_reprs():
    assert repr(nn.Conv2d(1, 30, 5)) == "Conv2d(1, 30, kernel_size=5)"
    assert repr(nn.Conv2d(16, 32, 3, stride=(1, 2), pad=2, bias=False)) == (
        "Conv2d(16, 32, kernel_size=3, stride=(1, 2), pad=2, bias=False)"
    )
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, pad=0)"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.BatchNorm1d(4)) == "BatchNorm1d(4, momentum=0.9, eps=1e-05)"
