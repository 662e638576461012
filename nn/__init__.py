"""Neural-network modules built on autograd (layers, models, datasets)."""
