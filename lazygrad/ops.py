"""The graph's operations and their categories (a leaf module shared by lazygrad and codegen)."""
from __future__ import annotations

from enum import Enum


class Op(Enum):
    # members are singletons compared by identity: hash them so too (Enum's own __hash__ is Python code,
    # and graph building hashes ops at every node)
    __hash__ = object.__hash__

    # sources: no inputs
    BUFFER = "buffer"      # a realized device buffer (arg: the Buffer), shape (numel,)
    CONST = "const"        # a scalar broadcast to the node's shape (arg: the value)
    ARANGE = "arange"      # start + i * step along a 1-d shape (arg: (start, step, chunk), torch_arange.py)
    RAND = "rand"          # counter-based random numbers (arg: (seed, offset, distribution))
    # unary elementwise
    NEG = "neg"
    NOT = "not"            # logical not of a bool, bitwise not of an integer
    ABS = "abs"
    EXP = "exp"
    EXP2 = "exp2"
    EXPM1 = "expm1"
    LOG = "log"
    LOG2 = "log2"
    LOG10 = "log10"
    LOG1P = "log1p"
    SQRT = "sqrt"
    SIN = "sin"
    COS = "cos"
    TAN = "tan"
    ASIN = "asin"
    ACOS = "acos"
    ATAN = "atan"
    SINH = "sinh"
    COSH = "cosh"
    TANH = "tanh"
    ERF = "erf"
    ERFC = "erfc"
    FLOOR = "floor"
    CEIL = "ceil"
    ROUND = "round"        # half to even, like torch.round
    TRUNC = "trunc"
    ISNAN = "isnan"
    ISINF = "isinf"
    SIGNBIT = "signbit"    # whether the sign bit is set (-0.0 and a NaN with its sign bit too)
    CAST = "cast"          # arg: the target DType (the node's dtype); complex to real keeps the real part
    IMAG = "imag"          # the imaginary part of a complex value (the node's dtype is the parts' float type)
    CONJ = "conj"          # the complex conjugate
    # binary elementwise
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"            # true division (floats only)
    FLOORDIV = "floordiv"  # torch.floor_divide
    MOD = "mod"            # torch.remainder (sign of the divisor)
    FMOD = "fmod"          # torch.fmod (sign of the dividend, C's fmod)
    POW = "pow"
    ATAN2 = "atan2"
    MAX = "max"            # NaN-propagating, like torch.maximum
    MIN = "min"
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    AND = "and"            # bitwise (logical on bool)
    OR = "or"
    XOR = "xor"
    SHL = "shl"
    SHR = "shr"
    COMPLEX = "complex"    # the complex number with real part a and imaginary part b
    # ternary elementwise
    WHERE = "where"
    FMA = "fma"            # a * b + c rounded once (floats: torch's vectorized lerp and addcmul fuse so)
    # reductions over axes (arg: (ReduceOp, axes)); the result keeps reduced dims as size 1
    REDUCE = "reduce"
    # inclusive scan along one axis (arg: (ReduceOp, axis))
    SCAN = "scan"
    # movement: read the source's row-major flattening through a View (arg: the View)
    VIEW = "view"
    # the source's values in a buffer of their own, whatever reads them: a store barrier (a matrix
    # multiply takes its operands as plain loads; the scheduler always materializes a COPY)
    COPY = "copy"
    # data-dependent positions: srcs (data, index); the element of data's row-major flattening at
    # each int64 index (the node has the index's shape)
    GATHER = "gather"
    # srcs (base, index, values): base with values[p] written at its flat position index[p] for every p
    # (arg None), or combined with what is there (arg a ReduceOp: repeated positions all count); base's shape
    SCATTER = "scatter"
    # the int64 positions along one axis that put the source in order (arg: (axis, descending)): a stable
    # sort, NaN above every number as in torch; the node has the source's shape
    SORT = "sort"
    # a library routine (LAPACK through numpy on the CPU, cuSOLVER/cuBLAS through cupy on a GPU) on its
    # whole sources (arg: (routine name, parameters)): its results, packed one after another, are the
    # node's values (lazygrad/library_routines.py)
    EXTERN = "extern"


class ReduceOp(Enum):
    __hash__ = object.__hash__

    SUM = "sum"
    PROD = "prod"
    MAX = "max"
    MIN = "min"
    LOGADDEXP = "logaddexp"  # log(e^a + e^b): the running combine of logcumsumexp (floats only)
    XOR = "xor"  # bitwise exclusive or: hash_tensor's combine (integers only)


# the float32 reductions accumulated in double, by whether they run (a scan) or not: a sum (float lanes lose a
# long sum's digits: 1e7 tenths summed to 1000675.75, and a row mean of 1e6 lost the units a variance needs, where
# torch's cascade keeps them), and every running reduction torch's CPU scans accumulate in double (cumsum,
# cumprod, logcumsumexp)
DOUBLE_ACCUMULATED = {False: frozenset({ReduceOp.SUM}),
                      True: frozenset({ReduceOp.SUM, ReduceOp.PROD, ReduceOp.LOGADDEXP})}

SOURCES = frozenset({Op.BUFFER, Op.CONST, Op.ARANGE, Op.RAND})
UNARY = frozenset({
    Op.NEG, Op.NOT, Op.ABS, Op.EXP, Op.EXP2, Op.EXPM1, Op.LOG, Op.LOG2, Op.LOG10, Op.LOG1P, Op.SQRT, Op.SIN,
    Op.COS, Op.TAN, Op.ASIN, Op.ACOS, Op.ATAN, Op.SINH, Op.COSH, Op.TANH, Op.ERF, Op.ERFC, Op.FLOOR, Op.CEIL,
    Op.ROUND, Op.TRUNC, Op.ISNAN, Op.ISINF, Op.SIGNBIT, Op.CAST, Op.IMAG, Op.CONJ,
})
BINARY = frozenset({
    Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.FLOORDIV, Op.MOD, Op.FMOD, Op.POW, Op.ATAN2, Op.MAX, Op.MIN, Op.EQ, Op.NE, Op.LT,
    Op.LE, Op.GT, Op.GE, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.COMPLEX,
})
COMPARISONS = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.ISNAN, Op.ISINF, Op.SIGNBIT})
ELEMENTWISE = UNARY | BINARY | {Op.WHERE, Op.FMA}
# ops whose evaluation costs far more than a load: the scheduler avoids recomputing them
TRANSCENDENTAL = frozenset({
    Op.EXP, Op.EXP2, Op.EXPM1, Op.LOG, Op.LOG2, Op.LOG10, Op.LOG1P, Op.SIN, Op.COS, Op.TAN, Op.ASIN, Op.ACOS,
    Op.ATAN, Op.SINH, Op.COSH, Op.TANH, Op.ERF, Op.ERFC, Op.POW, Op.ATAN2, Op.DIV, Op.SQRT, Op.RAND,
})
