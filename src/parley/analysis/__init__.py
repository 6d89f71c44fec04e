"""Pure computation: assessment, similarity, outlook, time series and QCA.

Role: the numbers and rules Parley computes from cases and scenarios, as functions of their
inputs: no I/O, no clock except where passed in, no database, web or file formats. Its imports
are an allow-list (the standard library, the domain, numpy, scipy, statsmodels, networkx), so
it stays testable against published references (R's QCA and glm; see the conformance tests).
Services call it; front ends reach it only through services.
"""
