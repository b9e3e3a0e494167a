"""A fictional company (Lumen Hogar) with realistic feedback and hidden stories, for the demo."""

from escucha.demo.generator import DEFAULT_START, FILES, generate, mappings, stories

__all__ = ["DEFAULT_START", "FILES", "generate", "mappings", "stories"]
