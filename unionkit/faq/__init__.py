"""FAQ retrieval shared by the gateway (which owns the entries) and the action server (which
answers from them): search terms (text), the BM25 index (retrieval) and the published snapshot
of the enabled entries in Redis with an index kept fresh from it (live)."""
