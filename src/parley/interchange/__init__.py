"""Reading and writing files users exchange with Parley (YAML, JSON, CSV); errors name file and line.

Role: file formats only: case files and the case CSV, scenario files, indicator CSVs, QCA set
tables, data packages, uploads and workspace exports. Parsing enforces limits (size, depth,
UTF-8, no NUL) and collects every problem with its location. Who may read or write a file, and
the audit of it, belong to services, which are the front ends' door to this package.
"""
