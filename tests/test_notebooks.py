"""Every notebook runs top to bottom (with ZEROGRAD_SMALL=1 so it uses little data); one that reads
MNIST or Fashion-MNIST is skipped when that dataset is not on disk (the tests never download)."""

import os
import re
from pathlib import Path

import pytest

from nn.datasets import MNIST, FashionMNIST

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def missing_datasets(notebook) -> list[str]:
    """The datasets the notebook's code constructs that are not on disk."""
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    needed = [cls for cls in (MNIST, FashionMNIST) if re.search(rf"\b{cls.__name__}\(", code)]
    return [cls.__name__ for cls in needed if not cls.is_available()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    missing = missing_datasets(notebook)
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found in $ZEROGRAD_DATA or ~/.cache/zerograd (tests never download)")
    monkeypatch.setenv("ZEROGRAD_SMALL", "1")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))  # the kernel's profile, not in the user's home
    monkeypatch.setenv("PYTHONPATH", str(path.parent.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
