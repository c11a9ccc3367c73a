"""Which ops autocast changes, and how (torch's op lists): run in the autocast dtype ("lower"), in float32
("fp32"), in the widest floating type among the inputs ("promote"), or as given with the ops inside left
alone ("opaque": torch's CPU runs an RNN cell as one op, not in its list). Names are lazygrad's op names
(the derivatives table's, and the composites' marked with `autocast_op`)."""
from __future__ import annotations

# the same on every device (torch's lower-precision list)
_LOWER = frozenset({
    "matmul", "mm", "bmm", "addmm", "addbmm", "baddbmm", "einsum", "linear", "conv1d", "conv2d", "conv3d",
    "conv_tbc", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "prelu", "chain_matmul",
    "linalg_multi_dot", "linalg_vecdot", "scaled_dot_product_attention",
})
_RNN_CELLS = frozenset({"lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell"})

_CPU_FP32 = frozenset({
    "prod", "quantile", "nanquantile", "cdist", "trace", "cholesky", "cholesky_inverse", "cholesky_solve", "inverse",
    "linalg_inv", "linalg_cholesky", "linalg_solve", "linalg_det", "linalg_slogdet", "linalg_svd", "linalg_eigh",
    "linalg_qr", "linalg_lstsq", "pinverse", "avg_pool3d", "max_pool3d", "adaptive_avg_pool3d", "max_unpool2d",
    "max_unpool3d", "reflection_pad1d", "reflection_pad2d", "replication_pad1d", "replication_pad2d",
    "replication_pad3d", "grid_sample", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss",
    "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss", "kl_div", "margin_ranking_loss",
    "soft_margin_loss", "hinge_embedding_loss", "poisson_nll_loss", "cosine_embedding_loss", "triplet_margin_loss",
    "multi_margin_loss", "multilabel_margin_loss", "ctc_loss",
})
_CUDA_FP32 = frozenset({
    "acos", "asin", "cosh", "sinh", "tan", "erfinv", "exp", "expm1", "log", "log10", "log2", "log1p", "reciprocal",
    "rsqrt", "pow", "softplus", "layer_norm", "group_norm", "norm", "linalg_vector_norm", "frobenius_norm",
    "nuclear_norm", "cosine_similarity", "normalize", "dist", "pdist", "cdist", "renorm", "logsumexp", "softmax",
    "log_softmax", "softmin", "cumsum", "cumprod", "sum", "prod", "binary_cross_entropy_with_logits", "mse_loss",
    "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss", "kl_div", "margin_ranking_loss",
    "soft_margin_loss", "hinge_embedding_loss", "poisson_nll_loss", "cosine_embedding_loss", "triplet_margin_loss",
    "multi_margin_loss", "multilabel_margin_loss",
})
_CPU_PROMOTE = frozenset({"cat", "stack", "index_copy"})
_CUDA_PROMOTE = frozenset({"addcdiv", "addcmul", "atan2", "bilinear", "cross", "dot", "vdot", "grid_sample",
                           "index_put", "scatter_add", "tensordot"})

POLICIES: dict[str, dict[str, str]] = {
    "cpu": {**dict.fromkeys(_CPU_FP32, "fp32"), **dict.fromkeys(_CPU_PROMOTE, "promote"),
            **dict.fromkeys(_RNN_CELLS, "opaque"), **dict.fromkeys(_LOWER, "lower")},
    "cuda": {**dict.fromkeys(_CUDA_FP32, "fp32"), **dict.fromkeys(_CUDA_PROMOTE, "promote"),
             **dict.fromkeys(_LOWER | _RNN_CELLS | {"mv", "addmv", "addr"}, "lower")},
}
