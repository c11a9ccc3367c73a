"""Recurrent layers (RNN, LSTM, GRU) and their one-step cells, with torch's parameters, checks and defaults.

The time loop is a Python loop over lazy ops: the whole sequence becomes one graph, which is fused and
realized when a value is needed. Each layer projects the inputs of all time steps (and both directions) with
one matrix multiply, so a step only adds h @ W_hh^T and its gate arithmetic.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Callable

from ...creation import zeros
from ...movement import cat, stack
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

State = tuple  # (h,) for RNN and GRU, (h, c) for LSTM


# ---- one step of each recurrence: gi = x W_ih^T + b_ih, gh = h W_hh^T + b_hh ------------------------------

def _tanh_step(gi: Tensor, gh: Tensor, state: State) -> State:
    return ((gi + gh).tanh(),)


def _relu_step(gi: Tensor, gh: Tensor, state: State) -> State:
    return (F.relu(gi + gh),)


def _lstm_step(gi: Tensor, gh: Tensor, state: State) -> State:
    i, f, g, o = (gi + gh).chunk(4, -1)
    c = f.sigmoid() * state[1] + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _gru_step(gi: Tensor, gh: Tensor, state: State) -> State:
    """The reset gate scales only the hidden part of the candidate, as in torch (and cuDNN)."""
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r, z = (i_r + h_r).sigmoid(), (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return ((1 - z) * n + z * state[0],)


# mode -> (gates per hidden unit, step)
_MODES: dict[str, tuple[int, Callable[[Tensor, Tensor, State], State]]] = {
    "RNN_TANH": (1, _tanh_step), "RNN_RELU": (1, _relu_step), "LSTM": (4, _lstm_step), "GRU": (3, _gru_step)}


def _check_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")


def _check_size(name: str, value) -> None:
    if not isinstance(value, int):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero")


def _check_rnn_args(dropout, num_layers: int, bias, batch_first, input_size, hidden_size, proj_size: int) -> None:
    """torch's constructor checks, in torch's order."""
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
        raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                         "being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                      f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                      stacklevel=4)
    _check_bool("bias", bias)
    _check_bool("batch_first", batch_first)
    _check_size("input_size", input_size)
    _check_size("hidden_size", hidden_size)
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNNBase(Module):
    """The stack of recurrent layers shared by RNN, LSTM and GRU: parameters weight_ih_l{k}, weight_hh_l{k},
    bias_ih_l{k}, bias_hh_l{k} (and weight_hr_l{k} for LSTM projections), '_reverse' for the backward
    direction."""
    __module__ = "lazygrad.nn"

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        super().__init__()
        _check_rnn_args(dropout, num_layers, bias, batch_first, input_size, hidden_size, proj_size)
        if mode not in _MODES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        gate_size = _MODES[mode][0] * hidden_size
        out_size = proj_size or hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else out_size * directions
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, out_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                names = [kind + suffix for kind in shapes]
                for name, shape in zip(names, shapes.values()):
                    setattr(self, name, Parameter(zeros(shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    @property
    def _flat_weights(self) -> list[Parameter | None]:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op: there is no cuDNN weight buffer to compact."""

    # ---- checks ----------------------------------------------------------------------------------------

    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                             f"Convert input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Tensor | None) -> tuple[int, int, int]:
        if batch_sizes is not None:
            batch = int(batch_sizes[0])
        else:
            batch = input.size(0) if self.batch_first else input.size(1)
        return self.num_layers * (2 if self.bidirectional else 1), batch, self.proj_size or self.hidden_size

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple[int, int, int],
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes: Tensor | None) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Tensor, permutation: Tensor | None) -> Tensor:
        return hx if permutation is None else hx.index_select(1, permutation)

    # ---- forward ---------------------------------------------------------------------------------------

    def _prepare(self, input, hx: State | None, unbatched_hx_message: str, batched_hx_message: str):
        """input as (T, B, F) (or packed data), the initial state as (L*D, B, H) tensors, and how to undo it."""
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            batch = int(batch_sizes[0])
            if hx is not None:
                hx = tuple(self.permute_hidden(h, sorted_indices) for h in hx)
            return data, batch_sizes, batch, hx, True, unsorted_indices
        name = "RNN" if self.mode.startswith("RNN") else self.mode
        if input.dim() not in (2, 3):
            tail = "tensor instead" if name == "RNN" else "instead"
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D {tail}")
        batched = input.dim() == 3
        if hx is not None and any(h.dim() != (3 if batched else 2) for h in hx):
            raise RuntimeError((batched_hx_message if batched else unbatched_hx_message).format(
                *(h.dim() for h in hx)))
        if not batched:
            input = input.unsqueeze(1 if not self.batch_first else 0)
            hx = None if hx is None else tuple(h.unsqueeze(1) for h in hx)
        batch = input.size(0) if self.batch_first else input.size(1)
        return input, None, batch, hx, batched, None

    def _zero_state(self, input: Tensor, batch: int) -> State:
        directions = 2 if self.bidirectional else 1
        sizes = [self.proj_size or self.hidden_size] + ([self.hidden_size] if self.mode == "LSTM" else [])
        return tuple(zeros(self.num_layers * directions, batch, size, dtype=input.dtype, device=input.device)
                     for size in sizes)

    def _layer_weights(self, index: int) -> dict[str, Tensor]:
        return {name.split("_l")[0]: getattr(self, name) for name in self._all_weights[index]}

    def _run(self, input: Tensor, batch_sizes: list[int] | None, hx: State) -> tuple[Tensor, State]:
        """All layers over a (T, B, F) sequence or packed data (rows of time step t: the first batch_sizes[t]
        sequences); returns the last layer's output and the final (L*D, B, H) states."""
        directions = 2 if self.bidirectional else 1
        step = _MODES[self.mode][1]
        finals: list[State] = []
        x = input
        for layer in range(self.num_layers):
            weights = [self._layer_weights(layer * directions + d) for d in range(directions)]
            w_ih = cat([w["weight_ih"] for w in weights], 0) if directions > 1 else weights[0]["weight_ih"]
            b_ih = None
            if self.bias:
                b_ih = cat([w["bias_ih"] for w in weights], 0) if directions > 1 else weights[0]["bias_ih"]
            projected = F.linear(x, w_ih, b_ih).chunk(directions, -1)
            outputs = []
            for d in range(directions):
                start = tuple(h[layer * directions + d] for h in hx)
                out, final = _run_direction(projected[d], batch_sizes, start, weights[d], step, reverse=d == 1)
                outputs.append(out)
                finals.append(final)
            x = cat(outputs, -1) if directions > 1 else outputs[0]
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, tuple(stack([f[k] for f in finals], 0) for k in range(len(hx)))

    def _forward(self, input, hx: State | None, unbatched_msg: str, batched_msg: str):
        if hx is not None and not isinstance(hx, tuple):
            hx = (hx,)
        orig = input
        input, batch_sizes, batch, hx, batched, unsorted = self._prepare(input, hx, unbatched_msg, batched_msg)
        if hx is None:
            hx = self._zero_state(input, batch)
        self._check_state(input, batch_sizes, hx)
        sizes = None if batch_sizes is None else [int(b) for b in batch_sizes.tolist()]
        seq = input.transpose(0, 1) if self.batch_first and sizes is None else input
        out, final = self._run(seq, sizes, hx)
        if isinstance(orig, PackedSequence):
            final = tuple(self.permute_hidden(h, unsorted) for h in final)
            return PackedSequence(out, orig.batch_sizes, orig.sorted_indices, orig.unsorted_indices), final
        out = out.transpose(0, 1) if self.batch_first else out
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            final = tuple(h.squeeze(1) for h in final)
        return out, final

    def _check_state(self, input: Tensor, batch_sizes, hx: State) -> None:
        self.check_forward_args(input, hx[0], batch_sizes)

    def extra_repr(self) -> str:
        parts = [f"{self.input_size}, {self.hidden_size}"]
        optional = (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False), ("dropout", 0),
                    ("bidirectional", False))
        parts += [f"{name}={getattr(self, name)}" for name, default in optional if getattr(self, name) != default]
        return ", ".join(parts)


def _run_direction(projected: Tensor, batch_sizes: list[int] | None, state: State, weights: dict[str, Tensor],
                   step, reverse: bool) -> tuple[Tensor, State]:
    """One direction of one layer. With batch_sizes, step t updates only the first batch_sizes[t] rows of
    the state (the sequences still running); the others keep theirs."""
    if batch_sizes is None:
        inputs = list(projected.unbind(0))
    else:
        inputs = list(projected.split(batch_sizes, 0))
    w_hh, b_hh, w_hr = weights["weight_hh"], weights.get("bias_hh"), weights.get("weight_hr")
    outputs: list[Tensor | None] = [None] * len(inputs)
    for t in (reversed(range(len(inputs))) if reverse else range(len(inputs))):
        rows = inputs[t].shape[0]
        active = tuple(s[:rows] for s in state) if rows < state[0].shape[0] else state
        new = step(inputs[t], F.linear(active[0], w_hh, b_hh), active)
        if w_hr is not None:
            new = (F.linear(new[0], w_hr),) + new[1:]
        outputs[t] = new[0]
        state = new if new[0].shape[0] == state[0].shape[0] else tuple(
            cat([n, s[rows:]], 0) for n, s in zip(new, state))
    return (stack(outputs, 0) if batch_sizes is None else cat(outputs, 0)), state


class RNN(RNNBase):
    """Elman RNN: h_t = tanh or relu(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh). Arguments as torch:
    (input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False, dropout=0.0,
    bidirectional=False)."""
    __module__ = "lazygrad.nn"

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if self.nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(modes[self.nonlinearity], *args, **kwargs)

    def forward(self, input, hx: Tensor | None = None):
        out, (h,) = self._forward(input, hx, "For unbatched 2-D input, hx should also be 2-D but got {}-D tensor",
                                  "For batched 3-D input, hx should also be 3-D but got {}-D tensor")
        return out, h


class GRU(RNNBase):
    """Gated recurrent unit layers (reset, update and new gates, in that order in the weights)."""
    __module__ = "lazygrad.nn"

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx: Tensor | None = None):
        out, (h,) = self._forward(input, hx, "For unbatched 2-D input, hx should also be 2-D but got {}-D tensor",
                                  "For batched 3-D input, hx should also be 3-D but got {}-D tensor")
        return out, h


class LSTM(RNNBase):
    """Long short-term memory layers (input, forget, cell, output gates in the weights); with proj_size,
    h is projected by weight_hr after each step."""
    __module__ = "lazygrad.nn"

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Tensor | None) -> tuple[int, int, int]:
        layers, batch, _ = self.get_expected_hidden_size(input, batch_sizes)
        return layers, batch, self.hidden_size

    def _check_state(self, input: Tensor, batch_sizes, hx: State) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hx[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hx[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx: tuple[Tensor, Tensor] | None = None):
        return self._forward(input, None if hx is None else tuple(hx),
                             "For unbatched 2-D input, hx and cx should also be 2-D but got ({}-D, {}-D) tensors",
                             "For batched 3-D input, hx and cx should also be 3-D but got ({}-D, {}-D) tensors")


# ---- cells -------------------------------------------------------------------------------------------------

class RNNCellBase(Module):
    """One step of a recurrence: parameters weight_ih, weight_hh, bias_ih, bias_hh."""
    __module__ = "lazygrad.nn"
    mode: str
    _states = 1  # tensors in the state: 1, or 2 for LSTM's (h, c)

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(zeros(num_chunks * hidden_size, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(zeros(num_chunks * hidden_size, hidden_size, device=device, dtype=dtype))
        for name in ("bias_ih", "bias_hh"):
            self.register_parameter(name, Parameter(zeros(num_chunks * hidden_size, device=device, dtype=dtype))
                                    if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _step(self, input: Tensor, hx: State | None, hx_message: str) -> State:
        """Torch's rank checks, then one step on (B, F) input; unbatched input comes back unbatched."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for k, h in enumerate(hx or ()):
            if h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {hx_message.format(k)} to be 1D or 2D, got {h.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = (zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device),) * self._states
        elif not batched:
            hx = tuple(h.unsqueeze(0) for h in hx)
        self._check_cell(input, hx)
        new = _MODES[self.mode][1](F.linear(input, self.weight_ih, self.bias_ih),
                                   F.linear(hx[0], self.weight_hh, self.bias_hh), hx)
        return new if batched else tuple(h.squeeze(0) for h in new)

    def _check_cell(self, input: Tensor, hx: State) -> None:
        """The checks of torch's fused cell kernels, with their messages."""
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for k, h in enumerate(hx):
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{k} batch size "
                                   f"{h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.size(1)}, expected "
                                   f"{self.hidden_size}")


class RNNCell(RNNCellBase):
    """h' = tanh or relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    __module__ = "lazygrad.nn"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    @property
    def mode(self) -> str:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return "RNN_" + self.nonlinearity.upper()

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, None if hx is None else (hx,), "hidden")[0]


class GRUCell(RNNCellBase):
    """One GRU step."""
    __module__ = "lazygrad.nn"
    mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, None if hx is None else (hx,), "hidden")[0]


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""
    __module__ = "lazygrad.nn"
    mode = "LSTM"
    _states = 2

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        return self._step(input, None if hx is None else tuple(hx), "hx[{}]")
