"""The textbook's models: architectures, parameter counts, initialisation, gradients, modes."""

import numpy as np
import pytest

import autograd.functions as F
import nn
from autograd.testing import gradcheck
from tests.nn.helpers import as_float64, through_parameters


def _count(model: nn.Module) -> int:
    return sum(p.size for p in model.parameters())


def test_simple_conv_net_is_the_textbooks():
    model = nn.SimpleConvNet()
    assert [(name, p.shape) for name, p in model.named_parameters()] == [
        ("conv1.W", (30, 1, 5, 5)), ("conv1.b", (30,)),
        ("fc1.W", (4320, 100)), ("fc1.b", (100,)),
        ("fc2.W", (100, 10)), ("fc2.b", (10,)),
    ]  # fmt: skip
    assert _count(model) == 433_890
    # weight_init_std = 0.01 for every weight, biases zero
    for name in ("conv1", "fc1", "fc2"):
        assert getattr(model, name).W.data.std() == pytest.approx(0.01, rel=0.1)
        assert not getattr(model, name).b.data.any()
    assert model(np.zeros((3, 1, 28, 28), np.float32)).shape == (3, 10)


def test_deep_conv_net_is_the_textbooks():
    model = nn.DeepConvNet()
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [16, 16, 32, 32, 64, 64]
    assert [c.pad for c in convs] == [(1, 1)] * 3 + [(2, 2)] + [(1, 1)] * 2
    assert _count(model) == 123_552
    # He: std = sqrt(2 / fan_in), fan_in = in_channels · 3 · 3 (the last conv: 64 · 9)
    assert convs[-1].W.data.std() == pytest.approx(np.sqrt(2 / (64 * 9)), rel=0.05)
    dropouts = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    assert [d.p for d in dropouts] == [0.5, 0.5]
    model.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(model(x).data, model(x).data)
    model.train()
    assert not np.array_equal(model(x).data, model(x).data)


def test_mlp_layout_and_initialisation():
    model = nn.MLP([784, 100, 50, 10], activation="sigmoid", batch_norm=True, dropout=0.2)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "BatchNorm1d", "Sigmoid", "Dropout"] * 2 + ["Linear"]
    # Xavier before sigmoid: std = sqrt(1 / fan_in)
    assert model[0].W.data.std() == pytest.approx(np.sqrt(1 / 784), rel=0.05)
    assert nn.MLP([784, 100, 10])[0].W.data.std() == pytest.approx(np.sqrt(2 / 784), rel=0.05)
    images = np.zeros((5, 1, 28, 28), np.float32)
    assert model(images).shape == (5, 10)


def test_mlp_refuses_bad_arguments():
    with pytest.raises(ValueError, match="MLP: sizes needs at least"):
        nn.MLP([10])
    with pytest.raises(ValueError, match="MLP: activation must be one of"):
        nn.MLP([4, 2], activation="swish")


def test_a_small_simple_conv_net_passes_gradcheck_through_every_parameter():
    model = nn.SimpleConvNet(input_dim=(1, 6, 6), filters=2, kernel_size=3, hidden=4, classes=3, weight_std=0.5)
    f, params = through_parameters(as_float64(model))
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 1, 6, 6))
    t = np.array([0, 2])
    assert gradcheck(lambda x, *ps: F.softmax_cross_entropy(f(x, *ps), t), x, *params)


def test_models_learn_in_float32():
    model = nn.MLP([2, 16, 2])
    assert all(p.dtype == np.float32 for p in model.parameters())
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    assert model(x).dtype == np.float32
