"""Arguments passed by torch's parameter names (lazygrad/int_parameters.py, tensor_parameters.py): sizes and dims
by name (`x.view(size=...)`, `torch.zeros(size=...)`), the first tensor as `input=` where torch calls it so, the
split specifications by kind (`sections=`, `indices=`); and calls with too few arguments, which get torch's
TypeError: the parameters missing, or the first argument torch's parser refuses on its way to them."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg
from lazygrad.int_parameters import INT_PARAMETERS, _arities
from oracle import assert_same, torch_or_skip

X = np.arange(6.0).reshape(2, 3)
SQUARE = np.array([[2.0, 1.0], [1.0, 3.0]])


def _x(m):
    return m.tensor(X)


NAMED = {
    "zeros": lambda m: m.zeros(size=(2, 3)), "ones": lambda m: m.ones(size=[2]),
    "empty": lambda m: m.empty(size=(2, 3)).zero_(), "rand": lambda m: m.rand(size=(2, 3)).zero_(),
    "randn": lambda m: m.randn(size=(4,)).zero_(), "new_zeros": lambda m: _x(m).new_zeros(size=(3,)),
    "new_ones": lambda m: _x(m).new_ones(size=(1, 2)), "new_empty": lambda m: _x(m).new_empty(size=(2,)).zero_(),
    "view": lambda m: _x(m).view(size=(3, 2)), "view_dtype": lambda m: _x(m).view(dtype=m.int64),
    "reshape": lambda m: m.reshape(_x(m), shape=(3, 2)), "reshape_method": lambda m: _x(m).reshape(shape=(-1,)),
    "permute": lambda m: m.permute(_x(m), dims=(1, 0)), "permute_method": lambda m: _x(m).permute(dims=[1, 0]),
    "expand": lambda m: _x(m)[:1].expand(size=(4, 3)), "broadcast_to": lambda m: m.broadcast_to(_x(m), size=(2, 2, 3)),
    "repeat": lambda m: _x(m).repeat(repeats=(1, 2)), "tile": lambda m: m.tile(_x(m), dims=(2,)),
    "tile_method": lambda m: _x(m).tile(dims=(2, 1)), "flip": lambda m: m.flip(input=_x(m), dims=(1,)),
    "flip_method": lambda m: _x(m).flip(dims=(0,)), "sum_to_size": lambda m: _x(m).sum_to_size(size=(1, 3)),
    "resize_": lambda m: _x(m).clone().resize_(size=(3, 2)),
    "unsqueeze": lambda m: m.unsqueeze(input=_x(m), dim=0), "transpose": lambda m: m.transpose(input=_x(m), dim0=0, dim1=1),
    "swapaxes": lambda m: m.swapaxes(_x(m), axis0=0, axis1=1), "swapaxes_method": lambda m: _x(m).swapaxes(axis0=1, axis1=0),
    "select": lambda m: m.select(input=_x(m), dim=1, index=2), "flatten": lambda m: m.flatten(input=_x(m)),
    "split": lambda m: m.split(tensor=_x(m), split_size_or_sections=2, dim=1),
    "split_method": lambda m: _x(m).split(split_size=1),
    "tensor_split_sections": lambda m: m.tensor_split(_x(m), sections=2, dim=1),
    "tensor_split_indices": lambda m: _x(m).tensor_split(indices=[1]),
    "hsplit": lambda m: m.hsplit(_x(m), sections=3), "vsplit": lambda m: _x(m).vsplit(indices=[1]),
    "det": lambda m: m.det(input=m.tensor(SQUARE)), "inverse": lambda m: m.inverse(input=m.tensor(SQUARE)),
    "matrix_power": lambda m: m.matrix_power(input=m.tensor(SQUARE), n=3),
    "matrix_exp": lambda m: m.matrix_exp(input=m.tensor(SQUARE)),
    "cholesky_inverse": lambda m: m.cholesky_inverse(input=m.tensor(SQUARE).tril()),
    "copy_": lambda m: _x(m).clone().copy_(other=_x(m) * 2),
    "can_cast": lambda m: m.tensor(m.can_cast(from_=m.float32, to=m.int64)),
    "promote_types": lambda m: m.ones(1, dtype=m.promote_types(type1=m.int32, type2=m.uint8)),
    "result_type": lambda m: m.ones(1, dtype=m.result_type(tensor=_x(m), other=2)),
    "concatenate_axis": lambda m: m.concatenate([_x(m), _x(m)], axis=1),
    "orgqr": lambda m: m.orgqr(input=m.tensor(SQUARE), input2=m.tensor([0.5, 0.25], dtype=m.float64)),
    "gather_sparse_grad": lambda m: m.gather(_x(m), 1, m.tensor([[2], [0]]), sparse_grad=False),
    "hspmm": lambda m: m.hspmm(mat1=m.tensor(SQUARE).to_sparse(), mat2=m.tensor(SQUARE)).to_dense(),
    "smm": lambda m: m.smm(input=m.tensor(SQUARE).to_sparse(), mat2=m.tensor(SQUARE)).to_dense(),
    "randint_like": lambda m: m.randint_like(_x(m), 3, 4, generator=m.Generator(), memory_format=m.preserve_format),
    "rand_like_generator": lambda m: m.rand_like(_x(m), generator=m.Generator()).zero_(),
    "randn_like_generator": lambda m: m.randn_like(_x(m), generator=m.Generator()).zero_(),
    "transpose_": lambda m: _x(m).clone().transpose_(dim0=0, dim1=1), "squeeze_": lambda m: _x(m)[:1].squeeze_(dim=0),
    "unsqueeze_": lambda m: _x(m).clone().unsqueeze_(dim=1),
    "swapaxes_": lambda m: _x(m).clone().swapaxes_(axis0=1, axis1=0),
    "swapdims_": lambda m: _x(m).clone().swapdims_(dim0=1, dim1=0),
    "as_strided_": lambda m: _x(m).clone().as_strided_(size=(2,), stride=(2,), storage_offset=1),
    "to_dense_dtype": lambda m: _x(m).to_dense(dtype=m.float32),
    "type_non_blocking": lambda m: _x(m).type(m.int32, True),
    "dim_order": lambda m: m.tensor(_x(m).t().dim_order(ambiguity_check=False)),
    "to_tensor": lambda m: _x(m).to(tensor=m.ones(1, dtype=m.int32)),
}


@pytest.mark.parametrize("name", NAMED)
def test_arguments_by_torchs_names(name):
    torch = torch_or_skip()
    assert_same(NAMED[name](lg), NAMED[name](torch))


REFUSED = {
    "size_twice": lambda m: m.zeros(2, size=(2,)), "shape_twice": lambda m: _x(m).reshape(3, shape=(3, 2)),
    "dims_twice": lambda m: _x(m).permute(0, dims=(1, 0)), "size_an_int": lambda m: m.ones(size=2),
    "both_split_kinds": lambda m: m.tensor_split(_x(m), 2, sections=2),
    "no_split": lambda m: m.hsplit(_x(m)), "split_by_str": lambda m: m.tensor_split(_x(m), "a"),
    "hsplit_by_tensor": lambda m: m.hsplit(_x(m), m.tensor([1])),
}


def test_to_refuses_a_keyword_it_does_not_know():
    """(it took any: x.to(dtyp=...) returned x unchanged)"""
    with pytest.raises(TypeError):
        _x(lg).to(dtyp=lg.float32)


def _same_type_error(call) -> None:
    """call(module) raises torch's TypeError (of an invalid combination, its head: the signatures listed after
    it are lazygrad's own)."""
    torch = torch_or_skip()
    with pytest.raises(TypeError) as want:
        call(torch)
    with pytest.raises(TypeError) as got:
        call(lg)
    got, want = str(got.value), str(want.value)
    if "invalid combination" in want:
        got, want = got.split(" but expected")[0], want.split(" but expected")[0]
    assert got == want


@pytest.mark.parametrize("name", REFUSED)
def test_arguments_torch_refuses(name):
    _same_type_error(REFUSED[name])


# ---- too few arguments ------------------------------------------------------------------------------------

# where torch's parser stops at a parameter whose kind lazygrad's table does not hold (a Tensor, a bool, a
# Number), or its sparse constructors, whose overloads its stubs merge
OTHER_KINDS = {("m", "as_strided_scatter"), ("m", "index_add"), ("m", "index_copy"), ("m", "index_reduce"),
               ("m", "scatter_add"), ("m", "scatter_reduce"), ("m", "select_scatter"), ("f", "poisson_nll_loss"),
               ("f", "renorm"), ("f", "sparse_coo_tensor"), ("f", "sparse_csc_tensor"), ("f", "sparse_csr_tensor")}
FEWER = [(where, name, n) for name, (flags, _) in INT_PARAMETERS.items() for where in ("f", "m")
         if (where, name) not in OTHER_KINDS and _arities(flags, where)
         for n in range(min(low for low, _ in _arities(flags, where)))]


@pytest.mark.parametrize("where, name, count", FEWER, ids=[f"{w}-{n}-{c}" for w, n, c in FEWER])
def test_too_few_arguments_are_torchs_type_error(where, name, count):
    """Tensors as the arguments given (ints to a method): torch names what is missing, or the first argument it
    refuses, or lists its signatures when several could have been meant."""
    def call(m):
        x = m.ones(2, 3)
        return getattr(m, name)(*[x] * count) if where == "f" else getattr(x, name)(*[1] * count)
    _same_type_error(call)
