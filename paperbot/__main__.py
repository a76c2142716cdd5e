"""`python -m paperbot` runs the command line."""

import sys

from paperbot.cli import main

sys.exit(main())
