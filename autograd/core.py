"""Variable, Function and grad mode: the nodes of the computational graph."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np


class _GradMode(threading.local):
    enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether new operations are recorded in the graph (per thread)."""
    return _mode.enabled


class _SetGradMode:
    __slots__ = ("_enabled", "_previous")

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled

    def __enter__(self) -> None:
        self._previous = _mode.enabled
        _mode.enabled = self._enabled

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous


def no_grad() -> _SetGradMode:
    """Context manager: operations inside are computed but not recorded."""
    return _SetGradMode(False)


def enable_grad() -> _SetGradMode:
    """Context manager: record operations again, e.g. inside a no_grad block."""
    return _SetGradMode(True)


def _as_array(x: Any, like: np.ndarray | None = None) -> np.ndarray:
    """Convert x to an ndarray; a Python scalar takes the dtype of `like` when that is a float array."""
    if type(x) is np.ndarray and x.dtype.kind in "biufc":
        return x
    if like is not None and isinstance(x, (int, float)) and like.dtype.kind in "fc":
        return np.asarray(x, dtype=like.dtype)
    array = np.asarray(x)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"Variable: expected numeric data, got an array of dtype {array.dtype}")
    return array


class Variable:
    """A node holding an ndarray `data`, its gradient `grad` and the Function that created it."""

    __slots__ = ("__weakref__", "_hooks", "_retains_grad", "creator", "data", "grad", "name")
    # Lets `ndarray + Variable` and `np.float32(2) * Variable` fall through to our reflected operators.
    __array_ufunc__ = None

    def __init__(self, data: Any, name: str | None = None) -> None:
        if isinstance(data, Variable):
            raise TypeError("Variable: data is already a Variable; use it directly or pass its .data")
        self.data = _as_array(data)
        self.grad: Variable | None = None
        self.creator: Function | None = None
        self.name = name
        self._hooks: list[Callable[[Variable], Variable | None]] | None = None
        self._retains_grad = False

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

    def astype(self, dtype: Any) -> Variable:
        return _F.astype(self, dtype)

    # ----- gradients -----
    def backward(
        self, grad: Any = None, retain_grad: bool = False, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) * grad into every leaf's `.grad` (grad defaults to 1 for one element)."""
        _engine.backward(self, grad, retain_grad, create_graph)

    def cleargrad(self) -> None:
        self.grad = None

    zero_grad = cleargrad

    def register_hook(self, hook: Callable[[Variable], Variable | None]) -> Callable[[], None]:
        """Call hook(grad) when this variable's gradient is computed; a returned Variable replaces it.

        Returns a function that removes the hook.
        """
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)

        def remove() -> None:
            if self._hooks is not None and hook in self._hooks:
                self._hooks.remove(hook)

        return remove

    def retain_grad(self) -> None:
        """Keep this intermediate variable's gradient in `.grad` after backward."""
        self._retains_grad = True

    def detach(self) -> Variable:
        """A new leaf sharing this variable's data, cut from the graph."""
        return Variable(self.data)

    @property
    def is_leaf(self) -> bool:
        return self.creator is None

    # ----- operators -----
    def __add__(self, other: Any) -> Variable:
        return _Add()(self, other)

    def __radd__(self, other: Any) -> Variable:
        return _Add()(other, self)

    def __sub__(self, other: Any) -> Variable:
        return _Sub()(self, other)

    def __rsub__(self, other: Any) -> Variable:
        return _Sub()(other, self)

    def __mul__(self, other: Any) -> Variable:
        return _Mul()(self, other)

    def __rmul__(self, other: Any) -> Variable:
        return _Mul()(other, self)

    def __truediv__(self, other: Any) -> Variable:
        return _Div()(self, other)

    def __rtruediv__(self, other: Any) -> Variable:
        return _Div()(other, self)

    def __pow__(self, other: Any) -> Variable:
        return _F.pow(self, other)

    def __rpow__(self, other: Any) -> Variable:
        return _F.pow(other, self)

    def __matmul__(self, other: Any) -> Variable:
        return _F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Variable:
        return _F.matmul(other, self)

    def __neg__(self) -> Variable:
        return _Neg()(self)

    def __pos__(self) -> Variable:
        return self

    def __getitem__(self, index: Any) -> Variable:
        return _F.getitem(self, index)

    # ----- methods mirroring NumPy -----
    @property
    def T(self) -> Variable:
        return _F.transpose(self)

    def reshape(self, *shape: Any) -> Variable:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _F.reshape(self, shape)

    def transpose(self, *axes: Any) -> Variable:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _F.transpose(self, axes or None)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Variable:
        return _F.min(self, axis, keepdims)


_ref = weakref.ref
_object_new = object.__new__


def _new_variable(data: np.ndarray) -> Variable:
    """A Variable around an ndarray, skipping the checks of __init__ (the hot path of every op)."""
    v = _object_new(Variable)
    v.data = data
    v.grad = None
    v.creator = None
    v.name = None
    v._hooks = None
    v._retains_grad = False
    return v


def as_variable(x: Any, like: Variable | None = None) -> Variable:
    """Return x if it is a Variable, else wrap it (a Python scalar takes the dtype of `like`)."""
    if type(x) is Variable or isinstance(x, Variable):
        return x
    return Variable(_as_array(x, None if like is None else like.data))


class Function:
    """An operation: `forward` maps ndarrays to ndarray(s), `backward` maps output grads to input grads.

    Calling an instance runs forward and, when grad mode is on, records the node in the graph.
    `backward` works on Variables, so its own computation can be recorded (higher-order gradients).
    """

    __slots__ = ("__dict__", "_output_meta", "inputs", "outputs")

    def __call__(self, *inputs: Any) -> Any:
        # Unrolled for one and two inputs: this is the per-op overhead every graph pays.
        if len(inputs) == 2:
            a, b = inputs
            if type(a) is not Variable or type(b) is not Variable:
                # A Python scalar beside a Variable takes that Variable's dtype, so float32 stays float32.
                a = as_variable(a, b if isinstance(b, Variable) else None)
                b = as_variable(b, a)
                inputs = (a, b)
            ys = self.forward(a.data, b.data)
        elif len(inputs) == 1:
            x = inputs[0]
            if type(x) is not Variable:
                x = as_variable(x)
                inputs = (x,)
            ys = self.forward(x.data)
        else:
            inputs = tuple(as_variable(x) for x in inputs)
            ys = self.forward(*[x.data for x in inputs])
        if type(ys) is not tuple:
            y = _new_variable(ys if type(ys) is np.ndarray else np.asarray(ys))
            if _mode.enabled:
                self.inputs = inputs
                y.creator = self
                self.outputs = [_ref(y)]
            return y
        outputs = tuple(_new_variable(y if type(y) is np.ndarray else np.asarray(y)) for y in ys)
        if _mode.enabled:
            self.inputs = inputs
            for y in outputs:
                y.creator = self
            self.outputs = [_ref(y) for y in outputs]
            self._output_meta = [(y.data.shape, y.data.dtype) for y in outputs]
        return outputs

    def forward(self, *xs: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Variable) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    @property
    def name(self) -> str:
        return type(self).__name__


from autograd import engine as _engine  # noqa: E402  (the engine and ops need the classes above)
from autograd import functions as _F  # noqa: E402
from autograd.functions.arithmetic import Add as _Add  # noqa: E402
from autograd.functions.arithmetic import Div as _Div  # noqa: E402
from autograd.functions.arithmetic import Mul as _Mul  # noqa: E402
from autograd.functions.arithmetic import Neg as _Neg  # noqa: E402
from autograd.functions.arithmetic import Sub as _Sub  # noqa: E402
