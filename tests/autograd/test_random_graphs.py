"""Random DAGs of ops, with shared subexpressions and reused inputs, against numerical gradients."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd.functions as F
from autograd import Variable, enable_grad, grad
from autograd.testing import numerical_grad
from autograd.testing import strategies as zst

# Smooth everywhere on the reals, so central differences are meaningful wherever the graph goes.
UNARY = {
    "tanh": F.tanh,
    "sin": F.sin,
    "square": lambda a: a * a,
    "neg": lambda a: -a,
    "soft_exp": lambda a: F.exp(F.tanh(a)),
    "log1p_sq": lambda a: F.log(1 + a * a),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "safe_div": lambda a, b: a / (1.5 + b * b),
}


@st.composite
def recipes(draw):
    """Leaves with mutually broadcastable shapes, then a list of steps, each naming earlier nodes."""
    shapes = draw(zst.broadcastable_shapes(num_shapes=draw(st.integers(1, 3)), max_dims=2, max_side=3))
    leaves = [draw(zst.arrays(s, low=-1.5, high=1.5)) for s in shapes]
    steps = []
    for n in range(len(leaves), len(leaves) + draw(st.integers(1, 12))):
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, n - 1))))
        else:
            steps.append(
                (draw(st.sampled_from(sorted(BINARY))), draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)))
            )
    return leaves, steps


def build(steps, *leaves):
    nodes = list(leaves)
    for name, *args in steps:
        op = UNARY.get(name) or BINARY[name]
        nodes.append(op(*[nodes[i] for i in args]))
    # Every node feeds the output, so interior nodes have several consumers.
    total = nodes[0].sum() if isinstance(nodes[0], Variable) else F.sum(nodes[0])
    for k, node in enumerate(nodes[1:], start=2):
        total = total + F.sum(node) * (1.0 / k)
    return total


@given(recipes())
def test_random_dag_gradients_match_central_differences(recipe):
    leaves, steps = recipe
    variables = [Variable(x.copy()) for x in leaves]
    out = build(steps, *variables)
    out.backward()
    expected = numerical_grad(lambda *xs: build(steps, *xs), *leaves)
    for v, g in zip(variables, expected):
        np.testing.assert_allclose(v.grad.data, g, rtol=1e-5, atol=1e-6)

    # grad() agrees with backward() and leaves .grad alone.
    fresh = [Variable(x.copy()) for x in leaves]
    gs = grad(build(steps, *fresh), fresh)
    for v, g in zip(variables, gs):
        np.testing.assert_allclose(g.data, v.grad.data, rtol=1e-12, atol=1e-12)
    assert all(v.grad is None for v in fresh)


@given(recipes())
def test_random_dag_second_order_matches_differences_of_first_order(recipe):
    leaves, steps = recipe
    first = leaves[0]

    def gradient_of_first(*xs):
        with enable_grad():  # numerical_grad evaluates under no_grad; this inner gradient needs a graph
            (g,) = grad(build(steps, *xs), xs[0], create_graph=True)
        return g

    variables = [Variable(x.copy()) for x in leaves]
    g = gradient_of_first(*variables)
    weights = np.random.default_rng(0).standard_normal(first.shape)
    hvp = grad(g, variables, grad_outputs=Variable(weights), allow_unused=True)
    expected = numerical_grad(lambda *xs: gradient_of_first(*xs), *leaves, grad_output=weights)
    for h, e in zip(hvp, expected):
        np.testing.assert_allclose(np.zeros_like(e) if h is None else h.data, e, rtol=1e-4, atol=1e-5)
