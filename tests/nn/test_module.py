"""Module and Sequential: registration order, dotted names, traversal, modes, gradients, repr."""

import numpy as np
import pytest

import autograd.functions as F
import nn
from autograd.viz import to_dot


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.scale = nn.Parameter(np.ones(1, np.float32))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 3), nn.BatchNorm1d(3))

    def forward(self, x):
        return self.head(F.relu(self.conv1(x)) * self.scale)


def test_parameters_are_registered_in_assignment_order_with_dotted_names():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    # As in PyTorch: a module's own parameters, then each child's, depth first.
    assert names == ["scale", "conv1.W", "conv1.b", "head.1.W", "head.1.b", "head.2.gamma", "head.2.beta"]
    assert [p.name for p in net.parameters()] == names
    assert [name for name, _ in net.named_buffers()] == ["head.2.running_mean", "head.2.running_var"]
    assert [name for name, _ in net.named_modules()] == ["", "conv1", "head", "head.0", "head.1", "head.2"]
    assert list(net.children()) == [net.conv1, net.head]


def test_the_drawing_shows_parameters_by_their_dotted_names():
    net = Net()
    loss = F.sum(net(np.ones((2, 1, 6, 6), np.float32)))
    dot = to_dot(loss)
    assert "conv1.W" in dot and "head.1.b" in dot


def test_a_user_given_parameter_name_is_kept():
    layer = nn.Module()
    layer.w = nn.Parameter(np.zeros(2), name="mine")
    outer = nn.Module()
    outer.inner = layer
    assert layer.w.name == "mine"
    assert outer.named_parameters()[0][0] == "inner.w"


def test_a_shared_parameter_is_listed_once():
    a = nn.Linear(2, 2)
    net = nn.Sequential(a, nn.ReLU(), a)
    assert len(net.parameters()) == 2


def test_reassigning_an_attribute_unregisters_it():
    net = Net()
    net.scale = 3.0
    del net.conv1
    assert next(name for name, _ in net.named_parameters()) == "head.1.W"


def test_train_and_eval_reach_every_descendant():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_clears_every_parameter_gradient():
    net = Net()
    F.sum(net(np.ones((2, 1, 6, 6), np.float32))).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_sequential_indexing_slicing_and_iteration():
    layers = [nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    x = np.ones((5, 4), np.float32)
    np.testing.assert_array_equal(seq(x).data, layers[2](layers[1](layers[0](x))).data)


def test_repr_lists_the_layers_like_pytorch():
    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Sequential(nn.Dropout(0.5)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=100, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.5)\n"
        "  )\n"
        ")"
    )


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match="Sequential: item 1 is a int"):
        nn.Sequential(nn.ReLU(), 3)
    with pytest.raises(TypeError, match="Parameter: data must be floating point"):
        nn.Parameter(np.arange(3))

    class Forgot(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.zeros(1))

    with pytest.raises(AttributeError, match=r"Forgot: call super\(\).__init__\(\)"):
        Forgot()
    with pytest.raises(NotImplementedError, match=r"Module\.forward"):
        nn.Module()(1)
