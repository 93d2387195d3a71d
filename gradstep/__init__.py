"""The ``gradstep`` command: gradstep's libraries as a program for the terminal.

``gradstep demo`` trains a network on built-in data and writes what there is to see of
it; ``graph`` and ``step`` draw a formula's computation graph and step through its
backward pass; ``train`` trains an MLP with the options you choose (``--player``: and
writes its training player); ``compare`` trains one run per value of one option and
plays them side by side; ``doctor`` checks the installation. ``gradstep --help`` lists
them, ``gradstep COMMAND --help`` explains each with an example, and ``python -m
gradstep`` is the same program.

The command is an application built on the libraries :mod:`autograd`, :mod:`nn` and
:mod:`viz`; they know nothing of it, and nothing imports it. Its modules:

* :mod:`gradstep.cli`: the argument parser and ``main()``, which turns every error into
  one line on standard error and an exit status (see :mod:`gradstep.errors`);
* :mod:`gradstep.formula`: formula text such as ``"tanh(x*w + b)"`` to Values, safely;
* :mod:`gradstep.drawing`: the ``graph`` and ``step`` subcommands;
* :mod:`gradstep.training`: the ``train`` and ``demo`` subcommands;
* :mod:`gradstep.compare`: the ``compare`` subcommand (runs side by side);
* :mod:`gradstep.doctor`: the ``doctor`` subcommand;
* :mod:`gradstep.files`: output paths checked up front and files written atomically.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__distribution__ = "gradstep"


def _version() -> str:
    try:
        return version("gradstep")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


__version__ = _version()
