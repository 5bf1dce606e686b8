"""``ftrag-mc app``: the calculator, made probabilistic, as a local web page.

A pure core, independent of the web library, turns what a person types into what the command line
would do with the same words, then into the page's numbers and charts:

- :mod:`.fields`: the inputs the page shows for a scenario (volume, growth, every uncertain input's
  distribution parameters, the strategies' key prices), each a dotted key as with ``--set``;
- :mod:`.state`: the page's state (``--set`` overrides, baseline, challenger, samples, seed), read
  from the form or from a shared URL, bounded, and written back as a URL;
- :mod:`.views`: the state's views, by the library's own functions (``load_scenario``,
  ``simulate``, the analyses, the report's headline and charts): the headline and main chart
  first, the rest after;
- :mod:`.exports`: the edited scenario as TOML (comments kept), the CSVs and the board pack;
- :mod:`.work`: the worker processes that compute views, and the cache in front of them.

The web layer is thin: :mod:`.page` (layout and help text), :mod:`.server` (Shiny's reactive
glue) and :mod:`.serve` (the local server). Importing this package imports none of them.
"""
