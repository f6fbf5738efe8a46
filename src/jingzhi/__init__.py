"""Jingzhi (精治): a platform for running a city government on time."""

__version__ = "0.1.0"
