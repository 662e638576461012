"""nn.data: DataLoader batches, lengths, drop_last, reproducible shuffling; ArrayDataset."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.data import ArrayDataset, DataLoader


class Recorder(ArrayDataset):
    """An ArrayDataset that remembers each index it was given (to check batches are cut at once)."""

    def __init__(self, n: int) -> None:
        super().__init__(np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n))
        self.indices: list = []

    def __getitem__(self, index):
        self.indices.append(index)
        return super().__getitem__(index)


@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), drop_last=st.booleans(), shuffle=st.booleans())
def test_batches_cover_the_dataset(n, batch_size, drop_last, shuffle):
    if drop_last and batch_size > n:
        return  # refused, tested below
    ds = Recorder(n)
    loader = DataLoader(ds, batch_size, shuffle=shuffle, drop_last=drop_last)
    batches = list(loader)
    assert len(batches) == len(loader) == (n // batch_size if drop_last else -(-n // batch_size))
    assert len(ds.indices) == len(batches)  # one indexing per batch, no per-example loop
    sizes = [len(t) for _, t in batches]
    assert all(s == batch_size for s in sizes[:-1])
    assert sizes[-1] == (batch_size if drop_last or n % batch_size == 0 else n % batch_size)
    seen = np.concatenate([t for _, t in batches])
    assert len(np.unique(seen)) == len(seen) == (len(loader) * batch_size if drop_last else n)
    for x, t in batches:
        np.testing.assert_array_equal(x, ds.data[t])
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))


def test_in_order_batches_are_slices():
    ds = Recorder(10)
    x, t = next(iter(DataLoader(ds, 4)))
    assert ds.indices == [slice(0, 4)]
    assert x.dtype == np.float32 and x.shape == (4, 2) and t.tolist() == [0, 1, 2, 3]


def test_shuffle_with_a_seed_repeats_and_each_epoch_differs():
    ds = ArrayDataset(np.zeros((50, 1)), np.arange(50))

    def epochs(seed, count=3):
        loader = DataLoader(ds, 8, shuffle=True, seed=seed)
        return [np.concatenate([t for _, t in loader]) for _ in range(count)]

    first, again, other = epochs(1), epochs(1), epochs(2)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])  # a new permutation every epoch
    assert not np.array_equal(first[0], other[0])
    assert all(sorted(e.tolist()) == list(range(50)) for e in first)


def test_the_generator_state_resumes_the_order():
    ds = ArrayDataset(np.zeros((20, 1)), np.arange(20))
    loader = DataLoader(ds, 5, shuffle=True, seed=3)
    list(loader)
    state = loader.generator.bit_generator.state
    expected = [t.tolist() for _, t in loader]
    resumed = DataLoader(ds, 5, shuffle=True)
    resumed.generator.bit_generator.state = state
    assert [t.tolist() for _, t in resumed] == expected


def test_bad_arguments_are_refused():
    ds = ArrayDataset(np.zeros((5, 2)), np.arange(5))
    for bad in (0, -1, 2.0, True, "4"):
        with pytest.raises(ValueError, match=r"DataLoader: batch_size must be a positive integer, got"):
            DataLoader(ds, bad)
    with pytest.raises(ValueError, match=r"DataLoader: 5 examples make no batch of 6 with drop_last=True"):
        DataLoader(ds, 6, drop_last=True)
    with pytest.raises(ValueError, match=r"DataLoader: 0 examples make no batch of 1"):
        DataLoader(ArrayDataset(np.zeros((0, 2)), np.zeros(0)), 1)
    with pytest.raises(ValueError, match="seed only orders shuffled batches"):
        DataLoader(ds, 2, seed=0)
    with pytest.raises(TypeError, match="DataLoader: dataset must have __len__ and __getitem__, got int"):
        DataLoader(5, 2)
    assert len(DataLoader(ds, 6)) == 1  # a batch larger than the data is one short batch


def test_array_dataset_checks_lengths():
    ds = ArrayDataset(np.ones((3, 4)), [0, 1, 2])
    assert len(ds) == 3 and ds[1][1] == 1 and ds[[0, 2]][0].shape == (2, 4)
    with pytest.raises(ValueError, match=r"ArrayDataset: data of shape \(3, 4\) and targets of shape \(2,\)"):
        ArrayDataset(np.ones((3, 4)), [0, 1])
