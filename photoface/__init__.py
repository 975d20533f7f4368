"""photoface: find, group and name the people in a home photo library."""

__version__ = "0.1.0"
