"""torch.__future__: how nn.Module converts its parameters (to(), half(), cuda(), load_state_dict). By default a
parameter keeps its object and takes the new data (`.data =`); with swapping, the new tensor's whole content is
swapped into the old object (utils.swap_tensors); with overwriting, new Parameter objects replace the old."""
from __future__ import annotations

_STATE = {"swap": False, "overwrite": False}


def set_overwrite_module_params_on_conversion(value: bool) -> None:
    """Whether converting a module makes new Parameter objects (the old ones are no longer its parameters)."""
    _STATE["overwrite"] = value


def get_overwrite_module_params_on_conversion() -> bool:
    return _STATE["overwrite"]


def set_swap_module_params_on_conversion(value: bool) -> None:
    """Whether converting a module, and loading a state dict into it, swap the new contents into its parameters
    and buffers (utils.swap_tensors); this wins over overwriting."""
    _STATE["swap"] = value


def get_swap_module_params_on_conversion() -> bool:
    return _STATE["swap"]
