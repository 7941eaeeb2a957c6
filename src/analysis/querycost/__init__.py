"""Query cost audit: digest mongod slow-query logs, profiler dumps and explain outputs.

Modules: :mod:`.readers` (streaming sources), :mod:`.shape` (query shapes),
:mod:`.digest` (per-shape statistics; :mod:`.parallel` for large plain logs),
:mod:`.advice` (index advice), :mod:`.server` (live explain / profile, read-only),
:mod:`.sample` (the embedded synthetic workload), :mod:`.audit` (findings and verdict),
:mod:`.report` (the notebook's one call), :mod:`.plots`, :mod:`.params` (notebook
parameters), :mod:`.cli` (``python -m analysis digest``).
"""
