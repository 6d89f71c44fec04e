"""The paper's content as data (codebook, cases, guidelines) and the loader that validates it."""
