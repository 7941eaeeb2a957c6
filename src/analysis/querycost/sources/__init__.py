"""Everything the query cost audit reads: evidence files, the sample's metadata, a live server.

:mod:`.files` opens any evidence file (plain or gzip), detects its kind and yields rows
through :mod:`.log`, :mod:`.profile` or :mod:`.explain` (documents streamed by
:mod:`.jsonstream`); :mod:`.parallel` reads large plain logs by byte ranges in worker
processes; :mod:`.meta` reads ``sample_meta.json``; :mod:`.live` explains and reads a
real MongoDB server (read-only).
"""
