"""Render a loop program as C source through the jinja2 templates in templates/c/.

Python decides what goes in the kernel (statement text, loop extents, OpenMP pragmas); the
templates hold the shape of the code.
"""
from __future__ import annotations

from functools import lru_cache

import jinja2

from lazygrad.dtypes import DType
from lazygrad.ops import Op

from . import c_ops
from .lower import Const, LoopProgram, Stmt
from .templates_dir import templates_dir

# below this much work (elements visited) an OpenMP parallel region costs more than it saves
PARALLEL_MIN_WORK = 1 << 15


@lru_cache(maxsize=None)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, autoescape=False)


def _operand(x, compute: DType) -> str:
    """An operand as text, converted to the compute type when it is stored narrower (float16)."""
    if isinstance(x, Const):
        return c_ops.literal(x.value, compute if x.dtype.kind == compute.kind else x.dtype)
    return x


def _cond(conds) -> str:
    parts = []
    for e, lo, hi in conds:
        text = e.render()
        if e.lo < lo:
            parts.append(f"{text} >= {lo}")
        if e.hi >= hi:
            parts.append(f"{text} < {hi}")
    return " && ".join(parts) or "1"


def _cast(src: DType, dst: DType, a: str) -> str:
    if dst.kind == "b":
        return f"({a} != 0)"
    if dst.kind == "u" and src.kind == "f":
        return f"({c_ops.ctype(dst)})(int64_t)({a})"  # negative floats wrap like torch, not UB
    return f"({c_ops.ctype(dst)})({a})"


def _expr(stmt: Stmt) -> str:
    if stmt.op == "load":
        buf, index, valid = stmt.args
        load = f"{buf}[{index.render()}]"
        return f"({_cond(valid)}) ? {load} : 0" if valid else load
    if stmt.op == "where":
        conds, val, zero = stmt.args
        return f"({_cond(conds)}) ? {_operand(val, stmt.dtype)} : {_operand(zero, stmt.dtype)}"
    if stmt.op == "arange":
        start, step, idx = stmt.args
        if stmt.dtype.kind == "f":
            return f"({c_ops.ctype(stmt.dtype)})({start!r} + {step!r} * (double)({idx.render()}))"
        return f"({c_ops.ctype(stmt.dtype)})({int(start)}LL + {int(step)}LL * ({idx.render()}))"
    if stmt.op == "rand":
        dist, slot, flat = stmt.args
        width = {"float16": "f32", "float32": "f32", "float64": "f64"}.get(stmt.dtype.name, "i64")
        return f"lg_rand_{dist}_{width}((uint64_t)rng[{2 * slot}], (uint64_t)rng[{2 * slot + 1}] + (uint64_t)({flat.render()}))"
    # alu
    src = stmt.src_dtypes[0] if stmt.src_dtypes else stmt.dtype
    if stmt.alu is Op.WHERE:
        src = stmt.src_dtypes[1]
    compute = c_ops.compute_type(src)
    args = [_operand(a, compute) for a in stmt.args]
    if compute is not src:  # float16 operands are widened to float first
        args = [f"(float){a}" if not isinstance(x, Const) else a for a, x in zip(args, stmt.args)]
        if stmt.alu is Op.WHERE:
            args[0] = _operand(stmt.args[0], stmt.src_dtypes[0])
    if stmt.alu is Op.CAST:
        return _cast(compute, stmt.dtype, args[0])
    template = c_ops.op_table(compute)[stmt.alu]
    names = dict(zip("abc", args))
    return template.format(**names, **c_ops.fmt_fields(compute))


def _stmt_line(stmt: Stmt) -> str:
    return f"const {c_ops.ctype(stmt.dtype)} {stmt.name} = {_expr(stmt)};"


def _loops(loops, pragmas) -> list[dict]:
    return [{"var": v, "extent": e, "pragma": p} for (v, e), p in zip(loops, pragmas)]


def _reduction_clause(prog: LoopProgram) -> str:
    parts = []
    for acc in prog.accs:
        ident = c_ops.reduce_table(acc.dtype)[acc.rop][2].format(**c_ops.fmt_fields(acc.dtype))
        parts.append(f"reduction({ident}:{acc.name})")
    return " ".join(parts)


def _pragmas(prog: LoopProgram) -> tuple[list[str], list[str]]:
    """OpenMP pragmas for the output loops and the reduce loops."""
    out = [""] * len(prog.out_loops)
    red = [""] * len(prog.red_loops)
    work = prog.numel * max(prog.reduce_numel, 1)
    parallel = work >= PARALLEL_MIN_WORK
    if prog.kind == "elementwise":
        if out:
            out[-1] = "omp simd"
            if parallel:
                out[0] = "omp parallel for simd" if len(out) == 1 else "omp parallel for"
        return out, red
    if prog.kind == "scan":
        if out and parallel:
            out[0] = "omp parallel for"
        return out, red
    clause = _reduction_clause(prog)
    if red:
        red[-1] = f"omp simd {clause}"
    if out and parallel and prog.numel > 1:
        out[0] = "omp parallel for"
    elif red and parallel:
        red[0] = f"omp parallel for {'simd ' if len(red) == 1 else ''}{clause}"
    return out, red


def render(prog: LoopProgram) -> str:
    out_pragmas, red_pragmas = _pragmas(prog)
    params = [f"{c_ops.ctype(p.dtype)}* restrict {p.name}" if p.is_output
              else f"const {c_ops.ctype(p.dtype)}* restrict {p.name}" for p in prog.params]
    acc_decls, acc_updates = [], []
    for acc in prog.accs:
        init, update, _ = c_ops.reduce_table(acc.dtype)[acc.rop]
        fields = c_ops.fmt_fields(acc.dtype)
        acc_decls.append(f"{c_ops.ctype(acc.dtype)} {acc.name} = {init.format(**fields)};")
        acc_updates.append(update.format(acc=acc.name, v=_operand(acc.value, acc.dtype), **fields))
    stores = [f"{s.param}[{s.index.render()}] = {_operand(s.value, s.dtype)};" for s in prog.stores]
    shape = [e for _, e in prog.out_loops] + [e for _, e in prog.red_loops]
    k = {
        "name": prog.name, "kind": prog.kind, "fused": prog.fused, "params": params,
        "shape_text": "x".join(map(str, shape)) or "one element",
        "out_loops": _loops(prog.out_loops, out_pragmas), "red_loops": _loops(prog.red_loops, red_pragmas),
        "pre": [_stmt_line(s) for s in prog.pre], "post": [_stmt_line(s) for s in prog.post],
        "acc_decls": acc_decls, "acc_updates": acc_updates, "stores": stores,
    }
    return _env().get_template(f"c/{prog.kind}.c.j2").render(k=k)
