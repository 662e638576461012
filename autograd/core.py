"""Variable, Function and grad mode: the nodes of the computational graph."""

from __future__ import annotations

import contextvars
import reprlib
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

# Grad mode lives in a context variable: per thread as PyTorch's (a new thread starts with it on), and read
# in one C call, where a threading.local attribute costs a slow generic lookup on every op.
_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("grad_enabled", default=True)
_grad_mode = _grad_enabled.get

# Anomaly mode: autograd.anomaly sets this to its per-op hook while the mode is on, so normal mode pays one
# global lookup per op (and core need not import anomaly).
_anomaly_hook: Callable[[Function], None] | None = None

# NumPy defines a module __getattr__, which stops Python 3.11 from specializing `np.name` lookups: names read
# on every op are bound here once.
_ndarray, _asarray = np.ndarray, np.asarray


def is_grad_enabled() -> bool:
    """Whether new operations are recorded in the graph (per thread)."""
    return _grad_mode()


class _SetGradMode:
    __slots__ = ("_enabled", "_previous")

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled

    def __enter__(self) -> None:
        self._previous = _grad_mode()
        _grad_enabled.set(self._enabled)

    def __exit__(self, *exc: object) -> None:
        # set, not reset(token): a generator may leave the block in another context than it entered it
        _grad_enabled.set(self._previous)


def no_grad() -> _SetGradMode:
    """Context manager: operations inside are computed but not recorded."""
    return _SetGradMode(False)


def enable_grad() -> _SetGradMode:
    """Context manager: record operations again, e.g. inside a no_grad block."""
    return _SetGradMode(True)


def _as_array(x: Any, like: np.ndarray | None = None) -> np.ndarray:
    """Convert x to an ndarray; a Python or NumPy scalar number takes the dtype of `like` when that is a float array.

    NumPy integer scalars are weak as Python's are, so `a32 / np.int64(3)` stays float32.
    """
    if type(x) is np.ndarray and x.dtype.kind in "biufc":
        return x
    if like is not None and isinstance(x, (int, float, np.integer)) and like.dtype.kind in "fc":
        return np.asarray(x, dtype=like.dtype)
    try:
        array = np.asarray(x)
    except ValueError as error:
        raise ValueError(f"Variable: data {reprlib.repr(x)} is not a rectangular array of numbers ({error})") from None
    if array.dtype.kind not in "biufc":
        raise TypeError(f"Variable: expected numeric data, got {reprlib.repr(x)} (an array of dtype {array.dtype})")
    return array


def _can_require_grad(data: np.ndarray) -> bool:
    return data.dtype.kind in "fc"


class Variable:
    """A node holding an ndarray `data`, its gradient `grad` and the Function that created it.

    `requires_grad` says whether gradients flow to it: by default True for floating-point (or complex) data
    and False for integer or boolean data, which can never require one (as in PyTorch).

    `version` changes with every in-place change the library makes to `data` (optimizer steps, nn.init,
    loading weights); backward refuses a graph recorded before such a change (InplaceModificationError).
    Writing into `data` directly with NumPy is not tracked: like PyTorch's `.data`, it is an escape hatch.
    """

    __slots__ = (
        "__weakref__", "_hooks", "_requires_grad", "_retains_grad", "_version", "creator", "data", "grad", "name"
    )
    # Lets `ndarray + Variable` and `np.float32(2) * Variable` fall through to our reflected operators.
    __array_ufunc__ = None

    def __init__(self, data: Any, name: str | None = None, requires_grad: bool | None = None) -> None:
        if isinstance(data, Variable):
            raise TypeError("Variable: data is already a Variable; use it directly or pass its .data")
        self.data = _as_array(data)
        self.grad: Variable | None = None
        self.creator: Function | None = None
        self.name = name
        self._hooks: list[Callable[[Variable], Variable | None]] | None = None
        self._retains_grad = False
        self._version = 0
        self._requires_grad = _can_require_grad(self.data)
        if requires_grad is not None:
            self.requires_grad = requires_grad

    @property
    def requires_grad(self) -> bool:
        """Whether backward computes a gradient for this variable; ops whose inputs all say no are not recorded."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = bool(flag)
        if flag == self._requires_grad:
            return
        if flag and not _can_require_grad(self.data):
            raise TypeError(
                f"Variable: only floating-point or complex data can require a gradient, got dtype {self.data.dtype}"
            )
        if self.creator is not None:
            raise ValueError(
                "Variable: requires_grad can be changed only on a leaf; use detach() for a constant copy of "
                "a computed variable"
            )
        self._requires_grad = flag

    # ----- array-like attributes -----
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, prefix="Variable(").replace("\n", "\n" + " " * 9)
        name = f", name={self.name!r}" if self.name is not None else ""
        return f"Variable({body}{name})"

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    # ----- gradients (backward, the operators and the NumPy-like methods are bound in autograd.operators) -----
    def cleargrad(self) -> None:
        self.grad = None

    zero_grad = cleargrad

    def register_hook(self, hook: Callable[[Variable], Variable | None]) -> Callable[[], None]:
        """Call hook(grad) when this variable's gradient is computed; a returned Variable replaces it.

        Returns a function that removes the hook.
        """
        self._check_requires_grad("register_hook")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)

        def remove() -> None:
            if self._hooks is not None and hook in self._hooks:
                self._hooks.remove(hook)

        return remove

    def retain_grad(self) -> None:
        """Keep this intermediate variable's gradient in `.grad` after backward."""
        self._check_requires_grad("retain_grad")
        self._retains_grad = True

    def _check_requires_grad(self, method: str) -> None:
        if not self._requires_grad:
            raise ValueError(
                f"{method}: this Variable of shape {self.shape} and dtype {self.dtype} does not require a gradient"
            )

    def detach(self) -> Variable:
        """A new constant leaf (requires_grad False) sharing this variable's data, cut from the graph."""
        return new_variable(self.data)

    @property
    def is_leaf(self) -> bool:
        return self.creator is None

    @property
    def version(self) -> int:
        """When the library last changed `data` in place, on the clock increment_version advances (0: never).

        One clock serves every Variable, so versions only grow and compare with when an op was recorded.
        """
        return self._version


_ref = weakref.ref
_object_new = object.__new__


def new_variable(data: np.ndarray) -> Variable:
    """A constant Variable around an ndarray, skipping the checks of __init__ (the hot path of ops and backward)."""
    v = _object_new(Variable)
    v.data = data
    v.grad = v.creator = v.name = v._hooks = None
    v._retains_grad = v._requires_grad = False
    v._version = 0
    return v


# The in-place change clock: each change advances it and stamps the changed Variable's version with it;
# a recorded Function keeps the time it was recorded (`_tick`), so an input stamped later changed since.
# One number for all Variables keeps recording to one global read, and the backward check to one compare per op.
_clock = 0
_clock_lock = threading.Lock()


def increment_version(v: Variable) -> None:
    """Record an in-place change of v's data: graphs recorded before it refuse to backward through its old values.

    Every in-place change the library makes calls this (as PyTorch's torch.autograd.graph.increment_version).
    """
    global _clock
    with _clock_lock:  # the clock never goes back, whichever threads change Variables
        _clock += 1
        v._version = _clock


class Edge(Variable):
    """A recorded input kept only as an edge of the graph: its creator, shape and dtype, not its value.

    A consumer whose backward reads no input value (Function.saved_inputs is ()) records one in
    place of a large computed input, so that input's array is freed once nothing else holds it. Its data
    is a NaN placeholder of the input's shape and dtype (read-only, no memory). Every consumer shares the
    creator's one edge; while the Variable it stands for lives, `variable()` returns that Variable.
    """

    __slots__ = ()

    def variable(self) -> Variable:
        """The Variable this edge stands for if it is alive, else the edge."""
        y = self.creator.outputs[0]()
        return self if y is None else y


# Arrays smaller than this are recorded as they are: an edge would save little, and small values stay drawable.
_EDGE_MIN_BYTES = 1 << 16


def edge_of(f: Function) -> Edge | None:
    """The Edge that consumers of f's output hold in place of it, if one is alive."""
    ref = f.__dict__.get("_edge")
    return None if ref is None else ref()


def _edge(x: Variable) -> Variable:
    """x, or the edge standing for it when the recording consumer reads no input value and x's array can go.

    Only a large output of a single-output creator whose backward reads no output is replaced: otherwise
    the creator would need the value, or the engine the Variable.
    """
    g = x.creator
    # The size first: most inputs are small, and then one attribute read decides.
    if g is None or x.data.nbytes < _EDGE_MIN_BYTES or g.backward_reads_outputs or len(g.outputs) != 1:
        return x
    e = edge_of(g)
    if e is None:
        fill = np.full(1, np.nan if x.data.dtype.kind in "fc" else 0, x.data.dtype)
        e = new_variable(np.lib.stride_tricks.as_strided(fill, x.data.shape, (0,) * x.data.ndim, writeable=False))
        e.__class__ = Edge  # Edge adds no slots: it is filled in as any Variable
        e.creator = g
        e._requires_grad = True
        g._edge = _ref(e)  # weak: the edge refers to g, so a strong reference would make a cycle
    return e


def as_variable(x: Any, like: Variable | None = None) -> Variable:
    """Return x if it is a Variable, else wrap it as a constant (a scalar number takes the dtype of `like`)."""
    if type(x) is Variable or isinstance(x, Variable):
        return x
    return new_variable(_as_array(x, None if like is None else like.data))


class Function:
    """An operation: `forward` maps ndarrays to ndarray(s), `backward` maps output grads to input grads.

    Calling an instance runs forward and, when grad mode is on and some input requires a gradient,
    records the node in the graph (its outputs then require gradients too). `backward` works on
    Variables, so its own computation can be recorded (higher-order gradients); it may return None for
    an input that `needs_grad` says no for, and the engine drops any gradient for such an input.

    A recorded call remembers when it was recorded; backward raises if an input that `saved_inputs` names
    was changed in place since (directly, or through a view that `returns_view` marks).
    """

    __slots__ = ("__dict__", "_output_meta", "_tick", "inputs", "outputs")
    # Indices of the inputs whose values backward reads (through self.inputs, or arrays forward kept of
    # them): PyTorch's saved tensors. None means all, the safe default; () for ops that need only shapes, or
    # that save what their backward needs in forward (a mask, an index). Such an op records its large computed
    # inputs as edges (see Edge), so their arrays can be freed, when their creator sets backward_reads_outputs
    # False (it never reads self.outputs).
    saved_inputs: tuple[int, ...] | None = None
    backward_reads_outputs = True
    # Whether an output may share memory with input 0 (reshape, transpose, basic indexing): a change to
    # that input then shows through the output.
    returns_view = False
    _keeps_inputs = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._keeps_inputs = cls.saved_inputs != ()  # read once per recorded call, so computed once per class

    def __call__(self, *inputs: Any) -> Any:
        if _anomaly_hook is not None:
            _anomaly_hook(self)
        # Unrolled for one and two inputs: this is the per-op overhead every graph pays.
        if len(inputs) == 2:
            a, b = inputs
            if type(a) is not Variable or type(b) is not Variable:
                # A scalar beside a Variable takes that Variable's dtype, so float32 stays float32.
                a = as_variable(a, b if isinstance(b, Variable) else None)
                b = as_variable(b, a)
                inputs = (a, b)
            record = _grad_mode() and (a._requires_grad or b._requires_grad)
            if record:
                self.inputs = inputs if self._keeps_inputs else (_edge(a), _edge(b))
                self._tick = _clock
            ys = self.forward(a.data, b.data)
        elif len(inputs) == 1:
            x = inputs[0]
            if type(x) is not Variable:
                x = as_variable(x)
                inputs = (x,)
            record = _grad_mode() and x._requires_grad
            if record:
                self.inputs = inputs if self._keeps_inputs else (_edge(x),)
                self._tick = _clock
            ys = self.forward(x.data)
        else:
            inputs = tuple(as_variable(x) for x in inputs)
            record = _grad_mode() and any(x._requires_grad for x in inputs)
            if record:
                self.inputs = inputs if self._keeps_inputs else tuple(_edge(x) for x in inputs)
                self._tick = _clock
            ys = self.forward(*[x.data for x in inputs])
        if type(ys) is not tuple:
            # new_variable written out, each slot set once: this is every op's output
            # (tests/autograd/test_core.py checks that none is missed).
            y = _object_new(Variable)
            y.data = ys if type(ys) is _ndarray else _asarray(ys)
            y.grad = y.name = y._hooks = None
            y._retains_grad = False
            y._version = 0
            if record:
                y.creator = self
                y._requires_grad = True
                self.outputs = (_ref(y),)
            else:
                y.creator = None
                y._requires_grad = False
            return y
        outputs = tuple(new_variable(y if type(y) is _ndarray else _asarray(y)) for y in ys)
        if record:
            for y in outputs:
                y.creator = self
                y._requires_grad = True
            self.outputs = tuple(_ref(y) for y in outputs)
            self._output_meta = [(y.data.shape, y.data.dtype) for y in outputs]
        return outputs

    def needs_grad(self, i: int) -> bool:
        """Whether backward must compute the gradient of input i (usable in forward, to keep only what that needs).

        True only while this call is recorded and input i requires a gradient.
        """
        inputs = getattr(self, "inputs", None)  # set only on a recorded call
        return inputs is not None and inputs[i]._requires_grad

    def forward(self, *xs: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Variable) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    @property
    def name(self) -> str:
        return type(self).__name__
