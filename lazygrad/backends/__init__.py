"""lazygrad.backends (torch.backends): the switches and queries training scripts use about the libraries
torch builds against. lazygrad renders its own kernels (C with OpenMP on the CPU, CUDA through cupy), so
it reads as a torch built without cuDNN, MKL, oneDNN and MPS; the switches are kept and read back as set,
and each module's docstring says which of them change nothing in lazygrad."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
