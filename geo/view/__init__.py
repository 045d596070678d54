"""What the pages need from the domain without any Dash: the dataset registry of a running app, map
geometry prepared once, view state in the URL.
"""
