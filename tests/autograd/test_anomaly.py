"""Anomaly mode: the first NaN or infinity names the op, the pass, the input shapes and the user's line."""

import inspect

import numpy as np
import pytest
from hypothesis import given

import autograd
import autograd.functions as F
from autograd import AnomalyError, Variable
from autograd.testing import strategies as zs

# NumPy warns about the NaN and infinity these tests make on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _line_of(marker: str) -> int:
    """The line number in this file of the line containing marker (the op under test)."""
    lines = inspect.getsource(inspect.getmodule(_line_of)).splitlines()
    return next(i + 1 for i, line in enumerate(lines) if marker in line and "_line_of" not in line)


def test_log_of_zero_is_reported_in_forward_at_the_users_line() -> None:
    x = Variable(np.array([1.0, 0.0, 2.0]))
    with autograd.detect_anomaly(), pytest.raises(AnomalyError) as caught:
        F.log(x)  # marker: log-forward
    error = caught.value
    assert error.op == "Log" and error.stage == "forward"
    assert error.input_shapes == [(3,)]
    message = str(error)
    assert "Log forward" in message and "(3,)" in message
    assert f"{__file__}:{_line_of('marker: log-forward')}" in message


def test_infinite_gradient_of_sqrt_at_zero_is_reported_in_backward_at_the_users_line() -> None:
    x = Variable(np.array([[0.0, 4.0]]))
    with autograd.detect_anomaly():
        y = F.sqrt(x)  # marker: sqrt-op
        loss = y.sum()
        with pytest.raises(AnomalyError) as caught:
            loss.backward()
    error = caught.value
    assert error.op == "Sqrt" and error.stage == "backward"
    assert "Sqrt backward" in str(error) and "(1, 2)" in str(error)
    assert f"{__file__}:{_line_of('marker: sqrt-op')}" in str(error)


def test_outside_anomaly_mode_nan_passes_silently_and_the_mode_is_restored() -> None:
    x = Variable(np.array([0.0]))
    with autograd.detect_anomaly():
        assert autograd.is_anomaly_enabled()
    assert not autograd.is_anomaly_enabled()
    y = F.sqrt(x)
    y.backward()
    assert np.isinf(x.grad.data).all()
    assert "forward" not in vars(y.creator)  # no wrapper, no recorded stack


def test_set_detect_anomaly_turns_the_mode_on_and_off() -> None:
    autograd.set_detect_anomaly(True)
    try:
        with pytest.raises(AnomalyError):
            F.log(Variable(np.array([-1.0])))
    finally:
        autograd.set_detect_anomaly(False)
    assert np.isnan(F.log(Variable(np.array([-1.0]))).data).all()


def test_anomaly_error_is_a_floating_point_error() -> None:
    assert issubclass(AnomalyError, FloatingPointError)


@given(zs.arrays())
def test_finite_graphs_give_the_same_gradients_in_anomaly_mode(data: np.ndarray) -> None:
    x = Variable(data)
    (x * x + F.sin(x)).sum().backward()
    expected = x.grad.data
    x.cleargrad()
    with autograd.detect_anomaly():
        (x * x + F.sin(x)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, expected)
