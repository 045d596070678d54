"""Domain logic of Lokus, in wings that import only downhill:
core → io → data → scoring → decide → store → export → view → cli (see each wing's docstring
and the README's Development section).

Nothing in this package imports dash or plotly; the UI layers call into it. The engine
returns messages (:class:`geo.core.messages.Message`), never sentences.
"""
