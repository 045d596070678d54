"""Data shipped with Lokus, installed as the package ``lokus_data`` (see ``pyproject.toml``):
the embedded Sumedang dataset and the Kemendagri region code list. Files only, no code."""
