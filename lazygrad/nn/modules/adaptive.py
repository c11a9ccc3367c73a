"""Adaptive softmax (Grave et al., "Efficient softmax approximation for GPUs"): the frequent classes get a
head softmax, the rarer ones tail clusters behind one head entry each, through smaller projections, so a
large output space costs little where its classes are rare."""
from __future__ import annotations

import itertools
from collections import namedtuple
from collections.abc import Sequence

import numpy as np

import lazygrad as lg

from ...tensor import Tensor
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Classes below cutoffs[0] in the head; those in [cutoffs[i], cutoffs[i + 1]) (the last up to n_classes)
    in tail cluster i, projected to in_features // div_value ** (i + 1) features first."""
    __module__ = "lazygrad.nn"

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int], div_value: float = 4.0,
                 head_bias: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        factory = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **factory)
        self.tail = ModuleList()
        for i, (low, high) in enumerate(itertools.pairwise(self.cutoffs)):
            hidden = int(in_features // (div_value ** (i + 1)))
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **factory),
                                        Linear(hidden, high - low, bias=False, **factory)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for projection, output in self.tail:
            projection.reset_parameters()
            output.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        """Each target's log-probability (output) and their mean negated (loss). The targets are read (a
        realization) to pick the rows each tail cluster is evaluated on, as torch does."""
        if target_.dim() == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        elif target_.dim() == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        known = target.cpu().numpy()
        cluster = np.searchsorted(self.cutoffs, known, side="right")
        if ((known < 0) | (cluster > self.n_clusters)).any():
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{known.min()}, {known.max()}] were found. ")
        tail = input.new_zeros(target.size(0))
        for i, (low, high) in enumerate(itertools.pairwise(self.cutoffs)):
            rows = np.flatnonzero(cluster == i + 1)
            if rows.size:
                picked = lg.tensor(rows, device=input.device)
                logprob = F.log_softmax(self.tail[i](input.index_select(0, picked)), dim=1)
                local = lg.tensor(known[rows] - low, device=input.device).unsqueeze(1)
                tail = tail.index_copy(0, picked, logprob.gather(1, local).squeeze(1))
        head_column = np.where(cluster == 0, known, self.shortlist_size + cluster - 1)
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = tail + head_logprob.gather(1, lg.tensor(head_column, device=input.device).unsqueeze(1)).squeeze()
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        """(N, n_classes): the head's log-probabilities for the shortlist, each cluster's plus its head entry's."""
        out = input.new_empty((head_output.size(0), self.n_classes))
        head_logprob = F.log_softmax(head_output, dim=1)
        out[:, :self.shortlist_size] = head_logprob[:, :self.shortlist_size]
        for i, (start, stop) in enumerate(itertools.pairwise(self.cutoffs)):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            out[:, start:stop] = cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1)
        return out

    def log_prob(self, input: Tensor) -> Tensor:
        """(N, n_classes): the log-probability of every class."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """(N,): the most probable class, as log_prob(input).argmax(dim=1); the clusters are evaluated only
        when some row's best head entry is a cluster's."""
        head_output = self.head(input)
        best = head_output.argmax(dim=1)
        in_tail = best >= self.shortlist_size
        if not in_tail.any():
            return best
        return lg.where(in_tail, self._get_full_log_prob(input, head_output).argmax(dim=1), best)
