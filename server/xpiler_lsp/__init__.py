"""The Xpiler language server: kernels reviewed in the editor.

A thin layer over the ``xpiler`` library (pygls 2 + lsprotocol): every answer comes from
the library; this package only translates between LSP messages and library calls.
"""
__version__ = "0.1.0"
