"""Sector contracts: tax e-invoices, energy metering, court evidence."""
