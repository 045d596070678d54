"""The foundations every wing stands on: errors and messages, the translation catalogue and number/date
formats, village codes, the indicator catalogue, rates, WHO anthropometry and the data-quality log.
Imports nothing else of geo.
"""
