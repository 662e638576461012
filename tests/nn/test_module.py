"""Module and Sequential: registration order, dotted names, modes, gradients, state_dict, repr."""

import numpy as np
import pytest

import autograd.functions as F
import nn
from autograd import Variable
from autograd.viz import to_dot
from nn import Module, Parameter, Sequential


class Block(Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.scale = Parameter(np.ones(2, np.float32))
        self.head = Sequential(nn.Flatten(), nn.Linear(8, 3), nn.BatchNorm1d(3))

    def forward(self, x):
        h = self.conv1(x) * F.reshape(self.scale, (1, 2, 1, 1))
        return self.head(h)


def test_parameters_in_registration_order_with_dotted_names():
    block = Block()
    names = [name for name, _ in block.named_parameters()]
    # A module's own parameters first, then each submodule's in assignment order (as PyTorch).
    assert names == ["scale", "conv1.W", "conv1.b", "head.1.W", "head.1.b", "head.2.gamma", "head.2.beta"]
    assert [p.name for p in block.parameters()] == names
    assert all(isinstance(p, Parameter) for p in block.parameters())
    assert [name for name, _ in block.named_buffers()] == ["head.2.running_mean", "head.2.running_var"]


def test_names_follow_the_module_into_an_outer_one():
    inner = Sequential(nn.Linear(2, 2))
    assert inner[0].W.name == "0.W"
    outer = Sequential(nn.ReLU(), inner)
    assert inner[0].W.name == "1.0.W"
    assert [name for name, _ in outer.named_parameters()] == ["1.0.W", "1.0.b"]


def test_shared_parameter_listed_once():
    a = nn.Linear(2, 2)
    model = Sequential(a, nn.ReLU(), a)
    assert len(model.parameters()) == 2
    assert len(list(model.modules())) == 3  # the model, a (once), the ReLU
    assert len(model.state_dict()) == 2


def test_reassigning_an_attribute_replaces_its_registration():
    block = Block()
    block.conv1 = nn.Conv2d(1, 2, 3, bias=False)
    assert "conv1.b" not in dict(block.named_parameters())
    block.scale = None
    assert "scale" not in dict(block.named_parameters())
    del block.head
    assert [name for name, _ in block.named_parameters()] == ["conv1.W"]
    assert block.named_buffers() == []


def test_replacing_a_buffer_array_keeps_it_a_buffer():
    bn = nn.BatchNorm1d(3)
    bn.running_mean = np.full(3, 2.0, np.float32)
    assert np.array_equal(bn.state_dict()["running_mean"], [2, 2, 2])


def test_assigning_before_super_init_is_a_clear_error():
    class Broken(Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super"):
        Broken()


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match=r"Module\.forward"):
        Module()(1)


def test_train_and_eval_reach_every_submodule():
    block = Block()
    assert block.training and all(m.training for m in block.modules())
    assert block.eval() is block
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())
    block.train(False)
    assert not block.head[2].training


def test_zero_grad_clears_every_parameter_gradient():
    block = Block()
    x = np.random.default_rng(0).standard_normal((4, 1, 4, 4)).astype(np.float32)
    block(x).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())


def test_state_dict_holds_copies_of_parameters_and_buffers():
    block = Block()
    state = block.state_dict()
    assert list(state) == [name for name, _ in block.named_parameters()] + [n for n, _ in block.named_buffers()]
    state["conv1.W"][...] = 7
    state["head.2.running_mean"][...] = 7
    assert not np.any(block.conv1.W.data == 7)
    assert not np.any(block.head[2].running_mean == 7)


def test_load_state_dict_copies_in_place_and_keeps_the_dtype():
    model = nn.Linear(2, 3)
    W = model.W.data
    state = {"W": np.arange(6.0).reshape(2, 3), "b": np.ones(3)}  # float64, same kind as float32
    assert model.load_state_dict(state) is model
    assert model.W.data is W and W.dtype == np.float32
    np.testing.assert_array_equal(W, state["W"])


def test_load_state_dict_not_strict_skips_missing_and_ignores_extra():
    model = nn.Linear(2, 3)
    b = model.b.data.copy()
    model.load_state_dict({"W": np.zeros((2, 3)), "other": np.ones(1)}, strict=False)
    assert np.all(model.W.data == 0)
    np.testing.assert_array_equal(model.b.data, b)
    with pytest.raises(ValueError, match="shape"):
        model.load_state_dict({"W": np.zeros((3, 2))}, strict=False)


def test_sequential_indexing_slicing_iteration():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = Sequential(*layers)
    assert len(model) == 3
    assert list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    head = model[:2]
    assert isinstance(head, Sequential) and list(head) == layers[:2]
    assert layers[0].W.name == "0.W"  # slicing does not rename the shared layers
    x = np.ones((4, 2), np.float32)
    np.testing.assert_allclose(model(x).data, layers[2](layers[1](layers[0](x))).data)
    with pytest.raises(TypeError, match="Sequential: item 1"):
        Sequential(nn.ReLU(), F.relu)


def test_repr_lists_layers_like_pytorch():
    model = Sequential(nn.Linear(784, 100), nn.ReLU(), Sequential(nn.Dropout(0.5)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=100, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.5)\n"
        "  )\n"
        ")"
    )


def test_parameter_keeps_the_dtype_and_is_a_variable():
    p = Parameter(np.zeros(3, np.float64), name="w")
    assert isinstance(p, Variable) and p.dtype == np.float64 and p.name == "w"
    with pytest.raises(TypeError, match="floating point"):
        Parameter(np.zeros(3, np.int64))


def test_parameter_given_a_name_keeps_it():
    class Named(Module):
        def __init__(self):
            super().__init__()
            self.w = Parameter(np.zeros(1), name="my weight")

    assert Named().w.name == "my weight"
    assert [name for name, _ in Named().named_parameters()] == ["w"]


def test_the_drawing_labels_parameters_by_their_dotted_names():
    model = Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    dot = to_dot(model(np.ones((1, 2), np.float32)).sum())
    for name in ("0.W", "0.b", "2.W", "2.b"):
        assert f"label=<{name}>" in dot
