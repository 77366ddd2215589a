"""yonggong (用工): the daily key-enterprise labour dispatch pipeline for Jiangxi's labour bureaus.

The package is the product; notebooks under ``notebooks/`` only set parameters, call these
modules and show the results.
"""

__version__ = "0.1.0"
