"""lazygrad.device: names a device as torch.device does ('cpu', 'cuda', 'cuda:1')."""
from __future__ import annotations

import re


class device:
    __module__ = "lazygrad"  # shown as torch shows its classes: <class 'lazygrad.device'>
    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None):
        if isinstance(type, device):
            object.__setattr__(self, "type", type.type)
            object.__setattr__(self, "index", type.index)
            return
        name, _, idx = str(type).partition(":")
        if not re.fullmatch(r"[a-zA-Z_]+(:(0|[1-9][0-9]*))?", str(type)):
            raise RuntimeError(f"Invalid device string: '{type}'")
        if name not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {type}")
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", int(idx) if idx else index)

    def __reduce__(self):
        return device, (self.type, self.index)

    def __setattr__(self, name: str, value) -> None:
        """Read-only, as torch's (Tensor.device hands out one shared object per device)."""
        if name in device.__slots__:
            raise AttributeError(f"attribute '{name}' of 'lazygrad.device' objects is not writable")
        raise AttributeError(f"'lazygrad.device' object has no attribute '{name}'")

    def __repr__(self) -> str:
        idx = f", index={self.index}" if self.index is not None else ""
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        """Equal to a device only: torch.device("cpu") == "cpu" is False, as torch's."""
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


_DEFAULT = "cpu"


def set_default_device(device) -> None:
    """The device creation functions use when given none (torch.set_default_device)."""
    global _DEFAULT
    from .tensor import normalize_device
    _DEFAULT = "cpu" if device is None else normalize_device(device)


def get_default_device() -> device:
    return device(_DEFAULT)


def default_device_name() -> str:
    return _DEFAULT
