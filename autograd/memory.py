"""Process-wide memory settings that make NumPy training loops faster."""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse instead of returning it to the system.

    By default glibc maps each large array afresh and unmaps it when freed (with thresholds that
    adapt to the sizes it has seen), so a training step pays page faults and zeroing for its
    activations again: 3,000-5,000 faults per SimpleConvNet step at batch 100, up to a third of
    the step (benchmarks/conv.py). After this call, large allocations come from the heap and freed
    memory stays there for the next step, as a caching allocator would keep it: no faults after the
    first step. Meant to be turned on by a training loop for its own run. The cost: the process's
    resident memory does not shrink after a peak. It affects the whole process and cannot be
    undone. Returns False (changing nothing) where glibc's mallopt is not available.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))
