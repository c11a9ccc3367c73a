"""uint16, uint32 and uint64 (lazygrad/dtypes.py LIMITED_UNSIGNED): made, converted, printed, saved and
computed with as torch does; promotion with any other integer type refused with torch's error. Where torch
2.13 has no kernel for them (add, max, comparisons other than ==, ...) lazygrad computes in C's unsigned
arithmetic: those results are checked against numpy."""
from __future__ import annotations

import io

import numpy as np
import pytest

import lazygrad as lg
from oracle import assert_like_torch, same_error, torch_or_skip

UNSIGNED = ["uint16", "uint32", "uint64"]


def _values(name: str) -> np.ndarray:
    """Small values, the largest one and one past the signed type's half."""
    top = int(np.iinfo(name).max)
    return np.array([0, 1, 7, 300, top // 2 + 5, top], dtype=name)


@pytest.mark.parametrize("name", UNSIGNED)
def test_made_printed_and_read_back_as_torch(name):
    torch = torch_or_skip()
    a = _values(name)
    ours, theirs = lg.tensor(a), torch.tensor(a)
    assert ours.dtype is getattr(lg, name) and str(ours.dtype) == f"lazygrad.{name}"
    assert repr(ours).replace("lazygrad.", "torch.") == repr(theirs)
    assert repr(ours[:0]).replace("lazygrad.", "torch.") == repr(theirs[:0])
    assert ours.tolist() == theirs.tolist() == [int(v) for v in a]
    assert ours[-1].item() == int(a[-1]) and type(ours[-1].item()) is int
    assert ours.numpy().dtype == np.dtype(name) and ours.element_size() == a.itemsize
    assert not ours.is_signed() and not ours.is_floating_point()
    info, expected = lg.iinfo(ours.dtype), torch.iinfo(theirs.dtype)
    assert (info.min, info.max, info.bits, str(info)) == (expected.min, expected.max, expected.bits, str(expected))
    shared = np.zeros(3, dtype=name)
    lg.from_numpy(shared).fill_(5)
    np.testing.assert_array_equal(shared, [5, 5, 5])
    for made in (lg.zeros(2, dtype=ours.dtype), lg.full((2,), 9, dtype=ours.dtype), lg.ones_like(ours)):
        assert made.dtype is ours.dtype
    assert ours.type() == theirs.type() and ours.storage_type() is theirs.storage_type() is None


def test_python_integers_past_int64_fill_uint64_exactly():
    torch = torch_or_skip()
    data = [[2 ** 64 - 1, 1], [2 ** 63, True]]
    assert_like_torch(lg.tensor(data, dtype=lg.uint64), torch.tensor(data, dtype=torch.uint64), exact=True)
    for bad in ([-1], [1.5], [2 ** 64]):  # torch reads each number as a uint64 of its own
        same_error(lambda: lg.tensor(bad, dtype=lg.uint64), lambda: torch.tensor(bad, dtype=torch.uint64))
    same_error(lambda: lg.tensor([2 ** 63]), lambda: torch.tensor([2 ** 63]))  # (inferred: int64)
    x = lg.tensor([2 ** 64 - 1, 5], dtype=lg.uint64)
    assert (x == 2 ** 64 - 1).tolist() == [True, False]
    assert (x & (2 ** 63 + 1)).tolist() == [2 ** 63 + 1, 1]


@pytest.mark.parametrize("name", ["uint8", "int8", "uint16", "uint32"])
def test_numbers_that_do_not_fit_are_refused_as_torch(name):
    torch = torch_or_skip()
    info = np.iinfo(name)
    top = int(info.max)
    # floats are checked as they are (-0.5 does not fit uint8); negative integers down to -max wrap
    for bad in ([int(info.min) - 0.5], [top + 0.5], [float("inf")], [-top - 1 if info.min == 0 else int(info.min) - 1]):
        same_error(lambda: lg.tensor(bad, dtype=getattr(lg, name)),
                   lambda: torch.tensor(bad, dtype=getattr(torch, name)))
    wrapped = [-1, -top]
    if name.startswith("uint"):
        assert_like_torch(lg.tensor(wrapped, dtype=getattr(lg, name)),
                          torch.tensor(wrapped, dtype=getattr(torch, name)), exact=True)
        mixed = [-3, 2.5]  # (each number by its own type: the int wraps, the float fits)
        assert_like_torch(lg.tensor(mixed, dtype=getattr(lg, name)),
                          torch.tensor(mixed, dtype=getattr(torch, name)), exact=True)
        same_error(lambda: lg.zeros(1, dtype=getattr(lg, name)).fill_(-1.5),
                   lambda: torch.zeros(1, dtype=getattr(torch, name)).fill_(-1.5))


@pytest.mark.parametrize("big", [2 ** 64, 2 ** 70, -2 ** 63 - 1])
def test_python_integers_past_uint64_are_refused_everywhere_as_torch(big):
    torch = torch_or_skip()
    for call in (lambda m: m.ones(1) * big, lambda m: m.ones(1, dtype=m.int32) + big,
                 lambda m: m.ones(1).fill_(big), lambda m: m.full((1,), big), lambda m: m.ones(1).clamp(max=big)):
        same_error(lambda: call(lg), lambda: call(torch))
    assert (lg.ones(1, dtype=lg.int32) * 2 ** 63).tolist() == [0]  # (past int64 but a uint64: wraps)


@pytest.mark.parametrize("name", UNSIGNED)
def test_promotion_with_other_integers_is_refused_as_torch(name):
    torch = torch_or_skip()
    ours, theirs = getattr(lg, name), getattr(torch, name)
    for other in ("bool", "uint8", "int8", "int64", "uint16", "uint32", "uint64", "complex64"):
        if other == name:
            continue
        same_error(lambda: lg.promote_types(ours, getattr(lg, other)),
                   lambda: torch.promote_types(theirs, getattr(torch, other)))
    for other in ("float16", "bfloat16", "float32", "float64"):
        assert lg.promote_types(ours, getattr(lg, other)).name == str(
            torch.promote_types(theirs, getattr(torch, other))).removeprefix("torch.")
    a = _values(name)
    same_error(lambda: lg.tensor(a) + lg.tensor([1]), lambda: torch.tensor(a) + torch.tensor([1]))
    same_error(lambda: lg.result_type(lg.ones(2, dtype=lg.bool), lg.ones((), dtype=ours)),  # (bool meets it)
               lambda: torch.result_type(torch.ones(2, dtype=torch.bool), torch.ones((), dtype=theirs)))
    # numbers and 0-d tensors of a lower or equal kind keep the type; of a higher one, they decide
    for other in (3, True, lg.tensor(2), lg.tensor(2.5, dtype=lg.float64), 1 + 2j, 2.5):
        theirs_other = torch.tensor(other.item()) if isinstance(other, lg.Tensor) else other
        if isinstance(other, lg.Tensor) and other.dtype is lg.float64:
            theirs_other = theirs_other.double()
        assert lg.result_type(lg.tensor(a), other).name == str(
            torch.result_type(torch.tensor(a), theirs_other)).removeprefix("torch.")


@pytest.mark.parametrize("name", UNSIGNED)
def test_conversions_match_torch(name, backend):
    torch = torch_or_skip()
    a = _values(name)
    ours, theirs = lg.tensor(a), torch.tensor(a)
    for target in ("float32", "float64", "int64", "uint8", "int16", "bool", "float16", "uint16", "uint32", "uint64"):
        assert_like_torch(ours.to(getattr(lg, target)), theirs.to(getattr(torch, target)), exact=True)
    floats = np.array([0.0, 1.7, -1.5, -70000.2, 70000.7, 3e9 + 1, 1.8e19, 65535.0], np.float64)
    if name != "uint64":  # (torch's uint32 and uint16 results past their ranges depend on its vector width)
        floats = floats[np.abs(floats) < float(np.iinfo(name).max)]
    assert_like_torch(lg.tensor(floats).to(ours.dtype), torch.tensor(floats).to(theirs.dtype), exact=True)
    assert_like_torch(lg.tensor([-3, 2 ** 40 + 5]).to(ours.dtype), torch.tensor([-3, 2 ** 40 + 5]).to(theirs.dtype),
                      exact=True)
    assert_like_torch(ours.view(lg.uint8), theirs.view(torch.uint8), exact=True)


@pytest.mark.parametrize("name", UNSIGNED)
def test_what_torch_computes_matches_torch(name, backend):
    torch = torch_or_skip()
    a, b = _values(name), np.array([3, 1, 2, 300, 7, 1], dtype=name)
    x, y = lg.tensor(a), lg.tensor(b)
    tx, ty = torch.tensor(a), torch.tensor(b)
    cases = [
        lambda m, p, q: p * q, lambda m, p, q: p * 3, lambda m, p, q: p == q, lambda m, p, q: p != 1,
        lambda m, p, q: p & q, lambda m, p, q: p | q, lambda m, p, q: p ^ q, lambda m, p, q: p / q,
        lambda m, p, q: p * 1.5, lambda m, p, q: p.sum(), lambda m, p, q: p.prod(), lambda m, p, q: p.cumsum(0),
        lambda m, p, q: p.sort().values, lambda m, p, q: p.argsort(), lambda m, p, q: p.unique(),
        lambda m, p, q: m.cat([p, q]), lambda m, p, q: m.stack([p, q], 1), lambda m, p, q: p[m.tensor([0, 5, 2])],
        lambda m, p, q: p[p == q], lambda m, p, q: m.where(p == q, p, q), lambda m, p, q: p.floor(),
        lambda m, p, q: p.reshape(2, 3).t().contiguous(), lambda m, p, q: p.roll(2), lambda m, p, q: p.sqrt(),
        lambda m, p, q: p.float().mean(), lambda m, p, q: p.any(), lambda m, p, q: p.isnan(),
    ]
    for case in cases:
        assert_like_torch(case(lg, x, y), case(torch, tx, ty), rtol=1e-6, atol=0)
    written, theirs = x.clone(), tx.clone()
    written[1:3] = 9
    theirs[1:3] = 9
    assert_like_torch(written, theirs, exact=True)


def _wrapped(name: str, values) -> np.ndarray:
    return np.array([int(v) % 2 ** np.iinfo(name).bits for v in values], dtype=name)


@pytest.mark.parametrize("name", UNSIGNED)
def test_what_torch_has_no_kernel_for_computes_as_c(name, backend):
    """torch 2.13 refuses these for uint16/32/64; lazygrad computes them as C does (numpy agrees)."""
    a, b = _values(name), np.array([3, 1, 2, 300, 7, 1], dtype=name)
    x, y = lg.tensor(a), lg.tensor(b)
    ai, bi = [int(v) for v in a], [int(v) for v in b]
    np.testing.assert_array_equal((x + y).numpy(), _wrapped(name, [p + q for p, q in zip(ai, bi)]))
    np.testing.assert_array_equal((x - y).numpy(), _wrapped(name, [p - q for p, q in zip(ai, bi)]))
    np.testing.assert_array_equal((-x).numpy(), _wrapped(name, [-p for p in ai]))
    np.testing.assert_array_equal((x // y).numpy(), a // b)
    np.testing.assert_array_equal((x % y).numpy(), a % b)
    np.testing.assert_array_equal((x > y).numpy(), a > b)
    np.testing.assert_array_equal((x >> 1).numpy(), a >> 1)
    np.testing.assert_array_equal((y << 2).numpy(), _wrapped(name, [q << 2 for q in bi]))
    np.testing.assert_array_equal((~x).numpy(), ~a)
    assert x.max().item() == int(a.max()) and x.min().item() == int(a.min()) and x.argmax().item() == int(a.argmax())
    np.testing.assert_array_equal(lg.maximum(x, y).numpy(), np.maximum(a, b))
    np.testing.assert_array_equal(x.clamp(2, 300).numpy(), np.clip(a, 2, 300))
    small = lg.tensor(b[:4].reshape(2, 2))
    np.testing.assert_array_equal((small @ small).numpy(), _wrapped(name, (b[:4].reshape(2, 2).astype(object)
                                                                            @ b[:4].reshape(2, 2).astype(object)).ravel()).reshape(2, 2))


@pytest.mark.parametrize("name", UNSIGNED)
def test_saved_and_loaded_both_ways_with_torch(name, tmp_path):
    torch = torch_or_skip()
    x = lg.tensor(_values(name).reshape(2, 3))
    lg.save({"x": x, "column": x[:, 1], "w": lg.ones(2)}, tmp_path / "ours.pt")
    theirs = torch.load(tmp_path / "ours.pt")
    assert_like_torch(x, theirs["x"], exact=True)
    assert_like_torch(x[:, 1], theirs["column"], exact=True)
    assert theirs["column"].untyped_storage().data_ptr() == theirs["x"].untyped_storage().data_ptr()
    torch.save({"x": theirs["x"], "row": theirs["x"][1]}, tmp_path / "theirs.pt")
    back = lg.load(tmp_path / "theirs.pt")
    assert_like_torch(back["x"], theirs["x"], exact=True)
    assert_like_torch(back["row"], theirs["x"][1], exact=True)
    assert back["row"].untyped_storage().data_ptr() == back["x"].untyped_storage().data_ptr()


@pytest.mark.parametrize("name", UNSIGNED)
def test_draws_and_their_bounds(name):
    torch = torch_or_skip()
    drawn = lg.randint(5, 300, (1000,), dtype=getattr(lg, name))
    assert drawn.dtype is getattr(lg, name) and 5 <= drawn.min().item() and drawn.max().item() < 300
    same_error(lambda: lg.randint(-1, 3, (2,), dtype=getattr(lg, name)),
               lambda: torch.randint(-1, 3, (2,), dtype=getattr(torch, name)))
    if name != "uint64":
        same_error(lambda: lg.randint(0, 2 ** 40, (2,), dtype=getattr(lg, name)),
                   lambda: torch.randint(0, 2 ** 40, (2,), dtype=getattr(torch, name)))
    made = lg.testing.make_tensor((4,), dtype=getattr(lg, name), device="cpu")
    assert made.dtype is getattr(lg, name) and (made.numpy() < 10).all()


@pytest.mark.parametrize("name", ["int16", "int8", "uint16", "uint64"])
def test_index_tensors_of_other_integer_types_are_refused_as_torch(name):
    torch = torch_or_skip()
    calls = [lambda m, i: m.arange(5.)[i], lambda m, i: m.arange(5.).index_put((i,), m.tensor(1.0)),
             lambda m, i: m.arange(5.).gather(0, i), lambda m, i: m.arange(5.).scatter_add(0, i, m.ones(2)),
             lambda m, i: m.arange(5.).index_add(0, i, m.ones(2)), lambda m, i: m.arange(5.).index_fill(0, i, 1.0),
             lambda m, i: m.arange(5.).index_select(0, i), lambda m, i: m.nn.functional.embedding(i, m.ones(5, 2))]
    for call in calls:
        with pytest.raises(Exception) as want:
            call(torch, torch.tensor([1, 2], dtype=getattr(torch, name)))
        with pytest.raises(Exception) as got:
            call(lg, lg.tensor([1, 2], dtype=getattr(lg, name)))
        assert (type(got.value), str(got.value).replace("lazygrad.", "torch.")) == (want.type, str(want.value))
    assert lg.bincount(lg.tensor([1, 1, 3], dtype=lg.int8)).tolist() == [0, 2, 0, 1]
