"""Distributions over matrices: Wishart (covariance matrices, drawn by Bartlett's decomposition) and
LKJCholesky (Cholesky factors of correlation matrices, drawn by the onion method)."""
from __future__ import annotations

import math
import warnings
from numbers import Number

import lazygrad as lg

from ..tensor import Size, Tensor
from . import constraints
from .distribution import Distribution, broadcast_all, lazy_property
from .exp_family import ExponentialFamily
from .gamma import Beta, Chi2

LOG_2 = math.log(2)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The multivariate digamma: sum over i < p of digamma(x - i / 2)."""
    if not bool(x.gt((p - 1) / 2).all()):
        raise AssertionError("Wrong domain for multivariate digamma function.")
    return lg.digamma(x.unsqueeze(-1) - lg.arange(p, dtype=x.dtype, device=x.device).div(2)).sum(-1)


class Wishart(ExponentialFamily):
    """Sums of df outer products of N(0, covariance_matrix) vectors; one of covariance_matrix,
    precision_matrix or scale_tril gives the scale."""
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self) -> dict:
        return {"covariance_matrix": constraints.positive_definite, "precision_matrix": constraints.positive_definite,
                "scale_tril": constraints.lower_cholesky, "df": constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix: Tensor | None = None, precision_matrix: Tensor | None = None,
                 scale_tril: Tensor | None = None, validate_args: bool | None = None):
        given = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix, "scale_tril": scale_tril}
        named = [(k, v) for k, v in given.items() if v is not None]
        if len(named) != 1:
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        (name, matrix), = named
        if matrix.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading batch dimensions")
        if isinstance(df, Number):
            batch_shape = Size(matrix.shape[:-2])
            self.df = lg.tensor(df, dtype=matrix.dtype, device=matrix.device)
        else:
            batch_shape = lg.broadcast_shapes(matrix.shape[:-2], df.shape)
            self.df = df.expand(batch_shape)
        event_shape = matrix.shape[-2:]
        p = event_shape[-1]
        if bool(self.df.le(p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        self.__dict__[name] = matrix.expand(batch_shape + (-1, -1))
        if bool(self.df.lt(p).any()):
            warnings.warn("Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df "
                          "< ndim.", stacklevel=2)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = lg.linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = lg.linalg.cholesky(lg.linalg.inv(matrix))
        self._dist_chi2 = self._chi2(batch_shape)

    def _chi2(self, batch_shape: Size) -> Chi2:
        """The squared diagonal of Bartlett's factor: chi-square of df, df - 1, ..., df - p + 1."""
        offsets = lg.arange(self._event_shape[-1], dtype=self._unbroadcasted_scale_tril.dtype,
                            device=self._unbroadcasted_scale_tril.device)
        return Chi2(self.df.unsqueeze(-1) - offsets.expand(batch_shape + (-1,)))

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        matrices = batch_shape + self._event_shape
        params = {name: self.__dict__[name].expand(matrices)
                  for name in ("covariance_matrix", "scale_tril", "precision_matrix") if name in self.__dict__}
        new = self._expanded(batch_shape, df=self.df.expand(batch_shape),
                             _unbroadcasted_scale_tril=self._unbroadcasted_scale_tril.expand(matrices),
                             _batch_dims=[-(x + 1) for x in range(len(batch_shape))], **params)
        new._dist_chi2 = new._chi2(batch_shape)
        return new

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        tril = self._unbroadcasted_scale_tril
        return (tril @ tril.mT).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        tril = self._unbroadcasted_scale_tril
        identity = lg.eye(self._event_shape[-1], dtype=tril.dtype, device=tril.device)
        return lg.cholesky_solve(identity, tril).expand(self._batch_shape + self._event_shape)

    def _df_matrices(self, values: Tensor) -> Tensor:
        return values.view(self._batch_shape + (1, 1))

    @property
    def mean(self) -> Tensor:
        return self._df_matrices(self.df) * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        return self._df_matrices(factor.masked_fill(factor <= 0, math.nan)) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        V = self.covariance_matrix
        diagonal = V.diagonal(dim1=-2, dim2=-1)
        return self._df_matrices(self.df) * (V.pow(2) + diagonal.unsqueeze(-1) * diagonal.unsqueeze(-2))

    def _bartlett_sampling(self, sample_shape=Size()) -> Tensor:
        """L A A^T L^T, A lower-triangular with chi draws on its diagonal and standard normals below."""
        p = self._event_shape[-1]
        chi = self._dist_chi2.rsample(sample_shape).sqrt()
        diagonal = chi.clamp(min=lg.finfo(chi.dtype).eps).diag_embed(dim1=-2, dim2=-1)
        below = lg.randn(Size(sample_shape) + self._batch_shape + (p, p), dtype=chi.dtype, device=chi.device)
        chol = self._unbroadcasted_scale_tril @ (diagonal + below.tril(-1))
        return chol @ chol.mT

    def rsample(self, sample_shape=Size(), max_try_correction=None) -> Tensor:
        """Bartlett draws; draws that come out singular (df close to p - 1) are drawn again, up to
        max_try_correction times (10 by default), with a warning."""
        tries = 10 if max_try_correction is None else max_try_correction
        sample_shape = Size(sample_shape)
        sample = self._bartlett_sampling(sample_shape)
        singular = self._singular(sample)
        if bool(singular.any()):
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(tries):
                redrawn = self._bartlett_sampling(sample_shape)
                sample = lg.where(singular.view(singular.shape + (1,) * (sample.dim() - singular.dim())), redrawn, sample)
                singular = self._singular(sample)
                if not bool(singular.any()):
                    break
        return sample

    def _singular(self, sample: Tensor) -> Tensor:
        """Per draw (over the batch too): whether any matrix of it is not positive-definite."""
        singular = ~self.support.check(sample)
        return singular.amax(self._batch_dims) if self._batch_shape else singular

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        trace = lg.cholesky_solve(value, self._unbroadcasted_scale_tril).diagonal(dim1=-2, dim2=-1).sum(-1)
        return (-nu * (p * LOG_2 / 2 + half_log_det) - lg.mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * lg.linalg.slogdet(value).logabsdet - trace / 2)

    def entropy(self) -> Tensor:
        nu, p = self.df, self._event_shape[-1]
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return ((p + 1) * (p * LOG_2 / 2 + half_log_det) + lg.mvlgamma(nu / 2, p=p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p) + nu * p / 2)

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return -self.precision_matrix / 2, (self.df - self._event_shape[-1] - 1) / 2

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        p = self._event_shape[-1]
        return ((y + (p + 1) / 2) * (-lg.linalg.slogdet(-2 * x).logabsdet + LOG_2 * p)
                + lg.mvlgamma(y + (p + 1) / 2, p=p))


class LKJCholesky(Distribution):
    """Cholesky factors L of dim x dim correlation matrices with density proportional to
    det(L L^T)^(concentration - 1) (Lewandowski, Kurowicka and Joe)."""
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration=1.0, validate_args: bool | None = None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        self._beta = self._row_lengths(dim, self.concentration)
        super().__init__(self.concentration.size(), Size((dim, dim)), validate_args)

    @staticmethod
    def _row_lengths(dim: int, eta: Tensor) -> Beta:
        """The squared length y_k of row k's part below the diagonal: Beta(k / 2, eta + (dim - 1 - k) / 2) (the
        onion method's step k; row 0 has none). torch draws Beta(k - 1/2, ...), whose correlations past the
        first column are too spread out (their variance is not the 1 / (2 eta + dim - 1) every LKJ
        correlation has)."""
        offset = lg.cat([lg.zeros(1, dtype=eta.dtype, device=eta.device),
                         lg.arange(dim - 1, dtype=eta.dtype, device=eta.device)])
        marginal = eta + 0.5 * (dim - 2)
        return Beta(0.5 * offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset)

    def expand(self, batch_shape, _instance=None):
        batch_shape = Size(batch_shape)
        return self._expanded(batch_shape, dim=self.dim, concentration=self.concentration.expand(batch_shape),
                              _beta=self._beta.expand(batch_shape + (self.dim,)))

    def sample(self, sample_shape=Size()) -> Tensor:
        """The onion method: row i is sqrt(y_i) times a uniform direction over its first i entries, y_i a
        Beta draw, and the diagonal completes each row to unit length."""
        y = self._beta.sample(sample_shape).unsqueeze(-1)
        normal = lg.randn(self._extended_shape(sample_shape), dtype=y.dtype, device=y.device).tril(-1)
        tiny = lg.finfo(y.dtype).tiny
        direction = normal / normal.norm(dim=-1, keepdim=True).clamp(min=tiny)  # (the first row stays 0)
        w = y.sqrt() * direction
        diagonal = (1 - w.pow(2).sum(-1)).clamp(min=tiny).sqrt()
        return w + lg.diag_embed(diagonal)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diagonal = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = lg.arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diagonal.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = 0.5 * dm1 * math.log(math.pi) + lg.mvlgamma(alpha - 0.5, dm1) - lg.lgamma(alpha) * dm1
        return unnormalized - normalizer
