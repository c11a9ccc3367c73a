"""Where sparse tensors meet the API: the methods of SparseTensor, and the top-level functions and dense
Tensor methods that take a sparse operand (torch.add(dense, sparse), dense.add_(sparse), torch.mm(sparse,
dense)...). A function is wrapped once, here, from a table; dense calls pay one type check.

Operators need no wrapping: SparseTensor is a subclass of Tensor, so Python tries its reflected method
first (dense + sparse runs SparseTensor.__radd__)."""
from __future__ import annotations

import functools

from ..dtypes import torch_name
from ..tensor import Tensor
from ..tensor_parameters import tensor_list
from . import arithmetic, construction, csc_tensor, csr_construction, products, shapes
from .coo_tensor import SparseTensor
from .csc_tensor import SparseCSCTensor
from .csr_tensor import SparseCSRTensor


def _sub(a, b, alpha=1):
    return arithmetic.add(a, b, alpha=-alpha)


def _rsub(a, b, alpha=1):  # b - alpha * a
    return arithmetic.add(b, a, alpha=-alpha)


def _true_divide(a, b, rounding_mode=None):
    return arithmetic.div(a, b, rounding_mode)


def _norm(t: SparseTensor, p="fro", dim=None, keepdim: bool = False, dtype=None):
    if dim is not None:
        raise NotImplementedError("norm of a sparse tensor over some dims is not supported by lazygrad")
    v = construction.coalesce(t)._sparse_values
    return v.norm(2 if p == "fro" else p, dtype=dtype)


def _in_place(fn):
    """An in-place method of a sparse tensor: the result's indices and values become its own."""
    def method(self: SparseTensor, *args, **kwargs):
        out = fn(self, *args, **kwargs)
        if out.dtype is not self.dtype:
            raise RuntimeError(f"result type {torch_name(out.dtype)} can't be cast to the desired output type "
                               f"{torch_name(self.dtype)}")
        self._sparse_indices, self._sparse_values, self._coalesced = (out._sparse_indices, out._sparse_values,
                                                                       out._coalesced)
        return self
    return method


def _caster(dtype_name: str):
    def cast(self: SparseTensor, memory_format=None):
        from .. import dtypes
        return construction.cast(self, getattr(dtypes, dtype_name))
    return cast


def _type(self: SparseTensor, dtype=None):
    """x.type(): torch's string for a sparse tensor ('torch.sparse.FloatTensor'); x.type(dtype) casts."""
    from ..legacy_types import dtype_of_type
    if dtype is None:
        return f"torch.sparse.{torch_name(self.dtype)}Tensor"
    return construction.cast(self, dtype_of_type(dtype))


def _unary(name: str):
    """The zero-preserving op `name` of a sparse tensor (a method, and a function of it)."""
    def op(t: SparseTensor, *args, **kwargs):
        return arithmetic.on_values(t, name, *args, **kwargs)
    op.__name__ = name
    return op


def _no_nbytes(self):
    raise RuntimeError("nbytes is not defined for sparse tensors.  If you want the size of the constituent tensors, "
                       "add the nbytes of the indices and values.  If you want the size of the  equivalent dense "
                       "tensor, multiply numel() by element_size()")


def _rejected(op: str):
    def refuse(*args, **kwargs):
        raise NotImplementedError(f"Could not run 'aten::{op}' with arguments from the 'SparseCPU' backend.")
    return refuse


METHODS = {
    "coalesce": construction.coalesce, "to_dense": construction.to_dense, "clone": construction.clone,
    "to_sparse": construction.to_sparse, "to_sparse_coo": lambda self: self, "zero_": construction.zero_,
    "new_zeros": construction.new_zeros, "T": property(shapes.t_),
    "mT": property(lambda self: shapes.transpose(self, -2, -1)), "nbytes": property(_no_nbytes),
    "__reduce_ex__": construction.reduce_sparse, "__deepcopy__": construction.deepcopy_sparse,
    "to": construction.cast, "type": _type, "cpu": lambda self: construction.cast(self, "cpu"),
    "cuda": lambda self, device=None, non_blocking=False: construction.cast(
        self, device if device is not None else "cuda"),
    "double": _caster("float64"), "float": _caster("float32"), "half": _caster("float16"),
    "bfloat16": _caster("bfloat16"), "long": _caster("int64"), "int": _caster("int32"), "bool": _caster("bool_"),
    "add": arithmetic.add, "__add__": arithmetic.add, "__radd__": lambda a, b: arithmetic.add(b, a),
    "sub": _sub, "subtract": _sub, "__sub__": _sub, "__rsub__": _rsub,
    "mul": arithmetic.mul, "multiply": arithmetic.mul, "__mul__": arithmetic.mul,
    "__rmul__": arithmetic.mul,
    "div": arithmetic.div, "divide": arithmetic.div, "true_divide": _true_divide, "__truediv__": _true_divide,
    "__rtruediv__": _rejected("reciprocal"), "__neg__": lambda t: arithmetic.on_values(t, "neg"),
    "pow": arithmetic.pow_, "__pow__": arithmetic.pow_, "square": lambda t: arithmetic.pow_(t, 2),
    "sum": arithmetic.sum_, "norm": _norm,
    "mm": products.mm, "matmul": products.matmul, "__matmul__": products.matmul, "smm": products.smm,
    "hspmm": products.hspmm, "sspaddmm": products.sspaddmm,
    "__rmatmul__": lambda a, b: products.matmul(b, a), "mv": products.matmul,
    "t": shapes.t_, "transpose": shapes.transpose, "permute": shapes.permute, "unsqueeze": shapes.unsqueeze,
    "index_select": shapes.index_select, "select": shapes.select, "__getitem__": shapes.getitem,
    "add_": _in_place(arithmetic.add), "sub_": _in_place(_sub), "mul_": _in_place(arithmetic.mul),
    "div_": _in_place(_true_divide), "neg_": _in_place(lambda t: arithmetic.on_values(t, "neg")),
}
METHODS.update({name: _unary(name) for name in arithmetic.ZERO_PRESERVING if name != "square"})

# top-level functions taking a sparse operand among their first ones: name -> the sparse implementation
FUNCTIONS = {
    "add": arithmetic.add, "sub": _sub, "subtract": _sub, "mul": arithmetic.mul, "multiply": arithmetic.mul,
    "div": arithmetic.div, "divide": arithmetic.div, "true_divide": _true_divide, "pow": arithmetic.pow_,
    "sum": arithmetic.sum_, "norm": _norm, "mm": products.mm, "matmul": products.matmul, "mv": products.matmul,
    "addmm": products.addmm, "t": shapes.t_, "transpose": shapes.transpose, "permute": shapes.permute,
    "unsqueeze": shapes.unsqueeze, "index_select": shapes.index_select, "select": shapes.select,
    "clone": construction.clone, "square": lambda t: arithmetic.pow_(t, 2), "zeros_like": construction.zeros_like,
    **{name: _unary(name) for name in arithmetic.ZERO_PRESERVING if name != "square"},
}


def _add_in_place(self: Tensor, other, *, alpha=1):
    """dense.add_(sparse): the sparse operand's entries added into the dense tensor."""
    return self.add_(construction.to_dense(other), alpha=alpha)


# dense Tensor methods given a sparse operand
DENSE_METHODS = {"add": arithmetic.add, "sub": _sub, "mul": arithmetic.mul, "mm": products.mm,
                 "matmul": products.matmul, "addmm": products.addmm, "add_": _add_in_place,
                 "sub_": lambda self, other, *, alpha=1: _add_in_place(self, other, alpha=-alpha)}


def _either_joined(dense_fn, sparse_fn):
    """cat or stack: the sparse form when the first tensor listed is sparse."""
    @functools.wraps(dense_fn)
    def fn(tensors, *args, **kwargs):
        tensors = tensor_list(dense_fn.__name__, tensors)
        if tensors and type(tensors[0]) is SparseTensor:
            return sparse_fn(tensors, *args, **kwargs)
        return dense_fn(tensors, *args, **kwargs)
    return fn


JOINS = {"cat": shapes.cat, "concat": shapes.cat, "concatenate": shapes.cat, "stack": shapes.stack}


def _compressed_to_sparse(t, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    from ..layouts import sparse_csc, sparse_csr
    if layout is sparse_csr:
        return csr_construction.to_sparse_csr(t)
    if layout is sparse_csc:
        return csc_tensor.to_sparse_csc(t)
    return t._coo()


# what a compressed (CSR, CSC) operand takes: the COO implementations, run on its COO twin
CSR_NAMES = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow", "square", "mm",
             "matmul", "mv", "addmm", "clone", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
             "__truediv__", "__rtruediv__", "__neg__", "__pow__", "__matmul__", "__rmatmul__", "to", "cpu", "cuda",
             "double", "float", "half", "bfloat16", "long", "int", "bool", "to_dense", "norm",
             *arithmetic.ZERO_PRESERVING)
COMPRESSED_METHODS = {name: csr_construction.via_coo(METHODS[name]) for name in CSR_NAMES if name in METHODS}
COMPRESSED_METHODS.update({"sum": csr_construction.compressed_sum, "to_sparse": _compressed_to_sparse,
                           "to_sparse_csr": csr_construction.to_sparse_csr, "to_sparse_csc": csc_tensor.to_sparse_csc,
                           "to_sparse_coo": lambda t: t._coo()})
CSR_METHODS = {**COMPRESSED_METHODS, "__reduce_ex__": csr_construction.reduce_csr,
               "__deepcopy__": csr_construction.deepcopy_csr, "t": csc_tensor.csr_transposed}
CSC_METHODS = {**COMPRESSED_METHODS, "__reduce_ex__": csc_tensor.reduce_csc, "__deepcopy__": csc_tensor.deepcopy_csc}
CSR_FUNCTIONS = {name: csr_construction.via_coo(FUNCTIONS[name]) for name in CSR_NAMES if name in FUNCTIONS}
CSR_FUNCTIONS.update(sum=csr_construction.compressed_sum, zeros_like=csr_construction.zeros_like)


def _either(dense_fn, coo_fn, csr_fn):
    """dense_fn, or the sparse form of the first sparse operand among the first three arguments."""
    @functools.wraps(dense_fn)
    def fn(*args, **kwargs):
        for a in args[:3]:
            kind = type(a)
            if kind is SparseTensor and coo_fn is not None:
                return coo_fn(*args, **kwargs)
            if (kind is SparseCSRTensor or kind is SparseCSCTensor) and csr_fn is not None:
                return csr_fn(*args, **kwargs)
        return dense_fn(*args, **kwargs)
    return fn


# top-level functions that exist for sparse operands only
SPARSE_ONLY = {"smm": products.smm, "hspmm": products.hspmm, "hsmm": products.hspmm, "dsmm": products.mm,
               "spmm": products.spmm, "sspaddmm": products.sspaddmm, "saddmm": products.sspaddmm}


# the methods of one sparse layout, and the layout each needs (others raise torch's error naming theirs)
LAYOUT_METHODS = {"indices": "sparse coordinate", "values": "sparse", "coalesce": "sparse coordinate",
                  "is_coalesced": "sparse coordinate", "crow_indices": "sparse row compressed",
                  "col_indices": "sparse row compressed", "ccol_indices": "sparse column compressed",
                  "row_indices": "sparse column compressed"}
_LAYOUT_NAMES = {"strided": "Strided", "sparse_coo": "Sparse", "sparse_csr": "SparseCsr", "sparse_csc": "SparseCsc"}


def _wrong_layout(name: str, needed: str):
    def method(self, *args, **kwargs):
        raise RuntimeError(f"{name} expected {needed} tensor layout but got "
                           f"{_LAYOUT_NAMES[str(self.layout).rpartition('.')[2]]}")
    method.__name__ = method.__qualname__ = name
    return method


def install(namespace: dict) -> None:
    """Give the sparse tensors their methods, and the top-level functions and dense methods their sparse
    cases."""
    namespace.update(SPARSE_ONLY)
    for name, fn in METHODS.items():
        setattr(SparseTensor, name, fn)
    for name, fn in CSR_METHODS.items():
        setattr(SparseCSRTensor, name, fn)
    for name, fn in CSC_METHODS.items():
        if name not in vars(SparseCSCTensor):
            setattr(SparseCSCTensor, name, fn)
    for name in FUNCTIONS.keys() | CSR_FUNCTIONS.keys():
        if name in namespace:
            namespace[name] = _either(namespace[name], FUNCTIONS.get(name), CSR_FUNCTIONS.get(name))
    for name, fn in JOINS.items():
        namespace[name] = _either_joined(namespace[name], fn)
    for name, fn in DENSE_METHODS.items():
        setattr(Tensor, name, _either(getattr(Tensor, name), fn, csr_construction.via_coo(fn)))
    for name, needed in LAYOUT_METHODS.items():  # (the sparse classes' own methods come first)
        for cls in (Tensor, SparseTensor, SparseCSRTensor, SparseCSCTensor):
            if name not in vars(cls):
                setattr(cls, name, _wrong_layout(name, needed))
    Tensor.sparse_dim = lambda self: 0
    Tensor.dense_dim = lambda self: self.ndim
    Tensor.sparse_mask = construction.sparse_mask
    Tensor.to_sparse = Tensor.to_sparse_coo = construction.to_sparse
    Tensor.to_sparse_csr = SparseTensor.to_sparse_csr = csr_construction.to_sparse_csr
    Tensor.to_sparse_csc = SparseTensor.to_sparse_csc = csc_tensor.to_sparse_csc
    namespace["sparse_csc_tensor"] = csc_tensor.sparse_csc_tensor
