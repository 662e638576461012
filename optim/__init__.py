"""Optimizers and learning-rate schedules; depends on autograd only."""
