"""OPS: one OpInfo for every name in `autograd.functions.__all__`, with the inputs each op is checked on."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd.functions as F
from autograd.core import as_variable
from autograd.testing.opinfo import Case, OpInfo
from autograd.testing.strategies import arrays, axes, broadcastable_shapes, shapes

__all__ = ["OPS"]

Shape = tuple[int, ...]


# ----- input values -----

positive = partial(arrays, low=0.1)
unit_interval = partial(arrays, low=0.0, high=1.0)
away_from_zero = partial(arrays, avoid=(0.0,))
divisors = partial(arrays, avoid=(0.0,), margin=0.3)


def grid(shape: Shape, step: float = 0.05, offset: float = 0.0, unique: bool = True) -> st.SearchStrategy[np.ndarray]:
    """Values offset + k·step in [-3, 3]: unique ones leave max, min and max-pooling one clear winner."""
    count = int(3 / step)
    elements = st.integers(-count, count).map(lambda k: offset + k * step)
    return hnp.arrays(np.float64, shape, elements=elements, unique=unique)


# Two grids a quarter-step apart: maximum(a, b) and minimum(a, b) never meet a tie that a small
# perturbation could flip.
coarse = partial(grid, step=0.25, unique=False)
coarse_shifted = partial(grid, step=0.25, offset=0.125, unique=False)


# ----- calls -----


@st.composite
def reductions(draw: st.DrawFn, ndim: int = 3) -> Case:
    shape = draw(shapes(max_dims=ndim, max_side=3))
    return Case((shape,), {"axis": draw(axes(len(shape))), "keepdims": draw(st.booleans())})


def _reduction_edges(name: str) -> tuple[Case, ...]:
    empty_axis = Case(((2, 0),), {"axis": 1})
    edges = [Case(((),)), Case(((2, 0),), {"axis": 0, "keepdims": True})]
    return tuple(edges) if name in ("max", "min", "mean") else (*edges, Case(((0,),)), empty_axis)


@st.composite
def reshapes(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    target = list(draw(st.permutations(shape))) + [1] * draw(st.integers(0, 1))
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return Case((shape,), {"shape": tuple(target)})


@st.composite
def transposes(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    order = draw(st.none() | st.permutations(range(len(shape))).map(tuple))
    return Case((shape,), {"axes": order})


@st.composite
def broadcasts(draw: st.DrawFn) -> Case:
    """A shape and a shape it broadcasts to (new leading axes, size-1 axes stretched)."""
    shape = draw(shapes())
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    target = (*lead, *(draw(st.integers(1, 3)) if n == 1 else n for n in shape))
    return Case((shape,), {"shape": target})


@st.composite
def sums_to(draw: st.DrawFn) -> Case:
    """A shape and one it sums down to (the reverse of broadcasting)."""
    (small,), params = draw(broadcasts())
    return Case((params["shape"],), {"shape": small})


@st.composite
def flattens(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    ndim = max(len(shape), 1)
    start = draw(st.integers(-ndim, ndim - 1))
    end = draw(st.integers(start % ndim, ndim - 1))
    return Case((shape,), {"start_dim": start, "end_dim": end})


@st.composite
def indexings(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    options = [hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True), hnp.arrays(bool, shape)]
    if shape:
        options.append(hnp.integer_array_indices(shape))
    return Case((shape,), {"index": draw(st.one_of(options))})


@st.composite
def concatenations(draw: st.DrawFn) -> Case:
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    sizes = draw(st.lists(st.integers(0, 3), min_size=3, max_size=3))
    at = axis % len(shape)
    given = tuple((*shape[:at], n, *shape[at + 1 :]) for n in sizes)
    return Case(given, {"axis": axis})


@st.composite
def stacks(draw: st.DrawFn) -> Case:
    shape = draw(shapes())
    return Case((shape, shape), {"axis": draw(st.integers(-len(shape) - 1, len(shape)))})


@st.composite
def wheres(draw: st.DrawFn) -> Case:
    x, y, condition = draw(broadcastable_shapes(3))
    return Case((x, y), {"condition": draw(hnp.arrays(bool, condition))})


@st.composite
def matmuls(draw: st.DrawFn) -> Case:
    """Operands of NumPy's matmul: 1-D vectors, matrices and broadcast batches of them."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=2, max_side=2))
    a = (k,) if draw(st.integers(0, 4)) == 0 else (*batch_a, n, k)
    b = (k,) if draw(st.integers(0, 4)) == 0 else (*batch_b, k, m)
    return Case((a, b))


@st.composite
def dots(draw: st.DrawFn) -> Case:
    """np.dot's operands of at most 2 dimensions; a 0-d operand multiplies."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    a = draw(st.sampled_from([(), (k,), (n, k)]))
    b = draw(shapes(max_dims=2)) if a == () else draw(st.sampled_from([(), (k,), (k, m)]))
    return Case((a, b))


@st.composite
def linears(draw: st.DrawFn) -> Case:
    lead = draw(shapes(min_dims=1, max_dims=3, max_side=3))
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    given = ((*lead, n_in), (n_in, n_out)) + (((n_out,),) if draw(st.booleans()) else ())
    return Case(given)


@st.composite
def same_shapes(draw: st.DrawFn, min_side: int = 1) -> Case:
    shape = draw(shapes(min_side=min_side))
    return Case((shape, shape))


@st.composite
def classifications(draw: st.DrawFn) -> Case:
    """Logits (N, C) with soft targets (N, C), or with integer labels (N,) passed as the parameter t."""
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    if draw(st.booleans()):
        return Case(((n, c), (n, c)))
    return Case(((n, c),), {"t": draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))})


@st.composite
def softmaxes(draw: st.DrawFn) -> Case:
    shape = draw(shapes(max_side=3))
    return Case((shape,), {"axis": draw(axes(len(shape)))})


@st.composite
def window_params(draw: st.DrawFn, hw: tuple[int, int], half_kernel_pad: bool = False) -> dict[str, Any]:
    """kernel_size, stride and pad (height, width pairs) of a window that fits an input of spatial size hw."""
    kernel, stride, pad = [], [], []
    for side in hw:
        p = draw(st.integers(0, 1))
        k = draw(st.integers(max(1, 2 * p) if half_kernel_pad else 1, min(3, side + 2 * p)))
        kernel.append(k)
        pad.append(p)
        stride.append(draw(st.integers(1, 2)))
    return {"kernel_size": tuple(kernel), "stride": tuple(stride), "pad": tuple(pad)}


@st.composite
def images(draw: st.DrawFn, half_kernel_pad: bool = False) -> Case:
    """An NCHW input with a window that fits it."""
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    return Case((shape,), draw(window_params(shape[2:], half_kernel_pad)))


@st.composite
def columns(draw: st.DrawFn) -> Case:
    """A column matrix of im2col's shape for a drawn input shape and window: col2im's input."""
    (shape,), params = draw(images())
    (kh, kw), (sh, sw), (ph, pw) = params["kernel_size"], params["stride"], params["pad"]
    oh, ow = (shape[2] + 2 * ph - kh) // sh + 1, (shape[3] + 2 * pw - kw) // sw + 1
    return Case(((shape[0] * oh * ow, shape[1] * kh * kw),), {**params, "input_shape": shape})


@st.composite
def convolutions(draw: st.DrawFn, transposed: bool = False) -> Case:
    """x (N, C, H, W), W (OC, C, KH, KW) or, transposed, (C, OC, KH, KW), maybe b (OC,); stride and pad."""
    (x,), window = draw(images())
    channels, out_channels = x[1], draw(st.integers(1, 2))
    (kh, kw), stride, pad = window["kernel_size"], window["stride"], window["pad"]
    if transposed:
        # The output (H − 1)·s − 2p + K must be non-empty.
        pad = tuple(min(p, (side - 1) * s + k - 1) // 2 for p, side, s, k in zip(pad, x[2:], stride, (kh, kw)))
    W = (channels, out_channels, kh, kw) if transposed else (out_channels, channels, kh, kw)
    given = (x, W, (out_channels,)) if draw(st.booleans()) else (x, W)
    return Case(given, {"stride": stride, "pad": pad})


@st.composite
def dropouts(draw: st.DrawFn) -> Case:
    return Case((draw(shapes()),), {"p": draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))})


@st.composite
def batch_norms(draw: st.DrawFn) -> Case:
    n, c = draw(st.integers(2, 3)), draw(st.integers(1, 2))
    spatial = draw(st.sampled_from([(), (1, 2), (2, 2)]))
    return Case(((n, c, *spatial), (c,), (c,)), {"training": draw(st.booleans())})


def _batch_norm(x: Any, gamma: Any, beta: Any, training: bool) -> Any:
    # One channel when x has too few axes, so that batch_norm itself refuses the shape.
    shape = as_variable(x).shape
    channels = shape[1] if len(shape) > 1 else 1
    return F.batch_norm(x, gamma, beta, np.zeros(channels), np.ones(channels), training)


def _dropout(x: Any, p: float) -> Any:
    # A fresh generator with a fixed seed: the same mask on every call, as central differences need.
    return F.dropout(x, p, rng=np.random.default_rng(0))


def _astype_round_trip(x: Any) -> Any:
    # Through float64 and back: float32 stays float32 outside, and AsType's backward casts both ways.
    return F.astype(F.astype(x, np.float64), x.dtype)


OPS: tuple[OpInfo, ...] = (
    # arithmetic
    OpInfo("add", F.add, 2),
    OpInfo("sub", F.sub, 2),
    OpInfo("mul", F.mul, 2),
    OpInfo("div", F.div, 2, domain=(arrays, divisors)),
    OpInfo("neg", F.neg),
    OpInfo("clone", F.clone),
    OpInfo("pow", F.pow, 2, domain=(partial(arrays, low=0.2), partial(arrays, low=-2.0, high=2.0))),
    # elementwise
    OpInfo("exp", F.exp),
    OpInfo("log", F.log, domain=positive),
    OpInfo("sqrt", F.sqrt, domain=positive),
    OpInfo("sin", F.sin),
    OpInfo("cos", F.cos),
    OpInfo("tanh", F.tanh),
    OpInfo("sigmoid", F.sigmoid),
    OpInfo("relu", F.relu, domain=away_from_zero),
    OpInfo("leaky_relu", F.leaky_relu, domain=away_from_zero),
    OpInfo("elu", F.elu, domain=away_from_zero),
    OpInfo("abs", F.abs, domain=away_from_zero),
    OpInfo("clip", lambda x: F.clip(x, -1.0, 1.5), domain=partial(arrays, avoid=(-1.0, 1.5))),
    OpInfo("maximum", F.maximum, 2, domain=(coarse, coarse_shifted)),
    OpInfo("minimum", F.minimum, 2, domain=(coarse, coarse_shifted)),
    OpInfo(
        "where",
        lambda x, y, condition=True: F.where(condition, x, y),
        2,
        cases=wheres(),
        edge_cases=(
            Case(((), ()), {"condition": np.array(True)}),
            Case(((0,), (2, 0)), {"condition": np.ones(0, bool)}),
        ),
        bad_cases=(Case(((2, 3), (4,))),),
    ),
    # reductions
    *(
        OpInfo(
            name,
            getattr(F, name),
            cases=reductions(),
            domain=grid if name in ("max", "min") else arrays,
            edge_cases=_reduction_edges(name),
            bad_cases=(Case(((2, 0),), {"axis": 1}),) if name in ("max", "min") else (),
        )
        for name in ("sum", "mean", "max", "min", "logsumexp")
    ),
    # shapes
    OpInfo(
        "reshape",
        F.reshape,
        cases=reshapes(),
        edge_cases=(Case(((0, 3),), {"shape": (3, 0)}), Case(((),), {"shape": (1, 1)})),
        bad_cases=(Case(((2, 3),), {"shape": (4,)}),),
    ),
    OpInfo(
        "transpose",
        F.transpose,
        cases=transposes(),
        edge_cases=(Case(((),)), Case(((0, 2),))),
        bad_cases=(Case(((2, 3),), {"axes": (0,)}),),
    ),
    OpInfo(
        "broadcast_to",
        F.broadcast_to,
        cases=broadcasts(),
        edge_cases=(Case(((),), {"shape": (2, 0)}), Case(((1, 0),), {"shape": (3, 0)})),
        bad_cases=(Case(((2, 3),), {"shape": (4, 3)}),),
    ),
    OpInfo(
        "sum_to",
        F.sum_to,
        cases=sums_to(),
        edge_cases=(Case(((2, 0),), {"shape": (1, 0)}), Case(((0, 3),), {"shape": (3,)}), Case(((),), {"shape": ()})),
        bad_cases=(Case(((2, 3),), {"shape": (4,)}),),
    ),
    OpInfo("flatten", F.flatten, cases=flattens(), edge_cases=(Case(((),)), Case(((2, 0, 3),), {"start_dim": 1}))),
    OpInfo("astype", _astype_round_trip),
    # indexing and joining
    OpInfo(
        "getitem",
        F.getitem,
        cases=indexings(),
        edge_cases=(Case(((0, 3),), {"index": (slice(None), 1)}), Case(((),), {"index": ()})),
    ),
    OpInfo(
        "concat",
        lambda *xs, axis: F.concat(list(xs), axis),
        3,
        cases=concatenations(),
        edge_cases=(Case(((0, 2), (1, 2), (0, 2)), {"axis": 0}),),
        bad_cases=(Case(((2, 3), (2, 4), (2, 3)), {"axis": 0}),),
    ),
    OpInfo(
        "stack",
        lambda *xs, axis: F.stack(list(xs), axis),
        2,
        cases=stacks(),
        edge_cases=(Case(((), ()), {"axis": 0}), Case(((0,), (0,)), {"axis": 1})),
        bad_cases=(Case(((2, 3), (3, 2)), {"axis": 0}),),
    ),
    # linear algebra
    OpInfo(
        "matmul",
        F.matmul,
        2,
        cases=matmuls(),
        edge_cases=(Case(((0, 3), (3, 2))), Case(((2, 0), (0, 3))), Case(((3,), (3,)))),
        bad_cases=(Case(((2, 3), (4, 5))), Case(((2, 2, 3), (3, 3, 4)))),
    ),
    OpInfo(
        "dot",
        F.dot,
        2,
        cases=dots(),
        edge_cases=(Case(((), (3,))), Case(((0, 3), (3, 2)))),
        bad_cases=(Case(((2, 3), (4,))),),
    ),
    OpInfo(
        "linear",
        F.linear,
        3,
        cases=linears(),
        edge_cases=(Case(((0, 3), (3, 2), (2,))),),
        bad_cases=(Case(((2, 3), (4, 5), (5,))), Case(((2, 3), (3, 5), (4,)))),
    ),
    # softmax and losses
    *(
        OpInfo(name, getattr(F, name), cases=softmaxes(), edge_cases=(Case(((),)), Case(((0, 3),)), Case(((2, 0),))))
        for name in ("softmax", "log_softmax")
    ),
    OpInfo(
        "softmax_cross_entropy",
        F.softmax_cross_entropy,
        2,
        domain=(arrays, unit_interval),
        cases=classifications(),
        edge_cases=(Case(((1, 1), (1, 1))),),
        bad_cases=(Case(((2, 3), (4, 3))),),
    ),
    *(
        OpInfo(
            name,
            getattr(F, name),
            2,
            domain=(arrays, unit_interval),
            cases=same_shapes(),
            edge_cases=(Case(((), ())),),
            bad_cases=(Case(((2, 3), (3,))), Case(((0,), (0,)))),
        )
        for name in ("sigmoid_cross_entropy", "mean_squared_error")
    ),
    # convolution and pooling
    OpInfo("im2col", F.im2col, cases=images(), edge_cases=(Case(((0, 1, 3, 3),), {"kernel_size": 2}),)),
    OpInfo(
        "col2im",
        F.col2im,
        cases=columns(),
        edge_cases=(Case(((0, 4),), {"input_shape": (0, 1, 3, 3), "kernel_size": 2}),),
        bad_cases=(Case(((5, 4),), {"input_shape": (1, 1, 3, 3), "kernel_size": 2}),),
    ),
    OpInfo(
        "conv2d",
        F.conv2d,
        3,
        cases=convolutions(),
        edge_cases=(Case(((0, 1, 3, 3), (2, 1, 2, 2), (2,))),),
        bad_cases=(Case(((1, 2, 4, 4), (3, 1, 2, 2), (3,))), Case(((1, 1, 4, 4), (3, 1, 2, 2), (2,)))),
    ),
    OpInfo(
        "conv_transpose2d",
        F.conv_transpose2d,
        3,
        cases=convolutions(transposed=True),
        edge_cases=(Case(((0, 1, 3, 3), (1, 2, 2, 2), (2,))),),
        bad_cases=(Case(((1, 2, 4, 4), (1, 3, 2, 2), (3,))),),
    ),
    *(
        OpInfo(
            name,
            getattr(F, name),
            cases=images(half_kernel_pad=True),
            domain=grid if name == "max_pool2d" else arrays,
            edge_cases=(Case(((0, 1, 4, 4),), {"kernel_size": 2}), Case(((1, 0, 4, 4),), {"kernel_size": 2})),
        )
        for name in ("max_pool2d", "avg_pool2d")
    ),
    # regularisation
    OpInfo(
        "dropout",
        _dropout,
        cases=dropouts(),
        edge_cases=(Case(((),), {"p": 0.5}), Case(((0, 2),), {"p": 0.5})),
    ),
    OpInfo(
        "batch_norm",
        _batch_norm,
        3,
        domain=(partial(grid, step=0.2), arrays, arrays),
        cases=batch_norms(),
        edge_cases=(Case(((0, 2), (2,), (2,)), {"training": False}),),
        bad_cases=(Case(((4, 3), (2,), (3,)), {"training": True}),),
        atol=1e-4,
    ),
)
