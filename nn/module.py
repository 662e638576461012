"""Parameter, Module and Sequential: models as trees of layers, as in PyTorch.

A Module registers the Parameters, sub-Modules and buffers assigned to its attributes, in assignment
order. Parameters are named by their dotted path (`conv1.W`, `head.1.b`), which is also the name the
graph drawing shows. Weights are saved as a NumPy `.npz` archive and read back without pickle, so a
weights file cannot run code; loading checks every entry before it changes anything.
"""

from __future__ import annotations

import os
import uuid
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Variable, increment_version

__all__ = ["Module", "Parameter", "Sequential"]


class Parameter(Variable):
    """A Variable that a Module owns and an optimizer updates."""

    __slots__ = ()

    def __init__(self, data: Any, name: str | None = None) -> None:
        super().__init__(data, name=name)
        if self.data.dtype.kind != "f":
            raise TypeError(f"Parameter: data must be floating point, got dtype {self.data.dtype}")


class Module:
    """Base class of layers and models: subclasses set attributes in __init__ and define forward."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ----- registration -----
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before assigning attributes")
        if name in self._buffers and isinstance(value, np.ndarray):
            # Replacing a buffer's array keeps it a buffer (saved and loaded), as PyTorch does.
            self._buffers[name] = value
            object.__setattr__(self, name, value)
            return
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            if value.name is None:
                value.name = name
            self._parameters[name] = value
        elif isinstance(value, Module):
            # The child's parameters were named within it; prefix those names with where it now lives.
            for dotted, p in value.named_parameters():
                if p.name == dotted:
                    p.name = f"{name}.{dotted}"
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, array: np.ndarray) -> None:
        """A state array that is saved and loaded with the weights but not trained (e.g. running statistics)."""
        if not isinstance(array, np.ndarray):
            raise TypeError(f"register_buffer: {name!r} must be an ndarray, got {type(array).__name__}")
        self.__setattr__(name, array)
        self._buffers[name] = array

    # ----- traversal -----
    def children(self) -> Iterator[Module]:
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module (named prefix) and every descendant, depth first;
        a module reached twice (shared by two parents) is given once, under its first name."""
        yield from self._named_modules(prefix, set())

    def _named_modules(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Module]]:
        seen.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if id(child) not in seen:
                yield from child._named_modules(f"{prefix}.{name}" if prefix else name, seen)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """(dotted name, parameter) in registration order; a parameter shared by two layers is listed once."""
        seen: set[int] = set()
        result = []
        for prefix, m in self.named_modules():
            for name, p in m._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    result.append((f"{prefix}.{name}" if prefix else name, p))
        return result

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        return [
            (f"{prefix}.{name}" if prefix else name, b)
            for prefix, m in self.named_modules()
            for name, b in m._buffers.items()
        ]

    # ----- modes and gradients -----
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch norm on batch statistics) for this module and its descendants."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: dropout is the identity, batch norm uses its running statistics."""
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.cleargrad()

    # ----- state -----
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, by dotted name."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update((name, b.copy()) for name, b in self.named_buffers())
        return state

    def _targets(self) -> dict[str, np.ndarray]:
        targets = {name: p.data for name, p in self.named_parameters()}
        targets.update(self.named_buffers())
        return targets

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> Module:
        """Copy state's arrays into the parameters and buffers; every entry is checked before any is copied.

        The keys must be exactly those of state_dict() (strict=False skips the model's entries that state
        lacks and ignores the ones it has beyond them); each array must have its entry's shape and a dtype
        of the same kind (a float32 parameter accepts float64 values, cast to float32; never integers or
        objects). On any error nothing has changed. Each parameter loaded gets a new version (autograd's
        saved-tensor check: a graph recorded before cannot backward through the new values).
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of names to arrays, got {type(state).__name__}")
        targets = self._targets()
        missing = [k for k in targets if k not in state]
        extra = [k for k in state if k not in targets]
        if strict and (missing or extra):
            raise ValueError(f"load_state_dict: missing entries {missing}, unexpected entries {extra}")
        targets = {k: t for k, t in targets.items() if k in state}
        for key, target in targets.items():
            value = state[key]
            if not isinstance(value, np.ndarray):
                raise TypeError(f"load_state_dict: entry {key!r} is a {type(value).__name__}, not an ndarray")
            if value.dtype.kind != target.dtype.kind:
                raise TypeError(f"load_state_dict: entry {key!r} has dtype {value.dtype}, expected {target.dtype}")
            if value.shape != target.shape:
                raise ValueError(f"load_state_dict: entry {key!r} has shape {value.shape}, expected {target.shape}")
        for key, target in targets.items():
            np.copyto(target, state[key], casting="same_kind")
        for key, p in self.named_parameters():
            if key in targets:
                increment_version(p)
        return self

    def save(self, path: str | os.PathLike) -> Path:
        """Write state_dict() to path as an .npz archive (exactly that name), atomically: a temporary file in
        the same folder, flushed to disk, then renamed into place."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        # Created like any new file (mode 0o666 less the umask; mkstemp's would be 0o600), never over another.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as f:
                # A file object, not a name: np.savez would append ".npz" to a name without it.
                np.savez(f, **self.state_dict())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return path

    def load(self, path: str | os.PathLike) -> Module:
        """Read weights written by save (never unpickling anything); the model is unchanged if any entry is wrong."""
        try:
            archive = np.load(path, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError("it holds a single array, not an .npz archive of named arrays")
            with archive:
                # np.load reads an entry's bytes without checking the zip CRC: a flipped bit would load.
                corrupt = archive.zip.testzip()
                if corrupt is not None:
                    raise ValueError(f"entry {corrupt!r} fails its CRC check (the file is corrupt)")
                state = {}
                for key in archive.files:
                    try:
                        state[key] = archive[key]
                    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
                        raise ValueError(f"entry {key!r} cannot be read ({error})") from error
        except FileNotFoundError:
            raise
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
            raise ValueError(f"load: {path} is not a readable weights file: {error}") from error
        return self.load_state_dict(state)

    # ----- printing -----
    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


class Sequential(Module):
    """Modules applied one after another; indexable (a slice gives a Sequential), iterable, sized."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: item {i} is a {type(m).__name__}, not a Module")
            setattr(self, str(i), m)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, index: int | slice) -> Module:
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        return layers[index]
