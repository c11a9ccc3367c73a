"""Op → C expression and dtype → C type: the tables the C (and CUDA) renderers share.

Expressions are format strings over the operands `{a} {b} {c}`; `{f}` is the math-function suffix
('f' for float, '' for double) and `{t}` the short integer type name used by prelude helpers.
float16 values are computed in float and rounded back on assignment, as torch does on the CPU;
bfloat16 values are floats rounded to bfloat16 after each op (lg_bf16_round), stored as lg_bf16.
Complex values are lg_complex64/lg_complex128 (C99 complex types in C, structs with operators in
CUDA); their functions (templates/common/lg_complex.h) are written once over the real ones.
"""
from __future__ import annotations

import math

import numpy as np

from lazygrad.dtypes import DType
from lazygrad.ops import Op, ReduceOp

C_TYPES = {
    "bool": "bool", "uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t",
    "int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t", "float16": "_Float16",
    "bfloat16": "float", "float32": "float", "float64": "double", "complex64": "lg_complex64",
    "complex128": "lg_complex128",
}
SHORT_NAMES = {"uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64", "int8": "i8", "int16": "i16",
               "int32": "i32", "int64": "i64"}

_CMP = {Op.EQ: "({a} == {b})", Op.NE: "({a} != {b})", Op.LT: "({a} < {b})", Op.LE: "({a} <= {b})",
        Op.GT: "({a} > {b})", Op.GE: "({a} >= {b})", Op.WHERE: "({a} ? {b} : {c})"}

FLOAT_OPS = {
    Op.NEG: "-{a}", Op.ABS: "fabs{f}({a})", Op.EXP: "lg_exp{f}({a})", Op.EXP2: "lg_exp2{f}({a})",
    Op.EXPM1: "lg_expm1{f}({a})", Op.LOG: "lg_log{f}({a})", Op.LOG2: "lg_log2{f}({a})",
    Op.LOG10: "lg_log10{f}({a})", Op.LOG1P: "lg_log1p{f}({a})", Op.SQRT: "sqrt{f}({a})",
    Op.SIN: "lg_sin{f}({a})", Op.COS: "lg_cos{f}({a})", Op.TAN: "lg_tan{f}({a})", Op.ASIN: "lg_asin{f}({a})",
    Op.ACOS: "lg_acos{f}({a})", Op.ATAN: "lg_atan{f}({a})", Op.SINH: "lg_sinh{f}({a})",
    Op.COSH: "lg_cosh{f}({a})", Op.TANH: "lg_tanh{f}({a})", Op.ERF: "lg_erf{f}({a})", Op.ERFC: "lg_erfc{f}({a})",
    Op.FLOOR: "floor{f}({a})", Op.CEIL: "ceil{f}({a})", Op.ROUND: "rint{f}({a})", Op.TRUNC: "trunc{f}({a})",
    Op.ISNAN: "({a} != {a})", Op.ISINF: "(fabs{f}({a}) == INFINITY)", Op.SIGNBIT: "lg_signbit{f}({a})",
    Op.ADD: "{a} + {b}", Op.SUB: "{a} - {b}", Op.MUL: "{a} * {b}", Op.DIV: "{a} / {b}",
    Op.FLOORDIV: "lg_floordiv{f}({a}, {b})", Op.MOD: "lg_mod{f}({a}, {b})", Op.FMOD: "fmod{f}({a}, {b})",
    Op.POW: "lg_pow{f}({a}, {b})", Op.ATAN2: "lg_atan2{f}({a}, {b})", Op.MAX: "lg_max{f}({a}, {b})", Op.MIN: "lg_min{f}({a}, {b})",
    Op.COMPLEX: "lg_cmake{f}({a}, {b})", Op.FMA: "fma{f}({a}, {b}, {c})", **_CMP,
}

INT_OPS = {
    Op.NEG: "-{a}", Op.NOT: "~{a}", Op.ABS: "({a} < 0 ? -{a} : {a})",
    Op.FLOOR: "{a}", Op.CEIL: "{a}", Op.ROUND: "{a}", Op.TRUNC: "{a}", Op.ISNAN: "0", Op.ISINF: "0",
    Op.SIGNBIT: "({a} < 0)", Op.ADD: "{a} + {b}", Op.SUB: "{a} - {b}", Op.MUL: "{a} * {b}",
    Op.FLOORDIV: "lg_floordiv_{t}({a}, {b})", Op.MOD: "lg_mod_{t}({a}, {b})", Op.FMOD: "lg_fmod_{t}({a}, {b})",
    Op.POW: "lg_pow_{t}({a}, {b})",
    Op.MAX: "({a} > {b} ? {a} : {b})", Op.MIN: "({a} < {b} ? {a} : {b})",
    Op.AND: "({a} & {b})", Op.OR: "({a} | {b})", Op.XOR: "({a} ^ {b})",
    Op.SHL: "lg_shl_{t}({a}, {b})", Op.SHR: "lg_shr_{t}({a}, {b})", **_CMP,
}

# {f} names the parts' type: lg_cexpf for complex64, lg_cexp for complex128. ABS and IMAG give the
# parts' (real) type; the rest complex. Comparisons other than == and != do not exist for complex.
COMPLEX_OPS = {
    Op.NEG: "-{a}", Op.CONJ: "lg_conj{f}({a})", Op.IMAG: "lg_cimag{f}({a})", Op.ABS: "lg_cabs{f}({a})",
    Op.EXP: "lg_cexp{f}({a})", Op.EXP2: "lg_cexp2{f}({a})", Op.EXPM1: "lg_cexpm1{f}({a})",
    Op.LOG: "lg_clog{f}({a})", Op.LOG2: "lg_clog2{f}({a})", Op.LOG10: "lg_clog10{f}({a})",
    Op.LOG1P: "lg_clog1p{f}({a})", Op.SQRT: "lg_csqrt{f}({a})", Op.SIN: "lg_csin{f}({a})",
    Op.COS: "lg_ccos{f}({a})", Op.TAN: "lg_ctan{f}({a})", Op.ASIN: "lg_casin{f}({a})", Op.ACOS: "lg_cacos{f}({a})",
    Op.ATAN: "lg_catan{f}({a})", Op.SINH: "lg_csinh{f}({a})", Op.COSH: "lg_ccosh{f}({a})",
    Op.TANH: "lg_ctanh{f}({a})", Op.ISNAN: "lg_cisnan{f}({a})", Op.ISINF: "lg_cisinf{f}({a})",
    Op.ADD: "{a} + {b}", Op.SUB: "{a} - {b}", Op.MUL: "{a} * {b}", Op.DIV: "lg_cdiv{f}({a}, {b})",
    Op.POW: "lg_cpow{f}({a}, {b})", Op.EQ: "({a} == {b})", Op.NE: "({a} != {b})", Op.WHERE: "({a} ? {b} : {c})",
}

# bool arithmetic is logical, as in torch (True + True is True)
BOOL_OPS = {
    Op.NOT: "!{a}", Op.ABS: "{a}", Op.ISNAN: "0", Op.ISINF: "0", Op.SIGNBIT: "0",
    Op.ADD: "({a} | {b})", Op.MUL: "({a} & {b})", Op.MAX: "({a} | {b})", Op.MIN: "({a} & {b})",
    Op.AND: "({a} & {b})", Op.OR: "({a} | {b})", Op.XOR: "({a} ^ {b})", **_CMP,
}

# accumulator: (initial value, update statement, OpenMP reduction identifier)
FLOAT_REDUCE = {
    ReduceOp.SUM: ("0", "{acc} += {v};", "+"),
    ReduceOp.PROD: ("1", "{acc} *= {v};", "*"),
    ReduceOp.MAX: ("-INFINITY", "{acc} = lg_max{f}({acc}, {v});", "lg_max{f}"),
    ReduceOp.MIN: ("INFINITY", "{acc} = lg_min{f}({acc}, {v});", "lg_min{f}"),
    ReduceOp.LOGADDEXP: ("-INFINITY", "{acc} = lg_logaddexp{f}({acc}, {v});", "lg_logaddexp{f}"),
}
INT_REDUCE = {
    ReduceOp.SUM: ("0", "{acc} += {v};", "+"),
    ReduceOp.PROD: ("1", "{acc} *= {v};", "*"),
    ReduceOp.MAX: ("{lowest}", "{acc} = {v} > {acc} ? {v} : {acc};", "max"),
    ReduceOp.MIN: ("{highest}", "{acc} = {v} < {acc} ? {v} : {acc};", "min"),
    ReduceOp.XOR: ("0", "{acc} ^= {v};", "^"),
}
COMPLEX_REDUCE = {
    ReduceOp.SUM: ("0", "{acc} += {v};", "+"),
    ReduceOp.PROD: ("1", "{acc} *= {v};", "*"),
}
BOOL_REDUCE = {
    ReduceOp.SUM: ("0", "{acc} |= {v};", "|"),
    ReduceOp.PROD: ("1", "{acc} &= {v};", "&"),
    ReduceOp.MAX: ("0", "{acc} |= {v};", "|"),
    ReduceOp.MIN: ("1", "{acc} &= {v};", "&"),
}


def ctype(dtype: DType) -> str:
    return C_TYPES[dtype.name]


def compute_type(dtype: DType) -> DType:
    """The type arithmetic happens in: float16 and bfloat16 compute in float32."""
    from lazygrad.dtypes import float32
    return float32 if dtype.name in ("float16", "bfloat16") else dtype


OP_TABLES = {"f": FLOAT_OPS, "c": COMPLEX_OPS, "b": BOOL_OPS, "u": INT_OPS, "i": INT_OPS}
REDUCE_TABLES = {"f": FLOAT_REDUCE, "c": COMPLEX_REDUCE, "b": BOOL_REDUCE, "u": INT_REDUCE, "i": INT_REDUCE}


def op_table(dtype: DType) -> dict:
    return OP_TABLES[dtype.kind]


def reduce_table(dtype: DType) -> dict:
    return REDUCE_TABLES[dtype.kind]


# a running maximum or minimum of floats takes the later of equal values, as torch's cummax and cummin do (their
# values are the elements at the last index reached: cummax of [0.0, -0.0] is [0.0, -0.0]); a reduction keeps the
# first (lg_max's tie rule)
RUNNING_FLOAT_UPDATES = {ReduceOp.MAX: "{acc} = lg_max{f}({v}, {acc});", ReduceOp.MIN: "{acc} = lg_min{f}({v}, {acc});"}


def scan_update(dtype: DType, rop: ReduceOp) -> str:
    """The update statement of a running reduction (a scan's accumulator)."""
    if dtype.kind == "f" and rop in RUNNING_FLOAT_UPDATES:
        return RUNNING_FLOAT_UPDATES[rop]
    return reduce_table(dtype)[rop][1]


def fmt_fields(dtype: DType) -> dict:
    """The `{f}`/`{t}` fields for ops computed in `dtype`."""
    ct = compute_type(dtype)
    info = np.iinfo(ct.np) if ct.kind in "ui" else None
    return {"f": "f" if ct.name in ("float32", "complex64") else "", "t": SHORT_NAMES.get(ct.name, ""),
            "lowest": literal(int(info.min), ct) if info else "", "highest": literal(int(info.max), ct) if info else ""}


def literal(value, dtype: DType) -> str:
    """An exact C literal: floats round-trip, infinities and NaN by name."""
    if dtype.kind == "b":
        return "1" if value else "0"
    if dtype.kind in "ui":
        value = int(value)
        if dtype.name == "int64":
            return "(-9223372036854775807LL - 1)" if value == -(2 ** 63) else f"{value}LL"
        return f"{value}ULL" if dtype.name == "uint64" else f"{value}U" if dtype.name == "uint32" else str(value)
    if dtype.kind == "c":
        value, part = complex(value), dtype.to_real()
        return f"lg_cmake{'f' if part.name == 'float32' else ''}({literal(value.real, part)}, {literal(value.imag, part)})"
    value = float(value)
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INFINITY" if value > 0 else "-INFINITY"
    if compute_type(dtype).name == "float32":
        text = np.format_float_positional(np.float32(value), unique=True, trim="0")
        if "e" not in text and len(text) > 24:
            text = np.format_float_scientific(np.float32(value), unique=True, trim="0")
        return text + "f"
    text = repr(value)
    return text if ("." in text or "e" in text) else text + ".0"
