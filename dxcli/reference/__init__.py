"""Reference data: record models (``models``), the loader (``loader``) and the
integrity checks (``integrity``)."""
