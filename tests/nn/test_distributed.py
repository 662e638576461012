"""nn.distributed: sharding and single-process behaviour in process; 2 ranks under the wheel's mpiexec vs 1 process."""

import itertools
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Variable
from nn import distributed

WORKER = Path(__file__).with_name("distributed_worker.py")
BIN = Path(sys.executable).parent
MPIEXEC = shutil.which("mpiexec", path=str(BIN)) or shutil.which("mpiexec")
TIMEOUT_S = 60
LAUNCHER_VARIABLES = ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")


def _has_mpi4py() -> bool:
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


needs_mpi = pytest.mark.skipif(
    MPIEXEC is None or not _has_mpi4py(),
    reason="mpiexec or mpi4py missing: install the [mpi] extra (./dev does)",
)


@pytest.fixture
def single_process(monkeypatch):
    """A process not started by an MPI launcher, with no communicator cached."""
    for name in LAUNCHER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(distributed, "_world", None)


def run(args: list[str], ranks: int | None) -> subprocess.CompletedProcess:
    """Run Python with args, alone or under mpiexec; the whole process group is killed at the timeout."""
    command = [sys.executable, *args]
    if ranks is not None:
        command = [MPIEXEC, "-n", str(ranks), *command]
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{' '.join(command)} hung for {TIMEOUT_S} s")
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def train(tmp_path: Path, name: str, model: str, dtype: str, batch_size: int, ranks: int | None) -> dict:
    out = tmp_path / name
    out.mkdir()
    result = run([str(WORKER), str(out), model, dtype, str(batch_size)], ranks)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(out)) == ["weights-rank0.npz"], "only rank 0 may write"
    with np.load(out / "weights-rank0.npz") as f:
        return dict(f)


@given(n=st.integers(0, 1000), size=st.integers(1, 64))
def test_shards_partition_the_batch_evenly(n, size):
    bounds = [distributed.shard_bounds(n, r, size) for r in range(size)]
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(stop == next_start for (_, stop), (next_start, _) in itertools.pairwise(bounds))
    lengths = [stop - start for start, stop in bounds]
    assert max(lengths) - min(lengths) <= 1


@pytest.mark.parametrize(("n", "rank", "size"), [(-1, 0, 1), (4, 2, 2), (4, -1, 2), (4, 0, 0)])
def test_shard_bounds_rejects_bad_arguments(n, rank, size):
    with pytest.raises(ValueError, match="shard_bounds"):
        distributed.shard_bounds(n, rank, size)


def test_single_process_is_rank_zero_of_one_without_mpi(single_process, monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # nothing may import MPI outside an MPI launch
    assert (distributed.rank(), distributed.world_size(), distributed.is_main()) == (0, 1, True)
    x, t = np.arange(10.0).reshape(5, 2), np.arange(5)
    xs, ts = distributed.shard(x, t)
    assert xs is not x and np.array_equal(xs, x) and np.array_equal(ts, t)
    p = Variable(np.ones(3))
    p.grad = Variable(np.full(3, 2.0))
    distributed.broadcast_parameters([p])
    distributed.allreduce_gradients([p], 0.5)
    assert np.array_equal(p.data, np.ones(3)) and np.array_equal(p.grad.data, np.full(3, 2.0))
    buffers = {"bn.running_mean": np.arange(3.0)}
    averaged = distributed.average_buffers(buffers)
    assert np.array_equal(averaged["bn.running_mean"], buffers["bn.running_mean"])
    assert averaged["bn.running_mean"] is not buffers["bn.running_mean"]


def test_shard_rejects_arrays_of_different_lengths(single_process):
    with pytest.raises(ValueError, match=r"shard: .*\[3, 4\]"):
        distributed.shard(np.zeros(3), np.zeros(4))


def test_shard_refuses_a_batch_smaller_than_the_world(single_process, monkeypatch):
    monkeypatch.setattr(distributed, "world_size", lambda: 3)
    with pytest.raises(ValueError, match="a batch of 2 examples cannot be shared by 3 ranks"):
        distributed.shard(np.zeros(2))


def test_communication_takes_variables_only(single_process):
    with pytest.raises(TypeError, match="wrap it in a list"):
        distributed.broadcast_parameters(Variable(np.zeros(2)))
    with pytest.raises(TypeError, match="item 1 is a ndarray"):
        distributed.allreduce_gradients([Variable(np.zeros(2)), np.zeros(2)])


def test_rank_zero_only_runs_on_rank_zero(single_process, monkeypatch):
    calls = []
    record = distributed.rank_zero_only(calls.append)
    assert record(1) is None and calls == [1]
    monkeypatch.setattr(distributed, "rank", lambda: 1)
    record(2)
    assert calls == [1]


def test_missing_mpi4py_under_a_launcher_names_the_extra(single_process, monkeypatch):
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError, match=r"zerograd\[mpi\]"):
        distributed.world_size()


@needs_mpi
@pytest.mark.parametrize("model", ["mlp", "cnn"])  # cnn: conv, BatchNorm in eval mode, pool, affine
@pytest.mark.parametrize(("dtype", "tolerance"), [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("batch_size", [30, 7])  # 30: even shards; 7: shards of 3 and 4, last batch 2
def test_two_ranks_end_at_the_single_process_weights(tmp_path, model, dtype, tolerance, batch_size):
    one = train(tmp_path, "one", model, dtype, batch_size, ranks=None)
    two = train(tmp_path, "two", model, dtype, batch_size, ranks=2)
    weights = sorted(k for k in one if k.startswith("arr_"))
    assert len(weights) == {"mlp": 4, "cnn": 6}[model]
    for i, key in enumerate(weights):
        a, b = one[key], two[key]
        assert a.dtype == b.dtype == np.dtype(dtype)
        assert np.max(np.abs(a - b)) <= tolerance * np.max(np.abs(a)), f"parameter {i}"
    assert two["calls_per_step"] == 1, "gradient averaging must be one Allreduce per step"
    assert two["unused_grad_stays_none"]
    np.testing.assert_array_equal(two["running_mean"], np.full(3, 0.5, dtype))
    assert two["steps"] == one["steps"]


@needs_mpi
def test_a_failing_rank_aborts_the_job(tmp_path):
    result = run([str(WORKER), str(tmp_path), "mlp", "float64", "30", "die"], ranks=2)
    assert result.returncode != 0
    assert "rank 1 fails on purpose" in result.stderr + result.stdout
    assert "aborting all 2 ranks" in result.stderr + result.stdout
    assert os.listdir(tmp_path) == []


EXAMPLE = ["-m", "nn", "--model", "mlp", "--dataset", "spiral", "--epochs", "5", "--batch-size", "30", "--seed", "0",
           "--optimizer", "sgd", "--lr", "1.0"]


@needs_mpi
def test_the_training_command_on_two_ranks_ends_at_the_one_process_weights(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = run([*EXAMPLE, "--save", str(tmp_path / "one" / "w.npz")], ranks=None)
    two = run([*EXAMPLE, "--save", str(tmp_path / "two" / "w.npz")], ranks=2)
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    lines = two.stdout.splitlines()
    assert lines[0].endswith("seed 0, 2 processes")
    assert sum(line.startswith("wrote the weights to") for line in lines) == 1, "rank 0 alone reports"
    assert sum(line.startswith("test accuracy") for line in lines) == 1
    assert os.listdir(tmp_path / "two") == ["w.npz"]
    with np.load(tmp_path / "one" / "w.npz") as a, np.load(tmp_path / "two" / "w.npz") as b:
        assert a.files == b.files
        for key in a.files:
            assert a[key].dtype == b[key].dtype == np.float32
            assert np.max(np.abs(a[key] - b[key])) <= 1e-5 * np.max(np.abs(a[key])), key


@needs_mpi
def test_the_training_command_refuses_a_last_batch_smaller_than_the_world(tmp_path):
    result = run([*EXAMPLE, "--limit", "31", "--save", str(tmp_path / "w.npz")], ranks=2)
    assert result.returncode != 0
    assert "the last batch of 1 example(s) cannot be shared by 2 processes" in result.stderr
    assert os.listdir(tmp_path) == []
