"""`python -m cta_desktop` behaves like the `cta-desktop` command."""

from cta_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
