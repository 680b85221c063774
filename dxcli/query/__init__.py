"""Queries over the reference data: plain functions from arguments to rows."""
