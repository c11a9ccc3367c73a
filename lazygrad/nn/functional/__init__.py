"""torch.nn.functional: the ops that nn's layers call, each built from lazy tensor ops (so a layer's
forward and its gradient fuse with the code around them). One module per family."""
from .activations import *  # noqa: F401,F403
from .convolution import *  # noqa: F401,F403
from .sliding_blocks import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .fractional_pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .interpolation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .linear_cross_entropy import *  # noqa: F401,F403

from ...int_parameters import share_checked as _share_checked  # noqa: E402
from ...nn_aliases import SAME_AS_FUNCTIONAL as _SAME_AS_FUNCTIONAL  # noqa: E402
_share_checked(globals(), frozenset(_SAME_AS_FUNCTIONAL))
