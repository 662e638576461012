"""The README's tour runs as written."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks
    namespaces = []
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, str(README), "exec"), namespace)
        namespaces.append(namespace)
    tour = namespaces[0]
    assert abs(tour["price"].item() - 220.0) < 1e-9
    assert abs(tour["apple"].grad.item() - 2.2) < 1e-12
    numpy_tour = next(namespace for namespace in namespaces if "check_op" in namespace)
    A, x = numpy_tour["A"], numpy_tour["x"]
    np.testing.assert_allclose(numpy_tour["H"].data, 2 * A.T @ A, rtol=1e-12)
    np.testing.assert_allclose(numpy_tour["g"].data, np.sin(1.0) + np.cos(1.0) * np.ones(3))
    assert x.grad.shape == x.shape
