"""The sets a distribution's parameters and samples live in (torch.distributions.constraints): each
checks a tensor elementwise (over its event dims for the multivariate ones) and prints as torch's does."""
from __future__ import annotations

from ..tensor import Tensor

__all__ = ["Constraint", "boolean", "dependent_property", "greater_than", "independent", "integer_interval",
           "interval", "less_than", "lower_cholesky", "positive", "positive_definite", "real", "simplex",
           "unit_interval"]


class Constraint:
    """A region of values; check(value) is a bool tensor of value's batch shape."""
    is_discrete = False
    event_dim = 0

    def check(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}()"


class _Real(Constraint):
    def check(self, value: Tensor) -> Tensor:
        return value == value  # (NaN is not a real number)


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value: Tensor) -> Tensor:
        return self.lower_bound < value

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value: Tensor) -> Tensor:
        return value < self.upper_bound

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Tensor) -> Tensor:
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerInterval(_Interval):
    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        return (value % 1 == 0) & (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _PositiveDefinite(Constraint):
    """Symmetric matrices (last two dims) with a Cholesky factor."""
    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        import lazygrad as lg
        symmetric = ((value - value.mT).abs() <= 1e-6 * (1 + value.abs())).flatten(-2).all(-1)
        return symmetric & (lg.linalg.cholesky_ex(value).info == 0)


class _LowerCholesky(Constraint):
    """Lower-triangular matrices with a positive diagonal."""
    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        lower = (value.tril() == value).flatten(-2).all(-1)
        return lower & (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)


class _IndependentConstraint(Constraint):
    """A base constraint holding over the last `reinterpreted_batch_ndims` dims together."""

    def __init__(self, base: Constraint, reinterpreted_batch_ndims: int):
        self.base_constraint, self.reinterpreted_batch_ndims = base, reinterpreted_batch_ndims
        self.event_dim = base.event_dim + reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete

    def check(self, value: Tensor) -> Tensor:
        result = self.base_constraint.check(value)
        return result.reshape(*result.shape[:result.ndim - self.reinterpreted_batch_ndims], -1).all(-1)

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _DependentProperty(property, Constraint):
    """A constraint that depends on the distribution's parameters (a uniform's bounds): a property of it."""

    def __init__(self, fn=None, *, is_discrete: bool = False, event_dim: int = 0):
        super().__init__(fn)
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def __repr__(self) -> str:
        return "DependentProperty()"


def dependent_property(fn=None, *, is_discrete: bool = False, event_dim: int = 0):
    if fn is None:
        return lambda f: _DependentProperty(f, is_discrete=is_discrete, event_dim=event_dim)
    return _DependentProperty(fn, is_discrete=is_discrete, event_dim=event_dim)


real, boolean, simplex = _Real(), _Boolean(), _Simplex()
positive_definite, lower_cholesky = _PositiveDefinite(), _LowerCholesky()
positive = _GreaterThan(0.0)
unit_interval = _Interval(0.0, 1.0)
greater_than, less_than, interval = _GreaterThan, _LessThan, _Interval
integer_interval, independent = _IntegerInterval, _IndependentConstraint


def is_dependent(constraint) -> bool:
    return isinstance(constraint, _DependentProperty)

