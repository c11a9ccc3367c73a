"""torch's deprecated functions, which still work and warn as torch's do (chain_matmul, frobenius_norm,
nuclear_norm, set_default_tensor_type, Tensor.resize and resize_as), and the ones torch removed, which
raise torch's messages pointing at their replacements (matrix_rank, solve, lstsq, eig, symeig: torch.linalg;
Tensor.reinforce: torch.distributions)."""
from __future__ import annotations

import math
import warnings

from . import linalg
from .autograd.composite import recorded_as
from .autograd.custom import Function
from .dtypes import set_default_dtype
from .legacy_types import dtype_of_type
from .settings import warn_once
from .tensor import Tensor
from .tensor_parameters import tensor_list
from .amp.autocast_mode import autocast_op
from .int_parameters import dim_list


REINFORCE_REMOVED = """reinforce() was removed.
Use torch.distributions instead.
See https://pytorch.org/docs/main/distributions.html

Instead of:

probs = policy_network(state)
action = probs.multinomial()
next_state, reward = env.step(action)
action.reinforce(reward)
action.backward()

Use:

probs = policy_network(state)
# NOTE: categorical is equivalent to what used to be called multinomial
m = torch.distributions.Categorical(probs)
action = m.sample()
next_state, reward = env.step(action)
loss = -m.log_prob(action) * reward
loss.backward()
"""


def reinforce(self: Tensor, reward) -> None:
    """Removed from torch long ago: its message shows the distributions way (in torch's words, as users search
    for them)."""
    raise RuntimeError(REINFORCE_REMOVED)


@autocast_op("chain_matmul")
def chain_matmul(*matrices: Tensor, out: Tensor | None = None) -> Tensor:
    """The product of the matrices (a copy of a lone one), in linalg.multi_dot's order."""
    warn_once("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
              "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
              "parameters.")
    matrices = tensor_list("chain_matmul", matrices)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    product = matrices[0].clone() if len(matrices) == 1 else linalg.multi_dot(matrices).view(-1, matrices[-1].shape[1])
    return product if out is None else out.copy_(product)


@recorded_as("NormBackward1")
def _frobenius(input: Tensor, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    return linalg.vector_norm(input, 2, dims, keepdim)


def frobenius_norm(input: Tensor, dim, keepdim: bool = False, *, out: Tensor | None = None) -> Tensor:
    """The 2-norm over dim (one or two dims), recorded as torch.norm's node."""
    warn_once("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
              "future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead")
    dims = dim_list(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead.")
    result = _frobenius(input, dims, keepdim)
    return result if out is None else out.copy_(result)


def nuclear_norm(input: Tensor, dim=None, keepdim: bool = False, *, out: Tensor | None = None) -> Tensor:
    """The sum of the singular values over dim (two dims; the last two by default). torch's overloads take
    keepdim second when no dim is given: nuclear_norm(A, True)."""
    warn_once("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
              "future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead")
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    result = linalg.matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)
    return result if out is None else out.copy_(result)


def set_default_tensor_type(t, /) -> None:
    """The default floating dtype from a legacy type (DoubleTensor) or its name ('torch.DoubleTensor')."""
    warn_once("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use torch.set_default_dtype() "
              "and torch.set_default_device() as alternatives.")
    set_default_dtype(dtype_of_type(t))


class Resize(Function):
    """torch's autograd Resize: input's elements (a copy) in another shape of as many elements."""

    @staticmethod
    def forward(ctx, input: Tensor, sizes: tuple[int, ...]) -> Tensor:
        if math.prod(sizes) != input.numel():
            raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({math.prod(sizes)} elements in "
                               f"total), but the given tensor has a size of {'x'.join(map(str, input.shape))} "
                               f"({input.numel()} elements). autograd's resize can only change the shape of a given "
                               "tensor, while preserving the number of elements. ")
        ctx.input_sizes = input.shape
        return input.contiguous().clone().view(*sizes)

    @staticmethod
    def backward(ctx, grad_output: Tensor):
        return grad_output.contiguous().view(ctx.input_sizes), None


def resize(self: Tensor, *sizes) -> Tensor:
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    return Resize.apply(self, sizes)


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return Resize.apply(self, tuple(tensor.shape))


# ---- removed in torch 2 ------------------------------------------------------------------------------

_REMOVED = "This function was deprecated since version 1.9 and is now removed."


def matrix_rank(input: Tensor, tol=None, symmetric: bool = False, *, out=None) -> Tensor:
    raise RuntimeError(f"{_REMOVED}\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter "
                       "'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.")


def solve(input: Tensor, A: Tensor, *, out=None):
    raise RuntimeError(f"{_REMOVED} `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
                       "has its arguments reversed and does not return the LU factorization.\n\nTo get the LU "
                       "factorization see `torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`.\n"
                       "X = torch.solve(B, A).solution should be replaced with:\nX = torch.linalg.solve(A, B)")


def lstsq(input: Tensor, A: Tensor, *, out=None):
    raise RuntimeError(f"{_REMOVED} `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
                       "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the "
                       "returned tuple (although it returns other information about the problem).\n\nTo get the QR "
                       "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` "
                       "stored the residuals of the solution in the last m - n columns of the returned value whenever "
                       "m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named "
                       "tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\n"
                       "should be replaced with:\nX = torch.linalg.lstsq(A, B).solution")


def eig(self: Tensor, eigenvectors: bool = False, *, e=None, v=None):
    raise RuntimeError(f"{_REMOVED} `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
                       "than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\n"
                       "L_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) should "
                       "be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)")


def symeig(input: Tensor, eigenvectors: bool = False, upper: bool = True, *, out=None):
    raise RuntimeError(f"{_REMOVED} The default behavior has changed from using the upper triangular portion of the "
                       "matrix by default to using the lower triangular portion.\n\nL, _ = torch.symeig(A, "
                       "upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper else "
                       "'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = "
                       "torch.linalg.eigh(A, UPLO='U' if upper else 'L')")
