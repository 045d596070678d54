"""Domain logic of Lokus: reading, joining, indicators, classification, scoring.

Nothing in this package imports dash or plotly; the UI layers call into it.
"""
