"""course_lib: the shared library that students, reference solutions and tests all import.

Everything here is offline by construction: data sets are generated from a seed and
models are built locally, then loaded with the ordinary Hugging Face calls
(``datasets.load_dataset``, ``from_pretrained``) pointed at local folders.
"""

__version__ = "0.1.0"
