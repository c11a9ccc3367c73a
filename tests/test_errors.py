"""Errors: each call raises the exception class torch raises, with torch's exact message, and raises at
the op (while building the graph), before anything is realized."""
from __future__ import annotations

import numpy as np
import pytest

import lazygrad as lg


def raised(fn, module):
    """The exception fn(module) raises (fails the test if it raises none)."""
    try:
        result = fn(module)
        if isinstance(result, lg.Tensor):
            result.realize()
    except Exception as e:  # noqa: BLE001
        return e
    pytest.fail(f"{module.__name__}: no exception raised")


def assert_raises_like_torch(fn) -> None:
    """The same class and message (a dtype or a Size named in it, lazygrad.float32 for torch.float32)."""
    torch = pytest.importorskip("torch")
    want = raised(fn, torch)
    got = raised(fn, lg)
    assert (type(got).__name__, str(got).replace("lazygrad.", "torch.")) == (type(want).__name__, str(want))


# ---- cases where lazygrad matches torch -------------------------------------------------------------

MATCHING = {
    # broadcasting
    "broadcast_add": lambda m: m.ones(2, 3) + m.ones(2, 4),
    "broadcast_mul_3d": lambda m: m.ones(2, 3, 4) * m.ones(5, 1),
    "broadcast_sub_1d": lambda m: m.ones(3) - m.ones(4),
    "broadcast_lt": lambda m: m.ones(3) < m.ones(2, 4),
    "broadcast_maximum": lambda m: m.maximum(m.ones(3, 1, 2), m.ones(4, 3)),
    "broadcast_expand_to": lambda m: m.ones(2, 3).expand(3, 3),
    "expand_fewer_dims": lambda m: m.ones(2, 3).expand(3),
    "expand_negative_new_dim": lambda m: m.ones(3).expand(-1, 3),
    # views and shapes
    "view_incompatible_size": lambda m: m.ones(2, 3).view(4),
    "view_non_contiguous": lambda m: m.ones(2, 3).t().view(6),
    "view_bad_inferred": lambda m: m.ones(2, 3).view(-1, 4),
    "view_two_inferred": lambda m: m.ones(6).view(-1, -1),
    "reshape_bad_size": lambda m: m.ones(2, 3).reshape(5),
    "permute_wrong_length": lambda m: m.ones(2, 3).permute(0),
    "permute_duplicate": lambda m: m.ones(2, 3).permute(0, 0),
    "flatten_start_after_end": lambda m: m.ones(2, 3, 4).flatten(2, 1),
    "narrow_too_long": lambda m: m.ones(4).narrow(0, 2, 3),
    "split_sizes_bad_sum": lambda m: m.ones(4).split([1, 2]),
    "chunk_zero": lambda m: m.ones(4).chunk(0),
    "t_of_3d": lambda m: m.ones(2, 2, 2).t(),
    "repeat_too_few": lambda m: m.ones(2, 3).repeat(2),
    # dims out of range
    "dim_sum": lambda m: m.ones(2, 3).sum(2),
    "dim_sum_negative": lambda m: m.ones(2, 3).sum(-3),
    "dim_permute": lambda m: m.ones(2, 3).permute(0, 2),
    "dim_transpose": lambda m: m.ones(2, 3).transpose(0, 2),
    "dim_unsqueeze": lambda m: m.ones(2, 3).unsqueeze(3),
    "dim_squeeze": lambda m: m.ones(2, 3).squeeze(2),
    "dim_cat": lambda m: m.cat([m.ones(2, 3)], 2),
    "dim_size": lambda m: m.ones(2, 3).size(2),
    "dim_stride": lambda m: m.ones(2, 3).stride(-3),
    "dim_cumsum": lambda m: m.ones(2, 3).cumsum(2),
    "dim_flip": lambda m: m.ones(2, 3).flip(2),
    "dim_mean": lambda m: m.ones(2, 3).mean(-3),
    "dim_flatten": lambda m: m.ones(2, 3).flatten(0, 2),
    "dim_narrow": lambda m: m.ones(2, 3).narrow(2, 0, 1),
    "dim_select": lambda m: m.ones(2, 3).select(2, 0),
    "dim_max": lambda m: m.ones(2, 3).max(2),
    "dim_amax": lambda m: m.ones(2, 3).amax(5),
    "dim_repeated": lambda m: m.ones(2, 3).sum((0, 0)),
    # indexing
    "index_int": lambda m: m.ones(2, 3)[2],
    "index_negative": lambda m: m.ones(2, 3)[-3],
    "index_second_dim": lambda m: m.ones(2, 3)[0, 3],
    "index_too_many": lambda m: m.ones(2, 3)[0, 0, 0],
    "index_list": lambda m: m.ones(2, 3)[[0, 2]],
    "index_negative_step": lambda m: m.ones(4)[::-1],
    # products
    "mm_shapes": lambda m: m.mm(m.ones(2, 3), m.ones(2, 3)),
    "mm_1d": lambda m: m.mm(m.ones(3), m.ones(3, 2)),
    "matmul_2d_2d": lambda m: m.ones(2, 3) @ m.ones(2, 3),
    "matmul_0d": lambda m: m.matmul(m.ones(3), m.tensor(1.0)),
    "matmul_batch_broadcast": lambda m: m.ones(2, 2, 3) @ m.ones(3, 3, 4),
    "bmm_batch": lambda m: m.bmm(m.ones(2, 3, 4), m.ones(3, 4, 5)),
    "bmm_2d": lambda m: m.bmm(m.ones(2, 3), m.ones(3, 2)),
    "dot_sizes": lambda m: m.dot(m.ones(3), m.ones(4)),
    "dot_2d": lambda m: m.dot(m.ones(3, 1), m.ones(3)),
    "dot_dtypes": lambda m: m.dot(m.ones(3), m.ones(3, dtype=m.int64)),
    "mv_sizes": lambda m: m.mv(m.ones(2, 3), m.ones(4)),
    # cat / stack
    "cat_sizes": lambda m: m.cat([m.ones(2, 3), m.ones(3, 4)]),
    "cat_ndim": lambda m: m.cat([m.ones(2, 3), m.ones(3)]),
    "cat_0d": lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    "stack_sizes": lambda m: m.stack([m.ones(2), m.ones(3)]),
    "stack_empty": lambda m: m.stack([]),
    # dtypes
    "mean_int64": lambda m: m.ones(3, dtype=m.int64).mean(),
    "mean_int64_dim": lambda m: m.arange(6).reshape(2, 3).mean(1),
    "mean_bool": lambda m: m.ones(3, dtype=m.bool).mean(),
    "var_int": lambda m: m.ones(3, dtype=m.int64).var(),
    "std_int": lambda m: m.ones(3, dtype=m.int64).std(),
    "sub_two_bools": lambda m: m.ones(2, dtype=m.bool) - m.ones(2, dtype=m.bool),
    "neg_bool": lambda m: -m.ones(2, dtype=m.bool),
    "int_pow_negative": lambda m: m.ones(2, dtype=m.int64) ** -1,
    "int_floor_divide_by_zero": lambda m: m.ones(2, dtype=m.int64) // 0,
    "int_remainder_by_zero_tensor": lambda m: m.ones(2, dtype=m.int64) % m.zeros(2, dtype=m.int64),
    "div_rounding_mode": lambda m: m.div(m.ones(2), 2, rounding_mode="round"),
    "clamp_without_bounds": lambda m: m.ones(2).clamp(),
    "requires_grad_int": lambda m: m.ones(2, dtype=m.int64, requires_grad=True),
    "numpy_of_requires_grad": lambda m: m.ones(2, requires_grad=True).numpy(),
    # reading values
    "item_of_many": lambda m: m.ones(2).item(),
    "bool_of_many": lambda m: bool(m.ones(2)),
    "len_0d": lambda m: len(m.tensor(1.0)),
    "iter_0d": lambda m: iter(m.tensor(1.0)),
    # creation
    "arange_step_zero": lambda m: m.arange(0, 5, 0),
    "randint_empty_range": lambda m: m.randint(5, 3, (2,)),
    "from_numpy_list": lambda m: m.from_numpy([1, 2]),
    # products and histograms of dtypes torch's kernels do not take
    "dot_bools": lambda m: m.ones(2, dtype=m.bool).dot(m.ones(2, dtype=m.bool)),
    "inner_bools": lambda m: m.inner(m.ones(2, dtype=m.bool), m.ones(2, dtype=m.bool)),
    "mm_bools": lambda m: m.ones(2, 2, dtype=m.bool) @ m.ones(2, 2, dtype=m.bool),
    "mv_bools": lambda m: m.ones(2, 2, dtype=m.bool) @ m.ones(2, dtype=m.bool),
    "bmm_bools": lambda m: m.ones(2, 2, 2, dtype=m.bool).bmm(m.ones(2, 2, 2, dtype=m.bool)),
    "linear_bools": lambda m: m.nn.functional.linear(m.ones(2, 2, dtype=m.bool), m.ones(2, 2, dtype=m.bool)),
    "cross_bools": lambda m: m.linalg.cross(m.ones(3, dtype=m.bool), m.ones(3, dtype=m.bool)),
    "histc_bools": lambda m: m.histc(m.ones(3, dtype=m.bool)),
    "histc_complex": lambda m: m.histc(m.ones(3, dtype=m.complex64)),
    "histc_ints": lambda m: m.histc(m.ones(3, dtype=m.int64)),
}


@pytest.mark.parametrize("name", list(MATCHING))
def test_error_like_torch(backend, name):
    assert_raises_like_torch(MATCHING[name])


def test_broadcast_error_message_literal():
    """The message does not depend on torch being installed."""
    with pytest.raises(RuntimeError) as info:
        lg.ones(2, 3) + lg.ones(2, 4)
    assert str(info.value) == ("The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
                               "dimension 1")
    with pytest.raises(IndexError) as info:
        lg.ones(2, 3).sum(2)
    assert str(info.value) == "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    with pytest.raises(RuntimeError) as info:
        lg.mm(lg.ones(2, 3), lg.ones(2, 3))
    assert str(info.value) == "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"


def test_errors_raise_at_the_op_before_realizing(backend):
    """Shape errors come from the op itself: nothing is realized or compiled, even for lazy inputs."""
    a = lg.ones(2, 3) * 2  # lazy, never realized
    b = lg.arange(8.0).reshape(2, 4) + 1
    lg.reset_stats()
    for fn, cls in [(lambda: a + b, RuntimeError), (lambda: a.view(4), RuntimeError),
                    (lambda: a.sum(2), IndexError), (lambda: a[2], IndexError), (lambda: lg.mm(a, a), RuntimeError),
                    (lambda: lg.cat([a, b.t()]), RuntimeError), (lambda: a.long().mean(), RuntimeError),
                    (lambda: a @ b, RuntimeError), (lambda: a.permute(0, 2), IndexError)]:
        with pytest.raises(cls):
            fn()
    assert lg.stats().kernels_run == 0 and lg.stats().kernels_compiled == 0
    assert (a + 1).sum().item() == 18.0  # the inputs are still usable afterwards


# ---- more cases: each raised another class or message than torch when this file was written ---------------

MORE = {
    "div_trunc_bools": lambda m: m.div(m.tensor([True]), m.tensor([True]), rounding_mode="trunc"),
    "relu_bool": lambda m: m.relu(m.tensor([True])),
    "div_trunc_int_by_zero": lambda m: m.div(m.tensor([5, 7]), m.tensor([0, 2]), rounding_mode="trunc"),
    "div_trunc_int_by_zero_scalar": lambda m: m.div(m.tensor([5, 7]), 0, rounding_mode="trunc"),
    "bool_left_shift": lambda m: m.tensor([True, False]) << m.tensor([True, True]),
    "bool_right_shift_scalar": lambda m: m.tensor([True, False]) >> True,
    "where_broadcast": lambda m: m.where(m.ones(3) > 0, m.ones(2), m.ones(3)),
    "dim_of_0d": lambda m: m.tensor(1.0).sum(1),
    "mean_int32": lambda m: m.ones(3, dtype=m.int32).mean(),
    "mean_uint8": lambda m: m.ones(3, dtype=m.uint8).mean(),
    "norm_int": lambda m: m.ones(2, dtype=m.int64).norm(),
    "mm_dtypes": lambda m: m.mm(m.ones(2, 3), m.ones(3, 2, dtype=m.float64)),
    "matmul_2d_1d": lambda m: m.ones(2, 3) @ m.ones(4),
    "bmm_inner": lambda m: m.bmm(m.ones(2, 3, 4), m.ones(2, 3, 4)),
    "outer_2d": lambda m: m.outer(m.ones(2, 2), m.ones(3)),
    "cat_empty_list": lambda m: m.cat([]),
    "index_step_zero": lambda m: m.ones(4)[::0],
    "select_out_of_range": lambda m: m.ones(2, 3).select(0, 2),
    "mask_shape": lambda m: m.ones(2, 3)[[True, False, True]],
    "gather_out_of_range": lambda m: m.ones(2, 3).gather(1, m.tensor([[3]])),
    "gather_negative_index": lambda m: m.ones(2, 3).gather(1, m.tensor([[-1]])),
    "unflatten_sizes": lambda m: m.ones(6).unflatten(0, (4, -1)),
    "bool_of_empty": lambda m: bool(m.ones(0)),
    "float_of_many": lambda m: float(m.ones(2)),
    "int_of_many": lambda m: int(m.ones(2)),
    "bitwise_and_float": lambda m: m.ones(2) & m.ones(2),
    "bitwise_not_float": lambda m: m.bitwise_not(m.ones(2, dtype=m.float64)),
    "invert_float": lambda m: ~m.ones(2),
    "abs_bool": lambda m: m.ones(2, dtype=m.bool).abs(),
    "floor_bool": lambda m: m.ones(2, dtype=m.bool).floor(),
    "floor_divide_bools": lambda m: m.ones(2, dtype=m.bool) // m.ones(2, dtype=m.bool),
    "pow_bools": lambda m: m.ones(2, dtype=m.bool) ** m.ones(2, dtype=m.bool),
    "sub_bool_and_int": lambda m: m.ones(2, dtype=m.bool) - 1,
    "where_float_condition": lambda m: m.where(m.ones(2), 1.0, 0.0),
    "add_string": lambda m: m.ones(2) + "a",
    "zeros_negative": lambda m: m.zeros(-1),
    "tensor_ragged": lambda m: m.tensor([[1, 2], [3]]),
    "tensor_of_string": lambda m: m.tensor("a"),
    "arange_wrong_sign": lambda m: m.arange(0, 5, -1),
    "linspace_negative_steps": lambda m: m.linspace(0, 1, -1),
    "rand_int_dtype": lambda m: m.rand(2, dtype=m.int64),
    "full_float_size": lambda m: m.full(2.5, 1),
    "argmax_empty": lambda m: m.ones(0).argmax(),
    "max_empty_dim": lambda m: m.ones(0, 3).max(0),
    "argmax_bool": lambda m: m.ones(2, dtype=m.bool).argmax(),
    "inplace_float_into_int": lambda m: m.ones(3, dtype=m.int64).add_(1.5),
    "setitem_shape": lambda m: m.ones(3).__setitem__(slice(None), m.ones(2)),
    "flip_repeated_dims": lambda m: m.ones(2, 3).flip((0, 0)),
    "index_select_out_of_range": lambda m: m.ones(2, 3).index_select(1, m.tensor([3])),
    "inplace_broadcast_shape": lambda m: m.ones(3).add_(m.ones(2, 3)),
    "inplace_on_leaf": lambda m: m.ones(3, requires_grad=True).add_(1),
    "inplace_on_view_of_leaf": lambda m: m.ones(3, requires_grad=True)[:2].mul_(2),
    "setitem_on_leaf": lambda m: m.ones(3, requires_grad=True).__setitem__(0, 1.0),
    "write_expanded": lambda m: m.zeros(3).expand(2, 3).add_(1),
    "copy_partial_overlap": lambda m: (lambda x: x[1:].copy_(x[:-1]))(m.arange(6.0)),
    "add_transposed_self": lambda m: (lambda x: x.add_(x.t()))(m.ones(3, 3)),
    "masked_fill_long_mask": lambda m: m.zeros(3).masked_fill_(m.tensor([1, 0, 1]), 1.0),
    "masked_fill_vector_value": lambda m: m.zeros(3).masked_fill(m.ones(3, dtype=m.bool), m.ones(3)),
    "index_fill_2d_index": lambda m: m.zeros(3).index_fill_(0, m.tensor([[1]]), 1.0),
    "index_fill_out_of_range": lambda m: m.zeros(3).index_fill_(0, m.tensor([5]), 1.0),
    "setitem_index_shape": lambda m: m.zeros(3).__setitem__([0, 1], m.ones(3)),
    "fill_with_vector": lambda m: m.zeros(3).fill_(m.ones(2)),
    "uniform_int": lambda m: m.zeros(3, dtype=m.int64).uniform_(),
    "as_strided_out_of_bounds": lambda m: m.zeros(6).as_strided((4, 4), (4, 1)),
    "as_strided_negative_stride": lambda m: m.zeros(6).as_strided((2, 2), (-1, 1)),
    "as_strided_length_mismatch": lambda m: m.zeros(6).as_strided((2, 2), (1, 2, 3)),
    "scatter_float_index": lambda m: m.zeros(3, 4).scatter(0, m.ones(1, 4), m.ones(1, 4)),
    "scatter_out_of_range": lambda m: m.zeros(3, 4).scatter(0, m.tensor([[5]]), m.ones(1, 4)),
    "scatter_bad_dim": lambda m: m.zeros(3, 4).scatter(2, m.tensor([[0]]), m.ones(1, 4)),
    "index_add_count": lambda m: m.zeros(3, 4).index_add(0, m.tensor([0]), m.ones(2, 4)),
    "addcdiv_int": lambda m: m.addcdiv(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    "round_decimals_int": lambda m: m.round(m.tensor([1, 2]), decimals=1),
    "round_decimals_zero_int": lambda m: m.tensor([1, 2]).round(decimals=0),
    "uint8_minus_true": lambda m: m.tensor([5, 7], dtype=m.uint8) - True,
    "bool_minus_true": lambda m: m.tensor([True]) - True,
    "true_minus_bool": lambda m: True - m.tensor([True]),
    "floor_divide_bools_with_false": lambda m: m.tensor([True, True]) // m.tensor([True, False]),
    "remainder_bools_with_false": lambda m: m.tensor([True, True]) % m.tensor([True, False]),
    "norm_inf_of_empty": lambda m: m.zeros(0).norm(p=float("inf")),
    "norm_minus_inf_over_empty_dim": lambda m: m.zeros(0, 3).norm(p=float("-inf"), dim=0),
    "lerp_int": lambda m: m.lerp(m.tensor([1, 2]), m.tensor([3, 4]), 0.5),
    "lerp_int_weights": lambda m: m.lerp(m.tensor([1, 2]), m.tensor([3, 4]), m.tensor([1, 1])),
    "lerp_end_dtype": lambda m: m.lerp(m.ones(2), m.ones(2, dtype=m.float64), 0.5),
    "lerp_weight_dtype": lambda m: m.lerp(m.ones(2), m.ones(2), m.ones(2, dtype=m.float64)),
    "masked_fill_short_mask": lambda m: m.zeros(3).masked_fill(m.ones(3, dtype=m.int16), 1.0),
    # the mismatch torch meets first: from the last dim, the mask's shape before the tensor's
    "broadcast_two_mismatches": lambda m: m.ones(3, 4) + m.ones(5, 6),
    "where_two_mismatches": lambda m: m.where(m.ones(3, 4) > 0, m.ones(3, 4), m.ones(5, 6)),
    "masked_fill_mask_shape": lambda m: m.ones(3, 4).masked_fill(m.ones(5, dtype=m.bool), 1.0),
    "batch_norm_sizes_running_first": lambda m: m.nn.BatchNorm2d(3)(m.ones(2, 4, 2, 2)),
    "instance_norm_sizes_repeated": lambda m: m.nn.functional.instance_norm(m.ones(2, 4, 2, 2), m.ones(3), m.ones(3)),
    # matmul: the error of the op torch hands the operands to (mm or mv of a side folded into a matrix, or bmm)
    "matmul_batched": lambda m: m.ones(2, 3, 3) @ m.ones(2, 4, 5),
    "matmul_broadcast_batch": lambda m: m.ones(2, 2, 3, 3) @ m.ones(2, 4, 5),
    "matmul_folded": lambda m: m.ones(2, 3, 3) @ m.ones(4, 5),
    "matmul_folded_vector": lambda m: m.ones(2, 3, 4) @ m.ones(3),
    "matmul_vector_batched": lambda m: m.ones(3) @ m.ones(2, 4, 5),
    "matmul_not_folded_strided": lambda m: m.ones(2, 3, 4).permute(1, 0, 2) @ m.ones(3, 5),
    "matmul_folded_for_grad": lambda m: m.ones(5, 3, requires_grad=True) @ m.ones(2, 4, 5),
    "matmul_batch_dims": lambda m: m.ones(2, 3, 3) @ m.ones(3, 4, 5),
    "conv_weight_dims": lambda m: m.nn.functional.conv1d(m.ones(3, 5), m.ones(4, 3, 3, 3)),
    "conv_sizes_for_weight": lambda m: m.nn.functional.conv2d(m.ones(2, 3, 5, 5), m.ones(4, 3, 3)),
    "layer_norm_weight": lambda m: m.nn.functional.layer_norm(m.ones(2, 5), (5,), m.ones(4)),
    "layer_norm_bias": lambda m: m.nn.functional.layer_norm(m.ones(2, 5), (5,), None, m.ones(2, 5)),
    "layer_norm_no_shape": lambda m: m.nn.functional.layer_norm(m.ones(2, 5), ()),
    "rms_norm_weight": lambda m: m.nn.functional.rms_norm(m.ones(2, 5), (5,), m.ones(4)),
    "dropout2d_of_a_vector": lambda m: m.nn.functional.dropout2d(m.ones(3)),
    "bag_offsets_start": lambda m: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), m.ones(4, 3), m.tensor([1, 2])),
    "bag_offsets_end": lambda m: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), m.ones(4, 3), m.tensor([0, 4])),
    "bag_offsets_order": lambda m: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), m.ones(4, 3), m.tensor([0, 2, 1])),
    "bag_offsets_2d": lambda m: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), m.ones(4, 3), m.tensor([[0, 1]])),
    "unpool_output_size": lambda m: m.nn.functional.max_unpool2d(m.ones(1, 1, 2, 2), m.zeros(1, 1, 2, 2, dtype=m.long),
                                                                 2, output_size=(7, 3)),
    "narrow_negative_length": lambda m: m.ones(2, 3).narrow(1, 0, -1),
    "narrow_start_out_of_range": lambda m: m.ones(2, 3).narrow(1, -4, 1),
    "narrow_past_the_end": lambda m: m.ones(2, 3).narrow(1, 2, 2),
    "diagonal_same_dims": lambda m: m.ones(2, 3).diagonal(0, 1, -1),
    "gather_index_dims": lambda m: m.ones(2, 3).gather(0, m.tensor([0, 1])),
    "gather_index_too_large": lambda m: m.ones(2, 3).gather(1, m.tensor([[0], [1], [0]])),
    "scatter_index_dims": lambda m: m.ones(2, 3).scatter_add(1, m.tensor([0, 1]), m.ones(2, 3)),
    "scatter_index_larger_than_src": lambda m: m.ones(2, 3).scatter(1, m.tensor([[0, 1, 2, 0]]), m.ones(1, 3)),
    "scatter_value_index_too_large": lambda m: m.ones(2, 3).scatter(1, m.tensor([[0], [1], [0]]), 2.0),
    "scatter_src_dims": lambda m: m.ones(2, 3).scatter(1, m.tensor([[0]]), m.ones(1)),
    "masked_select_float_mask": lambda m: m.masked_select(m.ones(3), m.ones(3)),
    "masked_select_broadcast": lambda m: m.masked_select(m.ones(2, 3), m.ones(3, 3, dtype=m.bool)),
    "eye_negative": lambda m: m.eye(2, -1),
    "full_of_a_string": lambda m: m.full((2,), "a"),
    "requires_grad_integer": lambda m: m.ones(2, dtype=m.long).requires_grad_(),
    "detach_a_view_in_place": lambda m: m.ones(2)[:1].detach_(),
    "device_index": lambda m: m.device("cuda:x"),
    "device_negative_index": lambda m: m.device("cpu:-1"),
    "empty_negative": lambda m: m.empty(2, -1),
    "linear_negative_features": lambda m: m.nn.Linear(-1, 2),
    "reshape_below_minus_one": lambda m: m.arange(6).reshape(2, -2),
    "reshape_empty_ambiguous": lambda m: m.ones(0).view(0, -1),
    "grad_output_shape": lambda m: (lambda p: m.autograd.grad(p * 2, p, m.ones(3)))(m.ones(2, requires_grad=True)),
    "grad_of_nothing": lambda m: m.autograd.grad(m.ones(2, requires_grad=True) * 2, [], m.ones(2)),
    "backward_gradient_shape": lambda m: (m.ones(2, requires_grad=True) * 2).backward(m.ones(1, 2)),
    "grad_output_complex": lambda m: (m.ones(2, requires_grad=True) * 2).backward(m.ones(2, dtype=m.complex64)),
    "irfft_points": lambda m: m.fft.irfft(m.ones(4, dtype=m.complex64), n=-1),
    "rfft_points": lambda m: m.fft.rfft(m.ones(4), n=0),
    "fftn_sizes_beyond_dims": lambda m: m.fft.fftn(m.ones(2, 3), s=(2, 2, 2)),
    "fftshift_dim": lambda m: m.fft.fftshift(m.ones(2, 3), dim=3),
    "fftfreq_negative": lambda m: m.fft.fftfreq(-2),
    "rfftfreq_negative": lambda m: m.fft.rfftfreq(-5),
    "repeat_negative": lambda m: m.ones(2, 3).repeat(2, -1),
    "tile_negative": lambda m: m.tile(m.ones(2, 3), (-1,)),
    "index_copy_slices": lambda m: m.ones(2, 3, 4).index_copy(1, m.tensor([0]), m.ones(2, 1, 5)),
    "index_copy_number_source": lambda m: m.ones(2, 3).index_copy(0, m.tensor([0]), m.tensor(1.0)),
    "index_copy_dims": lambda m: m.ones(2, 3).index_copy(0, m.tensor([0]), m.ones(3)),
    "mode_of_nothing": lambda m: m.ones(2, 0).mode(1),
    "lerp_broadcast_order": lambda m: m.lerp(m.ones(2, 3), m.ones(3, 3), 0.5),
    "gradient_spacings_without_dim": lambda m: m.gradient(m.ones(2, 3), spacing=[1.0, 2.0, 3.0]),
    "tensor_of_none": lambda m: m.tensor(None),
    "tensor_of_a_huge_integer": lambda m: m.tensor([2 ** 63]),
    "tensor_integer_overflow": lambda m: m.tensor([300], dtype=m.uint8),
    "tensor_dtype_string": lambda m: m.tensor([1], dtype="float32"),
    "zeros_of_a_float": lambda m: m.zeros(2.5),
    "zeros_of_a_float_element": lambda m: m.zeros((2.5,)),
    "ones_of_a_later_float": lambda m: m.ones(2, 2.5),
    "arange_to_nan": lambda m: m.arange(0, float("nan")),
    "arange_from_infinity": lambda m: m.arange(float("-inf"), 0),
    "empty_strided_negative": lambda m: m.empty_strided((2, 3), (1, -1)),
    "full_like_of_a_string": lambda m: m.full_like(m.ones(2), "a"),
    "randint_past_uint8": lambda m: m.randint(0, 300, (2,), dtype=m.uint8),
    "randint_below_uint8": lambda m: m.randint(-1, 2, (2,), dtype=m.uint8),
    "randint_past_half": lambda m: m.randint(0, 2 ** 16, (2,), dtype=m.float16),
    "randn_integers": lambda m: m.randn(2, dtype=m.int32),
    "new_zeros_negative": lambda m: m.ones(2).new_zeros(-1),
    "as_strided_negative_offset": lambda m: m.ones(3).as_strided((2,), (1,), -1),
    "uniform_range": lambda m: m.ones(3).uniform_(2, 1),
    "normal_negative_std": lambda m: m.ones(3).normal_(0, -1),
    "to_a_dtype_string": lambda m: m.ones(3).to("float64"),
    "to_sparse_dims": lambda m: m.ones(2, 3).to_sparse(3),
    "narrow_a_number": lambda m: m.tensor(2.5).narrow(0, 0, 1),
    "select_a_number": lambda m: m.tensor(2.5).select(0, 0),
    "unbind_a_number": lambda m: m.tensor(2.5).unbind(),
    "chunk_a_number": lambda m: m.tensor(2.5).chunk(1),
    "split_a_number": lambda m: m.tensor(2.5).split(1),
    "trapezoid_a_number": lambda m: m.trapezoid(m.tensor(2.5)),
    "cumulative_trapezoid_a_number": lambda m: m.cumulative_trapezoid(m.tensor(2.5)),
    "kthvalue_of_nothing": lambda m: m.ones(2, 0).kthvalue(1),
    "expand_bool_type_string": lambda m: m.ones(2, 3, dtype=m.bool).expand(2),
    "expand_double_type_string": lambda m: m.ones(2, 3, dtype=m.float64).expand(2),
    "median_of_bools": lambda m: m.tensor([True, False]).median(), "median_dim_of_bools": lambda m: m.tensor(
        [True, False]).median(0), "nanmedian_of_complex": lambda m: m.ones(2, dtype=m.cfloat).nanmedian(),
    "median_dim_of_complex": lambda m: m.ones(2, dtype=m.cfloat).median(0),
    "kthvalue_of_bools": lambda m: m.tensor([True, False]).kthvalue(1),
    "topk_of_bools": lambda m: m.tensor([True, False]).topk(1),
    "mode_of_complex": lambda m: m.ones(2, dtype=m.cfloat).mode(),
    "unique_dim_of_complex": lambda m: m.unique(m.ones(2, dtype=m.cfloat), dim=0),
    "quantile_of_halves": lambda m: m.ones(3, dtype=m.half).quantile(0.5),
    "clamp_of_nothing_complex": lambda m: m.clamp(m.ones(2, dtype=m.cfloat)),
    "clamp_float_by_complex_number": lambda m: m.clamp(m.ones(2), min=1j),
    "clamp_int_by_complex_number": lambda m: m.clamp(m.ones(2, dtype=m.int32), max=1j),
    "clamp_by_complex_tensor": lambda m: m.clamp(m.ones(2), min=m.ones(2, dtype=m.cfloat)),
    "clamp_by_complex_tensors": lambda m: m.clamp(m.ones(2), min=m.ones(2), max=m.ones(2, dtype=m.cdouble)),
    "lerp_by_complex_number": lambda m: m.lerp(m.ones(2, dtype=m.half), m.ones(2, dtype=m.half), 1j),
    "arange_by_complex_step": lambda m: m.arange(0, 2, 1j),
    "arange_of_complex_before_its_bounds": lambda m: m.arange(0, 2 + 1j, dtype=m.cfloat),
    "range_of_halves_to_complex": lambda m: m.range(0, 2 + 1j, dtype=m.half),
    "range_of_ints_to_complex": lambda m: m.range(0, 2 + 1j, dtype=m.int16),
    "range_of_bools": lambda m: m.range(0, 2, dtype=m.bool),
    "range_against_its_step": lambda m: m.range(100, -1, 300, dtype=m.uint8),
    "linspace_of_bools": lambda m: m.linspace(0, 2, 3, dtype=m.bool),
    "linspace_past_int16": lambda m: m.linspace(0, 1e5, 3, dtype=m.int16),
    "linspace_past_half": lambda m: m.linspace(0, 1e5, 3, dtype=m.half),
    "logspace_of_bools": lambda m: m.logspace(0, 2, 3, dtype=m.bool),
    "logspace_complex_to_ints": lambda m: m.logspace(0, 2 + 1j, 3, dtype=m.int32),
    "full_like_negative_float_to_bytes": lambda m: m.full_like(m.ones(2), -1.5, dtype=m.uint8),
    "full_like_complex_to_floats": lambda m: m.full_like(m.ones(2), 1j),
    "tensor_complex_to_ints": lambda m: m.tensor([1, 2 + 1j], dtype=m.int16),
    "tensor_complex_to_floats": lambda m: m.tensor([1 + 0j], dtype=m.float64),
    "tensor_complex_after_an_overflow": lambda m: m.tensor([-1.5, 2j], dtype=m.uint16),
    "randint_of_complex": lambda m: m.randint(3, (2,), dtype=m.cfloat),
    "random_of_complex": lambda m: m.ones(2, dtype=m.cfloat).random_(),
    "random_to_of_complex": lambda m: m.ones(2, dtype=m.cfloat).random_(3),
    "multi_margin_loss_of_halves": lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3).half(), m.tensor([0, 1])),
    "multilabel_margin_loss_of_bfloat16": lambda m: m.nn.functional.multilabel_margin_loss(
        m.ones(2, 3).bfloat16(), m.tensor([[0, -1, 1], [1, -1, 0]])),
    "clamp_bools_by_numbers": lambda m: m.tensor([True, False]).clamp(True, False),
    "clamp_min_bools_by_a_number": lambda m: m.tensor([True, False]).clamp_min(True),
    "clamp_min_by_a_complex_number": lambda m: m.ones(2, dtype=m.half).clamp_min(1j),
    "clamp_min_in_place_by_a_complex_number": lambda m: m.ones(2, dtype=m.int32).clamp_min_(1j),
    "clamp_max_of_complex_by_a_tensor": lambda m: m.ones(2, dtype=m.cfloat).clamp_max(m.tensor(1.5)),
    "clamp_in_place_float_by_a_complex_number": lambda m: m.ones(2, dtype=m.float64).clamp_(max=1j),
    "clamp_min_in_place_bytes_by_a_float": lambda m: m.ones(2, dtype=m.uint8).clamp_min_(1.5),
    "clamp_by_a_tensor_and_a_number": lambda m: m.ones(2).clamp(m.zeros(2), 2),  # (a 0-d tensor stands for a number)
    "clamp_by_a_number_and_a_tensor": lambda m: m.ones(2).clamp(0.5, m.ones(1)),
    "masked_fill_past_half": lambda m: m.ones(2, dtype=m.half).masked_fill(m.tensor([True, False]), -1e9),
    "masked_fill_complex_into_floats": lambda m: m.ones(2).masked_fill(m.tensor([True, False]), 1j),
    "masked_fill_negative_float_into_bytes": lambda m: m.ones(2, dtype=m.uint8).masked_fill(m.tensor([True]), -1.5),
    "index_fill_by_a_vector": lambda m: m.ones(2).index_fill(0, m.tensor([0]), m.ones(1)),
    "index_fill_by_a_complex_number": lambda m: m.ones(2).index_fill(0, m.tensor([0]), 1j),
    "index_fill_past_int8": lambda m: m.ones(2, dtype=m.int8).index_fill(0, m.tensor([0]), 300),
    "transpose_of_a_number_past_its_dims": lambda m: m.tensor(2.0).transpose(0, 2),
    "squeeze_of_a_number_past_its_dims": lambda m: m.tensor(2.0).squeeze(3),
    "flatten_of_a_number_past_its_dims": lambda m: m.tensor(2.0).flatten(0, 2),
    "unbind_of_a_number": lambda m: m.tensor(2.0).unbind(-1),
    "unbind_of_a_number_past_its_dims": lambda m: m.tensor(2.0).unbind(1),
    "chunk_of_a_number_by_nothing": lambda m: m.tensor(2.0).chunk(-2),
    "permute_without_dims": lambda m: m.ones(2, 3).permute(),
    "permute_repeat_before_range": lambda m: m.ones(2, 3, 4).permute(-1, 2, -4),
    "expand_without_sizes": lambda m: m.ones(2, 3).expand(),
    "expand_reports_the_last_mismatch": lambda m: m.ones(3, 2, 4).expand(2, 6, 6),
    "rot90_range_before_sameness": lambda m: m.ones(3, 3).rot90(1, [4, 4]),
    "index_select_of_a_number_by_two": lambda m: m.tensor(2.0).index_select(0, m.tensor([0, 0])),
    "take_along_dim_of_a_number": lambda m: m.take_along_dim(m.tensor(2.0), m.zeros((), dtype=m.long), -1),
    "split_names_the_dim_given": lambda m: m.ones(1, 4).split([1, 1], -2),
    "hash_tensor_mode": lambda m: m.hash_tensor(m.ones(2), mode=1),
    "hash_tensor_of_complex": lambda m: m.hash_tensor(m.ones(2, dtype=m.cfloat)),
    "hash_tensor_of_uint32": lambda m: m.hash_tensor(m.ones(2, dtype=m.uint32)),
    "hash_tensor_of_nothing": lambda m: m.hash_tensor(m.ones(0)),
    "hash_tensor_over_an_empty_dim": lambda m: m.hash_tensor(m.ones(2, 0), 1),
    "quantile_of_uint64_by_a_number": lambda m: m.ones(3, dtype=m.uint64).quantile(0.3),
    "quantile_of_nothing": lambda m: m.ones(0).quantile(m.tensor(2.0)),
    "quantile_range_before_dtype": lambda m: m.ones(3, dtype=m.int32).quantile(2.0),
    "quantile_q_dims_before_dtype": lambda m: m.ones(3, dtype=m.int32).quantile(m.ones(1, 1)),
    "quantile_q_dtype": lambda m: m.ones(3).quantile(m.tensor(0.5, dtype=m.float64)),
    "unique_dim_of_nothing_elsewhere": lambda m: m.unique(m.ones(0, 1, 5), dim=2),
    "unique_dim_of_two_empty_dims": lambda m: m.unique(m.ones(0, 0), dim=1),
    "unique_consecutive_of_nothing_elsewhere": lambda m: m.unique_consecutive(m.ones(2, 0), dim=0),
    "nanquantile_q_range": lambda m: m.ones(3).nanquantile(2.0), "nanmean_of_complex": lambda m: m.ones(
        2, dtype=m.cfloat).nanmean(), "std_mean_of_ints": lambda m: m.std_mean(m.ones(2, dtype=m.long)),
    "var_mean_of_bools": lambda m: m.var_mean(m.ones(2, dtype=m.bool)),
    "unpool_output_size_length": lambda m: m.nn.functional.max_unpool2d(m.ones(1, 1, 2, 2),
                                                                        m.zeros(1, 1, 2, 2, dtype=m.long), 2,
                                                                        output_size=(4,)),
    # a dtype argument is a dtype or Python's bool/int/float/complex: a NumPy type or a string is refused
    "zeros_numpy_dtype": lambda m: m.zeros(2, dtype=np.float32),
    "ones_string_dtype": lambda m: m.ones(2, dtype="float32"),
    "full_like_numpy_dtype": lambda m: m.full_like(m.ones(1), 1, dtype=np.dtype("float32")),
    "zeros_like_string_dtype": lambda m: m.zeros_like(m.ones(1), dtype="x"),
    "new_zeros_string_dtype": lambda m: m.ones(1).new_zeros(2, dtype="x"),
    "softmax_string_dtype": lambda m: m.ones(2).softmax(0, dtype="float"),
    "log_softmax_numpy_dtype": lambda m: m.nn.functional.log_softmax(m.ones(2), 0, dtype=np.float64),
    "to_numpy_type": lambda m: m.ones(2).to(np.float32),
    "to_list": lambda m: m.ones(2).to([1]),
    "to_device_and_numpy_type": lambda m: m.ones(2).to("cpu", np.float32),
    "to_string_dtype_keyword": lambda m: m.ones(2).to(dtype="float"),
    "type_numpy_type": lambda m: m.zeros(2).type(np.float64),
    "type_python_float": lambda m: m.zeros(2).type(float),
    "type_number": lambda m: m.zeros(2).type(3),
    "pad_string_value": lambda m: m.nn.functional.pad(m.ones(2), (1, 1), "reflect", value="x"),
    "pad_tensor_value_of_two": lambda m: m.nn.functional.pad(m.ones(2), (1, 1), value=m.tensor([2.0, 3.0])),
    "pad_complex_value": lambda m: m.nn.functional.pad(m.ones(2), (1, 1), value=1j),
    "constant_pad_nd_string_value": lambda m: m.constant_pad_nd(m.ones(2), (1, 1), "x"),
    "trapezoid_of_bools": lambda m: m.trapezoid(m.tensor([True, False])),
    "trapezoid_bool_points": lambda m: m.trapezoid(m.ones(3), m.tensor([True, False, True])),
    "cumulative_trapezoid_of_a_bool": lambda m: m.cumulative_trapezoid(m.tensor(True)),
    "cumulative_trapezoid_bool_points": lambda m: m.cumulative_trapezoid(m.ones(3), m.tensor([True, False, True])),
    "meshgrid_of_a_string": lambda m: m.meshgrid(m.ones(2), "a"),
    "meshgrid_list_with_a_number": lambda m: m.meshgrid([m.ones(2), 3]),
    "resize_as_a_string": lambda m: m.ones(2).resize_as_("a"),
    "promote_types_of_none": lambda m: m.promote_types(None, m.float32),
    "can_cast_of_a_string": lambda m: m.can_cast(m.float32, "a"),
    "atleast_1d_of_a_string": lambda m: m.atleast_1d(["a"]),
    "atleast_2d_of_a_string": lambda m: m.atleast_2d("a", m.ones(1)),
    "block_diag_of_a_string": lambda m: m.block_diag("a", m.ones(1)),
    "broadcast_tensors_of_a_string": lambda m: m.broadcast_tensors(m.ones(1), "a"),
    "cartesian_prod_of_a_string": lambda m: m.cartesian_prod("a", m.ones(1)),
    "chain_matmul_of_a_string": lambda m: m.chain_matmul("a", m.ones(1, 1)),
    "unique_of_a_string": lambda m: m.unique("a"),
    "lu_of_a_string": lambda m: m.lu("a"),
    # later tensor parameters refused by torch's parser before the op looks at anything
    "addmm_second_a_string": lambda m: m.addmm(m.ones(2, 2), "a", m.ones(2, 2)),
    "addbmm_third_a_list": lambda m: m.addbmm(m.ones(2, 2), m.ones(1, 2, 2), [1]),
    "mm_second_a_number": lambda m: m.mm(m.ones(2, 2), 3),
    "take_along_dim_indices_a_string": lambda m: m.take_along_dim(m.ones(2), "a"),
    "kl_div_target_a_string": lambda m: m.kl_div(m.ones(2), "a"),
    "polar_angle_a_number": lambda m: m.polar(m.ones(2), 1.0),
    "masked_scatter_mask_a_string": lambda m: m.masked_scatter(m.ones(2), "a", m.ones(2)),
    "cdist_second_a_list": lambda m: m.cdist(m.ones(2, 2), [[1.0, 2.0]]),
    "to_dlpack_of_a_string": lambda m: m.to_dlpack("a"),
    "promote_types_of_tensors": lambda m: m.promote_types(m.ones(1), m.ones(1)),
    "gelu_approximate_none": lambda m: m.nn.functional.gelu(m.ones(2), approximate=None),
    "gelu_approximate_positional": lambda m: m.nn.functional.gelu(m.ones(2), "tanh"),
}


@pytest.mark.parametrize("name", list(MORE))
def test_more_errors_like_torch(backend, name):
    assert_raises_like_torch(MORE[name])



@pytest.mark.parametrize("call", [
    lambda m: m.xlogy(m.ones(2), "a"),
    lambda m: m.result_type("a", m.ones(2)),
    lambda m: m.atleast_1d("a"),
    lambda m: m.repeat_interleave("a", m.ones(2)),
    lambda m: m.quantile(m.ones(2), "a"),
    lambda m: m.nanquantile(m.ones(2), "a"),
    lambda m: m.trapezoid(m.ones(2), "a"),
    lambda m: m.cumulative_trapezoid(m.ones(2), "a"),
    lambda m: m.lerp(m.ones(2), m.ones(2), "a"),
    lambda m: m.ones(2).masked_fill(m.ones(2) > 0, None),
    lambda m: m.pinverse(m.ones(2, 2), "a"),
    lambda m: m.ones(2).double().mul("a"),
])
def test_a_string_where_a_number_goes_is_a_type_error(call):
    """torch's parser refuses it in its own words; lazygrad raises the same class, never an internal error."""
    torch = pytest.importorskip("torch")
    assert type(raised(call, lg)) is type(raised(call, torch)) is TypeError


@pytest.mark.parametrize("call", [
    lambda m: m.bucketize(m.ones(2), [1.0, 2.0]),
    lambda m: m.index_put(m.ones(2), "a", m.ones(1)),
    lambda m: m.index_put(m.ones(2), [0], m.ones(1)),
    lambda m: m.ones(2).index_put_((0,), m.ones(1)),
    lambda m: m.ones(2).index_put("a", m.ones(1)),
    lambda m: m.set_autocast_enabled("a"),
    lambda m: m.set_autocast_enabled("cpu", 1),
    lambda m: m.dsmm(m.ones(2, 2).to_sparse(), "a"),
    lambda m: m.histogramdd(m.ones(2, 2), "a"),
    lambda m: m.gru("a"),
    lambda m: m.lstm(m.ones(2, 2), "a"),
    lambda m: m.rnn_tanh(None, None),
])
def test_arguments_of_the_wrong_type_are_refused_in_torchs_first_line(call):
    """A wrong type where torch's parser wants a tensor, a tuple of tensors or a bool: its TypeError and the
    first line of its message (was an internal AttributeError or IndexError)."""
    torch = pytest.importorskip("torch")
    got, want = raised(call, lg), raised(call, torch)
    assert type(got) is type(want) is TypeError
    assert str(got).splitlines()[0] == str(want).splitlines()[0]


def test_histogram_ranges_that_are_not_finite_are_torchs_error():
    """torch refuses equal bins over a range with NaN or an infinity (the data's own, or the given one): at the call
    when the values are known, when they are computed otherwise; RuntimeError with torch's words either way."""
    nan, inf = float("nan"), float("inf")
    with pytest.raises(RuntimeError, match=r"torch.histogramdd: dimension 0's range \[-1, inf\] is not finite"):
        lg.histogram(lg.tensor([-1.0, inf]), bins=3)
    with pytest.raises(RuntimeError, match=r"dimension 1's range \[nan, nan\] is not finite"):
        lg.histogramdd(lg.tensor([[1.0, nan], [0.5, 1.0]]), bins=3)
    with pytest.raises(RuntimeError, match=r"dimension 0's range \[0, inf\] is not finite"):
        lg.histogram(lg.tensor([1.0, 2.0]), bins=3, range=(0, inf))
    lazy = lg.histogram(lg.tensor([1.0, 2.0]) * inf, bins=3)
    with pytest.raises(RuntimeError, match=r"dimension 0's range \[inf, inf\] is not finite"):
        lazy.hist.numpy()
    np.testing.assert_array_equal(lg.histogram(lg.tensor([1.0, 2.0]), bins=2).hist.numpy(), [1.0, 1.0])


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_histogram_of_half_floats_needs_a_range(dtype):
    """torch finds no data range for float16/bfloat16: equal bins without a range are refused, given edges or a
    range are counted."""
    x = lg.tensor([1.0, 2.0], dtype=getattr(lg, dtype))
    name = "Half" if dtype == "float16" else "BFloat16"
    for call in (lambda: lg.histogram(x, bins=3), lambda: lg.histogramdd(x.reshape(-1, 1), bins=3)):
        with pytest.raises(NotImplementedError, match=f"\"histogramdd\" not implemented for '{name}'"):
            call()
    np.testing.assert_array_equal(lg.histogram(x, bins=3, range=(0.0, 2.0)).hist.float().numpy(), [0.0, 1.0, 1.0])
