"""Strided views with validity masks: the algebra of movement ops (imports only lazygrad.layouts).

A View maps an index of its shape to a position in the row-major flattening of some source:
`offset + sum(i_k * strides_k)`, valid only where every `mask_lo_k <= i_k < mask_hi_k` (invalid
positions read as zero; that is how padding works). Movement ops compose on a View without copying;
the kernel that reads it turns the View into index arithmetic.
"""
from __future__ import annotations

import math
from functools import lru_cache

from .layouts import is_dense_in

Shape = tuple[int, ...]


def contiguous_strides(shape: Shape) -> tuple[int, ...]:
    """Row-major strides, 0 for size-1 dims (the canonical form Views compare by)."""
    return _contiguous_strides(tuple(shape))


@lru_cache(maxsize=4096)  # (asked for every movement and every kernel: a graph reuses few shapes)
def _contiguous_strides(shape: Shape) -> tuple[int, ...]:
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc if s != 1 else 0)
        acc *= s
    return tuple(reversed(strides))


def torch_contiguous_strides(shape: Shape) -> tuple[int, ...]:
    """Row-major strides as torch reports them (size-1 and size-0 dims get the product of later sizes)."""
    return _torch_contiguous_strides(tuple(shape))


@lru_cache(maxsize=4096)  # (every new tensor asks: a graph reuses few shapes)
def _torch_contiguous_strides(shape: Shape) -> tuple[int, ...]:
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def dense_strides(shape: Shape, *operand_strides: tuple[int, ...]) -> tuple[int, ...]:
    """Contiguous strides in the dim order the operands' strides suggest (torch's TensorIterator order: for
    each pair of dims the first operand with a strict preference decides, broadcast dims having none; with
    one operand, infer_dense_strides: the layout preserve_format gives a copy with gaps or overlaps)."""
    def order(a: int, b: int) -> int:  # >0: a is outside b; <0: inside; 0: undecided
        for strides in operand_strides:
            if strides[a] == 0 or strides[b] == 0:
                continue
            if strides[a] != strides[b]:
                return 1 if strides[a] > strides[b] else -1
            if shape[a] > shape[b]:
                return 1
        return 0
    perm = list(range(len(shape) - 1, -1, -1))  # innermost first
    for i in range(1, len(perm)):
        j = i
        for k in range(i - 1, -1, -1):
            c = order(perm[k], perm[j])
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
    out, step = [0] * len(shape), 1
    for d in perm:
        out[d] = step
        step *= max(shape[d], 1)
    return tuple(out)


def memory_order(shape, strides) -> list[int] | None:
    """The dim order that makes a non-overlapping, dense layout contiguous (None for any other layout)."""
    order = sorted(range(len(shape)), key=lambda d: (-strides[d], -shape[d]))
    expected = 1
    for d in reversed(order):
        if shape[d] != 1 and strides[d] != expected:
            return None
        expected *= shape[d]
    return order


def result_strides(shape: Shape, operands: list[tuple[Shape, tuple[int, ...]]]) -> tuple[int, ...] | None:
    """The strides torch gives a new elementwise result of `shape` computed from tensors of the given shapes
    and strides (TensorIterator's rule), or None for row-major: the inputs' layout carries over, so a
    transposed or channels-last input gives a transposed or channels-last result."""
    if all(is_dense_in(s, st, None) for s, st in operands) or math.prod(shape) == 0:  # (torch's is_contiguous)
        return None
    first = operands[0][1]
    if all(s == shape and st == first for s, st in operands) and memory_order(shape, first) is not None:
        return first  # (torch's fast setup: one shared dense layout, kept as it is)
    broadcast = []
    for s, st in operands:
        lead = len(shape) - len(s)
        broadcast.append((0,) * lead + tuple(0 if size == 1 and shape[lead + d] != 1 else stride
                                             for d, (size, stride) in enumerate(zip(s, st))))
    strides = dense_strides(shape, *broadcast)
    return None if strides == torch_contiguous_strides(shape) else strides


def reshape_strides(old_shape: Shape, old_strides: tuple[int, ...], new_shape: Shape) -> tuple[int, ...] | None:
    """Strides that let `new_shape` view the same elements without a copy, or None (torch's computeStride)."""
    numel = math.prod(old_shape)
    if numel == 0 or not old_shape:
        return torch_contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = old_strides[d - 1]
                tensor_numel = view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


class View:
    """Immutable; equal Views compare and hash equal (they are part of graph-node keys)."""

    __slots__ = ("shape", "strides", "offset", "mask", "key", "_hash", "_linear")

    def __init__(self, shape: Shape, strides: tuple[int, ...], offset: int = 0,
                 mask: tuple[tuple[int, int], ...] | None = None):
        self.shape = tuple(shape)
        self.strides = tuple(0 if s == 1 else st for s, st in zip(shape, strides))
        self.offset = offset
        if mask is not None and all(lo == 0 and hi == s for (lo, hi), s in zip(mask, shape)):
            mask = None
        self.mask = mask
        self.key = (self.shape, self.strides, offset, mask)
        self._hash = hash(self.key)  # (a node key holding the View is hashed at every lookup)
        self._linear: bool | None = None

    def __eq__(self, other) -> bool:
        return isinstance(other, View) and self.key == other.key

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        m = f", mask={self.mask}" if self.mask else ""
        return f"View(shape={self.shape}, strides={self.strides}, offset={self.offset}{m})"

    @staticmethod
    def contiguous(shape: Shape) -> View:
        return _contiguous_view(tuple(shape))

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def is_linear(self) -> bool:
        """Contiguous up to an offset: index i reads position offset + i."""
        if self._linear is None:  # (asked often by the scheduler: computed once)
            self._linear = self.mask is None and self.strides == contiguous_strides(self.shape)
        return self._linear

    @property
    def is_contiguous(self) -> bool:
        return self.is_linear and self.offset == 0

    def _full_mask(self) -> tuple[tuple[int, int], ...]:
        return self.mask if self.mask is not None else tuple((0, s) for s in self.shape)

    def compose(self, outer: View) -> View | None:
        """The View reading through `outer` then self, when one View can express it."""
        if self.is_linear:
            return View(outer.shape, outer.strides, outer.offset + self.offset, outer.mask)
        return None

    def reshape(self, new_shape: Shape) -> View | None:
        if new_shape == self.shape:
            return self
        if self.mask is not None:
            # only squeezes and unsqueezes keep a mask meaningful
            if tuple(s for s in new_shape if s != 1) != tuple(s for s in self.shape if s != 1):
                return None
            kept = [(m, st) for s, m, st in zip(self.shape, self.mask, self.strides) if s != 1]
            if any(m != (0, 1) for s, m in zip(self.shape, self.mask) if s == 1):
                return None
            it = iter(kept)
            mask, strides = [], []
            for s in new_shape:
                m, st = next(it) if s != 1 else ((0, 1), 0)
                mask.append(m)
                strides.append(st)
            return View(new_shape, tuple(strides), self.offset, tuple(mask))
        strides = reshape_strides(self.shape, self.strides, new_shape)
        return None if strides is None else View(new_shape, strides, self.offset)

    def permute(self, order: tuple[int, ...]) -> View:
        mask = tuple(self.mask[i] for i in order) if self.mask else None
        return View(tuple(self.shape[i] for i in order), tuple(self.strides[i] for i in order), self.offset, mask)

    def expand(self, new_shape: Shape) -> View:
        strides, mask = [], []
        for s, ns, st, m in zip(self.shape, new_shape, self.strides, self._full_mask()):
            if s == ns:
                strides.append(st)
                mask.append(m)
            else:
                strides.append(0)
                mask.append((0, ns) if m == (0, 1) else (0, 0))
        return View(new_shape, tuple(strides), self.offset, tuple(mask))

    def shrink(self, bounds: tuple[tuple[int, int], ...]) -> View:
        offset = self.offset + sum(lo * st for (lo, _), st in zip(bounds, self.strides))
        mask = tuple((max(mlo - lo, 0), max(min(mhi - lo, hi - lo), 0))
                     for (lo, hi), (mlo, mhi) in zip(bounds, self._full_mask()))
        return View(tuple(hi - lo for lo, hi in bounds), self.strides, offset, mask)

    def flip(self, axes: tuple[int, ...]) -> View:
        strides, mask, offset = list(self.strides), list(self._full_mask()), self.offset
        for a in axes:
            s = self.shape[a]
            if s > 0:
                offset += (s - 1) * strides[a]
            strides[a] = -strides[a]
            lo, hi = mask[a]
            mask[a] = (s - hi, s - lo)
        return View(self.shape, tuple(strides), offset, tuple(mask))

    def step(self, axis: int, k: int) -> View:
        """Every k-th element along axis (k > 0)."""
        shape, strides, mask = list(self.shape), list(self.strides), list(self._full_mask())
        shape[axis] = -(-shape[axis] // k)
        strides[axis] *= k
        lo, hi = mask[axis]
        mask[axis] = (min(-(-lo // k), shape[axis]), min(-(-hi // k), shape[axis]))
        return View(tuple(shape), tuple(strides), self.offset, tuple(mask))

    def pad(self, pads: tuple[tuple[int, int], ...]) -> View:
        offset = self.offset - sum(b * st for (b, _), st in zip(pads, self.strides))
        mask = tuple((b + lo, b + hi) for (b, _), (lo, hi) in zip(pads, self._full_mask()))
        shape = tuple(s + b + a for s, (b, a) in zip(self.shape, pads))
        return View(shape, self.strides, offset, mask)

    def as_strided(self, shape: Shape, strides: tuple[int, ...], offset: int) -> View | None:
        """torch's as_strided over this View's flattening; only a linear View can take it in place."""
        return View(shape, strides, self.offset + offset) if self.is_linear else None


@lru_cache(maxsize=4096)  # (Views are immutable: one per shape serves every reader)
def _contiguous_view(shape: Shape) -> View:
    return View(shape, contiguous_strides(shape))
