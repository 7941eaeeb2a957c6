"""Sources of samples: exported files (:mod:`.export`, which detects the format and hands the bytes to
:mod:`.prom_json`, :mod:`.grafana_csv` or :mod:`.exposition`) and a live server (:mod:`.live`)."""
