"""`out=` as torch has it: factories make their values in out's dtype and write them into out (resized); every
function taking `out` writes into it and returns it (a tuple of outs for several results, in torch's `*_out`
named tuples); out's dtype follows each op family's rule, with torch's error (lazygrad/out_dtypes.py)."""
from __future__ import annotations

import ast
import pathlib
import warnings

import numpy as np
import pytest

import lazygrad as lg
from oracle import torch_or_skip

X = np.array([[0.3, 0.6, 0.2], [0.4, 0.5, 0.9], [0.1, 0.8, 0.7]])


def _outcome(m, make_out, call):
    """What call(m, out) does to out: (returned out itself, dtype, shape, values, warnings), or the error."""
    out = make_out(m)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(m, out)
        except Exception as error:  # noqa: BLE001  (the class and message are compared)
            return type(error).__name__, str(error)
    outs = out if isinstance(out, tuple) else (out,)
    returned = all(r is o for r, o in zip(result, outs)) if isinstance(out, tuple) else result is out
    return (returned, type(result).__name__ if isinstance(out, tuple) else None,
            [(str(o.dtype).split(".")[-1], tuple(o.shape), o.tolist()) for o in outs],
            sorted({str(w.message).split(" (Triggered internally")[0] for w in caught}))


def _empty(dtype="float64", *shape):
    return lambda m: m.ones(*(shape or (3,)), dtype=getattr(m, dtype))


FACTORIES = {
    "zeros": (_empty(), lambda m, o: m.zeros(2, 3, out=o)),
    "ones_int": (_empty("int32"), lambda m, o: m.ones(2, out=o)),
    "full_cast": (_empty("int64"), lambda m, o: m.full((2,), 7.5, out=o)),
    "full_bool": (_empty("bool"), lambda m, o: m.full((2,), 2.5, out=o)),
    "empty_keeps": (_empty(), lambda m, o: m.empty(3, out=o)),
    "arange_int": (_empty("int32"), lambda m, o: m.arange(5, out=o)),
    "arange_float": (_empty("float32"), lambda m, o: m.arange(0, 1, 0.25, out=o)),
    "arange_empty_out": (lambda m: m.empty(0), lambda m, o: m.arange(4, out=o)),
    "range": (_empty("float32", 2), lambda m, o: m.range(0, 3, out=o)),
    "linspace_int": (_empty("int32"), lambda m, o: m.linspace(0, 10, 5, out=o)),
    "linspace_bool": (_empty("bool"), lambda m, o: m.linspace(0, 1, 3, out=o)),
    "logspace": (_empty(), lambda m, o: m.logspace(0, 2, 3, out=o)),
    "eye_int8": (_empty("int8"), lambda m, o: m.eye(2, 3, out=o)),
    "strided_out": (lambda m: m.ones(6, dtype=m.float64)[::2], lambda m, o: m.zeros(3, out=o)),
    "transposed_out": (lambda m: m.ones(2, 3, dtype=m.float64).t(), lambda m, o: m.zeros(3, 2, out=o)),
    "requires_grad": (_empty(), lambda m, o: m.zeros(3, out=o, requires_grad=True).requires_grad),
    "dtype_mismatch": (_empty("int32"), lambda m, o: m.zeros(2, dtype=m.float32, out=o)),
    "out_requires_grad": (lambda m: m.ones(2, requires_grad=True), lambda m, o: m.zeros(2, out=o)),
    "out_not_a_tensor": (lambda m: [1], lambda m, o: m.zeros(2, out=o)),
    "randn_int": (_empty("int64"), lambda m, o: m.randn(2, out=o)),
    "rand": (_empty("float16"), lambda m, o: m.rand(4, out=o).zero_()),
    "randint_float": (_empty("float32"), lambda m, o: m.randint(3, 4, (2,), out=o)),
    "randperm_int32": (_empty("int32"), lambda m, o: o.copy_(m.randperm(3, out=o).sort().values)),
    "fftfreq": (_empty(), lambda m, o: m.fft.fftfreq(4, out=o)),
    "rfftfreq": (_empty("float32"), lambda m, o: m.fft.rfftfreq(5, 0.5, out=o)),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factories_write_into_out_as_torch(name):
    """The values in out's dtype, out resized (arange warns of a size that rounding changed), out returned."""
    torch = torch_or_skip()
    make_out, call = FACTORIES[name]
    if name == "requires_grad":
        for m in (lg, torch):
            out = make_out(m)
            assert call(m, out) and out.requires_grad and out.tolist() == [0.0, 0.0, 0.0]
        return
    assert _outcome(lg, make_out, call) == _outcome(torch, make_out, call)


def test_a_factory_writes_through_a_view_and_grows_its_storage():
    for m in (lg, torch_or_skip()):
        base = m.ones(3)
        m.zeros(4, out=base[:2])
        assert base.tolist() == [0.0, 0.0, 0.0]


WRITERS = {  # functions that took out= and left it alone, or took none
    "sort": (lambda m: (m.empty(0, dtype=m.float64), m.empty(0, dtype=m.int64)),
             lambda m, o: m.sort(m.tensor(X), 1, out=o)),
    "max_dim": (lambda m: (m.empty(0, dtype=m.float64), m.empty(0, dtype=m.int64)),
                lambda m, o: m.max(m.tensor(X), 0, out=o)),
    "quantile": (_empty(), lambda m, o: m.quantile(m.tensor(X), 0.5, 1, out=o)),
    "nanquantile": (_empty(), lambda m, o: m.nanquantile(m.tensor(X), 0.25, out=o)),
    "linalg_norm": (_empty(), lambda m, o: m.linalg.norm(m.tensor(X), out=o)),
    "frexp": (lambda m: (m.empty(0, dtype=m.float64), m.empty(0, dtype=m.int32)),
              lambda m, o: m.frexp(m.tensor(X), out=o)),
    "histogram": (lambda m: (m.empty(0, dtype=m.float64), m.empty(0, dtype=m.float64)),
                  lambda m, o: m.histogram(m.tensor(X), 3, out=o)),
    "diag": (_empty(), lambda m, o: m.diag(m.tensor(X), out=o)),
    "diff": (_empty(), lambda m, o: m.diff(m.tensor(X), out=o)),
    "isposinf": (_empty("bool"), lambda m, o: m.isposinf(m.tensor(X) / 0, out=o)),
    "masked_select": (_empty(), lambda m, o: m.masked_select(m.tensor(X), m.tensor(X) > 0.4, out=o)),
    "nonzero": (_empty("int64"), lambda m, o: m.nonzero(m.tensor(X) > 0.4, out=o)),
    "take_along_dim": (_empty(), lambda m, o: m.take_along_dim(m.tensor(X), m.tensor([[0], [2], [1]]), 1, out=o)),
    "msort": (_empty(), lambda m, o: m.msort(m.tensor(X), out=o)),
    "norm": (_empty(), lambda m, o: m.norm(m.tensor(X), out=o)),
    "vdot": (_empty(), lambda m, o: m.vdot(m.tensor(X[0]), m.tensor(X[1]), out=o)),
    "argmax": (_empty("int64"), lambda m, o: m.argmax(m.tensor(X), 1, out=o)),
    "any": (_empty("bool"), lambda m, o: m.any(m.tensor(X) > 0.75, 1, out=o)),
    "all": (_empty("bool"), lambda m, o: m.all(m.tensor(X) > 0.15, 0, out=o)),
    "cholesky_solve": (_empty(), lambda m, o: m.cholesky_solve(m.tensor(X), m.eye(3, dtype=m.float64) * 2, out=o)),
    "matrix_power": (_empty(), lambda m, o: m.linalg.matrix_power(m.tensor(X), 3, out=o)),
    "matrix_norm": (_empty(), lambda m, o: m.linalg.matrix_norm(m.tensor(X), out=o)),
    "matrix_rank": (_empty("int64"), lambda m, o: m.linalg.matrix_rank(m.tensor(X), out=o)),
    "cond": (_empty(), lambda m, o: m.linalg.cond(m.tensor(X), out=o)),
    "multi_dot": (_empty(), lambda m, o: m.linalg.multi_dot([m.tensor(X)] * 3, out=o)),
    "prod_in_out_dtype": (_empty("int64"), lambda m, o: m.prod(m.tensor(X) * 4, 1, out=o)),
    "cumsum_in_out_dtype": (_empty("int64"), lambda m, o: m.cumsum(m.tensor(X) * 4, 1, out=o)),
    "nansum_in_out_dtype": (_empty("float32"), lambda m, o: m.nansum(m.tensor(X) / 3, 1, out=o)),
}


@pytest.mark.parametrize("name", WRITERS)
def test_functions_write_into_out_as_torch(name):
    """out holds torch's values and is returned (several outs in torch's `*_out` tuple); sums and products
    compute in out's dtype."""
    torch = torch_or_skip()
    make_out, call = WRITERS[name]
    got, want = _outcome(lg, make_out, call), _outcome(torch, make_out, call)
    assert got[:2] == want[:2] and got[3] == want[3]
    for (dtype, shape, values), (dtype_t, shape_t, values_t) in zip(got[2], want[2]):
        assert (dtype, shape) == (dtype_t, shape_t)
        np.testing.assert_allclose(np.array(values, dtype=float), np.array(values_t, dtype=float), rtol=1e-12)


AUTOGRAD_CASES = {
    "masked_select": lambda m, x, o: m.masked_select(x, x > 0.4, out=o),
    "diff": lambda m, x, o: m.diff(x, out=o), "msort": lambda m, x, o: m.msort(x, out=o),
    "sort": lambda m, x, o: m.sort(x, out=(o, m.empty(0, dtype=m.int64))), "exp": lambda m, x, o: m.exp(x, out=o),
    "argmax": lambda m, x, o: m.argmax(x, out=o.long()), "nonzero": lambda m, x, o: m.nonzero(x, out=o.long()),
    "any": lambda m, x, o: m.any(x, out=o.bool()), "matrix_norm": lambda m, x, o: m.linalg.matrix_norm(x, out=o),
    "quantile": lambda m, x, o: m.quantile(x, 0.5, out=o), "linalg_norm": lambda m, x, o: m.linalg.norm(x, out=o),
}


@pytest.mark.parametrize("name", AUTOGRAD_CASES)
def test_out_where_autograd_records(name):
    """torch refuses out= where the result would record (naming the op the function is built on), except for
    functions it writes into out through a recorded copy (out's grad_fn is then CopyBackwards); results that
    never require grad (argmax, nonzero, any) are written."""
    torch = torch_or_skip()

    def outcome(m):
        x, out = m.tensor(X, requires_grad=True), m.empty(0, dtype=m.float64)
        try:
            result = AUTOGRAD_CASES[name](m, x, out)
        except RuntimeError as error:
            return str(error)
        written = result[0] if isinstance(result, tuple) else result
        if not written.requires_grad:
            return written.tolist()
        written.sum().backward()
        return type(written.grad_fn).__name__, np.round(x.grad.numpy(), 12).tolist()
    assert outcome(lg) == outcome(torch)


# (op, input dtype, out dtype): each family's rule, against torch's outcome
DTYPE_CASES = [(op, dtype, out) for op in ("abs", "neg", "round", "clamp", "where", "amax", "sort", "tril", "mm",
                                           "argmax", "any", "index_select", "nonzero", "cat", "dot", "logsumexp",
                                           "exp", "add", "cummax", "take", "nan_to_num", "kthvalue")
               for dtype in ("float32", "int64") for out in ("float64", "int64", "bool", "float32")]
CALLS = {
    "abs": lambda m, x, o: m.abs(x, out=o), "neg": lambda m, x, o: m.neg(x, out=o),
    "round": lambda m, x, o: m.round(x, out=o), "clamp": lambda m, x, o: m.clamp(x, 0, 1, out=o),
    "where": lambda m, x, o: m.where(x > 1, x, x, out=o), "amax": lambda m, x, o: m.amax(x, 1, out=o),
    "sort": lambda m, x, o: m.sort(x, out=(o, m.empty(0, dtype=m.int64))), "tril": lambda m, x, o: m.tril(x, out=o),
    "mm": lambda m, x, o: m.mm(x, x, out=o), "argmax": lambda m, x, o: m.argmax(x, 1, out=o),
    "any": lambda m, x, o: m.any(x, 1, out=o),
    "index_select": lambda m, x, o: m.index_select(x, 0, m.tensor([1]), out=o),
    "nonzero": lambda m, x, o: m.nonzero(x, out=o), "cat": lambda m, x, o: m.cat([x, x], out=o),
    "dot": lambda m, x, o: m.dot(x[0], x[1], out=o), "logsumexp": lambda m, x, o: m.logsumexp(x, 1, out=o),
    "exp": lambda m, x, o: m.exp(x, out=o), "add": lambda m, x, o: m.add(x, 1, out=o),
    "cummax": lambda m, x, o: m.cummax(x, 1, out=(o, m.empty(0, dtype=m.int64))),
    "take": lambda m, x, o: m.take(x, m.tensor([0, 3]), out=o), "nan_to_num": lambda m, x, o: m.nan_to_num(x, out=o),
    "kthvalue": lambda m, x, o: m.kthvalue(x, 1, out=(o, m.empty(0, dtype=m.int64))),
}


@pytest.mark.parametrize("op,dtype,out", DTYPE_CASES)
def test_out_dtypes_follow_torchs_rule_per_op(op, dtype, out):
    torch = torch_or_skip()
    make_out = lambda m: m.empty(0, dtype=getattr(m, out))  # noqa: E731
    call = lambda m, o: CALLS[op](m, m.tensor([[1.5, 2.0], [3.0, -4.5]]).to(getattr(m, dtype)), o)  # noqa: E731
    got, want = _outcome(lg, make_out, call), _outcome(torch, make_out, call)
    if len(got) == 2 or len(want) == 2:  # (an error)
        assert got == want
        return
    assert got[:2] == want[:2] and got[3] == want[3] and [r[:2] for r in got[2]] == [r[:2] for r in want[2]]
    for ours, theirs in zip(got[2], want[2]):  # (exp in float32 may differ from torch's by an ulp)
        np.testing.assert_allclose(np.array(ours[2], dtype=float), np.array(theirs[2], dtype=float), rtol=1e-6)


@pytest.mark.parametrize("op", ["var", "std", "nanmean"])
@pytest.mark.parametrize("dtype", ["float64", "float16", "complex64"])
@pytest.mark.parametrize("out", ["float16", "bfloat16", "float64", "complex128", "int64"])
def test_moments_compute_from_the_input_cast_to_out(op, dtype, out):
    """var(double, out=half) is the variance of the values rounded to half (torch's kernel reads its input in
    out's type); a complex out of a real input, and nanmean's integer out, are refused by the kernel."""
    torch = torch_or_skip()
    values = np.random.default_rng(3).standard_normal((2, 5)) * 3 + 100.01

    def outcome(m):
        x, o = m.tensor(values).to(getattr(m, dtype)), m.zeros(2, dtype=getattr(m, out))
        try:
            getattr(m, op)(x, 1, out=o)
        except (RuntimeError, NotImplementedError) as e:
            return type(e).__name__, str(e)
        return o.to(m.complex128).numpy()
    if op == "nanmean" and dtype == "complex64":
        pytest.skip("nanmean refuses complex inputs")
    got, want = outcome(lg), outcome(torch)
    if isinstance(want, tuple) or isinstance(got, tuple):
        assert got == want
    else:
        np.testing.assert_allclose(got, want, rtol=1e-14)


def test_no_function_takes_an_out_it_never_reads():
    """Every function with an `out` parameter reads it (one that took it and wrote elsewhere left out as it was),
    but for the removed functions, which only raise."""
    unread = []
    for path in sorted(pathlib.Path(lg.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and "out" in [a.arg for a in node.args.args + node.args.kwonlyargs]:
                reads = any(isinstance(n, ast.Name) and n.id == "out" and isinstance(n.ctx, ast.Load)
                            for n in ast.walk(node))
                if not reads and not isinstance(node.body[-1], ast.Raise):
                    unread.append(f"{path.name}:{node.name}")
    assert unread == []


def test_a_resized_out_is_laid_out_as_torchs_kernels_lay_it():
    """An out resized from empty takes the result's layout (exp of a transposed input writes it transposed,
    softmax row-major); nonzero's result, and an out it resizes, are transposed (strides (1, n)) as torch's."""
    torch = torch_or_skip()

    def strides(m):
        x = m.randn(3, 4).t()
        outs = [m.empty(0) for _ in range(3)]
        m.exp(x, out=outs[0]), m.add(x, 1, out=outs[1]), m.softmax(x, 0, out=outs[2])
        found = m.empty(0, dtype=m.long)
        picked = m.tensor([[1.0, 0, 2], [0, 3, 4]])
        m.nonzero(picked, out=found)
        return [o.stride() for o in outs] + [found.stride(), found.tolist(), m.nonzero(picked).stride(),
                                             m.argwhere(picked).is_contiguous()]
    assert strides(lg) == strides(torch)


@pytest.mark.parametrize("call", [
    lambda m, a, b, o: m.mm(a, b, out=o), lambda m, a, b, o: m.matmul(a, b, out=o),
    lambda m, a, b, o: m.softmax(a, 0, out=o), lambda m, a, b, o: m.log_softmax(a, 0, dtype=m.float64, out=o),
    lambda m, a, b, o: m.dot(a[0], b[0], out=o), lambda m, a, b, o: m.addmm(a, a, b, out=o),
    lambda m, a, b, o: m.addmm(b, a, b), lambda m, a, b, o: m.addmm(b, b, a),
])
def test_refusals_in_torchs_order(call):
    """Where torch checks out's dtype against the first input before the operands agree (mm, softmax, dot),
    and addmm's input against mat2 before mat1."""
    torch = torch_or_skip()

    def refusal(m):
        with pytest.raises(RuntimeError) as caught:
            call(m, m.ones(2, 2, dtype=m.long), m.ones(2, 2), m.empty(0))
        return str(caught.value)
    assert refusal(lg) == refusal(torch)
