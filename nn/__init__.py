"""Neural-network modules built on autograd (layers, models, datasets)."""

from nn import datasets

__all__ = ["datasets"]
