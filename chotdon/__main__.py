"""`python -m chotdon`, the same as the `chotdon` console script."""

from chotdon.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
