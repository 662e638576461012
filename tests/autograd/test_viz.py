"""Graph drawings: the DOT structure of both styles, condensing, determinism, and rendering with
Graphviz's dot, with pygraphviz alone, and with neither."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Function, Variable
from autograd.viz import Graph, draw, to_dot

# ----- a small reader for the DOT that to_dot writes: one statement per line -----

NODE = re.compile(r"^  (\w+)(?: \[(.*)\])?;$")
EDGE = re.compile(r"^  (\w+)(?::(\w+))? -> (\w+)(?::(\w+))?(?: \[(.*)\])?;$")
DEFAULTS = re.compile(r"^  (graph|node|edge) \[.*\];$")


def parse_attrs(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    attrs = {}
    head, sep, label = text.partition("label=")
    if sep:
        attrs["label"] = label
    for key, value in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', head):
        attrs[key] = value.strip('"')
    return attrs


def parse(dot: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """Nodes (name -> attributes) and edges (tail, head, attributes); any other statement fails."""
    lines = dot.splitlines()
    assert lines[0] == "digraph G {" and lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges = []
    for line in lines[1:-1]:
        if DEFAULTS.match(line):
            continue
        if m := EDGE.match(line):
            tail, _, head, _, attrs = m.groups()
            edges.append((tail, head, parse_attrs(attrs)))
        elif m := NODE.match(line):
            name, attrs = m.groups()
            assert name not in nodes, f"node {name} declared twice"
            nodes[name] = parse_attrs(attrs)
        else:
            raise AssertionError(f"unexpected DOT statement: {line!r}")
    for tail, head, _ in edges:
        assert tail in nodes and head in nodes, f"edge {tail} -> {head} names an undeclared node"
    return nodes, edges


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"</?[BIF][^>]*>", "", fragment.replace("<BR/>", " "))).split())


def describe_book(dot: str) -> tuple[Counter, Counter]:
    """The book-style picture as descriptions: lines "value/grad", labels 'name', circles "symbol[out]".

    Returns the multiset of nodes and of edges (tail, head, has_arrow) in those terms.
    """
    nodes, edges = parse(dot)
    desc = {}
    for name, attrs in nodes.items():
        label = attrs["label"]
        if "<TABLE" in label:
            top, bottom = re.findall(r"<TD[^>]*>(.*?)</TD>", label)
            desc[name] = f"{text(top)}/{text(bottom)}"
        elif name.startswith("f"):
            desc[name] = None  # named after its output below
        else:
            desc[name] = f"'{text(label[1:-1]) if label.startswith('<') else label.strip(chr(34))}'"
    for tail, head, _ in edges:
        if desc[tail] is None:
            desc[tail] = f"{text(nodes[tail]['label'][1:-1])}[{desc[head]}]"
    node_set = Counter(desc.values())
    edge_set = Counter((desc[t], desc[h], a.get("arrowhead") != "none") for t, h, a in edges)
    return node_set, edge_set


def line_labels(nodes: Counter) -> list[str]:
    """The "value/grad" texts of the lines (variables) among described nodes, sorted."""
    return sorted(n for n in nodes if "[" not in n and not n.startswith("'"))


def apple_example(retain_grad: bool = True, backward: bool = True) -> Variable:
    apple, num, tax = Variable(100.0, name="apple"), Variable(2.0, name="apple_num"), Variable(1.1, name="tax")
    price = apple * num * tax
    price.name = "price"
    if backward:
        price.backward(retain_grad=retain_grad)
    return price


# ----- book style -----


@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
def test_apple_backward_is_the_books_figure(rankdir: str) -> None:
    nodes, edges = describe_book(to_dot(apple_example(), rankdir=rankdir))
    expected_edges = {
        ("'apple'", "100/2.2", False),
        ("'apple_num'", "2/110", False),
        ("100/2.2", "×[200/1.1]", True),
        ("2/110", "×[200/1.1]", True),
        ("×[200/1.1]", "200/1.1", False),
        ("'tax'", "1.1/200", False),
        ("200/1.1", "×[220/1]", True),
        ("1.1/200", "×[220/1]", True),
        ("×[220/1]", "220/1", False),
        ("220/1", "'price'", True),
    }
    assert edges == Counter(expected_edges)
    assert nodes == Counter({n for e in expected_edges for n in e[:2]})


def test_edges_meet_the_lines_on_the_side_the_graph_flows_from() -> None:
    for rankdir, into, out_of in [("LR", "w", "e"), ("RL", "e", "w"), ("TB", "n", "s"), ("BT", "s", "n")]:
        dot = to_dot(apple_example(), rankdir=rankdir)
        assert "f0 -> v2:" + into in dot and "v2:" + out_of + " -> f1" in dot
        assert ("<VR/>" in dot) == (rankdir in ("TB", "BT")) and ("<HR/>" in dot) == (rankdir in ("LR", "RL"))


def test_apple_forward_has_values_and_no_gradients() -> None:
    nodes, edges = describe_book(to_dot(apple_example(backward=False)))
    assert line_labels(nodes) == ["1.1/", "100/", "2/", "200/", "220/"]
    assert ("'apple'", "100/", False) in edges and ("220/", "'price'", True) in edges
    assert len(edges) == 10


def test_intermediate_gradients_need_retain_grad() -> None:
    nodes, _ = describe_book(to_dot(apple_example(retain_grad=False)))
    assert line_labels(nodes) == ["1.1/200", "100/2.2", "2/110", "200/", "220/"]


def test_show_values_and_show_grads_can_be_turned_off() -> None:
    price = apple_example()
    nodes, _ = describe_book(to_dot(price, show_values=False, show_grads=False))
    assert line_labels(nodes) == ["/"]
    nodes, _ = describe_book(to_dot(price, show_grads=False))
    assert line_labels(nodes) == ["1.1/", "100/", "2/", "200/", "220/"]


def test_arrays_show_shape_and_dtype_and_their_gradients_the_shape() -> None:
    x = Variable(np.ones((100, 784), np.float32), name="x")
    w = Variable(np.ones((784, 10), np.float32), name="fc1.W")
    h = x @ w
    h.name = "h"
    loss = F.tanh(h).sum()
    loss.backward(retain_grad=True)
    nodes, edges = describe_book(to_dot(loss))
    assert ("'x'", "(100, 784) f32/(100, 784)", False) in edges
    assert ("'fc1.W'", "(784, 10) f32/(784, 10)", False) in edges
    assert ("dot[h = (100, 10) f32/(100, 10)]", "h = (100, 10) f32/(100, 10)", False) in edges
    assert "tanh[(100, 10) f32/(100, 10)]" in nodes
    assert ("sum[" + f"{loss.item():.4g}/1]", f"{loss.item():.4g}/1", False) in edges


def test_a_reused_variable_is_drawn_once_with_one_edge_per_use() -> None:
    a = Variable(3.0, name="a")
    y = F.exp(a) + F.sin(a)
    nodes, edges = describe_book(to_dot(y))
    assert nodes["3/"] == 1
    assert sorted(h.split("[")[0] for t, h, _ in edges if t == "3/") == ["exp", "sin"]

    nodes, edges = describe_book(to_dot(a * a))
    assert line_labels(nodes) == ["3/", "9/"]
    assert [(t, h, n) for (t, h, _), n in edges.items() if t == "3/"] == [("3/", "×[9/]", 2)]


def test_scalars_are_formatted_compactly() -> None:
    x = Variable(np.float32(0.5))
    y = (x * 1e5 + np.inf) * 1234567.0 - 3 + Variable(np.int64(7))
    nodes, _ = describe_book(to_dot(y))
    values = {n.split("/")[0] for n in line_labels(nodes)}
    assert values == {"0.5", "1e5", "5e4", "inf", "1.235e6", "3", "7"}


def test_function_symbols_and_custom_class_names() -> None:
    class Square(Function):
        def forward(self, x: np.ndarray) -> np.ndarray:
            return x**2

        def backward(self, gy: Variable) -> Variable:
            return 2 * self.inputs[0] * gy

    x = Variable(2.0)
    y = F.log(Square()(x ** 2 - x / 3 + F.exp(-x)))
    nodes, _ = parse(to_dot(y))
    circles = sorted(text(a["label"][1:-1]) for a in nodes.values() if a.get("shape") == "circle")
    assert circles == sorted(["**2", "−", "÷", "+", "exp", "−", "Square", "log"])


def test_long_function_names_get_a_box_instead_of_a_circle() -> None:
    class SoftmaxWithLoss(Function):
        symbol = "Softmax-with-Loss"

        def forward(self, x: np.ndarray) -> np.ndarray:
            return x.sum()

        def backward(self, gy: Variable) -> Variable:
            return gy

    nodes, _ = parse(to_dot(SoftmaxWithLoss()(Variable(np.ones(3)))))
    (fn,) = [a for n, a in nodes.items() if n.startswith("f")]
    assert fn["shape"] == "box" and text(fn["label"][1:-1]) == "Softmax-with-Loss"


class Halves(Function):
    """Two outputs: x / 2 and x / 2 (a stand-in for multi-output ops)."""

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x / 2, x / 2

    def backward(self, ga: Variable, gb: Variable) -> Variable:
        return (ga + gb) / 2


def test_multi_output_functions_draw_the_outputs_that_are_used() -> None:
    a, b = Halves()(Variable(4.0, name="x"))
    nodes, edges = describe_book(to_dot(F.exp(a) + b))
    assert nodes["Halves[2/]"] == 1 and nodes["2/"] == 2
    assert edges[("Halves[2/]", "2/", False)] == 2
    a, _ = Halves()(Variable(4.0, name="x"))
    nodes, edges = describe_book(to_dot(F.exp(a)))
    assert nodes["2/"] == 1 and edges[("Halves[2/]", "2/", False)] == 1


def test_names_are_escaped() -> None:
    x = Variable(1.0, name='a<b> & "c"')
    y = F.exp(x)
    y.name = "fc1.W"
    nodes, _ = describe_book(to_dot(y))
    assert "'a<b> & \"c\"'" in nodes and "'fc1.W'" in nodes
    assert '<b>' not in to_dot(y)


def test_an_unnamed_leaf_starts_bare_and_an_unnamed_output_ends_in_an_empty_label() -> None:
    y = 1 + F.exp(Variable(0.0))
    nodes, edges = describe_book(to_dot(y))
    assert nodes["''"] == 1
    assert sum(1 for t, _, _ in edges if t.startswith("'")) == 0


def test_the_gradients_own_graph_can_be_drawn() -> None:
    x = Variable(2.0, name="x")
    y = x**3
    y.backward(create_graph=True)
    nodes, edges = describe_book(to_dot(x.grad))
    assert ("'x'", "2/12", False) in edges
    assert "**2[4/]" in nodes
    assert x.grad.item() == 12.0 and any(n.startswith("×[12/") for n in nodes)


def test_the_same_graph_gives_the_same_text() -> None:
    assert to_dot(apple_example()) == to_dot(apple_example())
    price = apple_example()
    assert to_dot(price, style="nodes") == to_dot(price, style="nodes")


# Random programs: a pool of variables, each step applies an op to pool members.
OPS = [(2, lambda a, b: a * b), (2, lambda a, b: a + b), (2, lambda a, b: a - b), (1, F.exp), (1, F.tanh)]


STEPS = st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 99), st.integers(0, 99))


@given(st.lists(STEPS, min_size=1, max_size=25))
def test_random_graphs_draw_every_function_and_every_use(program: list[tuple[int, int, int]]) -> None:
    pool = [Variable(0.1, name="a"), Variable(0.2, name="b")]
    functions = []
    for op, i, j in program:
        arity, fn = OPS[op]
        args = [pool[i % len(pool)], pool[j % len(pool)]][:arity]
        pool.append(fn(*args))
        functions.append(pool[-1].creator)
    y = pool[-1]
    # Only what y depends on is drawn.
    reachable, stack = set(), [y.creator]
    while stack:
        f = stack.pop()
        if f not in reachable:
            reachable.add(f)
            stack.extend(x.creator for x in f.inputs if x.creator is not None)
    uses = Counter(id(x) for f in reachable for x in f.inputs)

    for style in ("book", "nodes"):
        dot = to_dot(y, style=style)
        nodes, edges = parse(dot)
        fn_nodes = [n for n in nodes if n.startswith("f")]
        var_nodes = [n for n in nodes if re.fullmatch(r"v\d+", n)]
        assert len(fn_nodes) == len(reachable)
        assert len(var_nodes) == len({*uses, id(y)})
        into_fns = Counter(h for _, h, _ in edges if h in fn_nodes)
        assert sum(into_fns.values()) == sum(len(f.inputs) for f in reachable)
        out_degree = Counter(t for t, h, _ in edges if t in var_nodes and h in fn_nodes)
        assert sorted(out_degree.values()) == sorted(uses.values())
        # Every function has exactly one drawn output (ops here have one output each).
        assert all(Counter(t for t, _, _ in edges if t in fn_nodes)[f] == 1 for f in fn_nodes)
        assert dot == to_dot(y, style=style)


# ----- nodes style -----


def test_nodes_style_draws_boxes_and_ovals() -> None:
    nodes, edges = parse(to_dot(apple_example(), style="nodes"))
    boxes = {n: text(a["label"][1:-1]) for n, a in nodes.items() if a.get("shape") == "box"}
    ovals = [text(a["label"][1:-1]) for a in nodes.values() if a.get("shape") == "ellipse"]
    assert sorted(boxes.values()) == sorted(
        [
            "apple f64 100 grad 2.2",
            "apple_num f64 2 grad 110",
            "tax f64 1.1 grad 200",
            "f64 200 grad 1.1",
            "price f64 220 grad 1",
        ]
    )
    assert ovals == ["×", "×"]
    desc = dict(boxes)
    for t, h, _ in edges:
        if t not in boxes:
            desc[t] = f"×[{boxes[h]}]"
    assert sorted((desc[t], desc[h]) for t, h, _ in edges) == sorted(
        [
            ("apple f64 100 grad 2.2", "×[f64 200 grad 1.1]"),
            ("apple_num f64 2 grad 110", "×[f64 200 grad 1.1]"),
            ("×[f64 200 grad 1.1]", "f64 200 grad 1.1"),
            ("f64 200 grad 1.1", "×[price f64 220 grad 1]"),
            ("tax f64 1.1 grad 200", "×[price f64 220 grad 1]"),
            ("×[price f64 220 grad 1]", "price f64 220 grad 1"),
        ]
    )


def test_nodes_style_shows_arrays_by_shape_and_small_ones_in_full() -> None:
    w = Variable(np.ones((784, 100), np.float32), name="fc1.W")
    b = Variable(np.array([1.0, 2.5], np.float32), name="b")
    y = (w.sum() * b).sum()
    y.backward()
    labels = [text(a["label"][1:-1]) for a in parse(to_dot(y, style="nodes"))[0].values()]
    assert "fc1.W (784, 100) f32 grad (784, 100)" in labels
    assert "b (2,) f32 [1, 2.5] grad [7.84e4, 7.84e4]" in labels


# ----- condensing big graphs -----


def chain(n: int) -> Variable:
    y = Variable(0.5, name="x")
    for _ in range(n):
        y = F.tanh(y)
    return y


@pytest.mark.parametrize("style", ["book", "nodes"])
def test_big_graphs_are_condensed_with_a_caption(style: str) -> None:
    y = chain(1000)
    nodes, _ = parse(to_dot(y, style=style, max_nodes=50))
    fns = [n for n in nodes if n.startswith("f")]
    variables = [n for n in nodes if re.fullmatch(r"v\d+", n)]
    assert len(fns) + len(variables) <= 50 and len(fns) == 24
    assert "Showing the last 24 of 1000 functions" in to_dot(y, style=style, max_nodes=50)
    cut = [n for n, a in nodes.items() if text(a.get("label", "")[1:-1]) == "⋯"]
    assert len(cut) == 1
    default = parse(to_dot(y, style=style))[0]
    assert sum(n.startswith("f") for n in default) < 300


def test_max_nodes_none_draws_everything_and_deep_graphs_need_no_recursion() -> None:
    y = chain(5000)
    dot = to_dot(y, max_nodes=None)
    assert dot.count("shape=circle") == 5000
    assert "Showing" not in dot


def test_small_graphs_are_not_condensed() -> None:
    assert "Showing" not in to_dot(apple_example(), max_nodes=7)  # 2 functions, 5 variables
    assert "Showing the last 1 of 2" in to_dot(apple_example(), max_nodes=6)


# ----- bad arguments -----


@pytest.mark.parametrize(
    ("args", "options", "error", "message"),
    [
        ((), {}, ValueError, "at least one Variable"),
        ((np.ones(2),), {}, TypeError, "ndarray"),
        ((Variable(1.0),), {"style": "fancy"}, ValueError, "style"),
        ((Variable(1.0),), {"rankdir": "up"}, ValueError, "rankdir"),
        ((Variable(1.0),), {"max_nodes": 0}, ValueError, "max_nodes"),
    ],
)
def test_bad_arguments_are_named(args: tuple, options: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        to_dot(*args, **options)


def test_rankdir_and_several_outputs() -> None:
    a = Variable(1.0, name="a")
    b, c = F.exp(a), F.sin(a)
    b.name, c.name = "b", "c"
    dot = to_dot(b, c, b, rankdir="TB")
    assert "rankdir=TB" in dot
    nodes, _ = describe_book(dot)
    assert nodes["'b'"] == 1 and nodes["'c'"] == 1 and nodes["'a'"] == 1


# ----- rendering -----

PNG = b"\x89PNG\r\n\x1a\n"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def check_png_and_svg(graph: Graph, tmp_path) -> None:
    png = graph.render(tmp_path / "apple.png")
    assert png.read_bytes().startswith(PNG)
    svg = graph.render(tmp_path / "apple.svg")
    root = ET.fromstring(svg.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "apple_num" in svg.read_text() and "×" in svg.read_text()
    assert ET.fromstring(graph._repr_svg_().encode()).tag == root.tag


@needs_dot
def test_rendering_with_dot(tmp_path) -> None:
    graph = draw(apple_example())
    check_png_and_svg(graph, tmp_path)
    check_png_and_svg(draw(apple_example(), rankdir="TB"), tmp_path)
    pdf = graph.render(tmp_path / "apple", format="pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    check_png_and_svg(draw(apple_example(), style="nodes"), tmp_path)


def test_rendering_without_dot_uses_pygraphviz(tmp_path, monkeypatch) -> None:
    pytest.importorskip("pygraphviz")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert shutil.which("dot") is None
    check_png_and_svg(draw(apple_example()), tmp_path)


def test_rendering_with_neither_says_how_to_install(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    graph = draw(apple_example())
    with pytest.raises(RuntimeError, match=r"pip install pygraphviz.*apt-get install graphviz"):
        graph.render(tmp_path / "apple.png")
    assert graph.source == to_dot(apple_example())


def test_render_needs_a_known_format(tmp_path) -> None:
    graph = draw(apple_example())
    with pytest.raises(ValueError, match="give format="):
        graph.render(tmp_path / "apple")
    with pytest.raises(ValueError, match="gif"):
        graph.render(tmp_path / "apple.gif")


def test_to_graphviz_gives_a_graphviz_source() -> None:
    graphviz = pytest.importorskip("graphviz")
    graph = draw(apple_example())
    source = graph.to_graphviz()
    assert isinstance(source, graphviz.Source) and source.source == graph.source


def test_importing_draws_in_no_graphviz() -> None:
    code = "import sys, autograd.viz; print(sorted(m for m in ('graphviz', 'pygraphviz') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
