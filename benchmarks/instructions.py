"""Instructions per op of benchmarks/overhead.py's chain, counted by valgrind's callgrind.

Run: .venv/bin/python benchmarks/instructions.py [--ops 1000] [--chains 10] [--gc]

Wall clock on a shared VM wanders by 1.5x; an instruction count does not: the same tree gives the same
count to the instruction, so a change of 1% to the per-op overhead shows. Only the timed chains are
counted (callgrind collects inside one builtin `map` that runs them, after a warm-up), with hash
randomization and address-space randomization off. The garbage collector is off unless --gc: its
collections come in lumps whose count over a few chains varies. Needs valgrind; about 30 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed copy
from benchmarks.overhead import zerograd_chain

# The one C function the counted part runs inside: collection is switched on for it alone.
TOGGLE = "map_next"


def run_chains(ops: int, chains: int, collect_garbage: bool) -> None:
    """The counted part: `chains` chains of `ops` ops, inside map(), after a warm-up outside it."""
    run = zerograd_chain(ops)
    for _ in range(3):
        run()
    gc.collect()
    if not collect_garbage:
        gc.disable()
    list(map(lambda _: run(), range(chains)))


def count(ops: int, chains: int, collect_garbage: bool) -> int:
    """Instructions callgrind counts in the chains."""
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py: valgrind is not installed (apt-get install valgrind)")
    inner = [sys.executable, __file__, "--inner", "--ops", str(ops), "--chains", str(chains)]
    if collect_garbage:
        inner.append("--gc")
    with tempfile.TemporaryDirectory() as tmp:
        command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--toggle-collect={TOGGLE}",
                   f"--callgrind-out-file={tmp}/callgrind.out", *inner]
        if shutil.which("setarch"):
            command = ["setarch", os.uname().machine, "--addr-no-randomize", *command]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"instructions.py: callgrind failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=10)
    parser.add_argument("--gc", action="store_true", help="leave the garbage collector on")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        run_chains(args.ops, args.chains, args.gc)
        return
    total = count(args.ops, args.chains, args.gc)
    collector = "on" if args.gc else "off"
    print(f"{args.chains} chains of {args.ops} scalar ops (add, mul, tanh), forward + backward, garbage collector "
          f"{collector}: {total / (args.ops * args.chains):,.0f} instructions per op")


if __name__ == "__main__":
    main()
