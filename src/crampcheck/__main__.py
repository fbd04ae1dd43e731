"""``python -m crampcheck ...``: the same as the ``crampcheck`` command."""

from crampcheck.cli import main

raise SystemExit(main())
