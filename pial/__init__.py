"""PIAL web application."""
