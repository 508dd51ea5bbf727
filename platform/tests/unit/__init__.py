"""A package, so pytest (import mode importlib) names these test modules from here.

Without it pytest would name them `platform.tests...` after the folder and put a
namespace module in place of the standard library's `platform` for the whole run.
"""
