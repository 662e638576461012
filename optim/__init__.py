"""Optimizers and learning-rate schedules; depends on autograd only."""

from optim import lr_scheduler
from optim.adam import Adam, AdamW
from optim.adaptive import Adadelta, Adagrad, RMSprop
from optim.clip import clip_grad_norm
from optim.optimizer import Optimizer
from optim.sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "clip_grad_norm", "lr_scheduler"]
