"""Key performance indicators recomputed from results: the CFE score under every accounting
regime (:mod:`gridtwin.kpis.matching`)."""
