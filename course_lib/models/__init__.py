"""The tiny model zoo (see ``course_lib.models.zoo``)."""

from course_lib.models.zoo import ZOO, build, build_all, card, load, path

__all__ = ["ZOO", "build", "build_all", "card", "load", "path"]
