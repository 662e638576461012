"""Datasets: MNIST and Fashion-MNIST from their IDX files (found on disk or downloaded once, always
MD5-checked), and the generated Spiral.

Where the IDX files are looked for: `root` when given (the folder holding the .gz files);
otherwise `$ZEROGRAD_DATA/<name>/` when it holds them, else `~/.cache/zerograd/<name>/`.
Missing files are downloaded into `root` (when given) or that cache, each to a temporary name
that is renamed into place only once its MD5 matches the published one. With `ZEROGRAD_OFFLINE=1`
(set by `./dev test`) nothing is downloaded: a missing file raises `DatasetNotFound` at once.
A failed attempt leaves no file and no folder behind.

The image datasets keep MNIST's own form, `.data` (N, 28, 28) uint8; `float_images()` gives what
the models take, (N, 1, 28, 28) float32 scaled to [0, 1].
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
import urllib.request
import zlib
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

__all__ = ["MNIST", "DatasetNotFound", "FashionMNIST", "Spiral", "offline", "read_idx"]

_SPLITS = {
    True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DatasetNotFound(FileNotFoundError):
    """A dataset's files are not on disk and could not be downloaded (or downloading is switched off).

    `.dataset` is the class name, `.folder_name` the folder ZEROGRAD_DATA should hold, `.looked` the
    folders searched, `.reason` in a few words why nothing was downloaded, `.errors` what each
    download attempt said.
    """

    def __init__(
        self,
        dataset: str,
        folder_name: str,
        missing: list[str],
        looked: list[Path],
        reason: str,
        errors: tuple[str, ...] = (),
    ) -> None:
        self.dataset, self.folder_name, self.looked = dataset, folder_name, tuple(looked)
        self.reason, self.errors = reason, errors
        detail = f": {'; '.join(errors)}" if errors else ""
        super().__init__(
            f"{dataset}: {', '.join(missing)} not found in {self.places()} ({reason}{detail}); point "
            f"ZEROGRAD_DATA at a folder holding {folder_name}/ with the IDX .gz files, or pass root= the folder "
            "holding them"
        )

    def places(self) -> str:
        """The folders searched, as "a or b"."""
        return " or ".join(str(p) for p in self.looked)


def offline() -> bool:
    """Whether downloading is switched off: ZEROGRAD_OFFLINE set to anything but "" or "0"."""
    return os.environ.get("ZEROGRAD_OFFLINE", "") not in ("", "0")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Decode a gzipped IDX file (magic 0 0 <dtype> <ndim>, big-endian sizes, then the data)."""
    with gzip.open(path, "rb") as f:
        try:
            raw = bytearray(f.read())  # a bytearray, so the array is writable without another copy
        except (EOFError, OSError, zlib.error) as error:  # truncated or corrupt (gzip.BadGzipFile is an OSError)
            raise ValueError(f"read_idx: {path} is not a whole gzip file: {error}") from error
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
        self.folder = self._fetch(root, files)
        images, labels = (read_idx(self.folder / f) for f in files)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{type(self).__name__}: images of shape {images.shape} and labels of shape {labels.shape} "
                f"in {self.folder} do not make a dataset"
            )
        self.data: np.ndarray = images
        self.targets: np.ndarray = labels.astype(np.int64)

    @classmethod
    def _places(cls, root: str | os.PathLike | None) -> list[Path]:
        """The folders searched, in order; the last one is where missing files are downloaded."""
        if root is not None:
            if not isinstance(root, (str, os.PathLike)):
                raise TypeError(f"{cls.__name__}: root must be a path (str or os.PathLike), got {type(root).__name__}")
            return [Path(root).expanduser()]
        places = [Path.home() / ".cache" / "zerograd" / cls.name]
        shared = os.environ.get("ZEROGRAD_DATA")
        if shared:
            places.insert(0, Path(shared).expanduser() / cls.name)
        return places

    @classmethod
    def is_available(cls, root: str | os.PathLike | None = None) -> bool:
        """Whether both splits' files are on disk where the dataset would look; downloads nothing."""
        files = _SPLITS[True] + _SPLITS[False]
        return any(all((p / f).is_file() for f in files) for p in cls._places(root))

    def _fetch(self, root: str | os.PathLike | None, files: tuple[str, ...]) -> Path:
        """The folder holding the files: checked where found, else downloaded into the last place."""
        places = self._places(root)
        folder = next((p for p in places if all((p / f).is_file() for f in files)), places[-1])
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
        if missing and offline():
            reason = "ZEROGRAD_OFFLINE is set, so nothing was downloaded"
            raise DatasetNotFound(type(self).__name__, self.name, missing, places, reason)
        if missing:
            self._download_all(missing, folder, places)
        return folder

    def _download_all(self, missing: list[str], folder: Path, places: list[Path]) -> None:
        """Download the missing files into folder; on failure remove the folders this created."""
        created = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        for f in missing:
            errors = self._download(f, folder)
            if errors:
                for p in created:  # deepest first; a folder that holds anything stays
                    try:
                        p.rmdir()
                    except OSError:
                        break
                reason = f"could not download {f}"
                raise DatasetNotFound(type(self).__name__, self.name, missing, places, reason, tuple(errors))

    def _download(self, filename: str, folder: Path) -> list[str]:
        """Try each mirror until one serves the file with the right MD5; the errors if none did."""
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
                return []
            except (OSError, ValueError) as e:
                errors.append(f"{url}: {e}")
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
        return errors

    def float_images(self) -> np.ndarray:
        """The images as the models take them: (N, 1, 28, 28) float32, x / 255 in [0, 1]."""
        return (self.data[:, None] / np.float32(255)).astype(np.float32, copy=False)

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


class Spiral:
    """Points on `classes` interleaved spiral arms in the plane (the textbook's and cs231n's toy set).

    Arm j, point i of n: radius r = i / n, angle θ = 4j + 4r + 0.2·ε (ε standard normal noise),
    x = (r sin θ, r cos θ). `.data` (classes·n, 2) float32, `.targets` the arm, int64, in a random
    order (so the first k points hold every arm). Another seed gives other noise and order on the
    same arms, which makes a test set.
    """

    def __init__(self, n_per_class: int = 100, classes: int = 3, seed: int = 0) -> None:
        for name, value in (("n_per_class", n_per_class), ("classes", classes)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Spiral: {name} must be a positive integer, got {value!r}")
        rng = np.random.default_rng(seed)
        radius = np.tile(np.arange(n_per_class) / n_per_class, classes)
        arm = np.repeat(np.arange(classes), n_per_class)
        theta = 4.0 * arm + 4.0 * radius + 0.2 * rng.standard_normal(classes * n_per_class)
        order = rng.permutation(classes * n_per_class)
        points = np.stack([radius * np.sin(theta), radius * np.cos(theta)], axis=1)
        self.data: np.ndarray = points[order].astype(np.float32)
        self.targets: np.ndarray = arm[order].astype(np.int64)
        self.classes = tuple(str(j) for j in range(classes))

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: Any) -> tuple[np.ndarray, np.ndarray]:
        """(point(s), arm(s)): index by an int, a slice or an integer array."""
        return self.data[index], self.targets[index]

    def __repr__(self) -> str:
        return f"Spiral({len(self)} points on {len(self.classes)} arms)"
