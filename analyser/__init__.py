"""Agreement analyser: checks research-cooperation agreements for the framework clauses."""

__version__ = "0.1.0"
