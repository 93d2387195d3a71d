"""gradstep's neural-network layer: modules, losses, optimizers and data, built on autograd.

(Filled in by the nn issue; for now the package only exists.)
"""
