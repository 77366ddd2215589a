"""Synthetic inputs and the benchmark: the bundled sample inbox (``sample``, with
``sample_model``, ``sample_world``, ``sample_tables``, ``sample_mess``, ``sample_province``,
``sample_returns``, ``sample_outbound`` and the recorded file times ``sample_mtimes``), the
province-scale generator (``bigdata``) and the benchmark (``bench``).

Fixtures, not product: nothing in the pipeline imports this package (tests/test_imports.py).
Reached through ``invoke sample`` and ``invoke bench``.
"""
