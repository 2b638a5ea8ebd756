"""``course serve``: the course's web service on the gradebook (``app``: routes; ``store``:
accounts, receipts and the uploaded files)."""
