"""Pictures of the computational graph: DOT text (no Graphviz needed) and rendered images.

`style="book"` draws the graph the way textbooks draw the apple-price example: functions are small
circles, variables are the lines between them with the value above and the gradient below.
`style="nodes"` draws variables as boxes and functions as ovals, which stays readable when large.
"""

from __future__ import annotations

import html
import shutil
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from autograd.core import Edge, Function, Variable, edge_of

__all__ = ["Graph", "draw", "to_dot"]

FORMATS = ("png", "svg", "pdf")
GRAD_COLOR = "#d62728"
FONT = "Helvetica,Arial,sans-serif"
# Edges on the main line (a function's first computed input, its outputs) are pulled straight.
MAIN_WEIGHT = 8
# Arrays up to this many elements show their values in the "nodes" style.
SMALL = 6

_INSTALL_HINT = (
    "Rendering a graph needs Graphviz. Either install the Python package pygraphviz, whose wheels "
    "carry Graphviz's libraries (pip install 'zerograd[render]' or pip install pygraphviz), or install "
    "Graphviz's dot program (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install graphviz). to_dot() and Graph.source need neither."
)


# ----- what to draw -----


class _Part:
    """The drawn part of a graph: functions in forward order and every variable they touch."""

    def __init__(self, outputs: tuple[Variable, ...], max_nodes: int | None) -> None:
        self.outputs = outputs
        order = _forward_order(outputs)
        self.variables = _variables(outputs, order)
        self.total_functions = len(order)
        if max_nodes is not None and len(order) + len(self.variables) > max_nodes:
            chosen = _nearest(outputs, max_nodes)
            order = [f for f in order if f in chosen]
            self.variables = _variables(outputs, order)
        self.functions = order
        self.condensed = len(order) < self.total_functions
        drawn = set(order)
        # Variables computed by functions that are not drawn start from a "⋯" instead.
        self.cut = {key for key, x in self.variables.items() if x.creator is not None and x.creator not in drawn}


def _forward_order(outputs: Iterable[Variable]) -> list[Function]:
    """Every function the outputs depend on, inputs before consumers (iterative post-order DFS)."""
    order: list[Function] = []
    seen: set[Function] = set()
    for y in outputs:
        if y.creator is None or y.creator in seen:
            continue
        seen.add(y.creator)
        stack = [(y.creator, 0)]
        while stack:
            f, i = stack[-1]
            if i < len(f.inputs):
                stack[-1] = (f, i + 1)
                g = f.inputs[i].creator
                if g is not None and g not in seen:
                    seen.add(g)
                    stack.append((g, 0))
            else:
                stack.pop()
                order.append(f)
    return order


def _inputs(f: Function) -> tuple[Variable, ...]:
    """f's inputs, an Edge replaced by the Variable it stands for while that lives, so each is drawn once."""
    return tuple(x.variable() if type(x) is Edge else x for x in f.inputs)


def _outputs(f: Function) -> list[Variable | None]:
    """f's outputs (None for one gone), a single one that is gone replaced by the Edge its consumers hold."""
    ys = [ref() for ref in f.outputs]
    return [edge_of(f)] if len(ys) == 1 and ys[0] is None else ys


def _variables(outputs: Iterable[Variable], functions: Iterable[Function]) -> dict[int, Variable]:
    found = {id(y): y for y in outputs}
    for f in functions:
        for x in _inputs(f):
            found.setdefault(id(x), x)
    return found


def _nearest(outputs: tuple[Variable, ...], max_nodes: int) -> set[Function]:
    """The functions closest to the outputs (breadth first) that fit in max_nodes drawn nodes."""
    seen_vars = {id(y) for y in outputs}
    chosen: set[Function] = set()
    queue = deque(y.creator for y in outputs if y.creator is not None)
    while queue:
        f = queue.popleft()
        if f in chosen:
            continue
        new = {id(x) for x in _inputs(f)} - seen_vars
        if len(chosen) + 1 + len(seen_vars) + len(new) > max_nodes:
            break
        chosen.add(f)
        seen_vars |= new
        queue.extend(x.creator for x in f.inputs if x.creator is not None)
    return chosen


# ----- text of labels -----


def _number(x: Any) -> str:
    """A scalar, compactly: 100, 1.1, 220, 0.7311, 1.235e4."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    text = f"{x:.4g}"
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def _dtype(dtype: np.dtype) -> str:
    """float32 -> f32, int64 -> i64, bool -> bool."""
    if dtype.kind in "fiuc":
        return f"{dtype.kind}{dtype.itemsize * 8}"
    return str(dtype)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def _brief(data: np.ndarray, with_dtype: bool) -> str:
    """A scalar as its number, an array as its shape (and dtype)."""
    if data.ndim == 0:
        return _number(data.item())
    return f"{_shape(data.shape)} {_dtype(data.dtype)}" if with_dtype else _shape(data.shape)


def _full(data: np.ndarray) -> str:
    """Small arrays in full, larger ones as their shape."""
    if data.ndim == 0:
        return _number(data.item())
    if data.size <= SMALL:
        return " ".join(np.array2string(data, separator=", ", formatter={"all": _number}).split())
    return _shape(data.shape)


def _symbol(f: Function) -> str:
    symbol = getattr(f, "symbol", None)
    return symbol if isinstance(symbol, str) and symbol else type(f).__name__


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _attrs(**attrs: str | int | float) -> str:
    """DOT attributes; `label` goes last and is already quoted or HTML (<...>)."""
    label = attrs.pop("label", None)
    parts = [f"{k}={v}" for k, v in attrs.items()]
    if label is not None:
        parts.append(f"label={label}")
    return " [" + ", ".join(parts) + "]" if parts else ""


# ----- the two styles -----


class _Writer:
    """Numbers nodes in the order they are declared, so the same graph always gives the same text."""

    def __init__(self, part: _Part) -> None:
        self.part = part
        self.lines: list[str] = []
        self.var_ids: dict[int, str] = {}

    def node(self, name: str, **attrs: Any) -> None:
        self.lines.append(f"  {name}{_attrs(**attrs)};")

    def edge(self, a: str, b: str, **attrs: Any) -> None:
        self.lines.append(f"  {a} -> {b}{_attrs(**attrs)};")

    def walk(
        self,
        declare_var: Callable[[str, Variable], None],
        declare_fn: Callable[[str, Function], None],
        link_in: Callable[[str, str, bool], None],
        link_out: Callable[[str, str], None],
    ) -> None:
        """Declare every drawn variable and function once, inputs first, and the edges between them."""
        drawn = self.part.variables
        for number, f in enumerate(self.part.functions):
            for x in _inputs(f):
                if id(x) not in self.var_ids:
                    declare_var(self._name(x), x)
            fn = f"f{number}"
            declare_fn(fn, f)
            main = _main_input(f)
            for i, x in enumerate(_inputs(f)):
                link_in(self.var_ids[id(x)], fn, i == main)
            for y in _outputs(f):
                # Outputs nobody drawn uses (another output of a multi-output op) are left out.
                if y is not None and id(y) in drawn and id(y) not in self.var_ids:
                    declare_var(self._name(y), y)
                    link_out(fn, self.var_ids[id(y)])
        for y in self.part.outputs:
            if id(y) not in self.var_ids:
                declare_var(self._name(y), y)

    def _name(self, x: Variable) -> str:
        self.var_ids[id(x)] = name = f"v{len(self.var_ids)}"
        return name

    def is_leaf(self, x: Variable) -> bool:
        return x.creator is None or id(x) in self.part.cut


def _main_input(f: Function) -> int:
    """The input drawn on the function's straight line: the first computed one, else the first."""
    for i, x in enumerate(f.inputs):
        if x.creator is not None:
            return i
    return 0


def _header(rankdir: str, part: _Part, **graph: Any) -> list[str]:
    lines = ["digraph G {"]
    attrs = {"rankdir": rankdir, **graph}
    if part.condensed:
        shown = len(part.functions)
        caption = (
            f"Showing the last {shown} of {part.total_functions} functions (those nearest the output); "
            "⋯ marks where the graph was cut; max_nodes=None draws it all"
        )
        attrs.update(label=f'"{caption}"', labelloc="t", fontname=f'"{FONT}"', fontsize=11)
    lines.append("  graph" + _attrs(**attrs) + ";")
    return lines


def _book(part: _Part, show_values: bool, show_grads: bool, rankdir: str) -> list[str]:
    w = _Writer(part)
    lines = _header(rankdir, part, ranksep=0.12, nodesep=0.25)
    lines.append(f'  node [shape=none, margin=0, width=0, height=0, fontname="{FONT}", fontsize=12];')
    lines.append("  edge [arrowsize=0.7];")
    outputs = {id(y) for y in part.outputs}
    # Where a variable's line meets the edge coming in (head) and going out (tail).
    head, tail = {"LR": ("w", "e"), "RL": ("e", "w"), "TB": ("n", "s"), "BT": ("s", "n")}[rankdir]
    across = rankdir in ("TB", "BT")

    def declare_var(name: str, x: Variable) -> None:
        leaf = w.is_leaf(x)
        shown_name = x.name if x.name is not None and not leaf and id(x) not in outputs else None
        value = _brief(x.data, with_dtype=True) if show_values else None
        grad = _brief(x.grad.data, with_dtype=False) if show_grads and x.grad is not None else None
        start = ("⋯" if id(x) in part.cut else x.name) if leaf else None
        if start is not None:
            w.node(f"{name}in", margin='"0.05,0"', label=f"<{_esc(start)}>")
        w.node(name, label=_line(shown_name, value, grad, across))
        if start is not None:
            w.edge(f"{name}in", f"{name}:{head}", arrowhead="none", weight=MAIN_WEIGHT)

    def declare_fn(name: str, f: Function) -> None:
        symbol = _symbol(f)
        if len(symbol) <= 6:
            size = 15 if len(symbol) == 1 else 11
            w.node(name, shape="circle", width=0.36, margin=0.03, fontsize=size, label=f"<{_esc(symbol)}>")
        else:
            # Long names (Softmax-with-Loss) would blow a circle up; the book draws such layers as boxes.
            w.node(name, shape="box", style="rounded", margin='"0.08,0.04"', fontsize=11, label=f"<{_esc(symbol)}>")

    def link_in(var: str, fn: str, main: bool) -> None:
        w.edge(f"{var}:{tail}", fn, weight=MAIN_WEIGHT if main else 1)

    def link_out(fn: str, var: str) -> None:
        w.edge(fn, f"{var}:{head}", arrowhead="none", weight=MAIN_WEIGHT)

    w.walk(declare_var, declare_fn, link_in, link_out)
    for y in part.outputs:
        name = w.var_ids[id(y)]
        w.node(f"{name}out", margin='"0.05,0"', label=f"<{_esc(y.name)}>" if y.name is not None else '""')
        w.edge(f"{name}:{tail}", f"{name}out", weight=MAIN_WEIGHT)
    return lines + w.lines + ["}"]


def _line(name: str | None, value: str | None, grad: str | None, across: bool) -> str:
    """A variable as a stretch of line: value (and name) on one side of the rule, gradient on the other.

    The rule must sit on the node's centre line, where the edges meet it, so both sides get the same size.
    """
    text = " = ".join(t for t in (name, value) if t is not None)
    first = " = ".join(f"<I>{_esc(name)}</I>" if t is name else _esc(t) for t in (name, value) if t is not None)
    second = f'<FONT COLOR="{GRAD_COLOR}">{_esc(grad)}</FONT>' if grad is not None else ""
    table = '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
    if not across:
        return (
            f'{table}<TR><TD WIDTH="44">{first or "&#160;"}</TD></TR><HR/>'
            f'<TR><TD>{second or "&#160;"}</TD></TR></TABLE>>'
        )
    # Side by side, the cells' widths are set from an estimate of the text's (wide enough to hold it).
    width = max(22, 7 * max(len(text), len(grad or "")) + 4)
    return (
        f'{table}<TR><TD ALIGN="RIGHT" WIDTH="{width}">{first or "&#160;"}</TD><VR/>'
        f'<TD ALIGN="LEFT" WIDTH="{width}">{second or "&#160;"}</TD></TR></TABLE>>'
    )


def _nodes(part: _Part, show_values: bool, show_grads: bool, rankdir: str) -> list[str]:
    w = _Writer(part)
    lines = _header(rankdir, part, ranksep=0.3, nodesep=0.25)
    lines.append(f'  node [fontname="{FONT}", fontsize=11];')
    lines.append("  edge [arrowsize=0.7];")
    outputs = {id(y) for y in part.outputs}

    def declare_var(name: str, x: Variable) -> None:
        rows = []
        if x.name is not None:
            rows.append(f"<B>{_esc(x.name)}</B>")
        rows.append(_esc(f"{_shape(x.shape)} {_dtype(x.dtype)}" if x.ndim else _dtype(x.dtype)))
        if show_values and (x.ndim == 0 or x.size <= SMALL):
            rows.append(_esc(_full(x.data)))
        if show_grads and x.grad is not None:
            rows.append(f'<FONT COLOR="{GRAD_COLOR}">grad {_esc(_full(x.grad.data))}</FONT>')
        leaf = w.is_leaf(x)
        w.node(
            name,
            shape="box",
            style='"rounded,filled"',
            fillcolor='"#e3ecf7"' if leaf else "white",
            penwidth=2 if id(x) in outputs else 1,
            label="<" + "<BR/>".join(rows) + ">",
        )
        if id(x) in part.cut:
            w.node(f"{name}in", shape="none", label="<⋯>")
            w.edge(f"{name}in", name)

    def declare_fn(name: str, f: Function) -> None:
        w.node(name, shape="ellipse", style="filled", fillcolor='"#eeeeee"', label=f"<{_esc(_symbol(f))}>")

    def link_in(var: str, fn: str, main: bool) -> None:
        w.edge(var, fn)

    def link_out(fn: str, var: str) -> None:
        w.edge(fn, var)

    w.walk(declare_var, declare_fn, link_in, link_out)
    return lines + w.lines + ["}"]


_STYLES = {"book": (_book, "LR"), "nodes": (_nodes, "TB")}


def to_dot(
    *outputs: Variable,
    style: str = "book",
    show_values: bool = True,
    show_grads: bool = True,
    rankdir: str | None = None,
    max_nodes: int | None = 300,
) -> str:
    """DOT source of the graph that computed `outputs` (no Graphviz needed).

    style: "book" (functions as circles, variables as edges with the value above and the gradient
    below, left to right) or "nodes" (variables as boxes, functions as ovals, top to bottom).
    rankdir: Graphviz direction ("LR", "TB", "RL", "BT"); the style's own by default. In the book style
    with "TB" or "BT" the lines run vertically, the value left of them and the gradient right.
    max_nodes: a graph with more functions and variables than this is condensed to the part nearest
    the outputs, with a caption saying so; None draws everything.
    Intermediate gradients appear only if backward ran with retain_grad=True (they are freed otherwise).
    """
    if not outputs:
        raise ValueError("to_dot: give at least one Variable to draw")
    for y in outputs:
        if not isinstance(y, Variable):
            raise TypeError(f"to_dot: outputs must be Variables, got {type(y).__name__}")
    if style not in _STYLES:
        raise ValueError(f"to_dot: style must be one of {sorted(_STYLES)}, got {style!r}")
    if rankdir is not None and rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"to_dot: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"to_dot: max_nodes must be positive or None, got {max_nodes}")
    # The same variable passed twice is drawn once.
    unique = tuple({id(y): y for y in outputs}.values())
    write, default_rankdir = _STYLES[style]
    part = _Part(unique, max_nodes)
    return "\n".join(write(part, show_values, show_grads, rankdir or default_rankdir)) + "\n"


def draw(*outputs: Variable, **options: Any) -> Graph:
    """The graph that computed `outputs` as a Graph (shows inline in Jupyter); options as for to_dot."""
    return Graph(to_dot(*outputs, **options))


# ----- rendering -----


class Graph:
    """DOT source with ways to see it: inline in Jupyter, as a file, or as a graphviz.Source."""

    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"Graph(<{lines} lines of DOT; .source holds the text>)"

    def __str__(self) -> str:
        return self.source

    def pipe(self, format: str = "svg") -> bytes:
        """The rendered image as bytes (format "png", "svg" or "pdf")."""
        return _render(self.source, format)

    def _repr_svg_(self) -> str:
        return self.pipe("svg").decode("utf-8")

    def render(self, path: str | Path, format: str | None = None) -> Path:
        """Write the picture to `path`; the format comes from the suffix unless given."""
        path = Path(path)
        format = format or path.suffix.lstrip(".").lower()
        if not format:
            raise ValueError(f"Graph.render: give format= or a path ending in one of .{', .'.join(FORMATS)}")
        path.write_bytes(self.pipe(format))
        return path

    def to_graphviz(self) -> Any:
        """The source as a graphviz.Source (for its own render and view methods)."""
        import graphviz

        return graphviz.Source(self.source)


def _render(source: str, format: str) -> bytes:
    """Graphviz's dot program when it is on PATH, else pygraphviz's bundled libraries."""
    if format not in FORMATS:
        raise ValueError(f"Graph: format must be one of {', '.join(FORMATS)}, got {format!r}")
    if shutil.which("dot") is not None:
        import graphviz

        return graphviz.Source(source).pipe(format=format, quiet=True)
    try:
        import pygraphviz
    except ImportError:
        raise RuntimeError(_INSTALL_HINT) from None
    return pygraphviz.AGraph(string=source).draw(format=format, prog="dot")
