"""cuda dialect tables; the Dialect object is in xpiler.dialects."""
