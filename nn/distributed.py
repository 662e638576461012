"""Data-parallel training over MPI (mpi4py): every rank holds the whole model and a shard of each batch.

Launch N copies with `mpiexec -n N python ...` (or Slurm's `srun`). Rank 0's initial parameters are
broadcast to all ranks; each rank runs forward and backward on its own shard of the global batch, then
`allreduce_gradients` sums the gradients weighted by shard size, so every rank steps with the gradient one
process would compute on the whole batch (for a loss that averages over examples) and the replicas stay equal.

Sharding rule: a global batch of n examples gives rank r the contiguous rows [r*n//N, (r+1)*n//N). Shards
differ by at most one example and a rank's gradient is weighted by its share of n, so n need not divide by N.
A batch smaller than N (a short last batch) is refused: a rank with no examples would average an empty loss.

BatchNorm running statistics are updated by each rank from its own shard (no extra communication per step);
`average_buffers` averages them across ranks before the model is saved or evaluated. In training mode
BatchNorm normalises over each rank's shard, so only eval-mode BatchNorm matches a single process exactly.

MPI is imported on first use, and only when the process was started by an MPI launcher (its environment
says so): a plain `python` run is one rank and needs no MPI. In a multi-rank job an uncaught exception on
one rank aborts the whole job (MPI_Abort), so the others never wait forever in a collective.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, TypeVar

import numpy as np

from autograd import Variable, increment_version

# Set by MPICH's hydra, Intel MPI and Slurm's PMI-2 (PMI_*), Open MPI (OMPI_*) and PMIx launchers (PMIX_*).
_LAUNCHER_VARIABLES = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")
_INSTALL_HINT = "install the optional extra: pip install 'zerograd[mpi]' (mpi4py and the mpich wheel); ./dev does"

_MPI: Any = None  # the mpi4py.MPI module, once imported
_world: Any = None

T = TypeVar("T")


def launched_by_mpi() -> bool:
    """True when an MPI launcher (mpiexec, mpirun, srun) started this process."""
    return any(name in os.environ for name in _LAUNCHER_VARIABLES)


def comm() -> Any:
    """The world communicator (mpi4py `MPI.COMM_WORLD`); ImportError naming the extra when mpi4py is missing."""
    global _MPI, _world
    if _world is None:
        try:
            from mpi4py import MPI
        except ImportError as error:
            raise ImportError(f"nn.distributed needs MPI: {_INSTALL_HINT} ({error})") from error
        _MPI, _world = MPI, MPI.COMM_WORLD
        if _world.Get_size() > 1:
            _install_abort_hook(_world)
    return _world


def rank() -> int:
    """This process's rank, 0 .. world_size() - 1 (0 when not launched by MPI)."""
    return comm().Get_rank() if launched_by_mpi() else 0


def world_size() -> int:
    """The number of ranks in the job (1 when not launched by MPI)."""
    return comm().Get_size() if launched_by_mpi() else 1


def is_main() -> bool:
    """True on rank 0, the one rank that prints, evaluates and writes files."""
    return rank() == 0


def rank_zero_only(fn: Callable[..., T]) -> Callable[..., T | None]:
    """Wrap fn so that it runs on rank 0 only; the other ranks return None without calling it."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T | None:
        return fn(*args, **kwargs) if is_main() else None

    return wrapper


print0 = rank_zero_only(print)


def _install_abort_hook(world: Any) -> None:
    """An uncaught exception prints its traceback, then aborts every rank (the others may sit in a collective)."""
    previous = sys.excepthook

    def abort(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        previous(kind, value, tb)
        sys.stderr.write(f"nn.distributed: rank {world.Get_rank()} failed; aborting all {world.Get_size()} ranks\n")
        sys.stderr.flush()
        # The launcher forwards each rank's output through a pipe, and what is still in it when the job is
        # torn down is lost: once in CI only the traceback's first two lines arrived. Give it a moment.
        time.sleep(0.5)
        world.Abort(1)

    sys.excepthook = abort


def shard_bounds(n: int, rank: int, size: int) -> tuple[int, int]:
    """Rows [start, stop) of a global batch of n that rank `rank` of `size` takes: [r*n//N, (r+1)*n//N)."""
    if n < 0 or size < 1 or not 0 <= rank < size:
        raise ValueError(f"shard_bounds: need n >= 0 and 0 <= rank < size, got n={n}, rank={rank}, size={size}")
    return rank * n // size, (rank + 1) * n // size


def shard(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """This rank's rows of each array of one global batch (views, no copy); all must share their length."""
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"shard: the arrays of one batch differ in length: {[len(a) for a in arrays]}")
    n, size = lengths.pop(), world_size()
    if n < size:
        raise ValueError(
            f"shard: a batch of {n} examples cannot be shared by {size} ranks (each needs one); "
            "drop the short last batch or choose a batch size that leaves none"
        )
    start, stop = shard_bounds(n, rank(), size)
    return tuple(a[start:stop] for a in arrays)


def _buckets(params: list[Variable]) -> dict[np.dtype, list[int]]:
    """Parameter indices grouped by dtype: one flat buffer (one collective) per dtype, in parameter order."""
    groups: dict[np.dtype, list[int]] = {}
    for i, p in enumerate(params):
        groups.setdefault(p.data.dtype, []).append(i)
    return groups


def _check_variables(owner: str, params: Iterable[Variable]) -> list[Variable]:
    if isinstance(params, Variable):
        raise TypeError(f"{owner}: expected an iterable of Variables, got one Variable; wrap it in a list")
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Variable):
            raise TypeError(f"{owner}: item {i} is a {type(p).__name__}, not a Variable")
        if p.data.dtype.kind != "f":
            raise TypeError(f"{owner}: item {i} has dtype {p.data.dtype}; only float arrays are communicated")
    return params


def broadcast_parameters(params: Iterable[Variable], root: int = 0) -> None:
    """Overwrite every rank's parameter values with root's, in place (raising their versions); ValueError if the
    ranks' shapes differ."""
    params = _check_variables("broadcast_parameters", params)
    if world_size() == 1:
        return
    world = comm()
    layout = [(p.data.shape, p.data.dtype.str) for p in params]
    root_layout = world.bcast(layout, root=root)
    if root_layout != layout:
        raise ValueError(
            f"broadcast_parameters: rank {world.Get_rank()} has parameters {layout}, rank {root} has {root_layout}"
        )
    for indices in _buckets(params).values():
        flat = np.concatenate([params[i].data.ravel() for i in indices])
        world.Bcast(flat, root=root)
        offset = 0
        for i in indices:
            data = params[i].data
            data[...] = flat[offset : offset + data.size].reshape(data.shape)
            increment_version(params[i])
            offset += data.size


def allreduce_gradients(params: Iterable[Variable], weight: float | None = None) -> None:
    """Replace each `.grad` by sum over ranks of weight_r * grad_r: one Allreduce per dtype (usually one per step).

    weight is this rank's share of the global batch (local examples / global examples; default 1/N), so for a
    loss that averages over its examples the result is the gradient of the mean over the whole global batch.
    A `.grad` of None counts as zeros; it stays None only if it is None on every rank.
    """
    params = _check_variables("allreduce_gradients", params)
    if world_size() == 1:
        return
    world = comm()
    scale = 1.0 / world.Get_size() if weight is None else float(weight)
    for dtype, indices in _buckets(params).items():
        sizes = [params[i].data.size for i in indices]
        # One flat buffer: the weighted gradients, then one "has a gradient" flag per parameter.
        flat = np.zeros(sum(sizes) + len(indices), dtype=dtype)
        offset = 0
        for k, (i, size) in enumerate(zip(indices, sizes)):
            grad = params[i].grad
            if grad is not None:
                if grad.data.shape != params[i].data.shape:
                    raise ValueError(
                        f"allreduce_gradients: parameter {i} has shape {params[i].data.shape}, "
                        f"its gradient {grad.data.shape}"
                    )
                np.multiply(grad.data.ravel(), scale, out=flat[offset : offset + size], casting="unsafe")
                flat[len(flat) - len(indices) + k] = 1
            offset += size
        world.Allreduce(_MPI.IN_PLACE, flat)
        offset = 0
        for k, (i, size) in enumerate(zip(indices, sizes)):
            has_grad = flat[len(flat) - len(indices) + k] > 0
            params[i].grad = Variable(flat[offset : offset + size].reshape(params[i].data.shape)) if has_grad else None
            offset += size


def average_buffers(buffers: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The mean over ranks of each float buffer (e.g. BatchNorm running statistics); other dtypes are returned as is.

    Averaging the running variances gives the mean of the ranks' estimates (not the pooled variance, which would
    also count the spread between the ranks' means); with shards drawn from the same data they agree closely.
    Call it on every rank (it is a collective); the result is the same everywhere.
    """
    averaged = {name: np.array(value, copy=True) for name, value in buffers.items()}
    if world_size() == 1:
        return averaged
    world = comm()
    groups: dict[np.dtype, list[str]] = {}
    for name, value in averaged.items():
        if value.dtype.kind == "f":
            groups.setdefault(value.dtype, []).append(name)
    for dtype, names in sorted(groups.items(), key=lambda item: item[0].str):
        flat = np.concatenate([averaged[name].ravel() for name in names]).astype(dtype, copy=False)
        world.Allreduce(_MPI.IN_PLACE, flat)
        flat /= world.Get_size()
        offset = 0
        for name in names:
            value = averaged[name]
            averaged[name] = flat[offset : offset + value.size].reshape(value.shape).copy()
            offset += value.size
    return averaged

