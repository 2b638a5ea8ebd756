"""Staff tooling: release, validate, grade, report. Imports course_lib; never the reverse."""
