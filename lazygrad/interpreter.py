"""The reference interpreter: evaluates a scheduled kernel's graph with NumPy.

It runs anywhere (no compiler needed), is the back end `LAZYGRAD_BACKEND=numpy` selects and the
fallback when no C compiler works, and it is the oracle the compiled path is tested against.
"""
from __future__ import annotations

import numpy as np

from . import library_routines, np_ops, torch_arange
from .graph import kernel_recursion
from .ops import ELEMENTWISE, Op
from .view import View

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)


def philox(seed: int, counters: np.ndarray) -> list[np.ndarray]:
    """Philox4x32-10 over 64-bit counters, as the C and CUDA preludes compute it (words as uint64)."""
    ctr = counters.astype(np.uint64)
    c0, c1 = ctr & _MASK32, ctr >> np.uint64(32)
    c2 = np.zeros_like(c0)
    c3 = np.zeros_like(c0)
    k0, k1 = np.uint64(seed & 0xFFFFFFFF), np.uint64((seed >> 32) & 0xFFFFFFFF)
    for _ in range(10):
        p0, p1 = _M0 * c0, _M1 * c2
        n0 = (p1 >> np.uint64(32)) ^ c1 ^ k0
        n2 = (p0 >> np.uint64(32)) ^ c3 ^ k1
        c1, c3, c0, c2 = p1 & _MASK32, p0 & _MASK32, n0, n2
        k0, k1 = (k0 + _W0) & _MASK32, (k1 + _W1) & _MASK32
    return [c0, c1, c2, c3]


def _unit53(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    return (((hi << np.uint64(21)) ^ (lo >> np.uint64(11))).astype(np.float64)) * 2.0 ** -53


def random_values(seed: int, offset: int, distribution: str, shape, dtype) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    w = philox(seed, np.arange(n, dtype=np.uint64) + np.uint64(offset))
    single = dtype.np.itemsize <= 4
    if distribution == "bits":
        out = ((w[0] << np.uint64(32)) | w[1]).view(np.int64)
    elif distribution == "uniform":
        out = (w[0] >> np.uint64(8)).astype(np.float32) * np.float32(2.0 ** -24) if single else _unit53(w[0], w[1])
    else:  # normal, Box-Muller
        if single:
            u1 = np.float32(1) - (w[0] >> np.uint64(8)).astype(np.float32) * np.float32(2.0 ** -24)
            u2 = (w[1] >> np.uint64(8)).astype(np.float32) * np.float32(2.0 ** -24)
            out = (np.sqrt(np.float32(-2) * np.log(u1)) * np.cos(np.float32(2 * np.pi) * u2)).astype(np.float32)
        else:
            u1, u2 = 1.0 - _unit53(w[0], w[1]), _unit53(w[2], w[3])
            out = np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)
    return out.astype(dtype.np).reshape(shape)


def apply_view(src: np.ndarray, v: View) -> np.ndarray:
    flat = src.reshape(-1)
    if v.numel == 0:
        return np.zeros(v.shape, dtype=src.dtype)
    idx = np.full(v.shape, v.offset, dtype=np.int64)
    valid = np.ones(v.shape, dtype=bool)
    for k, (s, st) in enumerate(zip(v.shape, v.strides)):
        ax = np.arange(s, dtype=np.int64).reshape([-1 if j == k else 1 for j in range(len(v.shape))])
        idx = idx + ax * st
        if v.mask is not None:
            lo, hi = v.mask[k]
            valid &= (ax >= lo) & (ax < hi)
    if v.mask is None:
        return flat[idx]
    if flat.size == 0:
        return np.zeros(v.shape, dtype=src.dtype)
    return np.where(valid, flat[np.where(valid, idx, 0)], np.zeros((), dtype=src.dtype))


def evaluate(root, inputs: dict[int, np.ndarray]) -> np.ndarray:
    """The value of `root`, reading stored nodes from `inputs` (id(node) -> row-major array)."""
    with kernel_recursion():  # (a recursive walk: the scheduler bounds a kernel's depth)
        return _evaluate(root, inputs)


def _evaluate(root, inputs: dict[int, np.ndarray]) -> np.ndarray:
    memo = dict(inputs)

    def ev(node):
        hit = memo.get(id(node))
        if hit is not None:
            return hit
        op = node.op
        if op is Op.BUFFER:
            out = node.arg.array
        elif node.buffer is not None:
            out = node.buffer.array.reshape(node.shape)
        elif op is Op.CONST:
            out = np.full(node.shape, node.arg, dtype=node.dtype.np)
        elif op is Op.ARANGE:
            start, step, chunk = node.arg
            if node.dtype.is_floating_point:
                out = torch_arange.values(start, step, node.shape[0], chunk, node.dtype.name, node.dtype.np)
            else:
                out = (start + step * np.arange(node.shape[0], dtype=np.int64)).astype(node.dtype.np)
        elif op is Op.RAND:
            out = random_values(*node.arg, node.shape, node.dtype)
        elif op is Op.VIEW:
            out = apply_view(ev(node.srcs[0]), node.arg)
        elif op is Op.COPY:
            out = ev(node.srcs[0])
        elif op is Op.REDUCE:
            out = np_ops.reduce(node.arg[0], ev(node.srcs[0]), node.arg[1], node.dtype.np)
        elif op is Op.SCAN:
            out = np_ops.scan(node.arg[0], ev(node.srcs[0]), node.arg[1], node.dtype.np)
        elif op is Op.SORT:
            out = np_ops.argsort(ev(node.srcs[0]), *node.arg)
        elif op is Op.EXTERN:
            out = library_routines.run(*node.arg, [np.reshape(ev(s), s.shape) for s in node.srcs], np, node.dtype.np)
        elif op is Op.GATHER:
            data = ev(node.srcs[0]).reshape(-1)  # (positions clamped into the data, as the kernels do)
            out = data[np.clip(ev(node.srcs[1]), 0, data.size - 1)]
        elif op is Op.SCATTER:
            out = np.array(ev(node.srcs[0]), copy=True).reshape(-1)
            where = np.clip(ev(node.srcs[1]), 0, out.size - 1).reshape(-1)
            values = ev(node.srcs[2]).reshape(-1)
            if node.arg is None:
                out[where] = values
            else:
                np_ops.SCATTER_NP[node.arg].at(out, where, values)
        elif op in ELEMENTWISE:
            out = np_ops.apply(op, node.dtype.np, *(ev(s) for s in node.srcs))
        else:
            raise NotImplementedError(op)
        out = np.asarray(out).reshape(node.shape)
        memo[id(node)] = out
        return out

    result = ev(root)
    memo.clear()  # ev refers to itself (a cycle): free the intermediates now, not at the next collection
    return result
