"""Render a loop program as C source through the jinja2 templates in templates/c/.

Python decides what goes in the kernel (statement text, loop extents, OpenMP pragmas); the
templates hold the shape of the code.
"""
from __future__ import annotations

from functools import lru_cache

import jinja2

from lazygrad.dtypes import complex128, float64
from lazygrad.ops import ReduceOp

from . import c_ops
from .lower import LoopProgram
from .matmul import Matmul
from .matmul import match as match_matmul
from .matmul import float_sums, index_lins, split_index, steps_by_one
from .scatter_split import disjoint_loop
from .statements import (C, loops_numel, operand, read, scatter_line, sort_fields, statement_line, store_line,
                         unravel)
from .templates_dir import templates_dir

# below this much work (elements visited) an OpenMP parallel region costs more than it saves
PARALLEL_MIN_WORK = 1 << 15
# the shortest scatter row worth splitting among threads: each thread walks every index entry, and a row runs
# in vector lanes, so below this a thread's share of a row saves less than the entries cost it
SPLIT_MIN_EXTENT = 2048
# partial accumulators per reduced row: independent chains hide the latency of each vector add
ROW_LANES_BYTES = 256
# accumulators kept along a contiguous kept axis when reducing over outer axes (columns)
COLUMN_LANES = 2048
# the updates a double sum's lane (or partial sum of a level) takes before it is folded into the next level
CASCADE_STEPS = 64


@lru_cache(maxsize=None)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, autoescape=False)


def _loops(loops, pragmas) -> list[dict]:
    return [{"var": v, "extent": e, "pragma": p} for (v, e), p in zip(loops, pragmas)]


def _reduction_clause(prog: LoopProgram) -> str:
    parts = []
    for acc in prog.accs:
        ident = c_ops.reduce_table(acc.dtype)[acc.rop][2].format(**c_ops.fmt_fields(acc.dtype))
        parts.append(f"reduction({ident}:{acc.name})")
    return " ".join(parts)


def _pragmas(prog: LoopProgram) -> list[str]:
    """OpenMP pragmas for the output loops of elementwise and scan kernels."""
    out = [""] * len(prog.out_loops)
    parallel = prog.numel * max(prog.reduce_numel, 1) >= PARALLEL_MIN_WORK
    if prog.kind in ("elementwise", "scatter") and out:
        out[-1] = "omp simd"
        if parallel:
            out[0] = "omp parallel for simd" if len(out) == 1 else "omp parallel for"
    elif prog.kind == "scan" and out and parallel:
        out[0] = "omp parallel for"
    return out


def _cascaded(acc) -> bool:
    """A double or complex double sum: its lanes fold into levels (CASCADE_STEPS)."""
    return acc.rop is ReduceOp.SUM and acc.dtype in (float64, complex128)


def _cascade_lines(prog: LoopProgram, size: int, lanes: str, steps: int) -> dict:
    """A long sum's lanes folded into two more levels of partial sums, as torch's cascade sum keeps a long
    float64 sum's digits: every CASCADE_STEPS updates of the lanes (`steps` per lane so far, when the whole
    reduction is longer than that) go into level 1, every CASCADE_STEPS of those into level 2, so no partial
    sum adds up more than CASCADE_STEPS terms below the last level (1e7 values: 1e-15 relative, 2.5e-12 in
    plain lanes). The levels are arrays of `size` like the lanes, `lanes` of them in use; `fold` runs after each
    update of the lanes, `merge` before they are read."""
    accs = [acc for acc in prog.accs if _cascaded(acc)]
    if not accs or steps <= CASCADE_STEPS:
        return {"cascade_decls": [], "cascade_fold": [], "cascade_merge": []}
    decls = ["int64_t steps_done = 0, folds_done = 0;  /* the lanes' updates since the last fold, and folds */"]
    into_1, into_2, merge = [], [], []
    for acc in accs:
        ct, init = c_ops.ctype(acc.dtype), c_ops.reduce_table(acc.dtype)[acc.rop][0]
        for level in (1, 2):
            decls.append(f"{ct} {acc.name}_level{level}[{size}];")
            decls.append(f"for (int64_t lane = 0; lane < {lanes}; lane++) {acc.name}_level{level}[lane] = {init};")
        into_1.append(f"{acc.name}_level1[lane] += {acc.name}_lanes[lane]; {acc.name}_lanes[lane] = {init};")
        into_2.append(f"{acc.name}_level2[lane] += {acc.name}_level1[lane]; {acc.name}_level1[lane] = {init};")
        merge.append(f"for (int64_t lane = 0; lane < {lanes}; lane++) "
                     f"{acc.name}_lanes[lane] = {acc.name}_level2[lane] + ({acc.name}_level1[lane] + "
                     f"{acc.name}_lanes[lane]);")
    fold = [f"if (++steps_done == {CASCADE_STEPS}) {{",
            "  steps_done = 0;",
            f"  for (int64_t lane = 0; lane < {lanes}; lane++) {{ {' '.join(into_1)} }}",
            f"  if (++folds_done == {CASCADE_STEPS}) {{",
            "    folds_done = 0;",
            f"    for (int64_t lane = 0; lane < {lanes}; lane++) {{ {' '.join(into_2)} }}",
            "  }",
            "}"]
    return {"cascade_decls": decls, "cascade_fold": fold, "cascade_merge": merge}


def _accumulator_lines(prog: LoopProgram, lanes: int) -> dict:
    decls, lane_decls, lane_updates, combine, lane_reads = [], [], [], [], []
    for acc in prog.accs:
        init, update, _ = c_ops.reduce_table(acc.dtype)[acc.rop]
        fields = c_ops.fmt_fields(acc.dtype)
        ct, init = c_ops.ctype(acc.dtype), init.format(**fields)
        value = operand(acc.value, acc.dtype)
        decls.append(f"{ct} {acc.name} = {init};")
        lane_decls.append(f"{ct} {acc.name}_lanes[{lanes}];")
        lane_decls.append(f"for (int64_t lane = 0; lane < {lanes}; lane++) {acc.name}_lanes[lane] = {init};")
        lane_updates.append(update.format(acc=f"{acc.name}_lanes[lane]", v=value, **fields))
        combine.append(f"for (int64_t lane = 0; lane < {lanes}; lane++) "
                       + update.format(acc=acc.name, v=f"{acc.name}_lanes[lane]", **fields))
        lane_reads.append(f"const {ct} {acc.name} = {acc.name}_lanes[lane];")
    return {"acc_decls": decls, "lane_decls": lane_decls, "lane_updates": lane_updates,
            "combine": combine, "lane_reads": lane_reads}


def _row_lanes(extent: int, width: int) -> int:
    """Partial accumulators along a reduced row: ROW_LANES_BYTES of them on a long row, one vector's
    worth on a shorter one (so a row of 32 floats still vectorizes), none on a row under a vector."""
    if extent >= 2 * ROW_LANES_BYTES // width:
        return ROW_LANES_BYTES // width
    return VECTOR_BYTES // width if extent >= VECTOR_BYTES // width else 1


def _reduce_fields(prog: LoopProgram) -> tuple[str, dict]:
    parallel = prog.numel * prog.reduce_numel >= PARALLEL_MIN_WORK
    if prog.reduces_columns:
        inner_var, inner_extent = prog.out_loops[-1]
        outer = _loops(prog.out_loops[:-1], ["omp parallel for" if parallel and i == 0 else ""
                                             for i in range(len(prog.out_loops) - 1)])
        lanes = min(COLUMN_LANES, inner_extent)  # a short row initializes and combines only its own lanes
        fields = {"out_outer": outer, "red_loops": _loops(prog.red_loops, [""] * len(prog.red_loops)),
                  "inner_var": inner_var, "inner_extent": inner_extent, "lanes": lanes,
                  "tile_pragma": "omp parallel for" if parallel and not outer else ""}
        return "reduce_columns", {**fields, **_accumulator_lines(prog, lanes),
                                  **_cascade_lines(prog, lanes, "width", prog.reduce_numel)}
    inner_var, inner_extent = prog.red_loops[-1]
    lanes = _row_lanes(inner_extent, max(a.dtype.itemsize for a in prog.accs))
    full_parallel = parallel and not prog.out_loops
    red_outer = _loops(prog.red_loops[:-1], ["omp for" if full_parallel and i == 0 else ""
                                             for i in range(len(prog.red_loops) - 1)])
    fields = {
        "out_loops": _loops(prog.out_loops, ["omp parallel for" if parallel and i == 0 else ""
                                             for i in range(len(prog.out_loops))]),
        "red_outer": red_outer, "inner_var": inner_var, "inner_extent": inner_extent, "lanes": lanes,
        "main_extent": inner_extent - inner_extent % lanes, "block_var": f"{inner_var}_block",
        "full_parallel": full_parallel, "clause": _reduction_clause(prog),
        "block_pragma": "omp for nowait" if full_parallel and not red_outer else "",
    }
    return "reduce", {**fields, **_accumulator_lines(prog, lanes),
                      **_cascade_lines(prog, lanes, str(lanes), prog.reduce_numel // lanes)}


# the packed matrix multiply: A in blocks of (at most) MATMUL_M rows, B in panels of (at most) MATMUL_N
# columns, and an inner kernel of MICRO_M rows x one 64-byte vector of columns (16 floats, 8 doubles)
# in registers
MATMUL_M, MATMUL_N, MICRO_M, VECTOR_BYTES = 64, 64, 8, 64
MATMUL_K = 256  # k's block: a block of A (64 rows) and a panel's (64 columns) take 64 KB each, in L2
FEW_TILES = 8
PARALLEL_BATCHES = 4  # batches of a batched product from which threads take whole batches
# a product of few tiles is split along k from this long a k, where each thread's sums are this small
SPLIT_K_MIN, SPLIT_K_OUTPUTS = 4 * MATMUL_K, 1 << 16
PACK_LIMIT = 1 << 28  # bytes of packed B beyond which (a broadcast B, say) the product is a plain reduction
FMA = {"float": "fmaf", "double": "fma"}


def _blocks(prog: LoopProgram, mm: Matmul) -> tuple[int, int, int]:
    """A's block rows, B's panel columns (no wider than the product, rounded up to the inner kernel's
    rows and vector, so a thin product does not pack and multiply zeros), and the vector's lanes. A
    product of few tiles (a weight gradient's few rows) gets panels one vector wide, so that the
    threads, which share out the tiles, all have some."""
    lanes = VECTOR_BYTES // prog.accs[0].dtype.itemsize
    bm, bn = min(MATMUL_M, -(-mm.m[1] // MICRO_M) * MICRO_M), min(MATMUL_N, -(-mm.n[1] // lanes) * lanes)
    if -(-mm.m[1] // bm) * -(-mm.n[1] // bn) < FEW_TILES:
        bn = lanes
    return bm, bn, lanes


def _matmul_parallel(prog: LoopProgram, mm: Matmul, bm: int, bn: int) -> str:
    """How threads share a product: whole batches where there are enough to go round (no barrier
    between packing and multiplying), ranges of k for one product of few tiles over a long k (each
    thread would otherwise pack the same rows of A, and packing is most of such a product's work),
    else the tiles of each batch, or not at all below the work worth a parallel region."""
    if prog.numel * prog.reduce_numel < PARALLEL_MIN_WORK:
        return ""
    batches, tiles = loops_numel(mm.batch), -(-mm.m[1] // bm) * -(-mm.n[1] // bn)
    if batches >= PARALLEL_BATCHES:
        return "batches"
    if batches == 1 and tiles < FEW_TILES and mm.k[1] >= SPLIT_K_MIN and mm.m[1] * mm.n[1] <= SPLIT_K_OUTPUTS:
        return "split_k"
    return "tiles" if tiles > 1 else ""


def _packed_bytes(prog: LoopProgram, mm: Matmul) -> int:
    _, bn, _ = _blocks(prog, mm)
    return -(-mm.n[1] // bn) * bn * mm.k[1] * prog.accs[0].dtype.itemsize


def _packing(prefix: str, chain, side: tuple[str, int], k: tuple[str, int], start: int) -> tuple[list[dict], list[str]]:
    """How packing reads one operand: its statement lines, with a lone plain load's index looked up in
    offset tables (one per loop whose part of the index divides or takes a modulo) where it splits by loop."""
    lines = [statement_line(st, C) for st in chain]
    plain = [i for i, st in enumerate(chain) if index_lins(st)]
    if len(plain) != 1 or chain[plain[0]].op != "load" or chain[plain[0]].args[2]:
        return [], lines
    load = chain[plain[0]]
    split = split_index(load, side[0], k[0])
    if split is None:
        return [], lines
    tables, terms = [], [split.base.render()] if split.base.terms or split.base.const else []
    for (var, extent), part, label in ((side, split.side, "side"), (k, split.along, "k")):
        if not part.terms:
            continue
        if all(atom.kind == "var" for atom in part.terms):
            terms.append(part.render())
            continue
        name = f"{prefix}_{label}_at"
        tables.append({"name": name, "var": var, "extent": extent, "start": start, "expr": part.render()})
        start += extent
        terms.append(f"{name}[{var}]")
    if not tables:
        return [], lines
    element = read(load.dtype, f"{load.args[0]}[{' + '.join(terms)}]")
    lines[plain[0]] = f"const {C.ctype(load.dtype)} {load.name} = {element};"
    return tables, lines


def _matmul_fields(prog: LoopProgram, mm: Matmul) -> dict:
    batch = loops_numel(mm.batch)
    acc_type = C.ctype(prog.accs[0].dtype)
    bm, bn, lanes = _blocks(prog, mm)
    a_tables, a_pack = _packing("a", mm.a, mm.m, mm.k, 0)
    b_tables, b_pack = _packing("b", mm.b, mm.n, mm.k, sum(t["extent"] for t in a_tables))
    return {
        "tables": a_tables + b_tables, "a_pack": a_pack, "b_pack": b_pack,
        "acc_type": acc_type, "acc_name": prog.accs[0].name, "fma": FMA[acc_type],
        "bm": bm, "bn": bn, "mr": MICRO_M, "nr": lanes, "kc": MATMUL_K,
        "n_tiles": -(-mm.n[1] // bn),
        "m_var": mm.m[0], "m_extent": mm.m[1], "n_var": mm.n[0], "n_extent": mm.n[1],
        "k_var": mm.k[0], "k_extent": mm.k[1], "batch_numel": batch,
        "batch_index": unravel("batch", mm.batch),
        # the plain loops compute both operands in one scope: what B shares with A (a scalar) comes once
        "a_lines": [statement_line(s, C) for s in mm.a], "a_value": mm.a[-1].name,
        "b_lines": [statement_line(s, C) for s in mm.b if s not in mm.a], "b_value": mm.b[-1].name,
        "parallel": _matmul_parallel(prog, mm, bm, bn),
        "a_along_k": not steps_by_one(mm.a, mm.m[0]) or steps_by_one(mm.a, mm.k[0]),
        "b_along_k": steps_by_one(mm.b, mm.k[0]) and not steps_by_one(mm.b, mm.n[0]),
    }


def render(prog: LoopProgram) -> str:
    mm = match_matmul(prog)
    if mm is not None and _packed_bytes(prog, mm) > PACK_LIMIT:
        mm = None
    if mm is not None:
        prog = float_sums(prog)
    params = C.params(prog)
    shape = [e for _, e in prog.out_loops] + [e for _, e in prog.red_loops]
    k = {
        "name": prog.name, "kind": prog.kind, "fused": prog.fused, "params": params,
        "shape_text": "x".join(map(str, shape)) or "one element",
        "pre": [statement_line(s, C) for s in prog.pre], "post": [statement_line(s, C) for s in prog.post],
        "stores": [store_line(s) for s in prog.stores],
        "pre_stores": [store_line(s) for s in prog.pre_stores],
    }
    template = prog.kind
    if mm is not None:
        template = "matmul"
        k.update(_matmul_fields(prog, mm))
    elif prog.kind == "reduce":
        template, fields = _reduce_fields(prog)
        k.update(fields)
    elif prog.kind == "sort":
        k.update(sort_fields(prog, C))
        k["out_loops"] = _loops(prog.out_loops, ["omp for" if i == 0 else "" for i in range(len(prog.out_loops))])
        k["parallel"] = bool(prog.out_loops) and prog.numel * prog.reduce_numel >= PARALLEL_MIN_WORK
    elif prog.kind == "scatter":
        sc = prog.scatter
        k["out_loops"] = _loops(prog.out_loops, _pragmas(prog))
        split, k["split"] = disjoint_loop(sc), None
        loops = list(sc.loops)
        if split is not None:  # innermost and in vector lanes: its iterations write neighbouring, disjoint places
            loops = [lp for lp in loops if lp[0] != split[0]] + [lp for lp in loops if lp[0] == split[0]]
        k["scatter_loops"] = _loops(loops, [""] * (len(loops) - 1) + ["omp simd" if split else ""])
        if split is not None and split[1] >= SPLIT_MIN_EXTENT and loops_numel(sc.loops) >= PARALLEL_MIN_WORK:
            var, extent = split
            k["split"] = {"var": var, "extent": extent}
            k["scatter_loops"][-1]["start"], k["scatter_loops"][-1]["extent"] = f"{var}_first", f"{var}_end"
        k["scatter_lines"] = [statement_line(s, C) for s in sc.stmts] + [scatter_line(sc, C)]
        k["scatter_verb"] = f"reduces its value in ({sc.rop.value})" if sc.rop else "writes its value"
    else:
        k["out_loops"] = _loops(prog.out_loops, _pragmas(prog))
        k["red_loops"] = _loops(prog.red_loops, [""] * len(prog.red_loops))
        k.update(_accumulator_lines(prog, 1))
        k["acc_updates"] = [c_ops.scan_update(a.dtype, a.rop).format(
            acc=a.name, v=operand(a.value, a.dtype), **c_ops.fmt_fields(a.dtype)) for a in prog.accs]
    return _env().get_template(f"c/{template}.c.j2").render(k=k)
