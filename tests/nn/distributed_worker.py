"""Run by tests/nn/test_distributed.py, alone or under `mpiexec -n N`: a tiny model trained with SGD.

usage: distributed_worker.py OUT_DIR MODEL DTYPE BATCH_SIZE [die]
MODEL is `mlp` (built from autograd.functions, on a spiral) or `cnn` (nn modules: conv, BatchNorm in eval
mode, pool, affine, on 8×8 images). Writes OUT_DIR/weights-rank<R>.npz through `rank_zero_only` (so only
weights-rank0.npz should appear), with the trained weights, the Allreduce calls per optimizer step, whether
an unused parameter's gradient stayed None, and averaged rank-dependent buffers.
With `die`, rank 1 raises mid-training.
"""

import sys
from collections.abc import Callable

import numpy as np

import autograd.functions as F
import nn
import optim
from autograd import Variable
from nn import distributed

EPOCHS = 3
N_EXAMPLES = 100
LR = {"mlp": 0.5, "cnn": 0.05}

Model = tuple[list[Variable], Callable[[np.ndarray], Variable], np.ndarray, np.ndarray]


class CountingComm:
    """Delegates to the real communicator, counting Allreduce calls."""

    def __init__(self, world):
        self.world = world
        self.allreduce_calls = 0

    def Allreduce(self, *args, **kwargs):
        self.allreduce_calls += 1
        return self.world.Allreduce(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.world, name)


def mlp(dtype: np.dtype, rng: np.random.Generator) -> Model:
    """2-16-2 tanh MLP on a two-armed spiral."""
    W1, b1 = Variable(rng.normal(0, 0.5, (2, 16)).astype(dtype)), Variable(np.zeros(16, dtype))
    W2, b2 = Variable(rng.normal(0, 0.5, (16, 2)).astype(dtype)), Variable(np.zeros(2, dtype))
    data = np.random.default_rng(0)
    t = np.repeat(np.arange(2), N_EXAMPLES // 2)
    r = np.tile(np.linspace(0.1, 1.0, N_EXAMPLES // 2), 2)
    angle = 4 * r + np.pi * t + data.normal(0, 0.2, N_EXAMPLES)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1).astype(dtype)
    return [W1, b1, W2, b2], lambda x: F.linear(F.tanh(F.linear(x, W1, b1)), W2, b2), x, t


def cnn(dtype: np.dtype, rng: np.random.Generator) -> Model:
    """conv 4×3×3 → BatchNorm (eval mode, on set running statistics) → ReLU → pool 2 → affine 36→2."""
    nn.manual_seed(int(rng.integers(2**31)))
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 2)
    ).eval()
    for p in model.parameters():
        p.data = p.data.astype(dtype)
    statistics = np.random.default_rng(3)
    model[1].running_mean[...] = statistics.normal(0, 0.5, 4)
    model[1].running_var[...] = statistics.uniform(0.5, 2.0, 4)
    data = np.random.default_rng(0)
    x = data.normal(0, 1, (N_EXAMPLES, 1, 8, 8)).astype(dtype)
    t = (x[:, 0, :, :4].sum(axis=(1, 2)) > x[:, 0, :, 4:].sum(axis=(1, 2))).astype(np.int64)
    return model.parameters(), model, x, t


def main() -> None:
    out_dir, model, dtype, batch_size = sys.argv[1], sys.argv[2], np.dtype(sys.argv[3]), int(sys.argv[4])
    die = sys.argv[5:] == ["die"]
    counter = None
    if distributed.world_size() > 1:
        counter = distributed._world = CountingComm(distributed.comm())
    # Each rank draws different initial weights: the broadcast from rank 0 must make them equal.
    params, forward, x, t = {"mlp": mlp, "cnn": cnn}[model](dtype, np.random.default_rng(1 + distributed.rank()))
    unused = Variable(np.zeros(3, dtype))  # never in the loss: its gradient must stay None
    params = [*params, unused]
    distributed.broadcast_parameters(params)
    opt = optim.SGD(params, lr=LR[model], momentum=0.9)
    order = np.random.default_rng(2)
    steps = 0
    for _ in range(EPOCHS):
        perm = order.permutation(N_EXAMPLES)
        for start in range(0, N_EXAMPLES, batch_size):
            xb, tb = x[perm[start : start + batch_size]], t[perm[start : start + batch_size]]
            xs, ts = distributed.shard(xb, tb)
            opt.zero_grad()
            F.softmax_cross_entropy(forward(xs), ts).backward()
            if die and steps == 2 and distributed.rank() == 1:
                raise RuntimeError("rank 1 fails on purpose")
            distributed.allreduce_gradients(params, len(xs) / len(xb))
            unused_grad_stays_none = unused.grad is None
            opt.step()
            steps += 1
    calls = counter.allreduce_calls / steps if counter else 0.0
    # Stand-ins for BatchNorm running statistics that differ between ranks, and an integer counter.
    buffers = distributed.average_buffers({"running_mean": np.full(3, distributed.rank(), dtype), "steps": steps})
    save = distributed.rank_zero_only(np.savez)
    save(
        f"{out_dir}/weights-rank{distributed.rank()}.npz",
        *[p.data for p in params[:-1]],
        calls_per_step=calls,
        unused_grad_stays_none=unused_grad_stays_none,
        **buffers,
    )


if __name__ == "__main__":
    main()
