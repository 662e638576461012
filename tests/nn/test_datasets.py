"""nn.datasets: MNIST from $ZEROGRAD_DATA (skipped when absent), lookup order, download and MD5 checks,
the offline switch, Spiral.

No test touches the network: urlopen is replaced by a stub that fails, or that serves local bytes.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from nn.datasets import MNIST, DatasetNotFound, FashionMNIST, Spiral, read_idx

SHARED = Path(os.environ.get("ZEROGRAD_DATA", "/nonexistent")) / "mnist"
needs_mnist = pytest.mark.skipif(
    not all((SHARED / f).is_file() for f in MNIST.md5), reason="MNIST not in $ZEROGRAD_DATA/mnist"
)

# From the shared datasets README.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """No network, downloads allowed (ZEROGRAD_OFFLINE unset), an empty home (so no cache), and a
    record of the URLs anything tried to open."""
    tried = []
    monkeypatch.delenv("ZEROGRAD_OFFLINE", raising=False)

    def refuse(url, timeout=None):
        tried.append(url)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tried


@needs_mnist
@pytest.mark.parametrize(("train", "counts", "mean"), [(True, TRAIN_COUNTS, 33.318), (False, TEST_COUNTS, 33.791)])
def test_mnist_from_zerograd_data(no_network, train, counts, mean):
    ds = MNIST(train=train)
    n = sum(counts)
    assert ds.folder == SHARED
    assert ds.data.shape == (n, 28, 28) and ds.data.dtype == np.uint8
    assert ds.targets.shape == (n,) and ds.targets.dtype == np.int64
    assert len(ds) == n
    np.testing.assert_array_equal(np.bincount(ds.targets, minlength=10), counts)
    assert ds.data.mean() == pytest.approx(mean, abs=5e-4)
    image, label = ds[7]
    assert image.shape == (28, 28) and image.max() > 0 and 0 <= label <= 9
    images, labels = ds[:5]
    assert images.shape == (5, 28, 28) and labels.shape == (5,)
    assert no_network == []


@needs_mnist
def test_root_is_used_as_is(no_network, tmp_path):
    for f in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(SHARED / f, tmp_path / f)
    ds = MNIST(root=tmp_path, train=False)
    assert ds.folder == tmp_path and len(ds) == 10000
    assert no_network == []


def _fake_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.mark.parametrize("cls", [MNIST, FashionMNIST])
def test_a_file_with_the_wrong_md5_is_a_clear_error(no_network, tmp_path, cls):
    _fake_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((3, 28, 28)))
    _fake_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(3))
    with pytest.raises(ValueError, match=rf"{cls.__name__}: .*t10k-images-idx3-ubyte.gz has MD5 \w+, expected "):
        cls(root=tmp_path, train=False)
    assert no_network == []  # a corrupt file is reported, not silently replaced


def test_missing_files_without_network_say_what_failed(no_network, tmp_path, monkeypatch):
    monkeypatch.delenv("ZEROGRAD_DATA", raising=False)
    (tmp_path / "home").mkdir()
    cache = tmp_path / "home" / ".cache" / "zerograd" / "mnist"
    message = rf"MNIST: .* not found in {cache} \(could not download t10k-images-idx3-ubyte.gz: .*network disabled"
    with pytest.raises(DatasetNotFound, match=message) as info:
        MNIST(train=False)
    assert isinstance(info.value, FileNotFoundError) and info.value.looked == (cache,)
    assert no_network[0].endswith("/t10k-images-idx3-ubyte.gz") and len(no_network) == len(MNIST.mirrors)
    assert list((tmp_path / "home").iterdir()) == []  # no partial file, no empty folder left behind


@needs_mnist
def test_download_goes_into_the_cache_and_is_checked(monkeypatch, tmp_path):
    # ZEROGRAD_DATA points at a folder without the files, so they are "downloaded" (served from disk).
    monkeypatch.delenv("ZEROGRAD_OFFLINE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZEROGRAD_DATA", str(tmp_path / "empty"))
    served = []

    def serve(url, timeout=None):
        served.append(url)
        return io.BytesIO((SHARED / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", serve)
    ds = MNIST(train=False)
    cache = tmp_path / "home" / ".cache" / "zerograd" / "mnist"
    assert ds.folder == cache and len(ds) == 10000
    assert sorted(p.name for p in cache.iterdir()) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert len(served) == 2
    MNIST(train=False)  # second use: from the cache, nothing downloaded
    assert len(served) == 2


def test_a_download_with_the_wrong_md5_is_not_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("ZEROGRAD_OFFLINE", raising=False)
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(b"not mnist"))
    with pytest.raises(DatasetNotFound, match=r"could not download t10k-images-idx3-ubyte.gz: .*MD5 \w+, expected"):
        MNIST(root=tmp_path, train=False)
    assert list(tmp_path.iterdir()) == []


def test_read_idx_decodes_and_rejects(tmp_path):
    array = np.arange(24).reshape(2, 3, 4)
    _fake_idx(tmp_path / "ok.gz", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "ok.gz"), array)
    with gzip.open(tmp_path / "magic.gz", "wb") as f:
        f.write(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="is not an IDX file"):
        read_idx(tmp_path / "magic.gz")
    with gzip.open(tmp_path / "short.gz", "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big") + b"\x00" * 9)
    with pytest.raises(ValueError, match=r"declares shape \(10,\) \(10 bytes of data\) but holds 9"):
        read_idx(tmp_path / "short.gz")


def test_offline_a_missing_dataset_raises_at_once_and_creates_nothing(monkeypatch, tmp_path):
    tried = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: tried.append(url))
    monkeypatch.setenv("ZEROGRAD_OFFLINE", "1")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZEROGRAD_DATA", str(tmp_path / "data"))
    (tmp_path / "home").mkdir()
    (tmp_path / "data").mkdir()
    looked = (tmp_path / "data" / "fashion-mnist", tmp_path / "home" / ".cache" / "zerograd" / "fashion-mnist")
    with pytest.raises(DatasetNotFound) as info:
        FashionMNIST(train=True)
    message = str(info.value)
    assert message.startswith(f"FashionMNIST: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz not found in "
                              f"{looked[0]} or {looked[1]} (ZEROGRAD_OFFLINE is set")
    assert "point ZEROGRAD_DATA at a folder holding fashion-mnist/" in message and "root=" in message
    assert info.value.looked == looked
    with pytest.raises(DatasetNotFound, match=rf"not found in {tmp_path / 'copy'} "):
        MNIST(root=tmp_path / "copy")
    assert tried == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "home"]
    assert list((tmp_path / "home").iterdir()) == list((tmp_path / "data").iterdir()) == []
    assert not MNIST.is_available() and not FashionMNIST.is_available(root=tmp_path)


@needs_mnist
def test_float_images_are_what_the_models_take():
    ds = MNIST(train=False)
    x = ds.float_images()
    assert x.shape == (10000, 1, 28, 28) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_allclose(x[3, 0] * 255, ds.data[3], atol=1e-4)
    assert MNIST.is_available()


def test_spiral():
    ds = Spiral()
    assert len(ds) == 300 and ds.data.shape == (300, 2) and ds.data.dtype == np.float32
    assert ds.targets.dtype == np.int64 and np.bincount(ds.targets).tolist() == [100, 100, 100]
    radius = np.linalg.norm(ds.data, axis=1)
    assert radius.min() == 0.0 and 0.98 < radius.max() < 1.0  # r = i / n for i < n
    assert len(set(ds.targets[:30].tolist())) == 3  # shuffled: the first points hold every arm
    # Each arm's angle grows with the radius, 4 radians per arm, plus noise of std 0.2.
    for j in range(3):
        arm = (ds.targets == j) & (radius > 0.05)  # near the centre the angle is lost in rounding
        r = radius[arm]
        theta = np.arctan2(*ds.data[arm].T)
        offset = np.angle(np.exp(1j * (theta - 4.0 * j - 4.0 * r)))
        assert abs(offset.mean()) < 0.05 and 0.15 < offset.std() < 0.25
    x, t = ds[[0, 5]]
    assert x.shape == (2, 2) and t.shape == (2,)
    np.testing.assert_array_equal(Spiral().data, ds.data)
    assert not np.array_equal(Spiral(seed=1).data, ds.data)
    other = Spiral(n_per_class=7, classes=5, seed=3)
    assert other.data.shape == (35, 2) and sorted(set(other.targets.tolist())) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(("kwargs", "name"), [({"n_per_class": 0}, "n_per_class"), ({"classes": 2.5}, "classes")])
def test_spiral_refuses_bad_sizes(kwargs, name):
    with pytest.raises(ValueError, match=f"Spiral: {name} must be a positive integer"):
        Spiral(**kwargs)
