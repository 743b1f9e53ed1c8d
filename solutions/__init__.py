"""Reference solutions of the Backprop Workbook, one module per workbook: shapes (00),
activations (01), forward_pass (02), cross_entropy (03), backprop (04) and training (05).
Pure numpy, rows are examples (X is (N, D), Z = A_prev @ W + b); the graded function names and
signatures are those of the course contract, and the hidden tests import them from here.
"""
