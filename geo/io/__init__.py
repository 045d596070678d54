"""Reading users' files: archives and boundary files, village tables and their column schema, code/name
matching, e-PPGBM records, upload checks. Imports geo.core only.
"""
