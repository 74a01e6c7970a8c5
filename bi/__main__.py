"""`python -m bi`: see bi/launch.py."""

import sys

from bi.launch import main

sys.exit(main())
