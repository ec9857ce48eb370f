"""ml-connector: keeps Sage Intacct (accounting) and HubSpot (sales) in agreement."""

from __future__ import annotations

__version__ = "0.1.0"
