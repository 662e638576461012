"""Run notebooks top to bottom and save them with their outputs, as they are committed (a full run).

Usage: .venv/bin/python notebooks/execute.py [notebooks/NAME.ipynb ...]   (default: every notebook here)

The full run uses all the data (ZEROGRAD_SMALL is cleared; the test suite sets it to run on little
data). MNIST is read from $ZEROGRAD_DATA, or ../shared/datasets beside the checkout when that exists;
nothing is downloaded. Each notebook is written back to a temporary file, then renamed over the original.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def execute(path: Path) -> float:
    """Execute the notebook at path in its folder and save it with its outputs; return the seconds taken."""
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(notebook, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
                   ).execute()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(notebook, f)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    os.environ.pop("ZEROGRAD_SMALL", None)
    os.environ["ZEROGRAD_OFFLINE"] = "1"
    shared = HERE.parent.parent / "shared" / "datasets"
    if "ZEROGRAD_DATA" not in os.environ and shared.is_dir():
        os.environ["ZEROGRAD_DATA"] = str(shared)
    os.environ["PYTHONPATH"] = str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")
    paths = [Path(p).resolve() for p in argv] or sorted(HERE.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path):.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
