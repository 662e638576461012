"""zerograd's threads: convolutions, pooling and large products split their batch across them.

OpenBLAS parallelises each GEMM on its own, but a convolution's GEMMs are thin (K of 9 to 576) and
between them the window copies run on one core; and after each parallel GEMM OpenBLAS's idle
threads spin for a while, taking cores from whatever runs next. DeepConvNet's step took 157 ms with
one OpenBLAS thread and 225 ms with two on a 2-core machine (benchmarks/separate.py). So zerograd
does as PyTorch does with its own BLAS: it takes the threads over. At import NumPy's OpenBLAS is set
to one thread and zerograd keeps as many threads as OpenBLAS had (OPENBLAS_NUM_THREADS, else the
cores); each op that splits its batch runs a part's copies and GEMMs in each thread. NumPy and
OpenBLAS release the GIL while they run.

set_num_threads(1) turns the split off and gives OpenBLAS back the threads it had at import. Where
OpenBLAS's thread setter is not found (another BLAS, or no /proc), zerograd starts with one thread.
"""

from __future__ import annotations

import contextvars
import ctypes
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

import numpy  # noqa: F401  (loads the BLAS library that _blas_thread_functions looks for)

__all__ = ["get_num_threads", "set_num_threads"]

T = TypeVar("T")


def _blas_thread_functions() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """OpenBLAS's get/set_num_threads from the library NumPy loaded, or None where there is none."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        # NumPy's wheels carry OpenBLAS with prefixed, 64-bit-integer symbols; a system build has plain ones.
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                    return get, set_
    return None


_BLAS = _blas_thread_functions()
_BLAS_THREADS_AT_IMPORT = max(1, _BLAS[0]()) if _BLAS is not None else 1

_lock = threading.Lock()
_threads = 1
_pool: ThreadPoolExecutor | None = None


def set_num_threads(n: int) -> None:
    """Run zerograd's batch-split ops on n threads (PyTorch's name); NumPy's BLAS gets one thread while n > 1.

    With n = 1 every op runs in the calling thread and OpenBLAS gets back the threads it had at import.
    """
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive int, got {n!r}")
    with _lock:
        if _BLAS is not None:
            _BLAS[1](1 if n > 1 else _BLAS_THREADS_AT_IMPORT)
        if _pool is not None and n != _threads:
            _pool.shutdown(wait=False)  # its running parts finish; new ones go to a pool of the new size
            _pool = None
        _threads = n


def get_num_threads() -> int:
    """The number of threads zerograd's batch-split ops run on."""
    return _threads


def _forget_pool() -> None:
    # A forked child has the pool object but not its threads: it must make its own.
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool)
set_num_threads(_BLAS_THREADS_AT_IMPORT)


# Waking a thread and waiting for it took 130-300 µs on the 2-core test machine (a virtual one), so
# only work of about a millisecond or more on one core is split: elementwise passes over this many
# elements, matrix products of this many multiply-adds. (Convolutions always are.)
SPLIT_ELEMENTS = 1 << 19
SPLIT_MULTIPLY_ADDS = 1 << 25


def batch_parts(n: int, worth_splitting: bool = True) -> list[slice]:
    """The batch 0..n in up to get_num_threads() contiguous parts of nearly equal size (never an empty one).

    One part, the whole batch, when not worth_splitting.
    """
    parts = (min(_threads, n) if worth_splitting else 1) or 1
    bounds = [n * k // parts for k in range(parts + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(parts)]


def map_parts(fn: Callable[[slice], T], parts: list[slice]) -> list[T]:
    """[fn(part) for part in parts]: the first part in the calling thread, the others on zerograd's threads."""
    global _pool
    if len(parts) == 1:
        return [fn(parts[0])]
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_threads - 1, thread_name_prefix="zerograd")
        pool = _pool
    # Each part runs in a copy of the caller's context, where NumPy keeps np.errstate.
    futures = [pool.submit(contextvars.copy_context().run, fn, part) for part in parts[1:]]
    try:
        first = fn(parts[0])
    finally:
        wait(futures)  # all of them, even when one fails: none may still be writing when this returns
    return [first, *(future.result() for future in futures)]
