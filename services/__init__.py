"""Meshwork services: one package per service."""
