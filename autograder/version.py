"""The tool's version, written into every release manifest and submission."""

from __future__ import annotations


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    for distribution in ("genai-course", "genai-course-student"):   # staff's, or the student package
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "unknown"        # a source checkout that is not installed
