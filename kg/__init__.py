"""confkg: French tech-conference recaps in, knowledge graph out."""

__version__ = "0.1.0"
