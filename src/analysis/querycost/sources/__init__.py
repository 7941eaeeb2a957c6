"""Everything the query cost audit reads: evidence files, the sample's metadata, a live server.

:mod:`.files` opens any evidence file (plain or gzip), detects its kind and yields rows
through :mod:`.log`, :mod:`.profile` or :mod:`.explain` (documents streamed by
:mod:`.jsonstream`; per-operation extras by :mod:`.opstats`); :mod:`.chunks` expands
paths, globs and directories into chunks (whole files or byte ranges of large plain logs)
and reads each into a partial digest; :mod:`.cluster` runs them serially or on Dask
distributed; :mod:`.meta` reads ``sample_meta.json``; :mod:`.live` explains and reads a
real MongoDB server (read-only).
"""
