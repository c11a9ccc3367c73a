"""Gathers and scatters that walk a row: a position `j + rest`, with j a loop counting 0..E-1 and rest free of j
(an embedding's lookup, index_select's rows, index_add's and a sparse product's scatter into rows), reads or
writes E neighbouring elements. Every computed position is clamped into the buffer, so that no index value
can touch memory outside it; clamping `rest` once into [0, numel - E] keeps that promise and leaves valid
positions as they are (rest + j < numel for every j means rest <= numel - E), while the position stays
linear in j: the loop over j then reads and writes whole vectors instead of element by element."""
from __future__ import annotations

from lazygrad.dtypes import int64
from lazygrad.ops import Op

from .lower import Const, LoopProgram, Stmt
from .matmul import operand_vars
from .scatter_split import counted_loop, feeding


def _row(position, stmts: dict[str, Stmt], extents: dict[str, int], numel: int):
    """(counter, rest, E) when position is `j + rest` as above and a row of E fits in numel elements."""
    top = stmts.get(position) if isinstance(position, str) else None
    if top is None or top.op != "alu" or top.alu is not Op.ADD or len(top.args) != 2:
        return None
    for lane, rest in (top.args, top.args[::-1]):
        var = counted_loop(stmts.get(lane) if isinstance(lane, str) else None)
        if var in extents and extents[var] <= numel and var not in operand_vars(feeding(rest, stmts)):
            return lane, rest, extents[var]
    return None


def _clamped(row, numel: int, name: str) -> list[Stmt]:
    """The statements of `counter + clamp(rest, 0, numel - E)`; the last one is named `name`."""
    lane, rest, extent = row
    alu = dict(dtype=int64, op="alu", src_dtypes=(int64, int64))
    return [Stmt(f"{name}_lo", args=(rest, Const(0, int64)), alu=Op.MAX, **alu),
            Stmt(f"{name}_row", args=(f"{name}_lo", Const(numel - extent, int64)), alu=Op.MIN, **alu),
            Stmt(name, args=(lane, f"{name}_row"), alu=Op.ADD, **alu)]


def _in_rows(stmts: list[Stmt], extents: dict[str, int], replaced: set[str]) -> list[Stmt]:
    """stmts with each row-walking gather reading at its row-clamped position (marked by numel None); the
    positions it read before go into `replaced`."""
    named, out = {st.name: st for st in stmts}, []
    for st in stmts:
        if st.op == "gather" and st.args[2] is not None:
            buf, position, numel = st.args
            row = _row(position, named, extents, numel)
            if row is not None:
                out.extend(_clamped(row, numel, f"{st.name}_at"))
                st.args = (buf, f"{st.name}_at", None)
                replaced.add(position)
        out.append(st)
    return out


def _names(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, (tuple, list)):
        return set().union(*map(_names, value)) if value else set()
    return set()


def _read(prog: LoopProgram) -> set[str]:
    """Every statement name some statement, accumulator, store, scatter or sort reads."""
    stmts = prog.pre + prog.post + (prog.scatter.stmts if prog.scatter else [])
    read = _names([st.args for st in stmts] + [a.value for a in prog.accs]
                  + [s.value for s in prog.stores + prog.pre_stores])
    if prog.scatter is not None:
        read |= _names([prog.scatter.index, prog.scatter.value])
    if prog.sort is not None:
        read |= _names(prog.sort.key)
    return read


def clamp_rows(prog: LoopProgram) -> LoopProgram:
    """The program with its row-walking gathers and scatter clamped per row (statements.py renders a
    gather or scatter whose numel is None without its own clamp); positions nothing reads any more are
    dropped (the matrix-multiply matcher wants every statement to feed an operand)."""
    extents, replaced = dict(prog.out_loops + prog.red_loops), set()
    prog.pre, prog.post = _in_rows(prog.pre, extents, replaced), _in_rows(prog.post, extents, replaced)
    sc = prog.scatter
    if sc is not None:
        loops = dict(sc.loops)
        sc.stmts = _in_rows(sc.stmts, loops, replaced)
        row = _row(sc.index, {st.name: st for st in sc.stmts}, loops, sc.numel)
        if row is not None:
            sc.stmts.extend(_clamped(row, sc.numel, "place"))
            replaced.add(sc.index)
            sc.index, sc.numel = "place", None
    dead = replaced - _read(prog)
    prog.pre, prog.post = [st for st in prog.pre if st.name not in dead], [st for st in prog.post if st.name not in dead]
    if sc is not None:
        sc.stmts = [st for st in sc.stmts if st.name not in dead]
    return prog
