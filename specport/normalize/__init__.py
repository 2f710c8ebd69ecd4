"""Spec files: parsing helpers, normalization passes (one module each) and macro files.

`normalize.normalize()` runs the passes for one target; `macrofiles.write_macro_files()` writes the
macro files a build of that target loads. Passes are pure: text in, text and change notes out.
"""
