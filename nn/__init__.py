"""Neural-network modules built on autograd: layers, the textbook's models, weight initialisation, datasets."""

from nn import data, datasets, init
from nn.init import manual_seed
from nn.layers import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Flatten,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Tanh,
)
from nn.models import MLP, DeepConvNet, SimpleConvNet
from nn.module import Module, Parameter, Sequential
from nn.train import evaluate, fit, plot_history

__all__ = [
    "MLP",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "ConvTranspose2d",
    "DeepConvNet",
    "Dropout",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SimpleConvNet",
    "Tanh",
    "data",
    "datasets",
    "evaluate",
    "fit",
    "init",
    "manual_seed",
    "plot_history",
]
