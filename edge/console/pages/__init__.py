"""The console's pages, one module per area; each is a few calls to the REST API."""
