"""MNIST and Fashion-MNIST from their IDX files: found on disk or downloaded once, always MD5-checked.

Where the files are looked for: `root` when given (the folder holding the .gz files);
otherwise `$ZEROGRAD_DATA/<name>/` when it holds them, else `~/.cache/zerograd/<name>/`.
Missing files are downloaded into `root` (when given) or that cache, each to a temporary name
that is renamed into place only once its MD5 matches the published one.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

__all__ = ["MNIST", "FashionMNIST", "read_idx"]

_SPLITS = {
    True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Decode a gzipped IDX file (magic 0 0 <dtype> <ndim>, big-endian sizes, then the data)."""
    with gzip.open(path, "rb") as f:
        raw = bytearray(f.read())  # a bytearray, so the array is writable without another copy
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"read_idx: {path} is not an IDX file (magic bytes {bytes(raw[:4]).hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path} ends inside its header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"read_idx: {path} declares shape {shape} ({expected} bytes of data) but holds {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _IDXImages:
    """A split of an IDX image dataset: `.data` (N, 28, 28) uint8 and `.targets` (N,) int64."""

    name: ClassVar[str]
    mirrors: ClassVar[tuple[str, ...]]
    md5: ClassVar[dict[str, str]]
    classes: ClassVar[tuple[str, ...]]

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True) -> None:
        self.train = bool(train)
        files = _SPLITS[self.train]
        self.folder = self._fetch(self._locate(root, files), files)
        images, labels = (read_idx(self.folder / f) for f in files)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{type(self).__name__}: images of shape {images.shape} and labels of shape {labels.shape} "
                f"in {self.folder} do not make a dataset"
            )
        self.data: np.ndarray = images
        self.targets: np.ndarray = labels.astype(np.int64)

    def _locate(self, root: str | os.PathLike | None, files: tuple[str, ...]) -> Path:
        if root is not None:
            return Path(root).expanduser()
        shared = os.environ.get("ZEROGRAD_DATA")
        if shared and all((Path(shared) / self.name / f).is_file() for f in files):
            return Path(shared) / self.name
        return Path.home() / ".cache" / "zerograd" / self.name

    def _fetch(self, folder: Path, files: tuple[str, ...]) -> Path:
        """Check the files already there, then download the missing ones."""
        missing = []
        for f in files:
            path = folder / f
            if not path.is_file():
                missing.append(f)
                continue
            digest = _md5(path)
            if digest != self.md5[f]:
                raise ValueError(
                    f"{type(self).__name__}: {path} has MD5 {digest}, expected {self.md5[f]}: "
                    f"the file is corrupt or incomplete; delete it to download it again"
                )
        for f in missing:
            self._download(f, folder)
        return folder

    def _download(self, filename: str, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        errors = []
        for mirror in self.mirrors:
            url = mirror + filename
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{filename}.", suffix=".part")
            try:
                digest = hashlib.md5()
                with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                    for block in iter(lambda: response.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
                if digest.hexdigest() != self.md5[filename]:
                    raise ValueError(f"MD5 {digest.hexdigest()}, expected {self.md5[filename]}")
                os.replace(tmp, folder / filename)
                return
            except (OSError, ValueError) as e:
                errors.append(f"{url}: {e}")
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
        raise RuntimeError(f"{type(self).__name__}: could not download {filename} into {folder}: " + "; ".join(errors))

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: Any) -> tuple[np.ndarray, np.ndarray]:
        """(image(s), label(s)): one (28, 28) uint8 image and its int64 label, or a batch of them."""
        return self.data[index], self.targets[index]

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}({split}: {len(self)} images of {self.data.shape[1:]}, from {self.folder})"


class MNIST(_IDXImages):
    """MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 train / 10,000 test 28x28 images, labels 0-9."""

    name = "mnist"
    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
    md5: ClassVar[dict[str, str]] = {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    classes = tuple(str(d) for d in range(10))


class FashionMNIST(_IDXImages):
    """Fashion-MNIST (Zalando Research): MNIST's format and sizes, ten kinds of clothing."""

    name = "fashion-mnist"
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
    md5: ClassVar[dict[str, str]] = {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
