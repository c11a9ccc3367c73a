"""The checks torch makes of an operand's values at the op (index ranges, an integer divisor's zeros), where the
operand is lazy: nothing is computed at the op, so the check waits with the node that reads the operand (a
gather, a scatter, a quotient). The first realization that reaches that node computes the operand first and
checks it, raising torch's error instead of computing from an index out of range or a zero divisor (a tensor
merely holding the values is not checked: only what reads them). A check that passes is dropped; one that
fails raises at every realization that needs it. An in-place write makes its checks at once, so that a refused
write leaves its target as it was."""
from __future__ import annotations

import contextlib
import threading
import weakref
from typing import Callable

import numpy as np

from .graph import Node

# node -> [(the operand tensor, its check)], in the order the ops registered them (an op built on another
# registers after it: its own check, with its own message, runs first)
_PENDING: weakref.WeakKeyDictionary[Node, list[tuple[object, Callable[[np.ndarray], None]]]] = (
    weakref.WeakKeyDictionary())


class _Trust(threading.local):
    depth = 0


TRUST = _Trust()  # (how many trusted regions are open on this thread; the backward pass opens one per node)


@contextlib.contextmanager
def trusted():
    """Indices made inside are in range by construction (a backward pass reusing its forward's indices, a loss's
    gather at targets it checks itself): no check is kept for them."""
    TRUST.depth += 1
    try:
        yield
    finally:
        TRUST.depth -= 1


def defer(node: Node, operand, check: Callable[[np.ndarray], None] | None) -> None:
    """Check operand's values with `check` (which raises torch's error) when a realization reaches node."""
    if check is not None and not TRUST.depth:
        _PENDING.setdefault(node, []).append((operand, check))


def run_pending(targets: list[Node]) -> None:
    """Make the deferred checks of the nodes these targets' computation reads, before it runs."""
    if not _PENDING:
        return
    found = _reached(targets)
    if not found:
        return
    from .tensor import realize
    checks = [(node, _PENDING[node]) for node in found]
    realize(*(operand for _, entries in checks for operand, _ in entries))  # (which may make nested checks)
    for node, entries in checks:
        for operand, check in reversed(entries):
            check(np.asarray(operand._values()))
        _PENDING.pop(node, None)


def _reached(targets: list[Node]) -> list[Node]:
    """The nodes holding checks that computing targets reads (what is computed already is not read again)."""
    found, seen, stack = [], set(), list(targets)
    while stack:
        node = stack.pop()
        if id(node) in seen or node.buffer is not None:
            continue
        seen.add(id(node))
        if node in _PENDING:
            found.append(node)
        stack.extend(node.srcs)
    return found
