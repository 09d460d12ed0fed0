"""The measurement engine.

Pure numpy/scipy/pandas; it never imports Django (``tests/test_engine_boundary.py`` proves it).
Every statistic is a documented public function that takes arrays or a DataFrame and returns a
frozen result dataclass with ``to_dict()``.
"""

ENGINE_VERSION = "0.1.0"
