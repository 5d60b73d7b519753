"""Token verification for the mesh: JWKS cache, JWT verifier, authenticator, service tokens."""
