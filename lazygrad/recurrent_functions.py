"""torch's functional recurrences: one step (lstm_cell, gru_cell, rnn_tanh_cell, rnn_relu_cell) and whole
stacks of layers over flat parameter lists (lstm, gru, rnn_tanh, rnn_relu), as nn.LSTM and the others call
them. The recurrences are nn's (lazygrad/nn/modules/rnn.py); nothing here imports nn until a function runs."""
from __future__ import annotations

import importlib
from typing import Callable

from .int_parameters import refuse_combination
from .tensor import Tensor


def _rnn():
    return importlib.import_module("lazygrad.nn.modules.rnn")


def _linear(input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    return importlib.import_module("lazygrad.nn.functional").linear(input, weight, bias)


def _cell(name: str, mode: str) -> Callable:
    def step(input: Tensor, hx, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None):
        state = tuple(hx) if isinstance(hx, (tuple, list)) else (hx,)
        new = _rnn()._MODES[mode][1](_linear(input, w_ih, b_ih), _linear(state[0], w_hh, b_hh), state)
        return new if mode == "LSTM" else new[0]
    step.__name__ = step.__qualname__ = name
    step.__doc__ = f"One {mode} step: the new state{'s (h, c)' if mode == 'LSTM' else ''} from input and hx."
    return step


lstm_cell = _cell("lstm_cell", "LSTM")
gru_cell = _cell("gru_cell", "GRU")
rnn_tanh_cell = _cell("rnn_tanh_cell", "RNN_TANH")
rnn_relu_cell = _cell("rnn_relu_cell", "RNN_RELU")


class _FlatParameters:
    """What nn's layer loop (RNNBase._run) reads of a module, taken from torch's flat parameter list: per
    layer and direction w_ih, w_hh, then b_ih, b_hh with has_biases, then w_hr for LSTM projections."""

    def __init__(self, mode: str, params, has_biases: bool, num_layers: int, dropout: float, train: bool,
                 bidirectional: bool):
        self.mode, self.bias, self.num_layers = mode, has_biases, num_layers
        self.dropout, self.training, self.bidirectional = dropout, train, bidirectional
        groups = num_layers * (2 if bidirectional else 1)
        per_group = len(params) // groups
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if has_biases else [])
        names += ["weight_hr"][:per_group - len(names)]
        self._weights = [dict(zip(names, params[g * per_group:(g + 1) * per_group])) for g in range(groups)]

    def _layer_weights(self, index: int) -> dict[str, Tensor]:
        return self._weights[index]


def _layers(name: str, mode: str, states: int) -> Callable:
    hx = "tuple of Tensors hx" if states == 2 else "Tensor hx"
    flags = "tuple of Tensors params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional"
    signatures = (f"(Tensor data, Tensor batch_sizes, {hx}, {flags})",
                  f"(Tensor input, {hx}, {flags}, bool batch_first)")

    def run(*args):
        if len(args) != 9 or not isinstance(args[0], Tensor) or not isinstance(args[1], (Tensor, tuple, list)):
            refuse_combination(run, args, signatures=signatures)
        packed = not isinstance(args[3], bool)
        if packed:
            data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional = args
            sizes, batch_first = [int(b) for b in batch_sizes.tolist()], False
        else:
            data, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first = args
            sizes = None
        hx = tuple(hx) if isinstance(hx, (tuple, list)) else (hx,)
        module = _FlatParameters(mode, list(params), has_biases, num_layers, dropout, train, bidirectional)
        seq = data.transpose(0, 1) if batch_first else data
        out, final = _rnn().RNNBase._run(module, seq, sizes, hx)
        return (out.transpose_(0, 1) if batch_first else out, *final[:states])
    run.__name__ = run.__qualname__ = name
    run.__doc__ = (f"torch.{name}(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, "
                   "batch_first), or over packed data: (data, batch_sizes, hx, params, has_biases, num_layers, "
                   "dropout, train, bidirectional). Returns the last layer's output and the final states.")
    return run


lstm = _layers("lstm", "LSTM", 2)
gru = _layers("gru", "GRU", 1)
rnn_tanh = _layers("rnn_tanh", "RNN_TANH", 1)
rnn_relu = _layers("rnn_relu", "RNN_RELU", 1)
