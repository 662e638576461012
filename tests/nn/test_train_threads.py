"""Grad mode is per thread and fit keeps no global state: two models trained at once in two threads end with the
weights they get when trained one after the other."""

from __future__ import annotations

import threading

import nn
import optim
from nn.data import DataLoader
from nn.datasets import Spiral


def make(seed: int) -> tuple[nn.Module, optim.Optimizer, DataLoader]:
    # No dropout: its masks come from nn.init's one shared generator, which concurrent threads would interleave.
    nn.manual_seed(seed)
    model = nn.MLP([2, 32, 3], batch_norm=True)
    return model, optim.Adam(model.parameters(), lr=0.01), DataLoader(Spiral(), 30, shuffle=True, seed=seed)


def test_two_models_trained_in_two_threads_match_training_one_after_the_other() -> None:
    sequential = []
    for seed in (0, 1):
        model, opt, data = make(seed)
        nn.fit(model, opt, data, 20, progress=False)
        sequential.append(model.state_dict())

    runs = [make(seed) for seed in (0, 1)]
    errors: list[BaseException] = []

    def train(model: nn.Module, opt: optim.Optimizer, data: DataLoader) -> None:
        try:
            nn.fit(model, opt, data, 20, progress=False)
        except BaseException as error:  # re-raised in the main thread, where pytest sees it
            errors.append(error)

    threads = [threading.Thread(target=train, args=run) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for (model, _, _), expected in zip(runs, sequential):
        state = model.state_dict()
        assert state.keys() == expected.keys()
        for key in state:
            assert state[key].tobytes() == expected[key].tobytes(), key
