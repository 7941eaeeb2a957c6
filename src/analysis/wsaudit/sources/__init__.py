"""What talks to a server: the probe client (:mod:`.client`), the jku/x5u fetch listener (:mod:`.listener`) and
the in-process reference targets, notebook 04's embedded default (:mod:`.reference_target`)."""
