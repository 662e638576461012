"""Training leaves nothing behind: 2,000 steps of an MLP keep the number of live Variables and Functions and the
traced memory flat."""

from __future__ import annotations

import gc
import tracemalloc

import autograd.functions as F
import nn
import optim
from autograd import Function, Variable
from nn.data import DataLoader
from nn.datasets import Spiral


def live_graph_objects() -> tuple[int, int]:
    """How many Variables and Functions are alive (after a full collection)."""
    gc.collect()
    objects = gc.get_objects()
    return sum(isinstance(o, Variable) for o in objects), sum(isinstance(o, Function) for o in objects)


def test_two_thousand_training_steps_leave_no_growing_graph_or_memory() -> None:
    nn.manual_seed(0)
    model = nn.MLP([2, 32, 3], batch_norm=True, dropout=0.1)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    batches = DataLoader(Spiral(), 30, shuffle=True, seed=0)  # 10 steps an epoch

    def train(steps: int) -> None:
        done = 0
        while done < steps:
            for x, t in batches:
                loss = F.softmax_cross_entropy(model(x), t)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                done += 1

    train(100)  # the optimizer's state and every cache exist from here on
    tracemalloc.start()
    try:
        before = live_graph_objects()
        start, _ = tracemalloc.get_traced_memory()
        train(1900)
        after = live_graph_objects()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after == before
    # A graph per step left alive would be ~10 KiB a step here, 19 MiB in all.
    assert end - start < 256 * 1024, f"traced memory grew by {end - start} bytes over 1,900 steps"
