"""Generators of the embedded data (SYNTHETIC, documented, deterministic).

* :mod:`.dataset` — documents shaped like Infra Mind's collections (notebook 02's engine, notebook 01's sample);
* :mod:`.querylog` — the synthetic slow-query log, profiler export and explain outputs of notebook 01;
* :mod:`.traffic` — the Prometheus traffic model behind notebook 03's export;
* :mod:`.prometheus_files` — writers of the Prometheus file formats the workbook reads.

Regenerate with ``python -m analysis.samples.querylog`` and ``python -m analysis.samples.traffic``.
"""
