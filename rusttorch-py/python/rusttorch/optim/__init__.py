"""``torch.optim``: SGD, Adam and AdamW.

Each ``step()`` builds the new value of every parameter and of its optimizer state for a whole
parameter group as one lazy expression and evaluates it in one plan: one fused elementwise
kernel per parameter, writing the parameter and its state into their own buffers (buffer
donation), not a chain of temporaries. Step-dependent factors (bias corrections, learning rates)
enter as 0-d tensors, so every step reuses the same cached plan.
"""

from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]
