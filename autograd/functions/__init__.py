"""Differentiable operations, one file per family; `import autograd.functions as F`."""

from autograd.functions.arithmetic import *  # noqa: F403
from autograd.functions.conv import *  # noqa: F403
from autograd.functions.elementwise import *  # noqa: F403
from autograd.functions.indexing import *  # noqa: F403
from autograd.functions.linalg import *  # noqa: F403
from autograd.functions.loss import *  # noqa: F403
from autograd.functions.pooling import *  # noqa: F403
from autograd.functions.reduction import *  # noqa: F403
from autograd.functions.regularization import *  # noqa: F403
from autograd.functions.shape import *  # noqa: F403
from autograd.functions.softmax import *  # noqa: F403
