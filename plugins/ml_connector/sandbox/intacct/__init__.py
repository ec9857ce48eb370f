"""The local Intacct XML gateway (sandbox). Shares no code with ml_connector.intacct."""

from __future__ import annotations

from ml_connector.sandbox.intacct.sandbox import IntacctSandbox

__all__ = ["IntacctSandbox"]
