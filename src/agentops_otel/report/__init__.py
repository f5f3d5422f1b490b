"""``agentops-otel report``: read sessions back from the spans file the embedded default writes.

Optional in spirit: nothing in the recording path imports this package. Modules: ``reading``
(the tolerant streaming reader), ``model`` (sessions and span trees), ``text`` and ``html``
(the outputs), ``cli`` (the command).
"""

from __future__ import annotations
