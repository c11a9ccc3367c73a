"""Which loop of a scatter kernel may be split among threads: one whose iterations write disjoint places.

A scatter's writes may collide, so its loops run in order on one thread. But when the position written is
`j + m * E`, with j a loop of extent E counting from 0 and m free of j (index_add, scatter_add along the
first dim, an embedding's or a gather's gradient, a sparse product: the index picks a row, j walks its
columns), positions of different j differ modulo E and never meet. Threads then take ranges of j, each
keeping the order over the other loops, so every place is reduced by one thread in the serial order and
the result is the same to the bit."""
from __future__ import annotations

import numpy as np

from lazygrad.ops import Op

from .lower import Const, Scatter, Stmt
from .matmul import operand_vars


def feeding(name, stmts: dict[str, Stmt]) -> list[Stmt]:
    """The statements computing a value (those its arguments name, transitively)."""
    seen, stack, out = set(), [name], []
    while stack:
        n = stack.pop()
        if not isinstance(n, str) or n in seen or n not in stmts:
            continue
        seen.add(n)
        out.append(stmts[n])
        stack.extend(a for a in stmts[n].args if isinstance(a, str))
    return out


def counted_loop(st: Stmt | None) -> str | None:
    """The loop a statement counts (arange from 0 by 1 over one loop variable), or None."""
    if st is None or st.op != "arange" or st.args[0] != 0 or st.args[1] != 1:
        return None
    lin = st.args[2]
    if lin.const or len(lin.terms) != 1:
        return None
    (atom, coeff), = lin.terms.items()
    return atom.name if atom.kind == "var" and coeff == 1 else None


def _multiple_of(name, extent: int, stmts: dict[str, Stmt]) -> bool:
    st = stmts.get(name) if isinstance(name, str) else None
    if st is None or st.op != "alu" or st.alu is not Op.MUL:
        return False
    return any(isinstance(a, Const) and isinstance(a.value, (int, np.integer)) and not isinstance(a.value, bool)
               and a.value % extent == 0 for a in st.args)


def _unclamped(name, extent: int, stmts: dict[str, Stmt]):
    """What a row clamp (row_positions.py: min(max(x, 0), numel - E)) clamps, where the clamp keeps multiples of
    E multiples of E (numel - E is one); else name itself."""
    top = stmts.get(name) if isinstance(name, str) else None
    if top is None or top.op != "alu" or top.alu is not Op.MIN or not isinstance(top.args[1], Const):
        return name
    low = stmts.get(top.args[0]) if isinstance(top.args[0], str) else None
    if low is None or low.op != "alu" or low.alu is not Op.MAX or top.args[1].value % extent:
        return name
    return low.args[0]


def disjoint_loop(sc: Scatter) -> tuple[str, int] | None:
    """(name, extent) of a scatter loop whose iterations write disjoint places, or None."""
    stmts = {st.name: st for st in sc.stmts}
    top = stmts.get(sc.index) if isinstance(sc.index, str) else None
    if top is None or top.op != "alu" or top.alu is not Op.ADD or len(top.args) != 2:
        return None
    extents = dict(sc.loops)
    for lane, rest in (top.args, top.args[::-1]):
        var = counted_loop(stmts.get(lane) if isinstance(lane, str) else None)
        if var is None or var not in extents:
            continue
        rest = _unclamped(rest, extents[var], stmts)
        if _multiple_of(rest, extents[var], stmts) and var not in operand_vars(feeding(rest, stmts)):
            return var, extents[var]
    return None
