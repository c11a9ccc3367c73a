"""The random-number state: a seed and a counter offset for the in-kernel Philox generator.

Each random tensor takes the next `numel` counters, so the numbers depend only on the seed and the
order of calls, on every back end.
"""
from __future__ import annotations

import contextlib
import secrets


class Generator:
    __slots__ = ("_seed", "offset", "_device")

    def __init__(self, device="cpu"):
        from .device import device as Device
        self._seed = secrets.randbits(63)
        self.offset = 0
        self._device = Device(device)
        if self._device.type == "cuda":  # (refused where CUDA cannot run, as torch's CPU build refuses it)
            from . import cuda
            cuda.cupy()

    @property
    def device(self):
        return self._device

    def get_offset(self) -> int:
        """The counter offset of the stream (a CUDA generator's; torch's CPU generator has none)."""
        self._check_offset()
        return self.offset

    def set_offset(self, offset: int) -> Generator:
        self._check_offset()
        self.offset = int(offset)
        return self

    def _check_offset(self) -> None:
        if self._device.type == "cpu":
            raise RuntimeError("CPU Generator does not use offset")

    def clone_state(self) -> Generator:
        """A new generator in this one's state."""
        twin = Generator(self._device)
        twin._seed, twin.offset = self._seed, self.offset
        return twin

    def graphsafe_get_state(self):
        raise NotImplementedError("graphsafe_get_state is not supported in this Generator")

    def graphsafe_set_state(self, state) -> Generator:
        raise NotImplementedError("graphsafe_set_state is not supported in this Generator")

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 64):  # (torch reads it as a 64-bit integer, signed or not)
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed & ((1 << 64) - 1)
        self.offset = 0
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Seed the generator from the operating system's randomness; returns the seed."""
        return self.manual_seed(secrets.randbits(63))._seed

    def get_state(self):
        """The state as a uint8 tensor: the seed and the counter offset, 8 bytes each (little-endian)."""
        import numpy as np

        from .creation import tensor
        from .dtypes import uint8
        return tensor(np.array([self._seed, self.offset], dtype="<u8").view(np.uint8), dtype=uint8)

    def set_state(self, new_state) -> Generator:
        """Restore a state get_state returned: the numbers that follow are the same again."""
        import numpy as np

        from .dtypes import uint8
        from .tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != 16:
            raise RuntimeError(f"Expected a lazygrad generator state of size 16 but found the input RNG state size "
                               f"to be {new_state.numel()}")
        seed, offset = np.ascontiguousarray(new_state.cpu().numpy()).view("<u8")
        self._seed, self.offset = int(seed), int(offset)
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator._seed


def seed_value(generator: Generator | None = None) -> int:
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"expected a lazygrad.Generator as generator, but got {type(generator).__name__}")
    return (generator or default_generator)._seed


def next_offset(n: int, generator: Generator | None = None) -> int:
    gen = generator or default_generator
    offset = gen.offset
    gen.offset += n
    return offset


def get_rng_state():
    """The default generator's state as a uint8 tensor (Generator.get_state)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng", _devices_kw: str = "devices",
             device_type: str = "cuda"):
    """Random numbers drawn inside come from the default generator as usual, and its state is restored on
    exit, so the numbers drawn after are those that would have been drawn without the block."""
    if not enabled:
        yield
        return
    state = (default_generator._seed, default_generator.offset)
    try:
        yield
    finally:
        default_generator._seed, default_generator.offset = state
