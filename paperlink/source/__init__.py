"""The Python side: finding, reading and parsing source files, and their annotations.

libcst is imported here and in the rules, never in the paper model.
"""
