"""``import agentops`` for agentops-otel: AgentOps 0.3 and 0.4 code runs unchanged, on OpenTelemetry.

Every public name of ``agentops_otel`` is re-exported, the same objects. The real ``agentops``
package uses the same import name; with both installed, pip lets one overwrite the other's files,
so which code runs is an accident: this refuses to import and says which to uninstall.
"""

from __future__ import annotations

from importlib import metadata


def _refuse_next_to_the_real_agentops() -> None:
    try:
        real = metadata.version("agentops")
    except metadata.PackageNotFoundError:
        return
    raise ImportError(
        f"Both the AgentOps SDK (agentops {real}) and agentops-otel's drop-in (agentops-otel-dropin) are "
        "installed, and both provide `import agentops`. Keep one: `pip uninstall agentops` to run on "
        "agentops-otel, or `pip uninstall agentops-otel-dropin` to keep the AgentOps SDK (then reinstall it, "
        "as the two shared files)."
    )


_refuse_next_to_the_real_agentops()

from agentops_otel import *  # noqa: E402, F403 - the drop-in is exactly agentops_otel's public API
from agentops_otel import __all__ as __all__  # noqa: E402
