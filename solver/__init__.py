"""Allocation engine for the pial-allocation/1 format."""
