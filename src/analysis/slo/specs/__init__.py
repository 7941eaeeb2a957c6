"""SLO specs as users have them — OpenSLO (v1alpha, v1, v2alpha), Sloth (``prometheus/v1`` and the
``PrometheusServiceLevel`` CRD) and Pyrra (``ServiceLevelObjective``) — read into the catalog's
:class:`~analysis.slo.objectives.SLO` objects, one small module per format, and written back
(:mod:`.writers`). :func:`analysis.slo.catalog.load_catalog` is the entry point.
"""
