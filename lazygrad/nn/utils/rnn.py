"""Variable-length sequences: padding them into one batch tensor, and packing them (torch's PackedSequence),
so that recurrent layers step each sequence only through its own length. Packing and unpacking are each
one gather, so their gradients are one scatter-add."""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "unpad_sequence",
           "pack_sequence", "unpack_sequence", "invert_permutation"]


def _long(values) -> Tensor:
    from ...creation import tensor
    from ...dtypes import int64
    return tensor(np.asarray(values, dtype=np.int64), dtype=int64)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes `permutation`."""
    if permutation is None:
        return None
    order = np.asarray(permutation.tolist(), dtype=np.int64)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return _long(inverse)


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedFields):
    """The time steps of a batch of sequences (sorted by decreasing length) laid end to end: data holds step 0
    of every sequence, then step 1 of those still running, ...; batch_sizes[t] counts the rows of step t."""
    __module__ = "lazygrad.nn.utils.rnn"

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """data moved or cast as Tensor.to does; the index tensors stay as they are."""
        return type(self)(self.data.to(*args, **kwargs), self.batch_sizes, self.sorted_indices,
                          self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return type(self)(self.data.double(), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def float(self) -> PackedSequence:
        return type(self)(self.data.float(), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _host_lengths(lengths) -> np.ndarray:
    """lengths as int64 values, as torch converts them (a tensor must hold them in one dim)."""
    if isinstance(lengths, Tensor) and lengths.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.ndim}D "
                           f"{lengths.device.type} Long tensor")
    return np.asarray(lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)).astype(np.int64)


def _check_packing(steps: Tensor, lengths: np.ndarray) -> None:
    """torch's checks, in its order, of a time-major batch and its (sorted, when they are valid) lengths."""
    batch = steps.size(1)
    if steps.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
                           f"(batch_size={batch})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if np.any(lengths[:-1] < lengths[1:]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                           "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                           "to sidestep this requirement if you do not need ONNX exportability.")


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded (T, B, *) (or (B, T, *)) batch whose sequence b has lengths[b] steps."""
    lengths = _host_lengths(lengths)
    if enforce_sorted:
        order, sorted_indices = np.arange(lengths.size), None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = _long(order)
    steps = input if not batch_first else input.transpose(0, 1)
    ordered = lengths[order]
    _check_packing(steps, ordered)
    batch_sizes = (ordered[None, :] > np.arange(int(ordered.max()))[:, None]).sum(1)
    rows = np.concatenate([t * steps.shape[1] + order[:n] for t, n in enumerate(batch_sizes)])
    flat = steps.reshape(-1, *steps.shape[2:])
    return PackedSequence(flat.index_select(0, _long(rows)), _long(batch_sizes), sorted_indices,
                          invert_permutation(sorted_indices))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The padded batch (in the original order) and each sequence's length: the inverse of packing."""
    from ...movement import cat
    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes.tolist(), dtype=np.int64)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    order = (np.arange(batch) if sequence.unsorted_indices is None
             else np.asarray(sequence.unsorted_indices.tolist(), dtype=np.int64))
    starts = np.concatenate([[0], np.cumsum(batch_sizes)])
    filler = data.shape[0]
    index = np.full((steps, batch), filler, dtype=np.int64)
    for t, n in enumerate(batch_sizes):
        index[t, :n] = starts[t] + np.arange(n)
    index = index[:, order]
    padding = data.new_full((1, *data.shape[1:]), padding_value)
    padded = cat([data, padding], 0).index_select(0, _long(index.reshape(-1))).reshape(steps, batch, *data.shape[1:])
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)[order]
    return (padded.transpose(0, 1) if batch_first else padded), _long(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Sequences of shape (L_i, *) written into a (max L, B, *) (or (B, max L, *)) tensor of padding_value, in the
    first sequence's dtype, each broadcast to its trailing dims (torch's copies into slices)."""
    from ...creation import full
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    first = sequences[0]
    if first.ndim == 0:
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    longest = max(s.size(0) for s in sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    shape = (len(sequences), longest) if batch_first else (longest, len(sequences))
    out = full((*shape, *first.shape[1:]), padding_value, dtype=first.dtype, device=first.device)
    for i, s in enumerate(sequences):
        n = s.size(0)
        row = out[i] if batch_first else out[:, i]
        row.narrow(0, longest - n if padding_side == "left" else 0, n).copy_(s)
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list[Tensor]:
    """The sequences of a padded batch, each cut to its length. A time-major batch is transposed in place to
    batch-major first, as torch's does (the caller's tensor stays transposed)."""
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    return [padded_sequences[b, :n] for b, n in enumerate(_host_lengths(lengths).tolist())]


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) sequences."""
    return pack_padded_sequence(pad_sequence(sequences), [s.size(0) for s in sequences],
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences that pack_sequence packed."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
