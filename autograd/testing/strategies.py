"""Hypothesis strategies for testing differentiable functions: shapes, bounded arrays, broadcasting pairs;
and garbage for testing that bad input is refused: non-numbers, object/string arrays, ragged lists,
non-finite and empty arrays, wrong-rank shapes, bad hyperparameters and counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "arrays",
    "axes",
    "bad_counts",
    "bad_reals",
    "broadcastable_arrays",
    "broadcastable_shapes",
    "distinct_arrays",
    "empty_arrays",
    "garbage",
    "non_finite_arrays",
    "non_numeric",
    "object_arrays",
    "ragged_lists",
    "scalars",
    "shapes",
    "string_arrays",
    "windows",
    "wrong_rank_shapes",
]


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


@st.composite
def windows(
    draw: st.DrawFn,
    max_batch: int = 2,
    max_channels: int = 3,
    max_side: int = 6,
    max_kernel: int = 3,
    max_stride: int = 3,
    max_pad: int = 2,
    half_kernel_pad: bool = False,
) -> tuple[tuple[int, int, int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(NCHW input shape, kernel, stride, pad) of a 2-D sliding window that fits its padded input.

    Kernel, stride and pad are (height, width) pairs. half_kernel_pad keeps pad <= kernel // 2 (pooling).
    About one draw in four tiles the input exactly (no pad, stride == kernel, sides divisible).
    """
    n = draw(st.integers(1, max_batch))
    c = draw(st.integers(1, max_channels))
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    if draw(st.integers(0, 3)) == 0:
        sides = tuple(k * draw(st.integers(1, max(1, max_side // k))) for k in kernel)
        return (n, c, *sides), kernel, kernel, (0, 0)
    stride = (draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride)))
    pad = tuple(draw(st.integers(0, k // 2 if half_kernel_pad else max_pad)) for k in kernel)
    sides = tuple(draw(st.integers(max(1, k - 2 * p), max(max_side, k))) for k, p in zip(kernel, pad))
    return (n, c, *sides), kernel, stride, pad


# ----- garbage: inputs that a public function must refuse with a clear TypeError or ValueError -----


class _Opaque:
    """An object NumPy knows nothing about."""

    def __repr__(self) -> str:
        return "<opaque>"


def non_numeric() -> st.SearchStrategy[Any]:
    """Single values that are no number: strings, bytes, None, dicts, sets, bare objects."""
    return st.one_of(
        st.text(max_size=3),
        st.binary(max_size=3),
        st.none(),
        st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
        st.frozensets(st.integers(), max_size=2),
        st.builds(_Opaque),
    )


def object_arrays(shape: Any = None) -> st.SearchStrategy[np.ndarray]:
    """dtype=object arrays holding numbers, strings, None or bare objects (at least one element)."""
    elements = st.one_of(st.floats(-3, 3), st.integers(-3, 3), st.text(max_size=2), st.none(), st.builds(_Opaque))
    return hnp.arrays(object, shapes(min_dims=1) if shape is None else shape, elements=elements)


def string_arrays(shape: Any = None) -> st.SearchStrategy[np.ndarray]:
    """Unicode arrays, some of whose strings look like numbers ("1.5"), or bytes arrays."""
    shape = shapes(min_dims=1) if shape is None else shape
    # No trailing NUL: NumPy's fixed-width strings drop it, which hypothesis refuses to generate.
    text = st.one_of(st.text("ab1.-e ", max_size=4), st.floats(-3, 3).map(lambda v: f"{v:.1f}"))
    raw = st.binary(max_size=4).filter(lambda b: not b.endswith(b"\x00"))
    return st.one_of(hnp.arrays("U4", shape, elements=text), hnp.arrays("S4", shape, elements=raw))


@st.composite
def ragged_lists(draw: st.DrawFn) -> list[Any]:
    """Nested lists of numbers whose rows differ in length, which no rectangular array holds."""
    lengths = draw(st.lists(st.integers(0, 3), min_size=2, max_size=4).filter(lambda n: len(set(n)) > 1))
    return [[draw(st.floats(-3, 3)) for _ in range(n)] for n in lengths]


def garbage() -> st.SearchStrategy[Any]:
    """Anything that is not numeric array data: non-numbers, object and string arrays, ragged lists."""
    lists = st.lists(non_numeric(), min_size=1, max_size=3)
    return st.one_of(non_numeric(), object_arrays(), string_arrays(), ragged_lists(), lists)


@st.composite
def non_finite_arrays(draw: st.DrawFn, shape: Any = None, dtype: Any = np.float64) -> np.ndarray:
    """Float arrays in [-3, 3] with at least one NaN, inf or -inf among them."""
    x = draw(arrays(shapes(min_dims=0) if shape is None else shape, dtype)).copy()
    if x.size == 0:
        return x
    flat = x.reshape(-1)
    positions = draw(st.lists(st.integers(0, x.size - 1), min_size=1, max_size=x.size, unique=True))
    flat[positions] = [draw(st.sampled_from([np.nan, np.inf, -np.inf])) for _ in positions]
    return x


def empty_arrays(max_dims: int = 3, dtype: Any = np.float64) -> st.SearchStrategy[np.ndarray]:
    """Arrays with at least one axis of length 0."""
    return hnp.arrays(dtype, shapes(min_dims=1, max_dims=max_dims, min_side=0).filter(lambda s: 0 in s))


def wrong_rank_shapes(ndim: int, max_dims: int = 5, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes with any number of dimensions (up to max_dims) except ndim."""
    return shapes(min_dims=0, max_dims=max_dims, max_side=max_side).filter(lambda s: len(s) != ndim)


def bad_reals() -> st.SearchStrategy[Any]:
    """What no real hyperparameter (a rate, a factor, an epsilon) should accept: NaN, ±inf, non-numbers."""
    return st.one_of(st.sampled_from([np.nan, np.inf, -np.inf, np.float32(np.nan)]), non_numeric())


def bad_counts() -> st.SearchStrategy[Any]:
    """What no positive count or size should accept: zero, negatives, fractions, NaN, ±inf, bools, non-numbers."""
    return st.one_of(
        st.integers(max_value=0),
        st.sampled_from([1.5, 2.0, np.nan, np.inf, -np.inf, True]),
        non_numeric(),
    )
