"""The tool's version, written into every release manifest and submission."""

from __future__ import annotations


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("genai-course")
    except Exception:  # noqa: BLE001 - a source checkout that is not installed
        return "unknown"
