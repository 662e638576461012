"""Garbage in for `python -m nn`: every bad option value ends the command as argparse does, with exit code 2
and a one-line `error:` message on stderr naming the option, before any training and without a traceback."""

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn.__main__ import main

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NUMBERS = {
    "--epochs": "int",
    "--batch-size": "int",
    "--limit": "int",
    "--checkpoint-every": "int",
    "--seed": "seed",
    "--lr": "real",
}


def refused(capsys, argv, *names) -> str:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert "error:" in last and any(name in last for name in names), err
    return last


def bad_text(kind):
    """Text that is no value of the option: words, fractions, NaN, inf, zero or negatives as its kind forbids."""
    words = st.sampled_from(["abc", "", " ", "1e", "0x10", "one", "1,5"])
    fixed = {"int": ["0", "-1", "1.5", "nan", "inf", "1e3"], "seed": ["-1", "1.5", "nan", "inf"],
             "real": ["0", "-1", "nan", "inf", "-inf", "1e999"]}[kind]
    return words | st.sampled_from(fixed)


@pytest.mark.parametrize("option", sorted(NUMBERS))
@SETTINGS
@given(data=st.data())
def test_numeric_options_refuse_bad_values(option, data, capsys, tmp_path):
    text = data.draw(bad_text(NUMBERS[option]), label="value")
    extra = ["--checkpoint", str(tmp_path / "c.npz")] if option == "--checkpoint-every" else []
    # A short run first, which the bad value (given last) overrides: a value wrongly taken trains briefly.
    short = ["--dataset", "spiral", "--epochs", "1", "--limit", "30"]
    refused(capsys, [*short, *extra, f"{option}={text}"], option)


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["--model", "resnet"], "--model"),
        (["--optimizer", "lbfgs"], "--optimizer"),
        (["--dataset", "cifar"], "--dataset"),
        (["--dataset", "spiral", "--save", "w.txt"], "--save"),
        (["--dataset", "spiral", "--save", "/no/such/folder/w.npz"], "--save"),
        (["--dataset", "spiral", "--epochs"], "--epochs"),
        (["--dataset", "spiral", "--no-such-option"], "--no-such-option"),
    ],
)
def test_bad_choices_and_paths_are_refused(argv, name, capsys):
    refused(capsys, argv, name)


def test_corrupt_dataset_files_in_data_dir_are_refused(tmp_path, capsys):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split in ("train", "t10k"):
        for part in ("images-idx3", "labels-idx1"):
            (folder / f"{split}-{part}-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01"))
    refused(capsys, ["--dataset", "mnist", "--data-dir", str(tmp_path)], "MNIST", "mnist")


@pytest.mark.parametrize("content", [b"", b"not a checkpoint", b"PK\x03\x04 truncated zip"])
def test_a_corrupt_checkpoint_to_resume_is_refused(tmp_path, capsys, content):
    path = tmp_path / "c.npz"
    path.write_bytes(content)
    refused(capsys, ["--dataset", "spiral", "--epochs", "1", "--resume", str(path)], "--resume", "checkpoint")
