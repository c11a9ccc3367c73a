"""Int and int-list parameters (dims, counts, sizes) read as torch's argument parser reads them
(lazygrad/int_parameters.py): NumPy integers and integer tensors of one element stand for ints, and a float, a
bool, a string or a tensor of another kind is torch's TypeError, worded as torch words it, for one signature
or for an invalid combination of arguments. The table of parameters is checked against torch's own stubs."""
from __future__ import annotations

import ast
import inspect
import os

import numpy as np
import pytest

import lazygrad as lg
from lazygrad.int_parameters import INT_PARAMETERS_TABLE, dim_list
from lazygrad.methods import METHODS
from oracle import torch_or_skip

# ---- the table is torch's: its stubs give each function's int parameters and its overloads' argument counts --

_KINDS = {"_int": "int", "_int | SymInt": "int", "_int | None": "int?", "_int | SymInt | None": "int?",
          "_size": "ints", "Sequence[_int | SymInt]": "ints", "_size | None": "ints?",
          "Sequence[_int | SymInt] | None": "ints?", "_int | _size": "int[1]",
          "_int | SymInt | Sequence[_int | SymInt]": "int[1]", "_int | _size | None": "int[1]?"}


def _annotation(p: ast.arg) -> str:
    return ast.unparse(p.annotation) if p.annotation is not None else ""


def _overloads(nodes) -> dict[str, list[ast.arguments]]:
    found: dict[str, list[ast.arguments]] = {}
    for node in nodes:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            found.setdefault(node.name, []).append(node.args)
    return found


def _dimension_names(p: ast.arg) -> bool:
    """Whether the stubs spell a Dimname here (a str that may be ... or None), which no parser of lazygrad's takes."""
    return "EllipsisType" in _annotation(p) or "[str | None]" in _annotation(p)


def _kind_of(p: ast.arg) -> str:
    """A parameter's kind, one per kind however the stubs spell it (`_layout` and `_layout | None` alike)."""
    annotation = _annotation(p)
    return _KINDS.get(annotation, annotation).rstrip("?").replace(" | None", "")


def _signatures(overloads: list[ast.arguments], method: bool) -> list[tuple[list, list, int]]:
    """The overloads torch's parser lists (none taking dimension names; one taking a str padding or reduction is a
    signature of its own): (positional parameters, keyword-only ones, how many have no default). The stubs write
    one signature once per spelling of an int or a size."""
    out = []
    for a in overloads:
        if a.vararg is not None:  # x.view(2, 3): the parser's own spelling of a size, not a signature of its own
            continue
        positional = (a.posonlyargs + a.args)[1 if method else 0:]
        keywords = a.kwonlyargs
        if any(_dimension_names(p) for p in positional + keywords):
            continue
        required = len(positional) - len(a.defaults) + sum(d is None for d in a.kw_defaults)
        defaults = dict(zip([p.arg for p in a.posonlyargs + a.args][-len(a.defaults) or len(a.args):], a.defaults))
        defaults.update((p.arg, d) for p, d in zip(keywords, a.kw_defaults) if d is not None)
        empty = {name for name, d in defaults.items() if isinstance(d, (ast.Tuple, ast.List)) and not d.elts}
        out.append((positional, keywords, required, empty))
    return out


def _kind(p: ast.arg, empty_defaults: set[str]) -> str:
    """The parameter's kind; a sequence of ints whose default is empty takes None for it (amin(x, None))."""
    kind = _KINDS.get(_annotation(p), "-")
    return kind + "?" if p.arg in empty_defaults and not kind.endswith("?") else kind


def _arities(signatures) -> str:
    """min-max arguments of each distinct signature (the parser's plausible ones for a call are those whose
    range holds its argument count)."""
    distinct = {(tuple((p.arg, _KINDS.get(_annotation(p), _annotation(p))) for p in positional),
                 frozenset((p.arg, _kind_of(p)) for p in keywords)): (required,
                len(positional) + len(keywords)) for positional, keywords, required, _ in signatures}
    return ",".join(f"{low}-{high}" for low, high in distinct.values())


def _row(overloads, ours, method: bool) -> tuple[str, list[str]] | None:
    """(the arities of torch's signatures, as "f=min-max,..."; the int parameters lazygrad has in the same
    place) or None when there are none."""
    signatures = _signatures(overloads, method)
    uses: dict[str, set] = {}
    for positional, keywords, _, empty_defaults in signatures:
        for at, p in enumerate(positional):
            uses.setdefault(p.arg, set()).add((at, _kind(p, empty_defaults)))
        for p in keywords:
            uses.setdefault(p.arg, set()).add((None, _kind(p, empty_defaults)))
    try:
        parameters = list(inspect.signature(ours).parameters.values())
    except (TypeError, ValueError):
        return None
    first = 1 if method else 0
    found = []
    for name, places in uses.items():
        kinds = {k for _, k in places}
        positions = {at for at, _ in places} - {None}
        shared = any(other != name and any(at in positions for at, _ in places_of)
                     for other, places_of in uses.items())
        if "-" in kinds or len(positions) > 1 or shared:
            continue
        mine = [p for p in parameters if p.name == name]
        if not mine or mine[0].kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        at = parameters.index(mine[0]) - first if mine[0].kind is not inspect.Parameter.KEYWORD_ONLY else None
        if at != (positions.pop() if positions else None):
            continue
        base = {k.rstrip("?") for k in kinds}
        found.append(f"{name}:{base.pop() if len(base) == 1 else 'int[1]'}{'?' if any('?' in k for k in kinds) else ''}")
    if not found:
        return None
    return ("m=" if method else "f=") + _arities(signatures), found


# bound by hand, not by the parser (torch words their own RuntimeError)
_OWN_CHECKS = {"set_num_threads", "set_num_interop_threads"}


def _stubs() -> tuple[dict, dict]:
    """torch's overloads of its top-level functions and of its Tensor methods, from its stubs."""
    torch = pytest.importorskip("torch")
    folder = os.path.join(os.path.dirname(torch.__file__), "_C")
    with open(os.path.join(folder, "_VariableFunctions.pyi")) as f:
        functions = _overloads(ast.parse(f.read()).body)
    with open(os.path.join(folder, "__init__.pyi")) as f:
        tensor = next(n for n in ast.parse(f.read()).body if isinstance(n, ast.ClassDef) and n.name == "TensorBase")
    return functions, _overloads(tensor.body)


def torch_table() -> dict[str, tuple[str, dict[str, str]]]:
    """The table from torch's stubs, for lazygrad's top-level functions and Tensor methods."""
    functions, methods = _stubs()
    rows: dict[str, tuple[list[str], dict[str, str]]] = {}
    for method, overloads in ((False, functions), (True, methods)):
        for name, signatures in overloads.items():
            ours = METHODS.get(name) if method else getattr(lg, name, None)
            if ours is None or isinstance(ours, type) or not callable(ours) or name in _OWN_CHECKS:
                continue
            row = _row(signatures, ours, method)
            if row is not None:
                flags, params = rows.setdefault(name, ([], {}))
                flags.append(row[0])
                params.update(p.split(":") for p in row[1])
    return {name: (" ".join(flags), params) for name, (flags, params) in rows.items()}


def test_the_table_of_int_parameters_is_torchs():
    from lazygrad.int_parameters import _parse_table
    assert _parse_table(INT_PARAMETERS_TABLE) == torch_table()


def test_the_shared_places_have_torchs_signatures():
    """max/min take a tensor where they take a dim, std/var a bool: their argument counts are the stubs'."""
    from lazygrad.int_parameters import SHARED_PLACES_TABLE, _parse_table
    functions, methods = _stubs()
    for name, (flags, _) in _parse_table(SHARED_PLACES_TABLE).items():
        want = ["f=" + _arities(_signatures(functions[name], False))]
        if name in methods:
            want.append("m=" + _arities(_signatures(methods[name], True)))
        assert flags.split() == want, name


# ---- calls with int-likes and non-ints where torch takes an int: the same values or the same TypeError ------

def _x(m):
    return m.arange(24.0).reshape(2, 3, 4)


CALLS = {
    "sum": lambda m, d: _x(m).sum(d), "sum_keyword": lambda m, d: m.sum(_x(m), dim=d),
    "sum_tuple": lambda m, d: _x(m).sum((0, d)), "mean": lambda m, d: _x(m).mean(d), "prod": lambda m, d: _x(m).prod(d),
    "max": lambda m, d: _x(m).max(d)[0], "min": lambda m, d: m.min(_x(m), d)[0], "amax": lambda m, d: _x(m).amax(d),
    "argmax": lambda m, d: _x(m).argmax(d), "std": lambda m, d: _x(m).std(d), "var": lambda m, d: m.var(_x(m), d),
    "logsumexp": lambda m, d: _x(m).logsumexp(d), "all": lambda m, d: _x(m).all(d), "any": lambda m, d: _x(m).any(d),
    "softmax": lambda m, d: _x(m).softmax(d), "log_softmax": lambda m, d: m.log_softmax(_x(m), d),
    "cumsum": lambda m, d: _x(m).cumsum(d), "cumprod": lambda m, d: m.cumprod(_x(m), d),
    "cummax": lambda m, d: _x(m).cummax(d)[0], "sort": lambda m, d: _x(m).sort(d)[0],
    "argsort": lambda m, d: _x(m).argsort(d), "topk_dim": lambda m, d: _x(m).topk(2, d)[0],
    "topk_k": lambda m, d: _x(m).topk(d)[0], "kthvalue": lambda m, d: _x(m).kthvalue(1, d)[0],
    "median": lambda m, d: _x(m).median(d)[0], "mode": lambda m, d: _x(m).mode(d)[0],
    "unsqueeze": lambda m, d: _x(m).unsqueeze(d), "squeeze": lambda m, d: _x(m)[:, :1].squeeze(d),
    "transpose": lambda m, d: _x(m).transpose(0, d), "flatten": lambda m, d: _x(m).flatten(d),
    "unflatten": lambda m, d: _x(m).unflatten(d, (3, 1)), "flip_method": lambda m, d: _x(m).flip(d),
    "flip": lambda m, d: m.flip(_x(m), [d]), "roll": lambda m, d: _x(m).roll(1, d),
    "roll_shift": lambda m, d: _x(m).roll(d, 0), "narrow": lambda m, d: _x(m).narrow(d, 0, 2),
    "select": lambda m, d: _x(m).select(d, 0), "select_index": lambda m, d: _x(m).select(0, d),
    "index_select": lambda m, d: _x(m).index_select(d, m.tensor([0])),
    "gather": lambda m, d: _x(m).gather(d, m.zeros(2, 1, 4, dtype=m.long)), "chunk": lambda m, d: _x(m).chunk(2, d)[0],
    "chunks": lambda m, d: _x(m).chunk(d, 0)[0], "split": lambda m, d: _x(m).split(2, d)[0],
    "cat": lambda m, d: m.cat([_x(m), _x(m)], d), "stack": lambda m, d: m.stack([_x(m), _x(m)], d),
    "unbind": lambda m, d: _x(m).unbind(d)[0], "movedim": lambda m, d: _x(m).movedim(d, 0),
    "permute": lambda m, d: _x(m).permute(0, d, 2), "diagonal": lambda m, d: _x(m).diagonal(d),
    "diag_embed": lambda m, d: _x(m).diag_embed(d), "tril": lambda m, d: _x(m).tril(d),
    "triu": lambda m, d: m.triu(_x(m), d), "repeat_interleave": lambda m, d: _x(m).repeat_interleave(2, d),
    "diff": lambda m, d: _x(m).diff(dim=d), "count_nonzero": lambda m, d: _x(m).count_nonzero(d),
    "nansum": lambda m, d: _x(m).nansum(d), "renorm": lambda m, d: _x(m).renorm(2, d, 1.0),
    "view": lambda m, d: _x(m).view(d * 2, -1), "expand": lambda m, d: _x(m)[:1].expand(d * 2, 3, 4),
    "repeat": lambda m, d: _x(m).repeat(d, 1, 1), "zeros_tuple": lambda m, d: m.zeros((d, 2)),
    "ones_tuple": lambda m, d: m.ones((d, 2)), "full": lambda m, d: m.full((d, 2), 3.0), "eye": lambda m, d: m.eye(d),
    "tensor_split": lambda m, d: _x(m).tensor_split(2, d)[0], "softmax_function": lambda m, d: m.softmax(_x(m), d),
    "one_hot": lambda m, d: m.nn.functional.one_hot(m.tensor([0, 1]), d * 2),
    "pad": lambda m, d: m.nn.functional.pad(_x(m), (d, d)), "vector_norm": lambda m, d: m.linalg.vector_norm(_x(m), dim=d),
    "take_along_dim": lambda m, d: m.take_along_dim(_x(m), m.zeros(2, 1, 4, dtype=m.long), d),
    "scatter": lambda m, d: _x(m).scatter(d, m.zeros(2, 1, 4, dtype=m.long), 1.0),
    "index_add": lambda m, d: _x(m).index_add(d, m.tensor([0]), _x(m)[:, :1]),
    "size": lambda m, d: m.tensor(_x(m).size(d)), "stride": lambda m, d: m.tensor(_x(m).stride(d)),
    "aminmax": lambda m, d: _x(m).aminmax(dim=d)[0], "logcumsumexp": lambda m, d: _x(m).logcumsumexp(d),
    "rot90": lambda m, d: _x(m).rot90(d, (1, 2)), "var_mean": lambda m, d: m.var_mean(_x(m), d)[0],
    "nanmean": lambda m, d: _x(m).nanmean(d), "hsplit": lambda m, d: m.hsplit(_x(m), d + 2)[0],
    "trapezoid": lambda m, d: m.trapezoid(_x(m), dim=d), "swapdims": lambda m, d: _x(m).swapdims(0, d),
}
VALUES = {"numpy_int64": lambda m: np.int64(1), "tensor": lambda m: m.tensor(1), "numpy_int32": lambda m: np.int32(-1),
          "float": lambda m: 1.0, "bool": lambda m: True, "float_tensor": lambda m: m.tensor(1.0), "str": lambda m: "a"}
# torch's own Python (size and stride, vector_norm, hsplit, trapezoid, one_hot, the int32 -1 that makes a size
# negative...) words these differently; where the value is taken, values are still compared
_WORDED_ELSEWHERE = {
    ("view", "float"), ("view", "float_tensor"), ("view", "str"), ("expand", "float"), ("expand", "float_tensor"),
    ("expand", "str"), ("repeat", "float"), ("repeat", "bool"), ("repeat", "float_tensor"),
    ("repeat", "str"), ("permute", "float"), ("permute", "float_tensor"), ("permute", "str"), ("vector_norm", "bool"), ("vector_norm", "float"),
    ("vector_norm", "float_tensor"), ("vector_norm", "str"), ("hsplit", "float"), ("hsplit", "float_tensor"),
    ("one_hot", "float"), ("one_hot", "float_tensor"), ("split", "bool"), ("split", "float"),
    ("split", "float_tensor"), ("split", "str"), ("var_mean", "bool"),
}


def _outcome(m, call, value):
    try:
        result = np.asarray(CALLS[call](m, VALUES[value](m)).tolist(), dtype=float)
    except Exception as error:  # noqa: BLE001  (the error is the outcome compared)
        return type(error).__name__, str(error).replace("lazygrad.", "torch.").split("\n")[0]
    return "values", result.shape, result.round(6).tolist()


@pytest.mark.parametrize("value", list(VALUES))
@pytest.mark.parametrize("call", list(CALLS))
def test_int_arguments_are_read_as_torch_reads_them(call, value, interpreted):
    torch = pytest.importorskip("torch")
    want, got = _outcome(torch, call, value), _outcome(lg, call, value)
    if (call, value) in _WORDED_ELSEWHERE:
        got, want = got[0], want[0]  # (both refused, with the same class)
    assert got == want


def test_dims_of_the_functions_torch_writes_in_python():
    """norms and friends, which torch's parser never sees, take NumPy integers and one-element tensors too."""
    assert dim_list(np.int64(1)) == (1,)
    assert dim_list((np.int32(0), lg.tensor(2))) == (0, 2)
    with pytest.raises(TypeError, match="dim must be an int or a tuple of ints, not float"):
        dim_list(1.5)
    with pytest.raises(TypeError, match="holding int, str"):
        dim_list([0, "a"])


def test_the_methods_flip_takes_its_dims_spread_out():
    torch = pytest.importorskip("torch")
    for args in ((0, 1), ((0, 1),), (np.int64(1),), ([0],)):
        np.testing.assert_array_equal(_x(lg).flip(*args).numpy(), _x(torch).flip(*args).numpy())


NO_SIZE = {
    **{f: (lambda f: lambda m: getattr(m, f)())(f) for f in ("zeros", "ones", "empty", "rand", "randn")},
    **{f: (lambda f: lambda m: getattr(m.ones(2), f)())(f)
       for f in ("view", "reshape", "permute", "expand", "repeat", "tile", "flip", "sum_to_size", "new_zeros",
                 "new_ones", "new_empty", "resize_", "broadcast_to")},
}


@pytest.mark.parametrize("name", NO_SIZE)
def test_a_size_or_dims_left_out_is_torchs_type_error(name):
    """Giving no size at all is refused (an empty one is `()`), in torch's words: the parameter missing, or
    the overloads where torch's parser has several (view, rand, randn)."""
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError) as want:
        NO_SIZE[name](torch)
    with pytest.raises(TypeError) as got:
        NO_SIZE[name](lg)
    assert str(got.value) == str(want.value)  # (an overload listing names torch's types, as normal()'s does)


@pytest.mark.parametrize("make", [lambda m: m.zeros(()), lambda m: m.ones([]), lambda m: m.rand(size=()),
                                  lambda m: m.full((), 2.0), lambda m: m.ones(1).view(()), lambda m: m.Tensor()])
def test_an_empty_size_is_still_a_size(make):
    torch = pytest.importorskip("torch")
    ours, theirs = make(lg), make(torch)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype.name == str(theirs.dtype).split(".")[1]


BOOL_FLAGS = {
    "sum": lambda m, x: m.sum(x, 0, 1), "sum_method": lambda m, x: x.sum(0, 1),
    "mean_numpy_bool": lambda m, x: x.mean(0, np.bool_(True)), "amax_keyword": lambda m, x: m.amax(x, 0, keepdim=1),
    "topk_largest": lambda m, x: x.topk(1, 0, 0), "sort_descending": lambda m, x: x.sort(0, 1),
    "std_unbiased": lambda m, x: m.std(x, 0, 1), "max": lambda m, x: x.max(0, 1),
    "argsort": lambda m, x: m.argsort(x, 0, 1), "median": lambda m, x: x.median(0, 1),
    "logsumexp": lambda m, x: m.logsumexp(x, 0, 1), "var_mean": lambda m, x: m.var_mean(x, 0, 1),
    "keepdim_none": lambda m, x: x.sum(0, None),
}


@pytest.mark.parametrize("name", BOOL_FLAGS)
def test_bool_flags_are_bools_as_torch(name):
    """keepdim, descending, largest, sorted, stable and unbiased take a Python bool only: x.sum(0, 1), which reads
    as a sum over dims 0 and 1, kept dim 0 instead of raising torch's TypeError."""
    torch = torch_or_skip()
    errors = []
    for m in (lg, torch):
        with pytest.raises(TypeError) as raised:
            BOOL_FLAGS[name](m, m.arange(6.0).reshape(2, 3))
        errors.append(str(raised.value).split(" but expected")[0])
    assert errors[0] == errors[1]
