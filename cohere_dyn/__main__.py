"""`python -m cohere_dyn` and the `cohere-dyn` console script."""

import sys

from ._tools._cli import main

if __name__ == "__main__":
    sys.exit(main())
