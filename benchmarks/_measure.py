"""Timing and memory helpers shared by the benchmarks: engines timed in turn, peak memory of one step."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

Step = Callable[[], object]


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def interleaved_ms(
    steps: dict[str, Step], repeats: int, warmup: int = 3, clock: str = "wall"
) -> dict[str, list[float]]:
    """Milliseconds of each step, the engines taking turns (A B A B ...) so that a machine whose speed
    drifts (other processes, clock changes) slows them alike.

    clock "cpu" counts the process's CPU time (all its threads) instead of elapsed time: steadier on a
    machine busy with other work, and a measure of work done rather than of waiting.
    """
    now = CLOCKS[clock]
    for step in steps.values():
        for _ in range(warmup):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = now()
            step()
            times[name].append((now() - start) * 1e3)
    return times


def machine() -> str:
    """One line naming the processor, core count and library versions the figures come from."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    line = f"{cpu}, {os.cpu_count()} CPUs; Python {platform.python_version()}, NumPy {np.__version__}"
    try:
        import torch
    except ImportError:
        return line
    return f"{line}, PyTorch {torch.__version__} ({torch.get_num_threads()} threads)"


def summary(times: list[float]) -> str:
    """The median and quartiles, as 'median [q1, q3]'."""
    q1, median, q3 = statistics.quantiles(times, n=4)
    return f"{median:.2f} [{q1:.2f}, {q3:.2f}]"


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(f"/proc/self/status has no {field}")


def _release_free_memory() -> None:
    """Hand the pages of freed heap memory back to the system (glibc's malloc_trim), where there is one."""
    name = ctypes.util.find_library("c")
    if name is not None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).malloc_trim(0)


def rss_peak_growth_mb(step: Step) -> float | None:
    """How far the process's resident memory rises above its level before one step, at the step's peak.

    Freed memory is handed back to the system first, so the step faults in every page it touches
    and the figure is the memory it needs at once, whatever the allocator kept from earlier steps.
    It sees every allocator alike (NumPy's and PyTorch's). Linux only (the peak is reset through
    /proc/self/clear_refs); None elsewhere.
    """
    gc.collect()
    _release_free_memory()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kb("VmRSS")
    except OSError:
        return None
    step()
    return (_status_kb("VmHWM") - before) / 1024


def traced_peak_mb(step: Step) -> float:
    """The most memory one step holds at once beyond what existed before it, as tracemalloc sees it
    (NumPy reports its arrays to it; PyTorch's allocator does not)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        return (tracemalloc.get_traced_memory()[1] - before) / 2**20
    finally:
        tracemalloc.stop()
