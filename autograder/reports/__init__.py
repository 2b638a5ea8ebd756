"""Feedback pages, the staff dashboard and gradebook exports (``course report``, ``course export``).

``model``  the numbers, from the gradebook (``final_score`` everywhere);
``render`` ``reports/<id>/index.html`` and ``reports/<id>/<student>.html`` (jinja2 templates
           in ``templates/``, inline CSS, plots as base64 PNG, no JavaScript);
``plots``  matplotlib figures as data URIs;
``export`` CSV, Canvas and Gradescope score files (layouts in its docstring).
"""

from autograder.reports.lms_export import FORMATS, export, read_roster
from autograder.reports.model import AssignmentInfo, ClassView, StudentView, load_class, page_name
from autograder.reports.render import render_dashboard, render_student, write_reports

__all__ = ["FORMATS", "AssignmentInfo", "ClassView", "StudentView", "export", "load_class", "page_name",
           "read_roster", "render_dashboard", "render_student", "write_reports"]
