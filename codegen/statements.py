"""Loop-program statements as C-family text: shared by the C and the CUDA renderer.

The two languages write the same arithmetic; a Dialect says where they differ (the float16 type and
the no-alias qualifier). Expressions come from the op tables in c_ops. bfloat16 is a float in a
kernel's statements (rounded after each op) and lg_bf16 in memory: reads and writes of its buffers
convert (read, write).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lazygrad import torch_arange
from lazygrad.dtypes import DType, float32, float64, int64
from lazygrad.ops import Op

from . import c_ops
from .lower import Const, LoopProgram, Stmt


@dataclass(frozen=True)
class Dialect:
    name: str
    float16: str  # the storage type of float16 values
    restrict: str
    atomic_scatter: bool  # whether a scatter's threads may race (on the GPU): they reduce atomically

    def ctype(self, dtype: DType) -> str:
        """The type values of dtype have in a kernel's statements."""
        return self.float16 if dtype.name == "float16" else c_ops.ctype(dtype)

    def storage(self, dtype: DType) -> str:
        """The type of dtype's elements in memory."""
        return "lg_bf16" if dtype.name == "bfloat16" else self.ctype(dtype)

    def params(self, prog: LoopProgram) -> list[str]:
        return [f"{'' if p.is_output else 'const '}{self.storage(p.dtype)}* {self.restrict} {p.name}"
                for p in prog.params]


def read(dtype: DType, element: str) -> str:
    """An element of a buffer of dtype as a statement's value."""
    return f"lg_bf16_load({element})" if dtype.name == "bfloat16" else element


def write(dtype: DType, value: str) -> str:
    """A statement's value as an element of a buffer of dtype."""
    return f"lg_bf16_store({value})" if dtype.name == "bfloat16" else value


C = Dialect("c", "_Float16", "restrict", False)
CUDA = Dialect("cuda", "lg_half", "__restrict__", True)


def operand(x, compute: DType) -> str:
    """An operand as text, converted to the compute type when it is stored narrower (float16)."""
    if isinstance(x, Const):
        value = float(np.asarray(x.value, dtype=x.dtype.np).astype(np.float32)) if x.dtype.name == "bfloat16" \
            else x.value
        return c_ops.literal(value, compute if x.dtype.kind == compute.kind else x.dtype)
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


# a float converted to an unsigned type through the signed type torch's CPU build goes through (uint16: int32,
# so a value past int32's range gives 0 as there); uint64 past 2^63 has a helper of its own
_UNSIGNED_FROM_FLOAT = {"uint16": "({t})(int32_t)({a})", "uint64": "lg_to_u64({a})"}
# the same in C kernels, signed types too: through x86's conversion to int32 or int64, written out by the
# prelude's lg_f2i32/lg_f2i64 (C leaves a value out of range undefined, and gcc folds a round trip into trunc)
_INTEGER_FROM_FLOAT_C = {"int8": "(int8_t)lg_f2i32{f}({a})", "int16": "(int16_t)lg_f2i32{f}({a})",
                         "int32": "lg_f2i32{f}({a})", "int64": "lg_f2i64{f}({a})", "uint8": "(uint8_t)lg_f2i64{f}({a})",
                         "uint16": "(uint16_t)lg_f2i32{f}({a})", "uint32": "(uint32_t)lg_f2i64{f}({a})",
                         "uint64": "lg_to_u64({a})"}


def _cast(src: DType, dst: DType, a: str, d: Dialect) -> str:
    if src.kind == "c" and dst.kind == "b":  # nonzero in either part
        parts = c_ops.fmt_fields(src)["f"]
        return f"(lg_creal{parts}({a}) != 0 || lg_cimag{parts}({a}) != 0)"
    if src.kind == "c" and dst.kind != "c":  # the real part, as torch's conversions keep it
        part = src.to_real()
        return _cast(part, dst, f"lg_creal{c_ops.fmt_fields(src)['f']}({a})", d)
    if dst.kind == "b":
        return f"({a} != 0)"
    if src.kind == "b":  # a select, not a conversion: gcc vectorizes it next to 32-bit lanes
        return f"({a} ? {c_ops.literal(1, dst)} : {c_ops.literal(0, dst)})"
    if dst.kind in "iu" and src.kind == "f" and d.name == "c":
        return _INTEGER_FROM_FLOAT_C[dst.name].format(f="" if src.name == "float64" else "f", a=a)
    if dst.kind == "u" and src.kind == "f":  # negative floats wrap like torch, not UB
        return _UNSIGNED_FROM_FLOAT.get(dst.name, "({t})(int64_t)({a})").format(t=d.ctype(dst), a=a)
    if dst.name == "float16" and src.name == "float64":  # through float, rounded twice, as torch's Half(float)
        return f"({d.ctype(dst)})(float)({a})"
    return f"({d.ctype(dst)})({a})"


# a floating arange's value i as torch computes it (lazygrad/torch_arange.py). On the CPU: in vectors, from a
# base ({first}: the index the value's vector starts at) rounded to the result type, in the type and with the
# rounding of this table; on CUDA: one fused multiply-add per value, in float (double for float64).
_CPU_ARANGE = "fma{f}(({t})({i} - {first}), {step}, {rounded}(fma{f}({step}, ({t}){first}, {start})))"
_CPU_ARANGE_TYPES = {"float64": (float64, ""), "float32": (float64, "(double)(float)"),
                     "float16": (float32, "(float)(_Float16)"), "bfloat16": (float32, "lg_bf16_round")}
_CUDA_ARANGE = "fma{f}({step}, ({t})({i}), {start})"


def _floating_arange(start: float, step: float, i: str, n: int, chunk: int, dtype: DType, d: Dialect) -> str:
    if d.name == "c":
        accumulate, rounded = _CPU_ARANGE_TYPES[dtype.name]
        first = f"lg_arange_first({i}, {n}LL, {chunk}LL, {torch_arange.LANES[dtype.name]}LL)"
        formula = _CPU_ARANGE.replace("{rounded}", rounded).replace("{first}", first)
    else:
        accumulate, formula = float64 if dtype is float64 else float32, _CUDA_ARANGE
    value = formula.format(i=i, f="f" if accumulate is float32 else "", t=c_ops.ctype(accumulate),
                           start=c_ops.literal(start, accumulate), step=c_ops.literal(step, accumulate))
    return f"({d.ctype(dtype)})({value})"


def _place(buf: str, position, numel: int | None) -> str:
    """An element at a computed position, clamped into the buffer (numel None: clamped already, per row)."""
    at = operand(position, int64)
    return f"{buf}[{at}]" if numel is None else f"{buf}[lg_clamp_index({at}, {numel})]"


def _expr(stmt: Stmt, d: Dialect) -> str:
    if stmt.op == "load":
        buf, index, valid = stmt.args
        load = read(stmt.dtype, f"{buf}[{index.render()}]")
        return f"({_cond(valid)}) ? {load} : ({d.ctype(stmt.dtype)})0" if valid else load
    if stmt.op == "gather":
        return read(stmt.dtype, _place(*stmt.args))
    if stmt.op == "where":
        conds, val, zero = stmt.args
        t = d.ctype(stmt.dtype)
        return f"({_cond(conds)}) ? ({t})({operand(val, stmt.dtype)}) : ({t}){operand(zero, stmt.dtype)}"
    if stmt.op == "arange":
        start, step, idx, (n, chunk) = stmt.args
        if stmt.dtype.kind == "f":
            return _floating_arange(start, step, idx.render(), n, chunk, stmt.dtype, d)
        return f"({d.ctype(stmt.dtype)})({int(start)}LL + {int(step)}LL * ({idx.render()}))"
    if stmt.op == "scalar":
        return f"({d.ctype(stmt.dtype)})scalars[{stmt.args[0]}]"
    if stmt.op == "rand":
        dist, slot, flat = stmt.args
        width = {"float16": "f32", "bfloat16": "f32", "float32": "f32", "float64": "f64"}.get(stmt.dtype.name, "i64")
        return (f"lg_rand_{dist}_{width}((uint64_t)rng[{2 * slot}], (uint64_t)rng[{2 * slot + 1}] + "
                f"(uint64_t)({flat.render()}))")
    # alu
    src = stmt.src_dtypes[0] if stmt.src_dtypes else stmt.dtype
    if stmt.alu is Op.WHERE:
        src = stmt.src_dtypes[1]
    compute = c_ops.compute_type(src)
    args = [operand(a, compute) for a in stmt.args]
    if compute is not src:  # float16 operands are widened to float first
        args = [f"(float){a}" if not isinstance(x, Const) else a for a, x in zip(args, stmt.args)]
        if stmt.alu is Op.WHERE:
            args[0] = operand(stmt.args[0], stmt.src_dtypes[0])
    if stmt.alu is Op.CAST:
        return _cast(compute, stmt.dtype, args[0], d)
    template = c_ops.op_table(compute)[stmt.alu]
    names = dict(zip("abc", args))
    return template.format(**names, **c_ops.fmt_fields(compute))


def statement_line(stmt: Stmt, d: Dialect) -> str:
    expr = _expr(stmt, d)
    if stmt.dtype.name == "bfloat16" and stmt.op not in ("load", "gather"):
        expr = f"lg_bf16_round({expr})"
    return f"const {d.ctype(stmt.dtype)} {stmt.name} = {expr};"


def store_line(store) -> str:
    return f"{store.param}[{store.index.render()}] = {write(store.dtype, operand(store.value, store.dtype))};"


def scatter_line(scatter, d: Dialect) -> str:
    """The scatter phase's write of one value at its position, or its reduction into what is there:
    in the reductions' own update (c_ops) where one thread scatters, atomically where threads race."""
    target = _place(scatter.param, scatter.index, scatter.numel)
    value = operand(scatter.value, scatter.dtype)
    if scatter.rop is None:
        return f"{target} = {write(scatter.dtype, value)};"
    if d.atomic_scatter:
        return f"lg_atomic_{scatter.rop.value}(&{target}, ({d.storage(scatter.dtype)})({value}));"
    compute = c_ops.compute_type(scatter.dtype)
    update = c_ops.reduce_table(compute)[scatter.rop][1]
    if scatter.dtype.name != "bfloat16":
        return update.format(acc=target, v=value, **c_ops.fmt_fields(compute))
    combined = update.format(acc="combined", v=value, **c_ops.fmt_fields(compute))
    return f"{{ float combined = {read(scatter.dtype, target)}; {combined} {target} = {write(scatter.dtype, 'combined')}; }}"


def unravel(flat: str, loops) -> list[str]:
    """Loop variables from a flat row-major position."""
    out, inner = [], 1
    for var, extent in reversed(loops):
        scaled = f"{flat} / {inner}" if inner > 1 else flat
        value = f"({scaled}) % {extent}" if inner * extent < loops_numel(loops) else scaled
        out.append(f"const int64_t {var} = {value};")
        inner *= extent
    return out[::-1]


def loops_numel(loops) -> int:
    n = 1
    for _, e in loops:
        n *= e
    return n


# whether key a comes before key b in a sort: NaN ranks above every number (last ascending, first
# descending), as in torch; equal keys keep their order (the templates' sorts are stable)
SORT_BEFORE = {
    ("f", False): "a < b || (b != b && a == a)",
    ("f", True): "a > b || (a != a && b == b)",
    ("int", False): "a < b",
    ("int", True): "a > b",
}


def sort_fields(prog: LoopProgram, d: Dialect) -> dict:
    """What a sort template needs: the key of any element of a row as a function of the inputs and the
    row's loop variables, the comparison, and where the row's n-th position is stored (a macro of n)."""
    sort = prog.sort
    kind = "f" if sort.key_dtype.kind == "f" else "int"
    variables = [var for var, _ in prog.out_loops] + [sort.var]
    inputs = [(text, p.name) for text, p in zip(d.params(prog), prog.params) if not p.is_output]
    return {
        "key_type": d.ctype(sort.key_dtype), "key_lines": [statement_line(s, d) for s in prog.pre],
        "key": operand(sort.key, sort.key_dtype), "before": SORT_BEFORE[kind, sort.descending],
        "key_params": [text for text, _ in inputs] + [f"int64_t {var}" for var in variables],
        "key_args": [name for _, name in inputs] + variables,
        "sort_var": sort.var, "sort_extent": sort.extent, "at": sort.index.render(),
        "order_text": "descending" if sort.descending else "ascending",
    }
