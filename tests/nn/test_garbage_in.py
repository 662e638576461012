"""Garbage in for nn: layers and models fed wrong-rank or wrong-channel inputs and bad constructor
arguments, Module.load / load_state_dict given corrupt files and dicts, the IDX readers given truncated
and corrupt .gz files, DataLoader and ArrayDataset given bad arguments.

Only a TypeError or ValueError naming the problem comes out (a missing file: FileNotFoundError), and a
refused call leaves the model as it was: parameters and buffers (BatchNorm's running statistics) are
compared with a deep copy taken before. NaN/inf in data (an input batch, loaded weights) are values and
propagate; NaN/inf in sizes, probabilities, momenta and counts are refused.
"""

import copy
import gzip
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd.testing import strategies as zs
from nn.data import ArrayDataset, DataLoader
from nn.datasets import MNIST, read_idx
from tests.garbage import refused

SETTINGS = settings(
    max_examples=10,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return copy.deepcopy(model.state_dict())


def assert_unchanged(model: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = model.state_dict()
    assert after.keys() == before.keys()
    for key in before:
        np.testing.assert_array_equal(after[key], before[key], err_msg=key)


# ----- layers and models -----

LAYERS = {
    "Linear": (lambda: nn.Linear(3, 2), (4, 3), ("linear",)),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, pad=1), (2, 2, 5, 5), ("conv2d",)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 3, 3), (2, 2, 4, 4), ("conv_transpose2d",)),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), (2, 2, 4, 4), ("max_pool2d",)),
    "AvgPool2d": (lambda: nn.AvgPool2d(2), (2, 2, 4, 4), ("avg_pool2d",)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), (4, 3), ("BatchNorm1d", "batch_norm")),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(2), (2, 2, 3, 3), ("BatchNorm2d", "batch_norm")),
    "MLP": (lambda: nn.MLP([6, 4, 3], batch_norm=True), (5, 6), ("linear", "BatchNorm1d", "batch_norm", "MLP")),
    "SimpleConvNet": (
        lambda: nn.SimpleConvNet(input_dim=(1, 8, 8), filters=2, kernel_size=3, hidden=4, classes=3),
        (2, 1, 8, 8),
        ("conv2d", "linear"),
    ),
}


@st.composite
def wrong_inputs(draw, shape):
    """An input of another rank, or of the right rank with its channel/feature axis resized."""
    if draw(st.booleans()):
        return np.full(draw(zs.wrong_rank_shapes(len(shape), max_side=3)), 0.5, np.float32)
    axis = 1 if len(shape) > 2 else len(shape) - 1
    other = list(shape)
    other[axis] = draw(st.integers(1, 5).filter(lambda n: n != shape[axis]))
    return np.full(other, 0.5, np.float32)


@pytest.mark.parametrize("name", sorted(LAYERS))
@SETTINGS
@given(data=st.data())
def test_layer_refuses_wrong_input_shapes_and_stays_unchanged(name, data):
    make, shape, names = LAYERS[name]
    layer = make()
    x = data.draw(wrong_inputs(shape), label="x")
    before = snapshot(layer)
    try:
        layer(x)
    except (TypeError, ValueError) as error:
        assert any(n in str(error) for n in names), f"{name} on {x.shape}: {type(error).__name__}: {error}"
        assert_unchanged(layer, before)
        return
    # Pooling takes any channel count, a Linear works on any leading axes, and the MLP flattens each example.
    fits = {"Linear": x.ndim > 0 and x.shape[-1] == 3, "MLP": x.ndim > 2 and np.prod(x.shape[1:]) == 6}
    assert name in ("MaxPool2d", "AvgPool2d") or fits.get(name), f"{name} took {x.shape}"


@pytest.mark.parametrize("name", sorted(LAYERS))
@SETTINGS
@given(junk=zs.garbage())
def test_layer_refuses_non_numeric_input(name, junk):
    make, _, names = LAYERS[name]
    layer = make()
    before = snapshot(layer)
    refused(lambda: layer(junk), *names, "Variable")
    assert_unchanged(layer, before)


def test_batch_norm_keeps_non_finite_data_as_data():
    layer = nn.BatchNorm1d(2)
    x = np.array([[np.nan, 1.0], [2.0, 3.0]], np.float32)
    y = layer(x).data
    assert np.isnan(y[:, 0]).all() and np.isfinite(y[:, 1]).all()


CONSTRUCTORS = {
    "Linear": lambda v: nn.Linear(v, 3),
    "Conv2d channels": lambda v: nn.Conv2d(1, v, 3),
    "Conv2d kernel": lambda v: nn.Conv2d(1, 2, v),
    "MaxPool2d": lambda v: nn.MaxPool2d(v),
    "BatchNorm1d": lambda v: nn.BatchNorm1d(v),
    "MLP": lambda v: nn.MLP([4, v, 2]),
    "SimpleConvNet": lambda v: nn.SimpleConvNet(input_dim=(1, 8, 8), filters=v, kernel_size=3, hidden=4),
    "Spiral": lambda v: nn.datasets.Spiral(v),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
@SETTINGS
@given(value=zs.bad_counts())
def test_constructors_refuse_bad_sizes(name, value):
    refused(lambda: CONSTRUCTORS[name](value), name.split()[0], "Linear", "Conv2d")


RATES = {
    "Dropout p": lambda v: nn.Dropout(v),
    "BatchNorm1d momentum": lambda v: nn.BatchNorm1d(3, momentum=v),
    "BatchNorm2d eps": lambda v: nn.BatchNorm2d(3, eps=v),
    "LeakyReLU negative_slope": lambda v: nn.LeakyReLU(v),
    "MLP dropout": lambda v: nn.MLP([4, 3, 2], dropout=v),
}


@pytest.mark.parametrize("name", sorted(RATES))
@SETTINGS
@given(value=zs.bad_reals())
def test_constructors_refuse_bad_rates(name, value):
    refused(lambda: RATES[name](value), name.split()[0], "Dropout")


# ----- load_state_dict and Module.load -----


def small_model() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


@st.composite
def bad_states(draw):
    """A state dict of the small model with one entry broken: garbage, another shape or dtype, or a key off."""
    state = small_model().state_dict()
    key = draw(st.sampled_from(sorted(state)))
    how = draw(st.sampled_from(["garbage", "shape", "dtype", "missing", "extra"]))
    if how == "garbage":
        state[key] = draw(zs.garbage())
    elif how == "shape":
        shape = state[key].shape
        state[key] = np.zeros(draw(zs.shapes(0, 3, 0, 5).filter(lambda t: t != shape)), np.float32)
    elif how == "dtype":
        state[key] = state[key].astype(draw(st.sampled_from([np.int64, np.bool_, np.complex64, object, "U3"])))
    elif how == "missing":
        del state[key]
    else:
        state[key + "_extra"] = np.zeros(1, np.float32)
    return state


@SETTINGS
@given(state=bad_states() | zs.non_numeric() | st.lists(st.integers(), max_size=2))
def test_load_state_dict_refuses_bad_states_and_changes_nothing(state):
    model = small_model()
    before = snapshot(model)
    refused(lambda: model.load_state_dict(state), "load_state_dict")
    assert_unchanged(model, before)


def test_load_state_dict_takes_non_finite_weights_as_data():
    model = small_model()
    state = model.state_dict()
    state["0.W"][0, 0] = np.nan
    model.load_state_dict(state)
    assert np.isnan(model[0].W.data[0, 0])


@st.composite
def bad_files(draw, tmp):
    """A path to something that is no weights file of the small model."""
    good = tmp / "good.npz"
    small_model().save(good)
    raw = good.read_bytes()
    kind = draw(st.sampled_from(["random", "truncated", "empty", "npy", "zip without arrays", "wrong model",
                                 "flipped byte"]))
    path = tmp / f"bad-{kind.replace(' ', '-')}.npz"
    if kind == "random":
        path.write_bytes(draw(st.binary(min_size=1, max_size=200)))
    elif kind == "truncated":
        path.write_bytes(raw[: draw(st.integers(0, len(raw) - 1))])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "npy":
        np.save(path.with_suffix(".npy"), np.zeros(3))
        path = path.with_suffix(".npy")
    elif kind == "zip without arrays":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("notes.txt", "hello")
    elif kind == "wrong model":
        nn.Linear(2, 2).save(path)
    else:
        at = draw(st.integers(0, len(raw) - 1))
        path.write_bytes(raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1 :])
    return path


@SETTINGS
@given(data=st.data())
def test_load_refuses_corrupt_files_and_changes_nothing(tmp_path, data):
    path = data.draw(bad_files(tmp_path), label="file")
    model = small_model()
    before = snapshot(model)
    try:
        model.load(path)
    except (TypeError, ValueError) as error:
        assert "load" in str(error), f"{type(error).__name__}: {error}"
    else:
        # A flipped byte where nothing reads it (a timestamp) loads the good file's weights, unharmed.
        assert_unchanged(model, dict(np.load(tmp_path / "good.npz")))
        return
    assert_unchanged(model, before)


def test_load_of_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        small_model().load(tmp_path / "nothing.npz")


# ----- IDX files and the datasets -----


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


@st.composite
def bad_idx_files(draw, tmp):
    """A .gz file that is no whole IDX file: truncated, corrupt, not gzip, a lying header."""
    images = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    raw = idx_bytes(images)
    packed = gzip.compress(raw)
    kind = draw(st.sampled_from(["not gzip", "truncated gzip", "truncated idx", "bad magic", "short header",
                                 "flipped gzip byte", "empty"]))
    if kind == "not gzip":
        content = draw(st.binary(min_size=0, max_size=64))
    elif kind == "truncated gzip":
        content = packed[: draw(st.integers(1, len(packed) - 1))]
    elif kind == "truncated idx":
        content = gzip.compress(raw[: draw(st.integers(0, len(raw) - 1))])
    elif kind == "bad magic":
        content = gzip.compress(bytes([draw(st.integers(1, 255))]) + raw[1:])
    elif kind == "short header":
        content = gzip.compress(raw[:4] + raw[4:6])
    elif kind == "flipped gzip byte":
        at = draw(st.integers(10, len(packed) - 1))
        content = packed[:at] + bytes([packed[at] ^ 0x55]) + packed[at + 1 :]
    else:
        content = b""
    path = tmp / "data-idx3-ubyte.gz"
    path.write_bytes(content)
    return path


@SETTINGS
@given(data=st.data())
def test_read_idx_refuses_corrupt_files(tmp_path, data):
    path = data.draw(bad_idx_files(tmp_path), label="file")
    try:
        array = read_idx(path)
    except ValueError as error:
        assert "read_idx" in str(error), f"{type(error).__name__}: {error}"
        return
    # A flipped byte that gzip's checksum did not catch would be a bug in gzip, not ours: none get here.
    pytest.fail(f"read_idx read {array.shape} from a corrupt file")


def test_read_idx_of_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "none.gz")


def test_mnist_refuses_corrupt_files_in_its_folder(tmp_path):
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        (tmp_path / name).write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x02ab"))
    refused(lambda: MNIST(root=tmp_path, train=True), "MNIST")


@pytest.mark.parametrize("root", [5, 1.5, object(), ["a"]])
def test_mnist_refuses_a_root_that_is_no_path(root):
    refused(lambda: MNIST(root=root), "MNIST")


# ----- DataLoader and ArrayDataset -----


@SETTINGS
@given(zs.bad_counts())
def test_data_loader_refuses_bad_batch_sizes(batch_size):
    dataset = ArrayDataset(np.zeros((5, 2)), np.zeros(5, np.int64))
    refused(lambda: DataLoader(dataset, batch_size), "DataLoader")


@SETTINGS
@given(st.one_of(zs.non_numeric().filter(lambda v: v is not None), st.sampled_from([-1, 1.5, np.nan, True])))
def test_data_loader_refuses_bad_seeds(seed):
    dataset = ArrayDataset(np.zeros((5, 2)), np.zeros(5, np.int64))
    refused(lambda: DataLoader(dataset, 2, shuffle=True, seed=seed), "DataLoader")


@SETTINGS
@given(zs.non_numeric() | st.integers())
def test_data_loader_refuses_what_is_no_dataset(dataset):
    refused(lambda: DataLoader(dataset, 2), "DataLoader")


@SETTINGS
@given(junk=zs.garbage(), which=st.booleans())
def test_array_dataset_refuses_non_numeric_arrays(junk, which):
    good = np.zeros((2, 2))
    data, targets = (junk, np.zeros(2)) if which else (good, junk)
    refused(lambda: ArrayDataset(data, targets), "ArrayDataset")


@SETTINGS
@given(zs.shapes(0, 3, 0, 4), zs.shapes(0, 3, 0, 4))
def test_array_dataset_refuses_unequal_lengths(a, b):
    if a and b and a[0] == b[0]:
        return
    refused(lambda: ArrayDataset(np.zeros(a), np.zeros(b)), "ArrayDataset")
