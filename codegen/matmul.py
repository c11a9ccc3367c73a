"""Recognize a matrix multiply in a loop program, so a renderer can tile it.

Lowering turns `a @ b` (and batched, transposed or cast variants, with elementwise work on the
result) into a reduce program: one sum over k of `A(m, k) * B(n, k)`, where A and B are loads and
elementwise work on them (a ReLU, a scale, a gather) whose indices involve m or n but not both.
Such a program is computed best in tiles kept in fast memory; `match` finds the roles of its loops
and statements, or says no.
"""
from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass

from lazygrad.dtypes import float32, float64
from lazygrad.ops import Op, ReduceOp

from .lower import LoopProgram, Stmt, replace_indices
from .symbolic import Lin

# below this much work (all batches together) a tiled kernel is not worth its setup
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
    cores compute: exact products, float32 sums), itself or widened to float32 for those exact products."""
    last = chain[-1]
    widened = last.op == "alu" and last.alu is Op.CAST and tuple(d.name for d in last.src_dtypes) == ("float16",)
    return last.dtype.name == "float16" or widened


def loads(chain: list[Stmt]) -> list[Stmt]:
    return [st for st in chain if st.op == "load"]


def steps_by_one(chain: list[Stmt], var: str) -> bool:
    """Whether the operand's loads read neighbouring elements as `var` counts up, so that a tile
    read with `var` fastest is coalesced (the renderer picks the order of its tile reads by this)."""
    return any(atom.kind == "var" and atom.name == var and coeff == 1
               for load in loads(chain) for atom, coeff in load.args[1].terms.items())


@dataclass(frozen=True)
class SplitIndex:
    """An operand's load index as base + side(its own output loop) + along(k): each varying part reads one
    loop, so packing can look both up in tables filled once instead of recomputing their divisions and
    modulos for every element (a convolution's strided window reads have several)."""
    base: Lin  # constants and batch loops
    side: Lin
    along: Lin


def split_index(load: Stmt, side: str, k: str) -> SplitIndex | None:
    """A load's index split by loop, or None where one atom reads both side and k."""
    parts: dict[str, dict] = {"base": {}, side: {}, k: {}}
    index: Lin = load.args[1]
    for atom, coeff in index.terms.items():
        owners = _vars(Lin({atom: 1}), set()) & {side, k}
        if len(owners) > 1:
            return None
        parts[owners.pop() if owners else "base"][atom] = coeff
    return SplitIndex(Lin(parts["base"], index.const), Lin(parts[side]), Lin(parts[k]))


def _vars(lin: Lin, out: set[str]) -> set[str]:
    for atom in lin.terms:
        if atom.kind == "var":
            out.add(atom.name)
        else:
            _vars(atom.inner, out)
    return out


def _conditions(st: Stmt) -> list[Lin]:
    """The expressions of a padded load's or a where's validity conditions."""
    conds = st.args[2] if st.op == "load" else st.args[0] if st.op == "where" else ()
    return [c for c, _, _ in conds]


def index_lins(st: Stmt) -> list[Lin]:
    """The index expressions through which a statement reads loop variables."""
    own = [st.args[1]] if st.op == "load" else [st.args[2]] if st.op in ("arange", "rand") else []
    return own + _conditions(st)


def operand_vars(chain: list[Stmt]) -> set[str]:
    """The loop variables an operand's value depends on."""
    out: set[str] = set()
    for st in chain:
        for lin in index_lins(st):
            _vars(lin, out)
    return out


_VALUE_ARGS = {"alu": slice(None), "gather": slice(1, 2), "where": slice(1, None)}


def _operand(end: str, stmts: dict[str, Stmt], order: list[Stmt]) -> list[Stmt]:
    """The statements computing `end`, in program order: loads and the elementwise work on them, which
    packing computes once per element (a ReLU, a scale, a gather's reads) rather than once per product."""
    needed, stack = set(), [end]
    while stack:
        name = stack.pop()
        if name in needed or name not in stmts:
            continue
        needed.add(name)
        st = stmts[name]
        stack.extend(a for a in st.args[_VALUE_ARGS.get(st.op, slice(0))] if isinstance(a, str))
    return [st for st in order if st.name in needed]


def _operands(prog: LoopProgram) -> list[list[Stmt]] | None:
    """The statements of the two operands of a reduce program that sums their product, or None."""
    if prog.kind != "reduce" or len(prog.accs) != 1 or prog.pre_stores or len(prog.red_loops) != 1:
        return None
    acc = prog.accs[0]
    if acc.rop is not ReduceOp.SUM or acc.dtype.kind != "f" or not isinstance(acc.value, str):
        return None
    stmts = {st.name: st for st in prog.pre}
    product = stmts.get(acc.value)
    if product is None or product.op != "alu" or product.alu is not Op.MUL:
        return None
    if not all(isinstance(x, str) and x in stmts for x in product.args):
        return None
    chains = [_operand(x, stmts, prog.pre) for x in product.args]
    if {st.name for c in chains for st in c} | {product.name} != set(stmts):
        return None
    return chains


def float_sums(prog: LoopProgram) -> LoopProgram:
    """A matched product of float32 operands with its sums in float, as torch's BLAS computes them and the tiled
    kernel keeps them (lowering widens every float32 sum to double, for the long sums of everything else)."""
    acc = prog.accs[0]
    if acc.dtype is not float64 or {st.name: st for st in prog.pre}[acc.value].dtype is not float32:
        return prog
    narrowed = copy.copy(prog)
    narrowed.accs = [dataclasses.replace(acc, dtype=float32)]
    return narrowed


def match(prog: LoopProgram) -> Matmul | None:
    chains = _operands(prog)
    if chains is None:
        return None
    (k_var, k_extent), = prog.red_loops
    used = [operand_vars(chain) for chain in chains]
    # m and n: the innermost output loop only A reads and the one only B reads; other loops are batches
    only = [[v for v, _ in prog.out_loops if v in mine and v not in theirs] for mine, theirs in (used, used[::-1])]
    if not only[0] or not only[1] or not all(k_var in u for u in used):
        return None
    extents = dict(prog.out_loops)
    m, n = only[0][-1], only[1][-1]
    batch = [(v, e) for v, e in prog.out_loops if v not in (m, n)]
    work = extents[m] * extents[n] * k_extent * math.prod(e for _, e in batch)
    if min(extents[m], extents[n], k_extent) < MIN_SIDE or work < MIN_WORK:
        return None
    return Matmul((m, extents[m]), (n, extents[n]), (k_var, k_extent), batch, chains[0], chains[1])


def merge_operand_loops(prog: LoopProgram) -> LoopProgram:
    """A product whose result was reshaped before its elementwise work (a convolution's output positions
    split into rows and columns, a weight gradient into channels and taps) walks one operand's side in
    several adjacent loops. Made one loop (each old loop variable recomputed from it by division), the
    program is a matrix multiply with one long side; otherwise prog is returned as it is."""
    chains = _operands(prog)
    if chains is None:
        return prog
    used = [operand_vars(chain) for chain in chains]
    merged, changed = copy.deepcopy(prog), False
    for mine, theirs in (used, used[::-1]):
        names = [v for v, _ in merged.out_loops]
        own = [v in mine and v not in theirs for v in names]
        if True not in own:
            continue
        last = len(own) - 1 - own[::-1].index(True)  # the innermost loop only this operand reads,
        first = last
        while first > 0 and own[first - 1]:  # and the adjacent ones before it
            first -= 1
        if last > first:
            if not _merge_loops(merged, names[first:last + 1]):
                return prog
            changed = True
    return merged if changed and match(merged) is not None else prog


def _merge_loops(prog: LoopProgram, group: list[str]) -> bool:
    """Replace the adjacent output loops `group` (outer to inner) by one loop named after the outer one;
    False (and prog untouched) where a validity condition reads them."""
    if any(_vars(c, set()) & set(group) for st in prog.pre + prog.post for c in _conditions(st)):
        return False
    extents = dict(prog.out_loops)
    flat = Lin.var(group[0], math.prod(extents[v] for v in group))
    inner, mapping = 1, {}
    for v in reversed(group):
        mapping[v] = flat.floordiv(inner).mod(extents[v]) if v != group[0] else flat.floordiv(inner)
        inner *= extents[v]

    def substitute(lin: Lin) -> Lin:
        out = Lin.num(lin.const)
        for atom, c in lin.terms.items():
            if atom.kind == "var":
                out = out + (mapping[atom.name] if atom.name in mapping else Lin({atom: 1})) * c
            else:
                part = substitute(atom.inner)
                out = out + (part.floordiv(atom.c) if atom.kind == "div" else part.mod(atom.c)) * c
        return _refold(out, lin, group, extents, flat)

    replace_indices(prog, substitute)
    first = [v for v, _ in prog.out_loops].index(group[0])
    prog.out_loops[first:first + len(group)] = [(group[0], flat.hi + 1)]
    return True


def _refold(substituted: Lin, original: Lin, group: list[str], extents: dict[str, int], flat: Lin) -> Lin:
    """An index that walked the group's loops in row-major order (a store, say) as a multiple of the
    flat loop itself, rather than the sum of divisions the substitution spells."""
    coeffs = {a.name: c for a, c in original.terms.items() if a.kind == "var" and a.name in group}
    if set(coeffs) != set(group) or any(a.kind != "var" and _vars(a.inner, set()) & set(group)
                                        for a in original.terms):
        return substituted
    for v, inner in zip(group[:-1], group[1:]):
        if coeffs[v] != coeffs[inner] * extents[inner]:
            return substituted
    rest = Lin({a: c for a, c in original.terms.items() if not (a.kind == "var" and a.name in group)}, original.const)
    return rest + flat * coeffs[group[-1]]
