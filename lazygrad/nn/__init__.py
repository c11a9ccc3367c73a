"""torch.nn: parameters, modules (layers, losses, containers), their initialization, and the functional
ops they call. A layer's forward is lazy tensor ops, so a model's forward, loss and gradient fuse."""
from . import functional, init, utils
from .modules import *  # noqa: F401,F403
from . import attention  # (after the modules: nn.attention is torch's kernel choice, not the layer's module)
from . import grad, parallel
from .modules.module import Module
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
