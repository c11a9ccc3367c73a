"""torch.distributions, in part: the Distribution base with torch's validation, constraints, Normal,
Uniform, Bernoulli, Categorical, MultivariateNormal, Independent, and kl_divergence with its registry.
(torch has some sixty more.)"""
from . import constraints
from .discrete import Bernoulli, Categorical
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .multivariate import Independent, MultivariateNormal
from .normal import Normal, Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Independent", "MultivariateNormal", "Normal", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
