"""The web application: JSON API and HTML pages over the same services."""
