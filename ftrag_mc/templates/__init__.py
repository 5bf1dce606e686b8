"""Scenario templates for ``ftrag-mc new`` (package data: the *.toml files)."""
