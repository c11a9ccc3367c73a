"""DistributedSampler: the share of a dataset one of num_replicas processes reads. lazygrad has no process
group, so the number of replicas and the rank are given (as a test or a launcher that sets them up would);
the shares are torch's: the indices (shuffled per epoch from seed + epoch) padded by wrapping around to a
multiple of num_replicas, or trimmed with drop_last, and dealt out rank by rank."""
from __future__ import annotations

import math
from collections.abc import Iterator, Sized

from ...random import Generator
from ...sorting import randperm
from .sampler import Sampler


class DistributedSampler(Sampler[int]):
    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            raise RuntimeError("Requires distributed package to be available")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.epoch, self.drop_last, self.shuffle, self.seed = 0, drop_last, shuffle, seed
        size = len(dataset)
        if drop_last and size % num_replicas:
            self.num_samples = math.ceil((size - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(size / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[int]:
        size = len(self.dataset)
        if self.shuffle:
            order = randperm(size, generator=Generator().manual_seed(self.seed + self.epoch)).tolist()
        else:
            order = list(range(size))
        if self.drop_last:
            order = order[:self.total_size]
        elif order:
            order = (order * math.ceil(self.total_size / len(order)))[:self.total_size]
        return iter(order[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """The epoch the next iteration shuffles for (each epoch its own order, the same on every replica)."""
        self.epoch = epoch
