"""channels' WebsocketCommunicator without daphne.

`channels.testing/__init__.py` imports its live-server test case, which needs daphne; we
serve with uvicorn and do not install daphne. The communicator itself needs neither, so
the package is entered without running that `__init__`.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import channels

if "channels.testing" not in sys.modules:
    package = types.ModuleType("channels.testing")
    package.__path__ = [str(Path(channels.__file__).parent / "testing")]
    sys.modules["channels.testing"] = package

from channels.testing.websocket import WebsocketCommunicator  # noqa: E402

__all__ = ["WebsocketCommunicator"]
