"""The report's number formats: :mod:`ftrag_mc.formats`, re-exported where the report has always
imported them (they live below ``analysis``, which formats a CSV cell with them too)."""

from ftrag_mc.formats import *  # noqa: F403 - re-exported
from ftrag_mc.formats import __all__  # noqa: F401 - the same names
