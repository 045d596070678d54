"""What planners decide on a scored list: the Aksi 2 plan, continuity with last year's lokus, the
rembuk record. Imports the wings below it.
"""
