"""The apple demo (`./dev demo`) prints the textbook's numbers and can draw its graph."""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_demo(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "examples.apple", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


def test_demo_prints_price_and_gradients() -> None:
    numbers = [line.split()[-1] for line in run_demo().splitlines()]
    assert numbers == ["220", "2.2", "110", "200"]


@pytest.mark.skipif(shutil.which("dot") is None and find_spec("pygraphviz") is None, reason="no Graphviz")
def test_demo_draws_the_backward_figure(tmp_path: Path) -> None:
    path = tmp_path / "apple.svg"
    run_demo("--draw", str(path))
    svg = path.read_text()
    assert ET.fromstring(svg.encode()).tag == "{http://www.w3.org/2000/svg}svg"
    # Every value and gradient of the book's figure, including the intermediate 1.1 under 200.
    texts = [t.text for t in ET.fromstring(svg.encode()).iter("{http://www.w3.org/2000/svg}text")]
    for label in ["apple", "apple_num", "tax", "price", "100", "2", "200", "1.1", "220", "2.2", "110", "1"]:
        assert label in texts
    assert texts.count("1.1") == 2 and texts.count("200") == 2
