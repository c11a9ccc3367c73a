"""Index expressions (codegen/symbolic.py): every simplification keeps the value at every point of the
loop ranges (checked by evaluating against Python's floor division), and the rendered forms are the
plain ones the simplifications promise."""
import itertools
import random

import pytest

from codegen.symbolic import Lin, unravel, ravel, within


def evaluate(lin: Lin, point: dict[str, int]) -> int:
    total = lin.const
    for atom, c in lin.terms.items():
        if atom.kind == "var":
            v = point[atom.name]
        else:
            inner = evaluate(atom.inner, point)
            v = inner // atom.c if atom.kind == "div" else inner % atom.c
        total += c * v
    return total


def points(extents: dict[str, int]):
    names = list(extents)
    for values in itertools.product(*(range(extents[n]) for n in names)):
        yield dict(zip(names, values))


def test_unravel_then_ravel_is_the_flat_index_itself():
    """A reshape of a reshape: the coordinates' divisions and modulos fold back into the index."""
    flat = Lin.var("i", 2048)
    assert ravel(unravel(flat, (32, 64)), (32, 64)).render() == "i"
    assert ravel(unravel(flat, (4, 8, 64)), (4, 8, 64)).render() == "i"
    assert ravel(unravel(flat, (2, 4, 4, 64)), (2, 4, 4, 64)).render() == "i"
    i, j = Lin.var("i3", 8192), Lin.var("i2", 32)
    inner = i.mod(256)
    index = j * 256 + inner.floordiv(16) * 16 + i.floordiv(256) * 8192 + inner.mod(16)
    assert index.render() == "i2*256 + (i3 / 256)*8192 + (i3 % 256)"
    for p in points({"i3": 8192, "i2": 2}):
        assert evaluate(index, p) == p["i2"] * 256 + (p["i3"] % 256 // 16) * 16 + p["i3"] // 256 * 8192 + p["i3"] % 16


def test_a_division_and_a_modulo_by_different_constants_stay():
    x = Lin.var("x", 100) + Lin.var("y", 7) * 3
    kept = x.floordiv(8) * 8 + x.mod(16)
    assert "/" in kept.render() and "%" in kept.render()
    for p in points({"x": 100, "y": 7}):
        v = p["x"] + 3 * p["y"]
        assert evaluate(kept, p) == v // 8 * 8 + v % 16


def _random_lin(rng: random.Random, names: list[str], extents: dict[str, int], depth: int) -> Lin:
    out = Lin.num(rng.randint(-5, 5))
    for name in rng.sample(names, rng.randint(1, len(names))):
        out = out + Lin.var(name, extents[name]) * rng.choice([1, 2, 3, -1, 4, 16])
    if depth:
        inner = _random_lin(rng, names, extents, depth - 1)
        c = rng.choice([2, 3, 4, 8, 12])
        out = out + inner.floordiv(c) * rng.choice([1, c, -c]) + inner.mod(c) * rng.choice([1, 2])
    return out


@pytest.mark.parametrize("seed", range(40))
def test_random_expressions_keep_their_values(seed):
    """Sums, floor divisions and modulos of random forms (negative parts included) against Python."""
    rng = random.Random(seed)
    extents = {"a": rng.randint(1, 9), "b": rng.randint(2, 13), "c": rng.randint(2, 5)}
    names = list(extents)
    base = _random_lin(rng, names, extents, 2)
    c = rng.choice([2, 3, 5, 8, 16])
    exprs = {"base": base, "div": base.floordiv(c), "mod": base.mod(c),
             "recombined": base.floordiv(c) * c + base.mod(c),
             "within": within(base.floordiv(c), "b", 1, extents["b"] - 1)}
    for p in points(extents):
        v = evaluate(base, p)
        assert evaluate(exprs["div"], p) == v // c
        assert evaluate(exprs["mod"], p) == v % c
        assert evaluate(exprs["recombined"], p) == v
        if 1 <= p["b"] <= extents["b"] - 1:
            assert evaluate(exprs["within"], p) == v // c
    for name, e in exprs.items():  # (within's bounds hold where its variable lies in the range given)
        inside = [p for p in points(extents) if name != "within" or 1 <= p["b"] <= extents["b"] - 1]
        assert e.lo <= min(evaluate(e, p) for p in inside) and e.hi >= max(evaluate(e, p) for p in inside)
