"""keep_freed_memory changes glibc's settings in a separate process and reports success."""

import subprocess
import sys


def test_keep_freed_memory_reports_and_computation_still_works():
    code = (
        "import numpy as np\n"
        "from autograd.memory import keep_freed_memory\n"
        "ok = keep_freed_memory()\n"
        "a = [np.ones(2_000_000, np.float32) for _ in range(3)]\n"
        "del a\n"
        "b = np.ones(2_000_000, np.float32) * 2\n"
        "print(ok, float(b.sum()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] in ("True", "False")
    if sys.platform.startswith("linux"):
        assert out[0] == "True"
    assert float(out[1]) == 4_000_000.0
