"""Run by tests/nn/test_distributed.py, alone or under `mpiexec -n N`: a tiny MLP trained with SGD on a spiral.

usage: distributed_worker.py OUT_DIR DTYPE BATCH_SIZE [die]
Writes OUT_DIR/weights-rank<R>.npz through `rank_zero_only` (so only weights-rank0.npz should appear), with the
trained weights, the Allreduce calls per optimizer step, whether an unused parameter's gradient stayed None,
and averaged rank-dependent buffers.
With `die`, rank 1 raises mid-training.
"""

import sys

import numpy as np

import autograd.functions as F
import optim
from autograd import Variable
from nn import distributed

EPOCHS = 3
N_EXAMPLES = 100


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


def spiral(dtype):
    rng = np.random.default_rng(0)
    t = np.repeat(np.arange(2), N_EXAMPLES // 2)
    r = np.tile(np.linspace(0.1, 1.0, N_EXAMPLES // 2), 2)
    angle = 4 * r + np.pi * t + rng.normal(0, 0.2, N_EXAMPLES)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    return x.astype(dtype), t


def main() -> None:
    out_dir, dtype, batch_size = sys.argv[1], np.dtype(sys.argv[2]), int(sys.argv[3])
    die = sys.argv[4:] == ["die"]
    counter = None
    if distributed.world_size() > 1:
        counter = distributed._world = CountingComm(distributed.comm())
    # Each rank draws different initial weights: the broadcast from rank 0 must make them equal.
    rng = np.random.default_rng(1 + distributed.rank())
    params = [
        Variable(rng.normal(0, 0.5, (2, 16)).astype(dtype)),
        Variable(np.zeros(16, dtype)),
        Variable(rng.normal(0, 0.5, (16, 2)).astype(dtype)),
        Variable(np.zeros(2, dtype)),
        Variable(np.zeros(3, dtype)),  # never used: its gradient must stay None
    ]
    distributed.broadcast_parameters(params)
    opt = optim.SGD(params, lr=0.5, momentum=0.9)
    x, t = spiral(dtype)
    order = np.random.default_rng(2)
    steps = 0
    for _ in range(EPOCHS):
        perm = order.permutation(N_EXAMPLES)
        for start in range(0, N_EXAMPLES, batch_size):
            xb, tb = x[perm[start : start + batch_size]], t[perm[start : start + batch_size]]
            xs, ts = distributed.shard(xb, tb)
            opt.zero_grad()
            W1, b1, W2, b2, _ = params
            loss = F.softmax_cross_entropy(F.linear(F.tanh(F.linear(xs, W1, b1)), W2, b2), ts)
            loss.backward()
            if die and steps == 2 and distributed.rank() == 1:
                raise RuntimeError("rank 1 fails on purpose")
            distributed.allreduce_gradients(params, len(xs) / len(xb))
            unused_grad_stays_none = params[4].grad is None
            opt.step()
            steps += 1
    calls = counter.allreduce_calls / steps if counter else 0.0
    # Stand-ins for BatchNorm running statistics that differ between ranks, and an integer counter.
    buffers = distributed.average_buffers({"running_mean": np.full(3, distributed.rank(), dtype), "steps": steps})
    save = distributed.rank_zero_only(np.savez)
    save(
        f"{out_dir}/weights-rank{distributed.rank()}.npz",
        *[p.data for p in params],
        calls_per_step=calls,
        unused_grad_stays_none=unused_grad_stays_none,
        **buffers,
    )


if __name__ == "__main__":
    main()
