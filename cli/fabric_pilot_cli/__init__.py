"""The fabric-pilot command line."""
