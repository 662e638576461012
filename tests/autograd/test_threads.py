"""zerograd's threads: batch parts, the same results on any number of threads, errors, errstate, fork, BLAS."""

import os
import subprocess
import sys
import threading
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, get_num_threads, set_num_threads
from autograd import threads as zthreads
from autograd.testing import strategies as zst


@pytest.fixture(autouse=True)
def restore_threads():
    before = get_num_threads()
    yield
    set_num_threads(before)


@given(st.integers(0, 50), st.integers(1, 8))
def test_batch_parts_cover_the_batch_in_order_without_empty_parts(n, threads):
    set_num_threads(threads)
    parts = zthreads.batch_parts(n)
    assert len(parts) == (min(threads, n) or 1)
    assert parts[0].start == 0 and parts[-1].stop == n
    assert all(a.stop == b.start for a, b in pairwise(parts))
    if n:
        sizes = [p.stop - p.start for p in parts]
        assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "2", None])
def test_set_num_threads_refuses_what_is_not_a_positive_int(n):
    before = get_num_threads()
    with pytest.raises(ValueError, match="set_num_threads: n must be a positive int"):
        set_num_threads(n)
    assert get_num_threads() == before


def conv_step(x, W, b, stride, pad, transpose):
    """Output and every gradient of one conv2d or conv_transpose2d, with a weighted sum as the loss."""
    xv, Wv, bv = Variable(x), Variable(W), Variable(b)
    f = F.conv_transpose2d if transpose else F.conv2d
    y = f(xv, Wv, bv, stride, pad)
    weights = np.random.default_rng(1).standard_normal(y.shape)
    (y * weights).sum().backward()
    return [y.data, xv.grad.data, Wv.grad.data, bv.grad.data]


@settings(max_examples=40, deadline=None)
@given(zst.windows(max_batch=7, max_channels=4), st.integers(1, 3), st.integers(2, 4), st.booleans())
def test_convolutions_give_the_same_values_and_gradients_on_any_number_of_threads(window, out_c, threads, transpose):
    shape, kernel, stride, pad = window
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    in_c = shape[1]
    if transpose:
        # Pads up to (K − 1) / 2 keep the output non-empty. At stride 1 with in <= out channels the
        # adjoint runs as a convolution, otherwise through per-offset patches: both are drawn.
        pad = (min(pad[0], (kernel[0] - 1) // 2), min(pad[1], (kernel[1] - 1) // 2))
        W = rng.standard_normal((in_c, out_c, *kernel))
    else:
        W = rng.standard_normal((out_c, in_c, *kernel))
    b = rng.standard_normal(out_c)
    set_num_threads(1)
    one = conv_step(x, W, b, stride, pad, transpose)
    set_num_threads(threads)
    many = conv_step(x, W, b, stride, pad, transpose)
    for a, c in zip(one, many):
        np.testing.assert_allclose(c, a, rtol=1e-10, atol=1e-10)


def pool_step(x, pool, window):
    _, kernel, stride, pad = window
    xv = Variable(x)
    y = pool(xv, kernel, stride, pad)
    (y * np.random.default_rng(1).standard_normal(y.shape)).sum().backward()
    return [y.data, xv.grad.data]


@settings(max_examples=30, deadline=None)
@given(zst.windows(max_batch=7, max_channels=3, half_kernel_pad=True), st.integers(2, 4), st.booleans())
def test_pooling_gives_the_same_values_and_gradients_on_any_number_of_threads(window, threads, average):
    from autograd.functions import pooling

    x = np.random.default_rng(0).standard_normal(window[0])
    pool = F.avg_pool2d if average else F.max_pool2d
    set_num_threads(1)
    one = pool_step(x, pool, window)
    set_num_threads(threads)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pooling, "SPLIT_ELEMENTS", 1)  # split these small inputs too
        many = pool_step(x, pool, window)
    for a, c in zip(one, many):
        np.testing.assert_array_equal(c, a)


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 4), st.integers(1, 300))
def test_large_products_give_the_same_values_on_any_number_of_threads(threads, rows):
    rng = np.random.default_rng(rows)
    inner = zthreads.SPLIT_MULTIPLY_ADDS // (rows * 64) + 1  # just over the size that is split
    a, b = rng.standard_normal((rows, inner)), rng.standard_normal((inner, 64))
    set_num_threads(1)
    one = F.linear(a, b).data
    set_num_threads(threads)
    np.testing.assert_allclose(F.linear(a, b).data, one, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(F.matmul(a, b).data, a @ b, rtol=1e-9, atol=1e-9)


def test_a_failing_part_raises_in_the_caller_after_every_part_has_finished():
    set_num_threads(3)
    finished = []

    def part(images):
        if images.start == 1:
            raise ValueError("part 1 failed")
        finished.append(images.start)

    with pytest.raises(ValueError, match="part 1 failed"):
        zthreads.map_parts(part, zthreads.batch_parts(3))
    assert sorted(finished) == [0, 2]


def test_errstate_of_the_caller_holds_in_the_other_threads():
    set_num_threads(2)
    x = np.zeros((2, 1, 3, 3))
    x[1, 0, 0, 0] = np.inf  # in the second image, which another thread computes: inf · 0 is invalid
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        F.conv2d(x, np.zeros((1, 1, 2, 2)))


def test_threads_of_the_user_may_run_convolutions_at_once():
    set_num_threads(2)
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((6, 3, 8, 8)) for _ in range(4)]
    W = rng.standard_normal((5, 3, 3, 3))
    expected = [F.conv2d(x, W, pad=1).data for x in inputs]
    got = [None] * len(inputs)

    def run(i):
        for _ in range(5):
            got[i] = F.conv2d(inputs[i], W, pad=1).data

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(inputs))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def run_python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_makes_its_own_threads():
    code = (
        "import os, numpy as np, autograd.functions as F\n"
        "from autograd import set_num_threads\n"
        "set_num_threads(2)\n"
        "x, W = np.ones((4, 2, 5, 5)), np.ones((3, 2, 3, 3))\n"
        "F.conv2d(x, W)\n"  # the parent's threads exist now
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if float(F.conv2d(x, W).data.sum()) == 4 * 3 * 9 * 18 else 1)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0"]


@pytest.mark.skipif(zthreads._BLAS is None, reason="NumPy's BLAS here is not an OpenBLAS whose threads can be set")
@pytest.mark.parametrize("blas_threads", ["1", "2", "3"])
def test_zerograd_takes_over_openblas_threads_and_gives_them_back(blas_threads):
    code = (
        "from autograd import threads, get_num_threads, set_num_threads\n"
        "get_blas = threads._BLAS[0]\n"
        "print(get_num_threads(), get_blas())\n"
        "set_num_threads(1)\n"
        "print(get_num_threads(), get_blas())\n"
    )
    result = run_python(code, OPENBLAS_NUM_THREADS=blas_threads)
    assert result.returncode == 0, result.stderr
    n = min(int(blas_threads), os.cpu_count() or 1)  # OpenBLAS starts no more threads than cores
    assert result.stdout.split() == [str(n), "1", "1", str(n)]
