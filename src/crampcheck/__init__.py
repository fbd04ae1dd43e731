"""crampcheck: triage and self-care for muscle cramps and muscle spasms.

The package is layered: ``domain`` holds value types, ``knowledge`` the sourced
knowledge base, ``engine`` the pure triage logic, ``nlp`` the free-text reader,
``services`` the use cases the command line (and later the web app) call.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
