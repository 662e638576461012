"""Hypothesis strategies for testing differentiable functions: shapes, bounded arrays, broadcasting pairs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["arrays", "axes", "broadcastable_arrays", "broadcastable_shapes", "distinct_arrays", "scalars", "shapes"]


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    """Array shapes, 0-d included by default; min_side=0 allows empty axes."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def _elements(
    low: float, high: float, avoid: Sequence[float], margin: float, dtype: Any
) -> st.SearchStrategy:
    width = 32 if np.dtype(dtype) == np.float32 else 64
    values = st.floats(low, high, allow_nan=False, allow_infinity=False, width=width)
    if avoid:
        # Keep inputs away from kinks and poles, where central differences are meaningless.
        values = values.filter(lambda v: all(abs(v - p) > margin for p in avoid))
    return values


def arrays(
    shape: Any = None,
    dtype: Any = np.float64,
    low: float = -3.0,
    high: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 0.05,
) -> st.SearchStrategy[np.ndarray]:
    """Float arrays with elements in [low, high], at least `margin` away from each point in `avoid`.

    shape is a tuple, a strategy of shapes, or None for `shapes()`.
    """
    shape_strategy = shapes() if shape is None else shape
    if isinstance(shape_strategy, tuple):
        shape_strategy = st.just(shape_strategy)
    return hnp.arrays(dtype, shape_strategy, elements=_elements(low, high, avoid, margin, dtype))


def scalars(
    low: float = -3.0, high: float = 3.0, avoid: Sequence[float] = (), margin: float = 0.05
) -> st.SearchStrategy[np.ndarray]:
    """0-d float64 arrays."""
    return arrays((), low=low, high=high, avoid=avoid, margin=margin)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of shapes that broadcast together (size-1 and missing axes included)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    ).map(lambda b: b.input_shapes)


@st.composite
def broadcastable_arrays(
    draw: st.DrawFn,
    num_arrays: int = 2,
    dtype: Any = np.float64,
    low: float = -3.0,
    high: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 0.05,
    max_dims: int = 3,
) -> tuple[np.ndarray, ...]:
    """Tuples of arrays whose shapes broadcast together."""
    shapes_ = draw(broadcastable_shapes(num_arrays, max_dims=max_dims))
    return tuple(draw(arrays(s, dtype, low, high, avoid, margin)) for s in shapes_)


@st.composite
def axes(draw: st.DrawFn, ndim: int) -> Any:
    """A valid `axis` argument for an array of ndim dimensions: None, an int (maybe negative) or a tuple."""
    if ndim == 0:
        return draw(st.sampled_from([None, ()]))
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        return None
    if choice == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    return tuple(sorted(chosen))


def _well_separated(x: np.ndarray, gap: float) -> bool:
    return x.size < 2 or bool(np.min(np.diff(np.sort(x, axis=None))) > gap)


def distinct_arrays(
    shape: Any = None, dtype: Any = np.float64, low: float = -3.0, high: float = 3.0, gap: float = 1e-3
) -> st.SearchStrategy[np.ndarray]:
    """Float arrays whose elements are pairwise more than `gap` apart, so max, min and max-pooling have one
    winner per window that a small perturbation cannot change."""
    shape_strategy = shapes() if shape is None else shape
    if isinstance(shape_strategy, tuple):
        shape_strategy = st.just(shape_strategy)
    return hnp.arrays(dtype, shape_strategy, elements=_elements(low, high, (), 0.0, dtype), unique=True).filter(
        lambda x: _well_separated(x, gap)
    )
