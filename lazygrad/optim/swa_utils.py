"""torch.optim.swa_utils: weight averaging (stochastic weight averaging and exponential moving averages) of a
model's parameters, the learning-rate schedule SWA trains with, and recomputing batch-norm statistics for
the averaged weights. Averages are lazy in-place updates, realized together."""
from __future__ import annotations

import copy
import itertools
import math
from typing import Any, Callable, Iterable

from ..autograd.grad_mode import no_grad
from ..creation import tensor
from ..dtypes import int64
from ..tensor import Tensor, realize
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn",
           "get_swa_avg_fn"]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """Exponential moving averages of lists of tensors, updated in place: ema += (1 - decay) * (p - ema)."""
    _check_decay(decay)

    def ema_update(ema_params, current_params, _) -> None:
        with no_grad():
            for ema, current in zip(ema_params, current_params):
                if ema.is_floating_point():
                    ema.lerp_(current, 1 - decay)
                else:
                    ema.copy_(ema * decay + current * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """Running means of lists of tensors, updated in place from the number averaged so far."""
    def swa_update(averaged_params, current_params, num_averaged) -> None:
        with no_grad():
            for averaged, current in zip(averaged_params, current_params):
                if averaged.is_floating_point():
                    averaged.lerp_(current, 1 / (float(num_averaged) + 1))
                else:
                    averaged.add_((current - averaged) / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """The exponential moving average of one tensor, returned."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn() -> Callable:
    """The running mean of one tensor, returned."""
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of a model whose parameters (and buffers, with use_buffers) are the average of the models
    given to update_parameters: the running mean by default, or what avg_fn / multi_avg_fn compute."""

    def __init__(self, model: Module, device=None, avg_fn: Callable | None = None,
                 multi_avg_fn: Callable | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=int64, device=device))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _tensors(self, model: Module) -> Iterable[Tensor]:
        return itertools.chain(model.parameters(), model.buffers()) if self.use_buffers else model.parameters()

    def update_parameters(self, model: Module) -> None:
        """Fold model's current parameters into the average (the first call copies them)."""
        mine = self._tensors(self.module) if self.use_buffers else self.parameters()
        pairs = [(a.detach(), p.detach().to(a.device)) for a, p in zip(mine, self._tensors(model))]
        count = int(self.n_averaged.item())
        with no_grad():
            if count == 0:
                for averaged, current in pairs:
                    averaged.copy_(current)
            elif self.avg_fn is not None:
                for averaged, current in pairs:
                    averaged.copy_(self.avg_fn(averaged, current, self.n_averaged.to(averaged.device)))
            else:
                average = self.multi_avg_fn or get_swa_multi_avg_fn()
                average([a for a, _ in pairs], [c for _, c in pairs], self.n_averaged)
            if not self.use_buffers:
                for mine_buffer, theirs in zip(self.module.buffers(), model.buffers()):
                    mine_buffer.detach().copy_(theirs.detach().to(mine_buffer.device))
            self.n_averaged += 1
        realize(self.n_averaged, *(a for a, _ in pairs))


def update_bn(loader: Iterable[Any], model: Module, device=None) -> None:
    """Recompute the running statistics of model's batch norms with one pass over loader (their cumulative
    average: momentum None), for averaged weights whose statistics were never seen."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's learning rate to swa_lr over anneal_epochs (cosine or linear), then holds it."""

    def __init__(self, optimizer: Optimizer, swa_lr, anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1) -> None:
        for value, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2 if self._anneal_strategy == "cos" else t

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        previous = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [group["swa_lr"] * alpha + self._get_initial_lr(group["lr"], group["swa_lr"], previous) * (1 - alpha)
                for group in self.optimizer.param_groups]
