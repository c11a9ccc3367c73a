"""Render a loop program as CUDA source through the jinja2 templates in templates/cuda/.

The statements are the C renderer's (statements.py); what differs is how the iteration space maps
to the hardware: a grid-stride loop of threads over output elements (several at a time, in vector
accesses, where parameters are contiguous: cuda_vectors.py), one block per output element of
a reduction along rows (warp shuffles, then shared memory), one thread per output element of a
reduction over outer axes (coalesced), one thread per scanned row, one thread per element of a
sorted row (a rank sort). The launch
configuration is chosen here from the kernel's shape. A matrix multiply (codegen/matmul.py) is
computed in shared-memory tiles.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import jinja2

from . import c_ops, cuda_vectors
from .cuda_vectors import VectorPlan
from .lower import LoopProgram
from .matmul import Matmul
from .matmul import match as match_matmul
from .matmul import float_sums, in_float16, steps_by_one
from .statements import (CUDA, loops_numel, operand, read, scatter_line, sort_fields, statement_line, store_line,
                         unravel, write)
from .templates_dir import templates_dir

THREADS = 256  # threads per block of elementwise and scan kernels
REDUCE_THREADS_MAX = 512
MAX_BLOCKS = 1 << 16  # grid-stride loops cover the rest
MAX_GRID_YZ = 65535  # the device's limit on a grid's y and z (x goes to 2^31 - 1)


# the tiled matrix multiply: a block of TILE_THREADS (16 x 16) computes an output tile in steps of k;
# large float32 products take 128 x 128 tiles (8 x 8 accumulators a thread), others 64 x 64 (4 x 4),
# so that a smaller product still spreads over every multiprocessor (and 64 double accumulators
# would not fit the registers of two blocks a multiprocessor). Shared-memory rows are padded by
# TILE_PAD values (keeping 16-byte alignment), so that threads storing a column of a tile hit
# different banks.
TILE_THREADS = 256
TILES = {"large": (128, 128, 8), "small": (64, 64, 16)}
LARGE_SIDE = 2048
TILE_PAD = 4
# float16 products run on tensor cores (mma.m16n8k16): the block's 8 warps as 2 x 4, each warp a
# (bm / 2) x (bn / 4) part of the tile in 16 x 8 pieces, k in steps of 32
TENSOR_TILES = {"large": (128, 128, 32), "small": (64, 64, 32)}
TENSOR_LARGE_SIDE = 1024
WARPS_M, WARPS_N = 2, 4
INT32_MAX = (1 << 31) - 1  # tile reads index in 32 bits when every index stays below this


@dataclass(frozen=True)
class Launch:
    grid: tuple[int, int, int]
    block: int


@lru_cache(maxsize=None)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, autoescape=False)


def launch(prog: LoopProgram, mm: Matmul | None = None) -> Launch:
    """Blocks and threads for the kernel's shape."""
    n = max(prog.numel, 1)
    if mm is not None:
        batch = loops_numel(mm.batch)
        bm, bn, _ = _tile(prog, mm)
        return Launch((-(-mm.n[1] // bn), min(-(-mm.m[1] // bm), MAX_GRID_YZ), min(batch, MAX_GRID_YZ)), TILE_THREADS)
    if prog.kind == "reduce" and not prog.reduces_columns:
        block = 32
        while block < min(prog.reduce_numel, REDUCE_THREADS_MAX):
            block *= 2
        return Launch((min(n, MAX_BLOCKS), 1, 1), block)
    if prog.scatter is not None:  # (its two kernels take the same grid: the larger loop's)
        n = max(n, loops_numel(prog.scatter.loops))
    if prog.sort is not None:  # a thread per element of every row
        n *= prog.sort.extent
    vectors = cuda_vectors.plan(prog)
    per_thread = vectors.lanes if vectors is not None else 1
    return Launch((min(-(-n // (THREADS * per_thread)), MAX_BLOCKS), 1, 1), THREADS)


def _tensor_cores(prog: LoopProgram, mm: Matmul) -> bool:
    return prog.accs[0].dtype.name == "float32" and in_float16(mm.a) and in_float16(mm.b)


def _tile(prog: LoopProgram, mm: Matmul) -> tuple[int, int, int]:
    if _tensor_cores(prog, mm):
        return TENSOR_TILES["large" if min(mm.m[1], mm.n[1]) >= TENSOR_LARGE_SIDE else "small"]
    wide = prog.accs[0].dtype.itemsize == 4 and min(mm.m[1], mm.n[1]) >= LARGE_SIDE
    return TILES["large" if wide else "small"]


def _operand_fields(name: str, chain, own: tuple[str, int], k_var: str, tile: int, bk: int, start: str,
                    axis: str, k_major: bool) -> dict:
    """How a block's threads read one operand's tile: the thread's e-th value is (own axis, k)
    offset (e / bk, e % bk) when the operand is contiguous along k, else (e % tile, e / tile).
    The shared tile is indexed [k][own axis] (k_major), or [own axis][k] for tensor cores."""
    along_k = steps_by_one(chain, k_var) or not steps_by_one(chain, own[0])
    own_offset, k_offset = (f"e / {bk}", f"e % {bk}") if along_k else (f"e % {tile}", f"e / {tile}")
    return {
        "slot": f"[{k_offset}][{own_offset}]" if k_major else f"[{own_offset}][{k_offset}]",
        "tile": f"{name}_tile", "regs": f"{name}_next", "loads": tile * bk // TILE_THREADS,
        "var": own[0], "extent": own[1], "start": start, "along": f"k ({k_var})" if along_k else f"{axis} ({own[0]})",
        "own_offset": own_offset, "k_offset": k_offset,
        "lines": [statement_line(s, CUDA) for s in chain], "value": chain[-1].name,
    }


def _tile_index_type(mm: Matmul, bm: int, bn: int, k_steps: int, bk: int) -> str:
    """32-bit indices for the tile reads when they cannot overflow: fewer registers in the loop."""
    loads = [s.args[1].magnitude() for s in mm.a + mm.b if s.op == "load"]
    return "int" if max(mm.m[1] + bm, mm.n[1] + bn, k_steps * bk, *loads) <= INT32_MAX else "int64_t"


def _matmul_fields(prog: LoopProgram, mm: Matmul) -> dict:
    side = int(TILE_THREADS ** 0.5)
    bm, bn, bk = _tile(prog, mm)
    k_steps = -(-mm.k[1] // bk)
    tensor = _tensor_cores(prog, mm)
    return {
        "tensor_cores": tensor, "tile_type": "lg_half" if tensor else CUDA.ctype(prog.accs[0].dtype),
        "warps_m": WARPS_M, "warps_n": WARPS_N, "mma_m": bm // WARPS_M // 16, "mma_n": bn // WARPS_N // 8,
        "acc_type": CUDA.ctype(prog.accs[0].dtype), "acc_name": prog.accs[0].name,
        "threads": TILE_THREADS, "side": side, "index_type": _tile_index_type(mm, bm, bn, k_steps, bk),
        "bm": bm, "bn": bn, "bk": bk, "tm": bm // side, "tn": bn // side, "pad": TILE_PAD,
        "vec_bytes": 4 * prog.accs[0].dtype.itemsize, "k_steps": k_steps,
        "m_var": mm.m[0], "m_extent": mm.m[1], "n_var": mm.n[0], "n_extent": mm.n[1],
        "k_var": mm.k[0], "k_extent": mm.k[1], "batch_numel": loops_numel(mm.batch), "m_tiles": -(-mm.m[1] // bm),
        "batch_index": unravel("batch", mm.batch),
        "a": _operand_fields("a", mm.a, mm.m, mm.k[0], bm, bk, "m0", "m", not tensor),
        "b": _operand_fields("b", mm.b, mm.n, mm.k[0], bn, bk, "n0", "n", not tensor),
    }


def _acc_lines(prog: LoopProgram) -> dict:
    decls, updates, shuffles, shared, writes, reads = [], [], [], [], [], []
    for acc in prog.accs:
        init, update, _ = c_ops.reduce_table(acc.dtype)[acc.rop]
        fields = c_ops.fmt_fields(acc.dtype)
        ct, init = CUDA.ctype(acc.dtype), init.format(**fields)
        decls.append(f"{ct} {acc.name} = {init};")
        running = c_ops.scan_update(acc.dtype, acc.rop) if prog.kind == "scan" else update
        updates.append(running.format(acc=acc.name, v=operand(acc.value, acc.dtype), **fields))
        shuffles.append("{ const " + ct + f" other = lg_shfl_down({acc.name}, d); "
                        + update.format(acc=acc.name, v="other", **fields) + " }")
        shared.append(f"__shared__ {ct} {acc.name}_warps[32];")
        writes.append(f"{acc.name}_warps[warp] = {acc.name};")
        reads.append(f"{acc.name} = lane < warps ? {acc.name}_warps[lane] : ({ct})({init});")
    return {"acc_decls": decls, "acc_updates": updates, "shuffles": shuffles, "shared_decls": shared,
            "shared_writes": writes, "shared_reads": reads}


def _vector_fields(prog: LoopProgram, vectors: VectorPlan) -> dict:
    """The lines of the vector loop: its loads and stores whole, the statements once per lane."""
    types = {p.name: CUDA.storage(p.dtype) for p in prog.params}
    vec = {name: f"lg_vec<{types[name]}, {vectors.lanes}>" for name in vectors.params}
    inputs = [p.name for p in prog.params if p.name in vec and not p.is_output]
    outputs = [p.name for p in prog.params if p.name in vec and p.is_output]
    post = []
    for s in prog.post:
        moved = s.op == "load" and s.args[0] in vec
        post.append(f"const {CUDA.ctype(s.dtype)} {s.name} = {read(s.dtype, vectors.value(s.args[0]) + '.v[lane]')};"
                    if moved else statement_line(s, CUDA))
    stores = [f"{vectors.value(st.param)}.v[lane] = {write(st.dtype, operand(st.value, st.dtype))};" if st.param in vec
              else store_line(st) for st in prog.stores]
    body = "\n".join(post + stores)
    # a lane needs only the positions it reads at
    index = [line for line, (var, _) in zip(unravel("flat", prog.out_loops), prog.out_loops)
             if re.search(rf"\b{var}\b", body)]
    if index or re.search(r"\bflat\b", body):
        index.insert(0, f"const int64_t flat = chunk * {vectors.lanes} + lane;")
    return {
        "lanes": vectors.lanes, "chunks": prog.numel // vectors.lanes,
        "aligned": " && ".join(f"lg_aligned({name}, {nbytes})" for name, nbytes in vectors.params.items()),
        "moved": ", ".join(f"{name} ({nbytes} bytes)" for name, nbytes in vectors.params.items()),
        "loads": [f"const {vec[n]} {vectors.value(n)} = reinterpret_cast<const {vec[n]}*>({n})[chunk];"
                  for n in inputs],
        "out_decls": [f"{vec[n]} {vectors.value(n)};" for n in outputs],
        "index": index, "post": post, "stores": stores,
        "writes": [f"reinterpret_cast<{vec[n]}*>({n})[chunk] = {vectors.value(n)};" for n in outputs],
    }


def render(prog: LoopProgram) -> tuple[str, Launch]:
    """The kernel's CUDA source and its launch configuration."""
    mm = match_matmul(prog)
    if mm is not None:
        prog = float_sums(prog)
    config = launch(prog, mm)
    shape = [e for _, e in prog.out_loops] + [e for _, e in prog.red_loops]
    k = {
        "name": prog.name, "kind": prog.kind, "fused": prog.fused, "params": CUDA.params(prog),
        "shape_text": "x".join(map(str, shape)) or "one element",
        "launch_text": f"{'x'.join(map(str, config.grid))} blocks of {config.block} threads",
        "numel": prog.numel, "reduce_numel": prog.reduce_numel,
        "pre": [statement_line(s, CUDA) for s in prog.pre], "post": [statement_line(s, CUDA) for s in prog.post],
        "stores": [store_line(s) for s in prog.stores], "pre_stores": [store_line(s) for s in prog.pre_stores],
        **_acc_lines(prog),
    }
    template = prog.kind
    if mm is not None:
        k.update(_matmul_fields(prog, mm))
        template = "matmul_tensor_cores" if k["tensor_cores"] else "matmul"
    elif prog.kind == "reduce":
        columns = prog.reduces_columns
        template = "reduce_columns" if columns else "reduce"
        k["out_index"] = unravel("flat" if columns else "out_flat", prog.out_loops)
        k["max_threads"] = REDUCE_THREADS_MAX
        k["red_index"] = unravel("red_flat", prog.red_loops)
    elif prog.kind == "sort":
        k.update(sort_fields(prog, CUDA))
        k["out_index"] = unravel("row", prog.out_loops)
    elif prog.kind == "scatter":
        sc = prog.scatter
        k["out_index"] = unravel("flat", prog.out_loops)
        k["scatter_numel"] = loops_numel(sc.loops)
        k["scatter_index"] = unravel("flat", sc.loops)
        k["scatter_lines"] = [statement_line(s, CUDA) for s in sc.stmts] + [scatter_line(sc, CUDA)]
    else:
        k["out_index"] = unravel("flat", prog.out_loops)
        vectors = cuda_vectors.plan(prog)
        k["vector"] = _vector_fields(prog, vectors) if vectors is not None else None
    if prog.kind == "scan":
        (k["scan_var"], k["scan_extent"]), = prog.red_loops
    source = _env().get_template(f"cuda/{template}.cu.j2").render(k=k)
    return source, config
