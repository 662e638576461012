"""The textbook's comparison (Deep Learning from Scratch, ch. 6): f(x, y) = x²/20 + y² from (-7, 2), 30 steps.

The book draws SGD (lr 0.95) zig-zagging across the valley, and Momentum (lr 0.1, momentum 0.9),
AdaGrad (lr 1.5) and Adam (lr 0.3) heading for the minimum. Measured here (30 steps):

    optimizer  end              |end|   path length / straight distance   sign changes of y
    SGD        (-0.350, 0.085)  0.36    36.99 / 6.92 = 5.35               30
    Momentum   ( 0.896, 0.088)  0.90    12.80 / 8.12 = 1.58                4
    AdaGrad    (-0.120, 0.000)  0.12     7.58 / 7.16 = 1.06                0
    Adam       ( 0.136, 0.318)  0.35     8.30 / 7.33 = 1.13                2

So after 30 steps SGD is no farther from the minimum than Adam: what sets it apart is the path,
which flips across the valley at every step and is five times longer than the distance it
covers. The thresholds below: SGD flips 30 times out of 30 and its path is over 4 times the
distance covered; the others' paths are under twice it, they flip at most 4 times, enter the
unit disc around the minimum by step 25 (measured 21, 14, 23) and end inside it.
"""

from __future__ import annotations

import numpy as np
import pytest

import optim
from autograd import Variable

START, STEPS = (-7.0, 2.0), 30
BOOK = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.95),
    "Momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    "AdaGrad": lambda ps: optim.Adagrad(ps, lr=1.5),
    "Adam": lambda ps: optim.Adam(ps, lr=0.3),
}


def trajectory(make) -> np.ndarray:
    x, y = Variable(np.array(START[0])), Variable(np.array(START[1]))
    opt = make([x, y])
    points = [START]
    for _ in range(STEPS):
        opt.zero_grad()
        (x**2 / 20 + y**2).backward()
        opt.step()
        points.append((x.item(), y.item()))
    return np.array(points)


def book_trajectory(name: str) -> np.ndarray:
    """The book's own update rules (its eps = 1e-7 and its forms of Momentum and Adam)."""
    p = np.array(START)
    v, h, m, s = np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2)
    points = [p]
    for t in range(1, STEPS + 1):
        g = np.array([p[0] / 10, 2 * p[1]])
        if name == "SGD":
            p = p - 0.95 * g
        elif name == "Momentum":
            v = 0.9 * v - 0.1 * g
            p = p + v
        elif name == "AdaGrad":
            h = h + g * g
            p = p - 1.5 * g / (np.sqrt(h) + 1e-7)
        else:
            lr_t = 0.3 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            m = m + (1 - 0.9) * (g - m)
            s = s + (1 - 0.999) * (g * g - s)
            p = p - lr_t * m / (np.sqrt(s) + 1e-7)
        points.append(p)
    return np.array(points)


def path_ratio(points: np.ndarray) -> float:
    """Length of the path over the straight-line distance from its start to its end."""
    length = np.linalg.norm(np.diff(points, axis=0), axis=1).sum()
    return length / np.linalg.norm(points[-1] - points[0])


def sign_changes(values: np.ndarray) -> int:
    return int(np.sum(np.sign(values[1:]) != np.sign(values[:-1])))


# SGD and Momentum are the same arithmetic (PyTorch's momentum form equals the book's at constant lr);
# AdaGrad and Adam differ only in eps (1e-10 and 1e-8 here, 1e-7 in the book), which moves Adam's
# early steps, where sqrt(v) is about 0.02, by up to 1e-5.
@pytest.mark.parametrize(("name", "atol"), [("SGD", 1e-12), ("Momentum", 1e-12), ("AdaGrad", 1e-6), ("Adam", 3e-5)])
def test_trajectory_is_the_books(name, atol):
    np.testing.assert_allclose(trajectory(BOOK[name]), book_trajectory(name), rtol=0, atol=atol)


def test_sgd_zigzags():
    points = trajectory(BOOK["SGD"])
    assert sign_changes(points[:, 1]) == STEPS
    assert path_ratio(points) > 4


@pytest.mark.parametrize("name", ["Momentum", "AdaGrad", "Adam"])
def test_momentum_adagrad_adam_reach_the_minimum_region(name):
    points = trajectory(BOOK[name])
    distance = np.linalg.norm(points, axis=1)
    assert distance[-1] < 1
    assert np.argmax(distance < 1) <= 25
    assert path_ratio(points) < 2
    assert sign_changes(points[:, 1]) <= 4


def test_adagrad_damps_the_steep_direction():
    # The book's point about AdaGrad: the y step shrinks fast because y's gradients were large.
    points = trajectory(BOOK["AdaGrad"])
    assert abs(points[-1, 1]) < 1e-6
