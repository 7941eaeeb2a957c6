"""Generators of the embedded data (SYNTHETIC, documented, deterministic).

* :mod:`.dataset` — documents shaped like Infra Mind's collections (notebook 02's engine, notebook 01's sample);
* :mod:`.querysim` — the simulated server (workload + cost model) behind notebook 01's sample;
* :mod:`.querylog` — writes that sample: slow-query log, profiler export, explain outputs;
* :mod:`.indexstats` — that sample's ``getIndexes()`` and ``$indexStats`` exports (consistent with the workload);
* :mod:`.traffic` — the Prometheus traffic model behind notebook 03's export;
* :mod:`.prometheus_files` — writers of the Prometheus file formats the workbook reads.

Regenerate with ``python -m analysis.samples.querylog`` (then ``python -m analysis.samples.indexstats``) and
``python -m analysis.samples.traffic``.
"""
