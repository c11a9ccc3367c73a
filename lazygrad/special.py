"""lazygrad.special: torch.special's names for the special functions (most are lazygrad functions under
another name; those torch has only here, ndtr, ndtri, log_ndtr, entr, i1, i0e, i1e, erfcx and
spherical_bessel_j0 and zeta, are in special_functions.py, the Bessel functions of integer order and airy_ai in
bessel_functions.py; xlog1py is in pointwise.py)."""
from __future__ import annotations

import functools

from .bessel_functions import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_i0,
                               modified_bessel_i1, modified_bessel_k0, modified_bessel_k1, scaled_modified_bessel_k0,
                               scaled_modified_bessel_k1)
from .elementwise import erf, exp2, expm1, log1p
from .elementwise import round as _round
from .elementwise import sigmoid as expit
from .pointwise import erfc, logit, sinc, xlog1py, xlogy
from .reductions import log_softmax as _log_softmax
from .reductions import logsumexp
from .reductions import softmax as _softmax
from . import special_functions
from .special_functions import (POLYNOMIAL_FUNCTIONS, digamma, entr, erfcx, erfinv, i0, i0e, i1,
                                i1e, log_ndtr, mvlgamma, ndtr, ndtri, polygamma, spherical_bessel_j0, zeta)
from .special_functions import lgamma as gammaln
from .dtypes import result_type, torch_name
from .int_parameters import int_checked
from .tensor import Tensor
from .tensor_parameters import tensor_parameters

# torch.special's functions whose CPU kernels refuse some dtypes: name -> the dtypes refused (by "<name>_cpu")
_HALVES, _COMPLEX = ("float16", "bfloat16"), ("complex64", "complex128")
REFUSED_DTYPES = {
    **dict.fromkeys((*POLYNOMIAL_FUNCTIONS, "erfcx", "log_ndtr", "ndtri", "spherical_bessel_j0", "zeta",
                     "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
                     "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"), frozenset(_HALVES + _COMPLEX)),
    **dict.fromkeys(("airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"), frozenset(_COMPLEX)),
}


def _refusing(name: str, fn):
    """fn, first refusing its tensors' promoted dtype where torch's kernel does not take it."""
    refused = REFUSED_DTYPES[name]

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        tensors = [a for a in (*args[:2], *kwargs.values()) if isinstance(a, Tensor)]
        dtype = result_type(*tensors) if tensors else None
        if dtype is not None and dtype.name in refused:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{torch_name(dtype)}'")
        return fn(*args, **kwargs)
    return checked


psi = digamma
gammainc = tensor_parameters("input", "other", name="special_gammainc")(special_functions.gammainc.__wrapped__)
gammaincc = tensor_parameters("input", "other", name="special_gammaincc")(special_functions.gammaincc.__wrapped__)
multigammaln = mvlgamma
polygamma = int_checked(polygamma, "polygamma", method=False, spelled="special_polygamma")
globals().update(POLYNOMIAL_FUNCTIONS)  # chebyshev_polynomial_t(x, n), hermite_polynomial_h(x, n), ...
globals().update({name: _refusing(name, globals()[name]) for name in REFUSED_DTYPES})

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "digamma", "entr", "erf", "erfc", "erfcx",
           "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p",
           "log_ndtr", "log_softmax", "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "sinc", "softmax", "spherical_bessel_j0",
           "xlog1py", "xlogy", "zeta", *POLYNOMIAL_FUNCTIONS]


def softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    return _log_softmax(input, dim, dtype)


def round(input: Tensor, *, decimals: int = 0, out=None) -> Tensor:  # noqa: A001  (torch's name)
    """torch.special.round always passes decimals on: torch records RoundBackward1 and refuses integer tensors."""
    return _round(input, decimals=decimals, out=out)


# lazygrad functions under torch.special's names: a non-tensor input is refused naming torch's special_ function
ALIASES = ("digamma", "psi", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "log1p", "logit",
           "multigammaln", "sinc", "round", "softmax", "log_softmax", "logsumexp")
globals().update({name: tensor_parameters("input", name=f"special_{name}")(globals()[name]) for name in ALIASES})
