"""The random-number state: a seed and a counter offset for the in-kernel Philox generator.

Each random tensor takes the next `numel` counters, so the numbers depend only on the seed and the
order of calls, on every back end.
"""
from __future__ import annotations

import secrets


class Generator:
    __slots__ = ("seed", "offset")

    def __init__(self, device="cpu"):
        self.seed = secrets.randbits(63)
        self.offset = 0

    def manual_seed(self, seed: int) -> Generator:
        self.seed = int(seed) & ((1 << 64) - 1)
        self.offset = 0
        return self

    def initial_seed(self) -> int:
        return self.seed

    def get_state(self) -> tuple[int, int]:
        return (self.seed, self.offset)

    def set_state(self, state: tuple[int, int]) -> None:
        self.seed, self.offset = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    default_generator.manual_seed(secrets.randbits(63))
    return default_generator.seed


def initial_seed() -> int:
    return default_generator.seed


def seed_value(generator: Generator | None = None) -> int:
    return (generator or default_generator).seed


def next_offset(n: int, generator: Generator | None = None) -> int:
    gen = generator or default_generator
    offset = gen.offset
    gen.offset += n
    return offset
