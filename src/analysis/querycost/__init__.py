"""Query cost audit: digest mongod slow-query logs, profiler dumps and explain outputs.

Modules: :mod:`.params` (notebook parameters), :mod:`.sources` (files, sample metadata,
live server), :mod:`.records` (rows, records, read statistics), :mod:`.shape` and
:mod:`.shapecache` (query shapes), :mod:`.digest` (per-shape statistics),
:mod:`.findings` (findings and the verdict rule), :mod:`.advice` (index advice),
:mod:`.pipeline` (``run(params)``, the one entry), :mod:`.result`, :mod:`.report`
(tables and the verdict), :mod:`.plots`, :mod:`.cli` (``python -m analysis digest``).
"""
