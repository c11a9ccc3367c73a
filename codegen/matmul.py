"""Recognize a matrix multiply in a loop program, so a renderer can tile it.

Lowering turns `a @ b` (and batched, transposed or cast variants, with elementwise work on the
result) into a reduce program: one sum over k of `A(m, k) * B(n, k)`, where A and B are loads
(possibly cast) whose indices involve m or n but not both. Such a program is computed best in
tiles kept in fast memory; `match` finds the roles of its loops and statements, or says no.
"""
from __future__ import annotations

from dataclasses import dataclass

from lazygrad.ops import Op, ReduceOp

from .lower import LoopProgram, Stmt
from .symbolic import Lin

# below this much work a tiled kernel is not worth its setup
MIN_WORK = 1 << 15
MIN_SIDE = 8


@dataclass
class Matmul:
    m: tuple[str, int]
    n: tuple[str, int]
    k: tuple[str, int]
    batch: list[tuple[str, int]]
    a: list[Stmt]  # the statements computing A(m, k), in order; the last one's name is its value
    b: list[Stmt]


def in_float16(chain: list[Stmt]) -> bool:
    """Whether the product sees this operand as float16 (a float16 matrix multiply, which tensor
    cores compute: exact products, float32 sums)."""
    return chain[-1].dtype.name == "float16"


def steps_by_one(chain: list[Stmt], var: str) -> bool:
    """Whether the operand's load reads neighbouring elements as `var` counts up, so that a tile
    read with `var` fastest is coalesced (the renderer picks the order of its tile reads by this)."""
    index: Lin = chain[0].args[1]
    return any(atom.kind == "var" and atom.name == var and coeff == 1 for atom, coeff in index.terms.items())


def _vars(lin: Lin, out: set[str]) -> set[str]:
    for atom in lin.terms:
        if atom.kind == "var":
            out.add(atom.name)
        else:
            _vars(atom.inner, out)
    return out


def _chain(end: str, stmts: dict[str, Stmt]) -> list[Stmt] | None:
    """The load (and casts) producing `end`, or None when it is anything else."""
    chain = []
    name = end
    while name in stmts:
        st = stmts[name]
        chain.append(st)
        if st.op == "load":
            return chain[::-1] if not st.args[2] else None  # (a padded read is not a plain operand)
        if st.op != "alu" or st.alu is not Op.CAST:
            return None
        name = st.args[0]
    return None


def match(prog: LoopProgram) -> Matmul | None:
    if prog.kind != "reduce" or len(prog.accs) != 1 or prog.pre_stores or len(prog.red_loops) != 1:
        return None
    acc = prog.accs[0]
    if acc.rop is not ReduceOp.SUM or acc.dtype.kind != "f" or not isinstance(acc.value, str):
        return None
    stmts = {st.name: st for st in prog.pre}
    product = stmts.get(acc.value)
    if product is None or product.op != "alu" or product.alu is not Op.MUL:
        return None
    chains = [_chain(x, stmts) if isinstance(x, str) else None for x in product.args]
    if None in chains or sum(len(c) for c in chains) + 1 != len(prog.pre):
        return None
    (k_var, k_extent), = prog.red_loops
    used = [_vars(chain[0].args[1], set()) for chain in chains]
    # m and n: the innermost output loop only A reads and the one only B reads; other loops are batches
    only = [[v for v, _ in prog.out_loops if v in mine and v not in theirs] for mine, theirs in (used, used[::-1])]
    if not only[0] or not only[1] or not all(k_var in u for u in used):
        return None
    extents = dict(prog.out_loops)
    m, n = only[0][-1], only[1][-1]
    if min(extents[m], extents[n], k_extent) < MIN_SIDE or extents[m] * extents[n] * k_extent < MIN_WORK:
        return None
    batch = [(v, e) for v, e in prog.out_loops if v not in (m, n)]
    return Matmul((m, extents[m]), (n, extents[n]), (k_var, k_extent), batch, chains[0], chains[1])
