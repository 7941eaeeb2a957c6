"""Sources of samples: :mod:`.export` (files, format auto-detected) and :mod:`.live` (Prometheus)."""
