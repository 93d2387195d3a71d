"""gradstep's visualisations: computation graphs, step-through backprop and plots."""
