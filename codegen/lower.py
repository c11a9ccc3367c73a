"""Lower one scheduled kernel to a loop program: loops, SSA statements, accumulators and stores.

The loop program is what the C and CUDA renderers share: it says what to compute at each point of
the iteration space and how indices are formed, never how the hardware walks the loops.
Views become index arithmetic here: an index is carried down the graph as one symbolic expression
per dimension, remapped at every VIEW and flattened at every load.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lazygrad.dtypes import DType, float16, float32, float64, int64
from lazygrad.graph import kernel_recursion
from lazygrad.ops import DOUBLE_ACCUMULATED, ELEMENTWISE, Op, ReduceOp

from .symbolic import Lin, ravel, unravel, within


@dataclass(frozen=True)
class Const:
    value: object
    dtype: DType


# the rng parameter holds (seed, offset) pairs as 64-bit integers
uint64_param = int64
# a reduction of at most this many elements per output runs along the outputs (see reduces_columns)
SHORT_REDUCTION = 16


@dataclass
class Param:
    name: str
    dtype: DType
    is_output: bool


@dataclass
class Stmt:
    """`name = op(args)` of type dtype. op is 'load', 'gather' (a load at a computed position), 'alu',
    'where', 'arange', 'rand' or 'scalar' (a constant passed at run time)."""

    name: str
    dtype: DType
    op: str
    args: tuple
    alu: Op | None = None
    src_dtypes: tuple[DType, ...] = ()


@dataclass
class Accumulator:
    name: str
    dtype: DType
    rop: ReduceOp
    value: object  # Operand folded in at every point of the reduce loops


@dataclass
class Store:
    param: str
    index: Lin
    value: object
    dtype: DType


@dataclass
class Scatter:
    """The second phase of a scatter kernel: over the index's loops, `param[index] = value`, or the
    value reduced into what is there."""

    param: str
    numel: int  # of the output: positions are clamped into it
    loops: list[tuple[str, int]]
    stmts: list[Stmt]
    index: object
    value: object
    dtype: DType
    rop: ReduceOp | None  # None: a write (the last one stays)


@dataclass
class Sort:
    """A sort kernel's row: the key of element `var` (the program's `pre` statements compute it at any
    point of the row), the order wanted, and where the row's `var`-th position in order is stored."""

    var: str
    extent: int
    key: object
    key_dtype: DType
    descending: bool
    index: Lin  # into out0, in terms of the output loops and var


@dataclass
class LoopProgram:
    name: str
    kind: str  # 'elementwise', 'reduce', 'scan', 'scatter' (an elementwise base, then `scatter`) or 'sort'
    params: list[Param]
    out_loops: list[tuple[str, int]]
    red_loops: list[tuple[str, int]] = field(default_factory=list)
    pre: list[Stmt] = field(default_factory=list)   # evaluated at every point of the reduce/scan loops
    accs: list[Accumulator] = field(default_factory=list)
    post: list[Stmt] = field(default_factory=list)  # evaluated once per output element
    stores: list[Store] = field(default_factory=list)
    pre_stores: list[Store] = field(default_factory=list)  # outputs shaped like the reduction's input
    fused: list[str] = field(default_factory=list)  # the graph ops this kernel computes
    scatter: Scatter | None = None
    sort: Sort | None = None

    @property
    def numel(self) -> int:
        n = 1
        for _, e in self.out_loops:
            n *= e
        return n

    @property
    def reduces_columns(self) -> bool:
        """Neighbouring outputs read neighbouring elements (a sum over rows, say), so the reduction runs
        along them: some load steps by one along the innermost kept loop and none along the innermost
        reduced one. Where the loads do not tell, the innermost kept axis lying inside every reduced
        axis does. A short reduction (a pooling window) runs along many outputs whatever its loads: a row
        of a few elements leaves no room for vector lanes."""
        if not self.out_loops:
            return False
        if self.reduce_numel <= SHORT_REDUCTION < self.out_loops[-1][1]:
            return True
        loads = [st.args[1] for st in self.pre if st.op == "load"]
        along_out = any(_coeff(index, self.out_loops[-1][0]) == 1 for index in loads)
        along_red = any(_coeff(index, self.red_loops[-1][0]) == 1 for index in loads)
        if along_out != along_red:
            return along_out
        axis = lambda var: int(var[1:])  # noqa: E731  (loop variables are named i<axis> / r<axis>)
        return axis(self.out_loops[-1][0]) > max(axis(v) for v, _ in self.red_loops)

    @property
    def reduce_numel(self) -> int:
        n = 1
        for _, e in self.red_loops:
            n *= e
        return n


def accumulator_dtype(dtype: DType, rop: ReduceOp | None = None, scan: bool = False) -> DType:
    """float16 and bfloat16 accumulate in float32, as torch does; float32 in double where DOUBLE_ACCUMULATED
    says. (A recognized matrix product sums in float again, as torch's BLAS does: matmul.float_sums.)"""
    if dtype is float16 or dtype.name == "bfloat16":
        return float32
    return float64 if dtype is float32 and rop in DOUBLE_ACCUMULATED[scan] else dtype


class _Lowerer:
    def __init__(self, outputs, inputs, rand_slots, scalar_slots):
        self.params = [Param(f"out{i}", n.dtype, True) for i, n in enumerate(outputs)]
        self.inputs = {id(n): f"in{i}" for i, n in enumerate(inputs)}
        self.params += [Param(f"in{i}", n.dtype, False) for i, n in enumerate(inputs)]
        if rand_slots:
            self.params.append(Param("rng", uint64_param, False))
        if scalar_slots:
            self.params.append(Param("scalars", float64, False))
        self.rand_slots = rand_slots
        self.scalar_slots = scalar_slots
        self.scalar_names: dict[tuple, str] = {}  # (slot, phase) -> the statement reading it
        self.reduce_index: list[Lin] | None = None
        self.memo: dict = {}
        self.pre: list[Stmt] = []
        self.post: list[Stmt] = []
        self.scattered: list[Stmt] = []
        self.accs: list[Accumulator] = []
        self.red_loops: list[tuple[str, int]] = []
        self.counter = 0
        self.fused: list[str] = []

    def _emit(self, phase: str, dtype: DType, op: str, args: tuple, prefix: str = "v", **kw) -> str:
        name = f"{prefix}{self.counter}"
        self.counter += 1
        {"pre": self.pre, "post": self.post, "scatter": self.scattered}[phase].append(Stmt(name, dtype, op, args, **kw))
        return name

    def value(self, node, idx: list[Lin], valid: tuple, phase: str):
        key = (id(node), tuple(e.key for e in idx), tuple((c.key, lo, hi) for c, lo, hi in valid), phase)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._value(node, idx, valid, phase)
        return hit

    def _value(self, node, idx, valid, phase):
        name = self.inputs.get(id(node))
        if name is not None:
            return self._emit(phase, node.dtype, "load", (name, ravel(idx, node.shape), valid), prefix="ld")
        op = node.op
        if op is Op.CONST:
            slot = self.scalar_slots.get(id(node))
            if slot is None:
                return Const(node.arg, node.dtype)
            name = self.scalar_names.get((slot, phase))
            if name is None:  # one read per phase: the value arrives at run time (scalars[slot])
                name = self.scalar_names[(slot, phase)] = self._emit(phase, node.dtype, "scalar", (slot,), prefix="scalar")
            return name
        if op is Op.ARANGE:
            start, step, chunk = node.arg
            return self._emit(phase, node.dtype, "arange", (start, step, idx[0], (node.shape[0], chunk)))
        if op is Op.RAND:
            self.fused.append("rand")
            # seed and counter offset arrive at run time (rng[2*slot], rng[2*slot+1]): no recompiles
            return self._emit(phase, node.dtype, "rand", (node.arg[2], self.rand_slots[id(node)], ravel(idx, node.shape)))
        if op is Op.VIEW:
            return self._view(node, idx, valid, phase)
        if op is Op.COPY:
            self.fused.append("copy")
            return self.value(node.srcs[0], idx, valid, phase)
        if op is Op.REDUCE:
            return self._reduce(node, idx, valid)
        if op is Op.GATHER:
            data, index = node.srcs
            position = self.value(index, idx, valid, phase)
            self.fused.append("gather")
            return self._emit(phase, node.dtype, "gather", (self.inputs[id(data)], position, data.numel), prefix="ld")
        if op in ELEMENTWISE:
            args = tuple(self.value(s, idx, valid, phase) for s in node.srcs)
            self.fused.append(op.value)
            return self._emit(phase, node.dtype, "alu", args, alu=op, src_dtypes=tuple(s.dtype for s in node.srcs))
        raise NotImplementedError(f"cannot lower {op} inside a kernel")

    def _view(self, node, idx, valid, phase):
        v = node.arg
        src = node.srcs[0]
        conds = list(valid)
        if v.mask is not None:
            for e, (lo, hi) in zip(idx, v.mask):
                if e.hi < lo or e.lo >= hi or lo >= hi:
                    return Const(0, node.dtype) if node.dtype.kind != "b" else Const(False, node.dtype)
                if e.lo < lo or e.hi >= hi:
                    conds.append((e, lo, hi))
        inner_idx = _inside(idx, conds[len(valid):])
        flat = Lin.num(v.offset)
        for e, st in zip(inner_idx, v.strides):
            if st:
                flat = flat + e * st
        inner_valid = tuple(conds)
        if id(src) not in self.inputs and src.op is not Op.BUFFER:
            self.fused.append("view")
        val = self.value(src, unravel(flat, src.shape), inner_valid, phase)
        if len(conds) == len(valid):
            return val
        new = tuple(conds[len(valid):])
        zero = Const(False if node.dtype.kind == "b" else 0, node.dtype)
        return self._emit(phase, node.dtype, "where", (new, val, zero))

    def _reduce(self, node, idx, valid):
        rop, axes = node.arg
        src = node.srcs[0]
        if not self.red_loops:
            self.red_loops = [(f"r{a}", src.shape[a]) for a in axes]
        in_idx = [Lin.var(f"r{k}", s) if k in axes else idx[k] for k, s in enumerate(src.shape)]
        self.reduce_index = in_idx  # where outputs shaped like the reduction's input are evaluated
        val = self.value(src, in_idx, valid, "pre")
        self.fused.append(f"{rop.value}-reduce")
        name = f"acc{len(self.accs)}"
        acc_dtype = accumulator_dtype(node.dtype, rop)
        self.accs.append(Accumulator(name, acc_dtype, rop, val))
        if acc_dtype is not node.dtype:
            return self._emit("post", node.dtype, "alu", (name,), alu=Op.CAST, src_dtypes=(acc_dtype,))
        return name


def _index_exprs(prog: LoopProgram):
    """Every index expression of the program, and every validity condition (whose vars cannot merge)."""
    exprs, conds = [], []
    for st in prog.pre + prog.post:
        if st.op == "load":
            exprs.append(st.args[1])
            conds.extend(st.args[2])
        elif st.op == "where":
            conds.extend(st.args[0])
        elif st.op in ("arange", "rand"):
            exprs.append(st.args[2])
    exprs.extend(s.index for s in prog.stores + prog.pre_stores)
    return exprs, conds


def _uses(lin: Lin, names: set[str], top: bool = True) -> bool:
    for atom in lin.terms:
        if atom.kind == "var":
            if atom.name in names and not top:
                return True
        elif _uses(atom.inner, names, top=False):
            return True
    return False


def _coeff(lin: Lin, name: str) -> int:
    return next((c for a, c in lin.terms.items() if a.kind == "var" and a.name == name), 0)


def _merge_in(lin: Lin, outer: str, inner: str, merged: Lin) -> Lin:
    terms = {a: c for a, c in lin.terms.items() if not (a.kind == "var" and a.name in (outer, inner))}
    return Lin(terms, lin.const) + merged * _coeff(lin, inner)


def replace_indices(prog: LoopProgram, fn) -> None:
    """Every index expression of the program (loads, aranges and random draws, stores) mapped by fn."""
    for st in prog.pre + prog.post:
        if st.op == "load":
            st.args = (st.args[0], fn(st.args[1]), st.args[2])
        elif st.op in ("arange", "rand"):
            st.args = (*st.args[:2], fn(st.args[2]), *st.args[3:])
    for store in prog.stores + prog.pre_stores:
        store.index = fn(store.index)


def collapse_loops(prog: LoopProgram) -> LoopProgram:
    """Merge adjacent loops that every index walks as one flat range (contiguous data), so the innermost
    loop is long and vectorizes: output loops, and a reduction's reduced loops among themselves; a loop
    used in a condition or a div/mod stays separate."""
    if prog.kind in ("elementwise", "scatter"):  # (a scatter's own loops are apart: named j<axis>)
        _collapse(prog, prog.out_loops)
    elif prog.kind == "reduce":
        _collapse(prog, prog.out_loops)
        _collapse(prog, prog.red_loops)
    return prog


def _collapse(prog: LoopProgram, loops: list[tuple[str, int]]) -> None:
    k = len(loops) - 2
    while k >= 0:
        (outer, e_out), (inner, e_in) = loops[k], loops[k + 1]
        exprs, conds = _index_exprs(prog)
        names = {outer, inner}
        mergeable = not any(_uses(c, names, top=False) or _coeff(c, outer) or _coeff(c, inner) for c, _, _ in conds)
        mergeable = mergeable and all(not _uses(e, names) and _coeff(e, outer) == _coeff(e, inner) * e_in
                                      for e in exprs)
        if mergeable:
            merged = Lin.var(outer, e_out * e_in)
            replace_indices(prog, lambda e: _merge_in(e, outer, inner, merged))
            loops[k:k + 2] = [(outer, e_out * e_in)]
        k -= 1


def kernel_name(kind: str, fused: list[str], shape: tuple[int, ...]) -> str:
    seen = []
    for f in fused:
        f = f.replace("-reduce", "").replace("-scan", "")
        if f not in seen and f != "view":
            seen.append(f)
    ops = "_".join(seen[:4]) or "copy"
    dims = "x".join(str(s) for s in shape) or "scalar"
    return f"{kind[0]}_{ops}_{dims}"


def lower(outputs, inputs, rand_slots: dict[int, int] | None = None,
          scalar_slots: dict[int, int] | None = None) -> LoopProgram:
    """The loop program computing `outputs` from the stored `inputs`. Reductions come first and set
    the loops; outputs shaped like a reduction's input are stored from inside its loop.

    rand_slots numbers the kernel's RAND nodes (by id): their seeds and offsets are passed at run
    time in the `rng` parameter; scalar_slots numbers the constants passed in the `scalars` one.
    """
    with kernel_recursion():  # (the expression is walked recursively: its depth is bounded by the scheduler)
        return _lower(outputs, inputs, rand_slots, scalar_slots)


def _lower(outputs, inputs, rand_slots, scalar_slots) -> LoopProgram:
    root = outputs[0]
    low = _Lowerer(outputs, inputs, rand_slots or {}, scalar_slots or {})
    scatter = sort = None
    out_loops = [(f"i{k}", s) for k, s in enumerate(root.shape) if s != 1]
    idx = [Lin.var(f"i{k}", s) for k, s in enumerate(root.shape)]
    if root.op is Op.SCAN:
        rop, axis = root.arg
        src = root.srcs[0]
        out_loops = [(f"i{k}", s) for k, s in enumerate(root.shape) if s != 1 and k != axis]
        low.red_loops = [(f"s{axis}", src.shape[axis])]
        idx[axis] = Lin.var(f"s{axis}", src.shape[axis])
        val = low.value(src, idx, (), "pre")
        low.fused.append(f"{rop.value}-scan")
        acc_dtype = accumulator_dtype(root.dtype, rop, scan=True)
        low.accs.append(Accumulator("acc0", acc_dtype, rop, val))
        value = "acc0"
        if acc_dtype is not root.dtype:
            value = low._emit("post", root.dtype, "alu", ("acc0",), alu=Op.CAST, src_dtypes=(acc_dtype,))
        kind = "scan"
        stores, pre_stores = [Store("out0", ravel(idx, root.shape), value, root.dtype)], []
    elif root.op is Op.SORT:
        axis, descending = root.arg
        src = root.srcs[0]
        var = f"s{axis}"
        out_loops = [(f"i{k}", s) for k, s in enumerate(root.shape) if s != 1 and k != axis]
        low.red_loops = [(var, src.shape[axis])]
        idx[axis] = Lin.var(var, src.shape[axis])
        key = low.value(src, idx, (), "pre")
        low.fused.append("sort")
        kind, pre_stores = "sort", []
        sort = Sort(var, src.shape[axis], key, accumulator_dtype(src.dtype), descending, ravel(idx, root.shape))
        stores = []
    elif root.op is Op.SCATTER:
        kind, pre_stores = "scatter", []
        base, index, values = root.srcs
        stores = [Store("out0", ravel(idx, root.shape), low.value(base, idx, (), "post"), root.dtype)]
        at = [Lin.var(f"j{k}", s) for k, s in enumerate(index.shape)]
        position, value = (low.value(x, at, (), "scatter") for x in (index, values))
        low.fused.insert(0, f"scatter_{root.arg.value}" if root.arg is not None else "scatter")  # (names it)
        scatter = Scatter("out0", root.numel, [(f"j{k}", s) for k, s in enumerate(index.shape) if s != 1],
                          low.scattered, position, value, root.dtype, root.arg)
    else:
        stores, pre_stores = [], []
        for i, out in enumerate(outputs):  # reductions come first and fix the loops
            if low.reduce_index is not None and out.shape != root.shape:
                index = low.reduce_index  # a side output, stored from inside the reduce loop
                value = low.value(out, index, (), "pre")
                pre_stores.append(Store(f"out{i}", ravel(index, out.shape), value, out.dtype))
            else:
                value = low.value(out, idx, (), "post")
                stores.append(Store(f"out{i}", ravel(idx, out.shape), value, out.dtype))
        kind = "reduce" if low.accs else "elementwise"
    if not low.fused:
        low.fused.append("copy")
    return collapse_loops(LoopProgram(
        name=kernel_name(kind, low.fused, root.shape), kind=kind, params=low.params, out_loops=out_loops,
        red_loops=low.red_loops, pre=low.pre, accs=low.accs, post=low.post, stores=stores, pre_stores=pre_stores,
        fused=low.fused, scatter=scatter, sort=sort))


def _inside(idx: list[Lin], conds) -> list[Lin]:
    """The view's indices where its new conditions hold: a condition on one loop variable (a padded
    view's interior) narrows that variable's range, so the source's index needs fewer divisions."""
    for e, lo, hi in conds:
        if len(e.terms) == 1:
            (atom, coeff), = e.terms.items()
            if atom.kind == "var" and coeff == 1:
                idx = [within(x, atom.name, lo - e.const, hi - 1 - e.const) for x in idx]
    return idx
