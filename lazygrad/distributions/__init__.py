"""torch.distributions: the Distribution base with torch's argument and sample validation, constraints and
their bijections (biject_to, transform_to), transforms and TransformedDistribution, torch's distributions,
and kl_divergence with its registry."""
import sys

from . import (counts, discrete, gamma, location_scale, mixture, multivariate, normal, one_hot, random_matrices, relaxed,
               transformed_distribution)
from .constraint_registry import biject_to, transform_to
from .continuous_bernoulli import ContinuousBernoulli
from .counts import Binomial, Geometric, Multinomial, NegativeBinomial, Poisson
from .discrete import Bernoulli, Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Beta, Chi2, Dirichlet, Exponential, FisherSnedecor, Gamma, StudentT
from .kl import kl_divergence, register_kl
from .location_scale import Cauchy, GeneralizedPareto, Laplace
from .mixture import MixtureSameFamily
from .multivariate import Independent, LowRankMultivariateNormal, MultivariateNormal
from .normal import Normal, Uniform
from .one_hot import OneHotCategorical, OneHotCategoricalStraightThrough
from .random_matrices import LKJCholesky, Wishart
from .relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from .transformed_distribution import (Gumbel, HalfCauchy, HalfNormal, InverseGamma, Kumaraswamy, LogisticNormal,
                                       LogNormal, Pareto, TransformedDistribution, Weibull)
from .transforms import (AbsTransform, AffineTransform, CatTransform, ComposeTransform, CorrCholeskyTransform,
                         CumulativeDistributionTransform, ExpTransform, IndependentTransform, LowerCholeskyTransform,
                         PositiveDefiniteTransform, PowerTransform, ReshapeTransform, SigmoidTransform,
                         SoftmaxTransform, SoftplusTransform, StackTransform, StickBreakingTransform, TanhTransform,
                         Transform, identity_transform)
from .von_mises import VonMises

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "ContinuousBernoulli", "Dirichlet",
           "Distribution", "Exponential", "ExponentialFamily", "FisherSnedecor", "Gamma", "GeneralizedPareto",
           "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "InverseGamma", "Kumaraswamy",
           "LKJCholesky", "Laplace", "LogNormal", "LogisticNormal", "LowRankMultivariateNormal", "MixtureSameFamily",
           "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "RelaxedBernoulli", "RelaxedOneHotCategorical",
           "StudentT", "TransformedDistribution", "Uniform", "VonMises", "Weibull", "Wishart", "biject_to",
           "kl_divergence", "register_kl", "transform_to",
           "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform",
           "SoftplusTransform", "TanhTransform", "SoftmaxTransform", "StackTransform", "StickBreakingTransform",
           "Transform", "identity_transform"]  # (torch lists its transforms after the rest)

# torch's module of each distribution, for `from torch.distributions.<module> import ...`: the module
# holding it here (several share one, by family)
_TORCH_MODULES = {
    "bernoulli": discrete, "categorical": discrete, "beta": gamma, "chi2": gamma, "dirichlet": gamma,
    "exponential": gamma, "fishersnedecor": gamma, "studentT": gamma, "binomial": counts, "geometric": counts,
    "multinomial": counts, "negative_binomial": counts, "poisson": counts, "cauchy": location_scale,
    "laplace": location_scale, "generalized_pareto": location_scale, "uniform": normal, "independent": multivariate,
    "multivariate_normal": multivariate, "lowrank_multivariate_normal": multivariate,
    "mixture_same_family": mixture, "one_hot_categorical": one_hot, "lkj_cholesky": random_matrices,
    "wishart": random_matrices, "relaxed_bernoulli": relaxed, "relaxed_categorical": relaxed,
    **dict.fromkeys(("gumbel", "half_cauchy", "half_normal", "inverse_gamma", "kumaraswamy", "log_normal",
                     "logistic_normal", "pareto", "weibull"), transformed_distribution),
}
for _name, _module in _TORCH_MODULES.items():
    sys.modules[f"{__name__}.{_name}"] = _module
    globals()[_name] = _module
