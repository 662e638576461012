"""The textbook's models: a configurable MLP, SimpleConvNet (chapter 7) and DeepConvNet (chapter 8)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from autograd import Variable, as_variable
from nn import init
from nn.layers import BatchNorm1d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sigmoid, Tanh, _positive
from nn.module import Module, Sequential

__all__ = ["MLP", "DeepConvNet", "SimpleConvNet"]

_ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


def _input_dim(model: str, input_dim: Any) -> tuple[int, int, int]:
    """(channels, height, width), each a positive int."""
    if not isinstance(input_dim, (tuple, list)) or len(input_dim) != 3:
        raise ValueError(f"{model}: input_dim must be (channels, height, width), got {input_dim!r}")
    _positive(model, **dict(zip(("channels", "height", "width"), input_dim)))
    return int(input_dim[0]), int(input_dim[1]), int(input_dim[2])


class MLP(Sequential):
    """Linear layers of the given sizes with an activation between them (and optionally batch norm, dropout).

    Each hidden layer is Linear → [BatchNorm1d] → activation → [Dropout]; the last Linear gives the logits.
    Weights are He-normal before ReLU and Xavier-normal before sigmoid or tanh (the textbook's advice).
    An input of more than two dimensions (a batch of images) is flattened to (N, features) first.
    """

    def __init__(
        self, sizes: Sequence[int], activation: str = "relu", batch_norm: bool = False, dropout: float = 0.0
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, got {sizes}")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout <= 1:
            raise ValueError(f"MLP: dropout must be a number in [0, 1], got {dropout!r}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(pairwise(sizes)):
            linear = Linear(n_in, n_out)
            if activation != "relu":
                init.xavier_normal_(linear.W)
            layers.append(linear)
            if i < len(sizes) - 2:
                if batch_norm:
                    layers.append(BatchNorm1d(n_out))
                layers.append(_ACTIVATIONS[activation]())
                if dropout:
                    layers.append(Dropout(dropout))
        super().__init__(*layers)

    def forward(self, x: Any) -> Variable:
        x = as_variable(x)
        if x.ndim > 2:
            x = x.reshape(len(x), -1)
        return super().forward(x)


class SimpleConvNet(Module):
    """conv (30 filters 5×5) → ReLU → 2×2 max-pool → affine 100 → ReLU → affine 10; weights N(0, 0.01²)."""

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        filters: int = 30,
        kernel_size: int = 5,
        hidden: int = 100,
        classes: int = 10,
        weight_std: float = 0.01,
    ) -> None:
        super().__init__()
        channels, height, width = _input_dim("SimpleConvNet", input_dim)
        _positive("SimpleConvNet", filters=filters, kernel_size=kernel_size, hidden=hidden, classes=classes)
        if height < kernel_size or width < kernel_size:
            raise ValueError(f"SimpleConvNet: input {input_dim} is smaller than the {kernel_size}×{kernel_size} kernel")
        pooled = filters * ((height - kernel_size + 1) // 2) * ((width - kernel_size + 1) // 2)
        self.conv1 = Conv2d(channels, filters, kernel_size)
        self.relu1 = ReLU()
        self.pool1 = MaxPool2d(2)
        self.flatten = Flatten()
        self.fc1 = Linear(pooled, hidden)
        self.relu2 = ReLU()
        self.fc2 = Linear(hidden, classes)
        for layer in (self.conv1, self.fc1, self.fc2):
            init.normal_(layer.W, weight_std)

    def forward(self, x: Any) -> Variable:
        x = self.pool1(self.relu1(self.conv1(x)))
        return self.fc2(self.relu2(self.fc1(self.flatten(x))))


def _conv_block(c_in: int, c_out: int, pad2: int = 1) -> list[Module]:
    return [Conv2d(c_in, c_out, 3, pad=1), ReLU(), Conv2d(c_out, c_out, 3, pad=pad2), ReLU(), MaxPool2d(2)]


class DeepConvNet(Module):
    """The textbook's chapter-8 network: six 3×3 convs (16, 16, 32, 32, 64, 64) in three pooled blocks,
    affine 50 → ReLU → dropout 0.5 → affine 10 → dropout 0.5; He initialisation.

    As in the book the fourth conv pads by 2, so 28×28 inputs reach 64 channels of 4×4 before the affine layers.
    """

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28), hidden: int = 50, classes: int = 10) -> None:
        super().__init__()
        channels, height, width = _input_dim("DeepConvNet", input_dim)
        self.features = Sequential(*_conv_block(channels, 16), *_conv_block(16, 32, pad2=2), *_conv_block(32, 64))
        # Each block halves the size by its pool; the second block's pad-2 conv first adds 2.
        height, width = ((height // 2 + 2) // 2) // 2, ((width // 2 + 2) // 2) // 2
        if height < 1 or width < 1:
            raise ValueError(f"DeepConvNet: input {input_dim} is too small for three 2×2 pools")
        self.classifier = Sequential(
            Flatten(), Linear(64 * height * width, hidden), ReLU(), Dropout(0.5), Linear(hidden, classes), Dropout(0.5)
        )

    def forward(self, x: Any) -> Variable:
        return self.classifier(self.features(x))
