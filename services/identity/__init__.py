"""The identity service: credentials, sessions, signing keys, JWKS and service identities."""
