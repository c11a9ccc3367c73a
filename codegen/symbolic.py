"""Integer index expressions with bounds, simplified so that view chains render as plain affine indices.

An index is a linear form: a constant plus integer multiples of atoms. Atoms are loop variables,
floor divisions and modulos by positive constants. Knowing each atom's range lets `i0*4 + i1`
divided by 4 become `i0` again when `0 <= i1 < 4`, which is what keeps unravelled views readable.
"""
from __future__ import annotations

import math


class Atom:
    """A loop variable, or a floor division / modulo of a linear form by a positive constant."""

    __slots__ = ("kind", "name", "inner", "c", "lo", "hi", "_key")

    def __init__(self, kind: str, lo: int, hi: int, name: str = "", inner: Lin | None = None, c: int = 0):
        self.kind, self.name, self.inner, self.c, self.lo, self.hi = kind, name, inner, c, lo, hi
        self._key = (kind, name, inner.key if inner is not None else None, c)

    def __eq__(self, other) -> bool:
        return isinstance(other, Atom) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def render(self) -> str:
        if self.kind == "var":
            return self.name
        inner = self.inner.render()
        op = "/" if self.kind == "div" else "%"
        if len(self.inner.terms) + (self.inner.const != 0) > 1 or self.inner.const < 0:
            inner = f"({inner})"
        if self.inner.lo < 0:  # C's / and % truncate; floor semantics need the helper
            return f"lg_floor{'div' if self.kind == 'div' else 'mod'}_i64({inner}, {self.c})"
        return f"({inner} {op} {self.c})"


class Lin:
    """const + sum(coeff * atom); immutable."""

    __slots__ = ("terms", "const", "lo", "hi", "key")

    def __init__(self, terms: dict[Atom, int], const: int = 0):
        self.terms = {a: c for a, c in terms.items() if c != 0}
        self.const = const
        lo = hi = const
        for a, c in self.terms.items():
            lo += c * (a.lo if c > 0 else a.hi)
            hi += c * (a.hi if c > 0 else a.lo)
        self.lo, self.hi = lo, hi
        self.key = (tuple(sorted(((a._key, c) for a, c in self.terms.items()), key=repr)), const)

    @staticmethod
    def num(n: int) -> Lin:
        return Lin({}, n)

    @staticmethod
    def var(name: str, extent: int) -> Lin:
        if extent == 1:
            return Lin.num(0)
        return Lin({Atom("var", 0, extent - 1, name=name): 1})

    def __add__(self, other: Lin | int) -> Lin:
        if isinstance(other, int):
            return Lin(self.terms, self.const + other)
        terms = dict(self.terms)
        for a, c in other.terms.items():
            terms[a] = terms.get(a, 0) + c
        return _recombined(Lin(terms, self.const + other.const))

    def __mul__(self, k: int) -> Lin:
        return Lin({a: c * k for a, c in self.terms.items()}, self.const * k)

    def floordiv(self, c: int) -> Lin:
        """floor(self / c): self = base*c + rest, so the result is base + floor(rest / c)."""
        if c == 1:
            return self
        whole = {a: k // c for a, k in self.terms.items() if k % c == 0}
        rest = Lin({a: k for a, k in self.terms.items() if k % c != 0}, self.const % c)
        base = Lin(whole, self.const // c)
        if rest.lo // c == rest.hi // c:  # the remainder never crosses a multiple of c
            return base + rest.lo // c
        split = rest._split(c)
        if split is not None:
            coarse, _, q = split
            return base + coarse.floordiv(c // q)
        if rest.lo >= 0:
            return base + Lin({Atom("div", rest.lo // c, rest.hi // c, inner=rest, c=c): 1})
        return Lin({Atom("div", self.lo // c, self.hi // c, inner=self, c=c): 1})

    def _split(self, c: int) -> tuple[Lin, Lin, int] | None:
        """self = coarse*q + fine with q > 1 dividing c and 0 <= fine < q, if there is such a split: then
        self // c = coarse // (c/q) and self % c = (coarse % (c/q))*q + fine. (A window's flat index
        `i + r*1024` divided by 9216 is r // 9 when 0 <= i < 1024.)"""
        terms = sorted(self.terms.items(), key=lambda t: abs(t[1]))
        for n in range(len(terms)):
            fine = Lin(dict(terms[:n]), self.const)
            q = math.gcd(c, *(k for _, k in terms[n:]))
            if q > 1 and fine.lo >= 0 and fine.hi < q:
                return Lin({a: k // q for a, k in terms[n:]}), fine, q
        return None

    def mod(self, c: int) -> Lin:
        if c == 1:
            return Lin.num(0)
        rest = Lin({a: k % c for a, k in self.terms.items() if k % c != 0}, self.const % c)
        if rest.lo >= 0 and rest.hi < c:
            return rest
        if rest.lo // c == rest.hi // c:
            return rest + -(rest.lo // c) * c
        split = rest._split(c)
        if split is not None:
            coarse, fine, q = split
            return coarse.mod(c // q) * q + fine
        return Lin({Atom("mod", 0, c - 1, inner=rest, c=c): 1})

    def magnitude(self) -> int:
        """A bound on the absolute value of every product and partial sum in the rendered expression,
        so that a renderer knows when 32-bit integers compute it exactly (they take fewer registers
        and instructions on a GPU)."""
        total = abs(self.const) + sum(abs(c) * max(abs(a.lo), abs(a.hi)) for a, c in self.terms.items())
        return max([total] + [a.inner.magnitude() for a in self.terms if a.inner is not None])

    def render(self) -> str:
        parts = []
        for a, c in sorted(self.terms.items(), key=lambda t: (t[0].kind != "var", t[0].name, repr(t[0]._key))):
            s = a.render()
            parts.append(s if c == 1 else f"-{s}" if c == -1 else f"{s}*{c}" if c > 0 else f"-{s}*{-c}")
        if self.const or not parts:
            parts.append(str(self.const))
        out = parts[0]
        for p in parts[1:]:
            out += f" - {p[1:]}" if p.startswith("-") else f" + {p}"
        return out


def _recombined(lin: Lin) -> Lin:
    """lin with `(x / c)*c*k + (x % c)*k` written as `x*k`, and `(x / (c*d))*d*k + ((x / c) % d)*k` as
    `(x / c)*k`: a view that unravels a flat index and a ravel that puts it back together (a reshape of
    a reshape) render as the index itself."""
    mods = {}
    for m in lin.terms:
        if m.kind != "mod":
            continue
        mods[(m.inner.key, m.c)] = m
        inner = next(iter(m.inner.terms)) if len(m.inner.terms) == 1 and not m.inner.const else None
        if inner is not None and inner.kind == "div" and m.inner.terms[inner] == 1:  # m is (x / c) % d
            mods[(inner.inner.key, inner.c * m.c)] = m
    if not mods:
        return lin
    for a, k in lin.terms.items():
        m = mods.get((a.inner.key, a.c)) if a.kind == "div" else None
        if m is not None and k == lin.terms[m] * m.c:
            rest = Lin({b: v for b, v in lin.terms.items() if b is not a and b is not m}, lin.const)
            return rest + m.inner * lin.terms[m]
    return lin


def within(lin: Lin, name: str, lo: int, hi: int) -> Lin:
    """lin where loop variable `name` is known to lie in [lo, hi] (inside a validity condition, such as
    the interior of a padded view): its divisions and modulos simplify as far as that range allows."""
    out = Lin.num(lin.const)
    for atom, c in lin.terms.items():
        if atom.kind == "var":
            part = Lin({Atom("var", max(atom.lo, lo), min(atom.hi, hi), name=name) if atom.name == name else atom: 1})
        else:
            inner = within(atom.inner, name, lo, hi)
            part = inner.floordiv(atom.c) if atom.kind == "div" else inner.mod(atom.c)
        out = out + part * c
    return out


def unravel(flat: Lin, shape: tuple[int, ...]) -> list[Lin]:
    """Row-major coordinates of a flat index."""
    if 0 in shape:  # nothing to address: the loops reading it never run
        return [Lin.num(0) for _ in shape]
    out, acc = [], 1
    for s in reversed(shape):
        out.append(flat.floordiv(acc).mod(s) if s != 1 else Lin.num(0))
        acc *= s
    # the leading coordinate needs no modulo when the flat index is in range
    if shape and shape[0] != 1:
        out[-1] = flat.floordiv(acc // shape[0])
    return list(reversed(out))


def ravel(idx: list[Lin], shape: tuple[int, ...]) -> Lin:
    flat, acc = Lin.num(0), 1
    for e, s in zip(reversed(idx), reversed(shape)):
        if s != 1:
            flat = flat + e * acc
        acc *= s
    return flat
