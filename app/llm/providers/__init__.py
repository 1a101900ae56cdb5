"""Clients for the model providers, behind one small protocol (``ProviderClient``)."""
