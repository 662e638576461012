"""Mini-batches: DataLoader cuts a dataset into (x, t) batches of NumPy arrays, and ArrayDataset
makes a dataset of two arrays."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import numpy as np

__all__ = ["ArrayDataset", "DataLoader"]


class Dataset(Protocol):
    """What DataLoader needs: a length, and indexing by a slice or an integer array giving (x, t)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: Any) -> tuple[np.ndarray, np.ndarray]: ...


def _numeric(name: str, values: Any) -> np.ndarray:
    """values as an ndarray of numbers (booleans, integers or floats)."""
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"ArrayDataset: {name} is not a rectangular array: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"ArrayDataset: {name} must be numbers, got an array of dtype {array.dtype}")
    return array


class ArrayDataset:
    """A dataset of two arrays of equal length: example i is (data[i], targets[i])."""

    def __init__(self, data: np.ndarray, targets: np.ndarray) -> None:
        data, targets = _numeric("data", data), _numeric("targets", targets)
        if data.ndim == 0 or targets.ndim == 0 or len(data) != len(targets):
            raise ValueError(
                f"ArrayDataset: data of shape {data.shape} and targets of shape {targets.shape} "
                "need the same length along axis 0"
            )
        self.data = data
        self.targets = targets

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.data[index], self.targets[index]

    def __repr__(self) -> str:
        return f"ArrayDataset({len(self)} examples of {self.data.shape[1:]})"


class DataLoader:
    """Iterates over a dataset in batches `(x, t)`, each cut from the whole arrays at once.

    The dataset is indexed with a slice (in order) or an integer array (shuffled), never one
    example at a time; the datasets in nn.datasets and ArrayDataset work so. `len()` is the number
    of batches: ceil(N / batch_size), or floor with drop_last=True (the short last batch dropped).
    With shuffle=True every epoch (every `iter`) draws a new permutation from one Generator seeded
    by `seed`: the same seed gives the same sequence of epochs. `generator` is that Generator; its
    `bit_generator.state` can be saved and restored to resume the sequence.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if isinstance(dataset, (str, bytes, Mapping)) or not (
            hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")
        ):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"DataLoader: seed must be None or a non-negative integer, got {seed!r}")
        if seed is not None and not shuffle:
            raise ValueError("DataLoader: seed only orders shuffled batches; pass shuffle=True or no seed")
        n = len(dataset)
        if n == 0 or (drop_last and batch_size > n):
            raise ValueError(
                f"DataLoader: {n} examples make no batch of {batch_size}" + (" with drop_last=True" if n else "")
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        order = self.generator.permutation(len(self.dataset)) if self.shuffle else None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            stop = start + self.batch_size
            yield self.dataset[order[start:stop] if order is not None else slice(start, stop)]

    def __repr__(self) -> str:
        return (
            f"DataLoader({len(self)} batches of {self.batch_size} from {self.dataset!r}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
