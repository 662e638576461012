"""The op table: every public op has an OpInfo and passes check_op; check_op catches wrong ops."""

import numpy as np
import pytest
from hypothesis import settings

import autograd.functions as F
from autograd import Function
from autograd.testing import OPS, Case, GradcheckError, OpCheckError, OpInfo, check_op

# A third of the profile's examples per op keeps the whole table near 20 s at the default profile.
EXAMPLES = max(5, settings().max_examples // 3)


def test_every_public_op_has_an_entry():
    missing = set(F.__all__) - {info.name for info in OPS}
    assert not missing, f"no OpInfo in autograd.testing.OPS for {sorted(missing)}"


def test_entries_name_public_ops_once():
    names = [info.name for info in OPS]
    assert len(names) == len(set(names))
    assert set(names) <= set(F.__all__)


@pytest.mark.parametrize("info", OPS, ids=lambda info: info.name)
def test_op(info):
    check_op(info, max_examples=EXAMPLES)


class Cube(Function):
    def forward(self, x):
        return x**3

    def backward(self, gy):
        (x,) = self.inputs
        return 3 * x * x * gy


class CubeWrongBackward(Cube):
    def backward(self, gy):
        (x,) = self.inputs
        return 3 * x * gy


class CubeFrozenBackward(Cube):
    """Right first derivative from raw data: its own derivative (the second) is lost."""

    def backward(self, gy):
        (x,) = self.inputs
        return gy * (3 * x.data**2)


class CubeFloat64(Cube):
    def forward(self, x):
        return x.astype(np.float64) ** 3


def test_user_op_passes_in_one_line():
    check_op(OpInfo("cube", lambda x: Cube()(x)), max_examples=10)


def test_wrong_backward_fails_with_the_smallest_example():
    with pytest.raises(GradcheckError, match="gradcheck of cube") as caught:
        check_op(OpInfo("cube", lambda x: CubeWrongBackward()(x)), max_examples=10)
    # Hypothesis shrinks to the simplest input it can: one element.
    assert any("array(" in note for note in getattr(caught.value, "__notes__", []))


def test_lost_second_derivative_fails_unless_declared():
    with pytest.raises(GradcheckError, match="grad of cube"):
        check_op(OpInfo("cube", lambda x: CubeFrozenBackward()(x)), max_examples=10)
    check_op(OpInfo("cube", lambda x: CubeFrozenBackward()(x), twice_differentiable=False), max_examples=5)


def test_float64_output_for_float32_input_fails():
    with pytest.raises(OpCheckError, match=r"float32 inputs .* float64 output"):
        check_op(OpInfo("cube", lambda x: CubeFloat64()(x)), max_examples=5)


def test_elementwise_output_must_have_the_broadcast_shape():
    with pytest.raises(OpCheckError, match="expected"):
        check_op(OpInfo("ravel", lambda x: F.reshape(x, -1)), max_examples=10)


def test_mismatched_shapes_must_raise_a_clear_error():
    def silent(a, b):
        return F.add(F.sum(a), F.sum(b))  # no error at all for (2, 3) and (4,)

    with pytest.raises(OpCheckError, match="raised no error"):
        check_op(OpInfo("silent", silent, 2, cases=None), max_examples=5)

    def vague(a, b):
        if a.shape != b.shape:
            raise ValueError("bad shapes")
        return a * b

    info = OpInfo("vague", vague, 2, cases=None, bad_cases=(Case(((2, 3), (4,))),))
    with pytest.raises(OpCheckError, match="should name the op and the shapes"):
        check_op(info, max_examples=5)
