"""Differentiable operations, one file per family; `import autograd.functions as F`."""

from autograd.functions import arithmetic as _arithmetic
from autograd.functions import conv as _conv
from autograd.functions import elementwise as _elementwise
from autograd.functions import indexing as _indexing
from autograd.functions import linalg as _linalg
from autograd.functions import loss as _loss
from autograd.functions import pooling as _pooling
from autograd.functions import reduction as _reduction
from autograd.functions import regularization as _regularization
from autograd.functions import shape as _shape
from autograd.functions import softmax as _softmax
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

# Every public op, from the families' own lists (the op table's test checks each has an entry).
_FAMILIES = (_arithmetic, _conv, _elementwise, _indexing, _linalg, _loss,
             _pooling, _reduction, _regularization, _shape, _softmax)
__all__ = sorted(name for family in _FAMILIES for name in family.__all__)
