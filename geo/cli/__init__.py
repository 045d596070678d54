"""The lokus command line, one module per command; main.py assembles them. The top of the house: may
import every wing.
"""
