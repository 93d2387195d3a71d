"""Exercise checkers for the gradstep course: one module per notebook.

A notebook imports its checkers from the module named like the notebook without its
number: ``02_build_your_own_engine.ipynb`` uses ``exercises/build_your_own_engine.py``::

    from exercises.build_your_own_engine import check_add

Notebooks run with ``notebooks/`` as their working directory (JupyterLab and nbmake
both do), so ``exercises`` is importable there without installing anything.

What a checker does
-------------------

A checker is called with the learner's answer, ``check_add(answer)``, and prints exactly
one line:

* ``✓ ...`` and returns True when the answer is right;
* ``✗ not yet: <what is wrong, with the numbers> (hint: ...)`` and returns False when
  it is wrong; the same, in one sentence, when the answer has the wrong type or shape
  ("the answer should be a number, but it is a str ('0.5') (hint: ...)");
* ``→ to start: ...`` and returns False when the answer is still the placeholder ``...``.

It never raises for a learner's mistake: an exception raised by the learner's own code
(any, ``SystemExit`` included, also from a ``__len__`` or ``__eq__`` the checker calls) is
caught and reported with its message ("x + 2 raised TypeError: ..."). Only
``KeyboardInterrupt`` goes through, so that interrupting the kernel stops a learner's
function that hangs.

Writing a checker
-----------------

Decorate a *body* with :func:`~exercises.feedback.checker`. The body gets the answer
(never the placeholder: the decorator handles that) and returns a
:class:`~exercises.feedback.Verdict`, made with :func:`~exercises.feedback.right`,
:func:`~exercises.feedback.not_yet` or :func:`~exercises.feedback.wrong_type`.
Inside it, :func:`~exercises.feedback.reject` (or :func:`~exercises.feedback.stop` with
a ready verdict) stops at the first problem, and
:func:`~exercises.feedback.attempt` runs the learner's code, turning an exception into a
verdict. For the common case of one number or a list of numbers,
:func:`~exercises.feedback.expect_number` and :func:`~exercises.feedback.expect_numbers`
do the whole check::

    @checker(start="put dL/dw1 (a number) into answer")
    def check_dl_dw1(answer: object) -> Verdict:
        '''Exercise 1.2: the gradient of the neuron's loss with respect to w1.'''
        return expect_number(answer, 1.92, name="dL/dw1", hint="0.64 times x1")

Compute expected numbers with gradstep itself where you can, so that they are right by
construction. A checker's name starts with ``check_``; its docstring names its exercise.

The exercise in the notebook
----------------------------

Four cells in a row, which ``tests/notebooks/test_exercises.py`` checks in every notebook:

1. markdown starting with ``**Exercise N.k**`` (N the notebook's number, k = 1, 2, ... in
   order), then the task; say what ``answer`` should be;
2. the learner's code cell, whose first line of code is ``answer = ...``, the placeholder
   (comments may come before it, and after it a commented skeleton to fill in);
3. the checker cell, just ``check_<name>(answer)``;
4. the solution, a code cell with the metadata
   ``{"jupyter": {"source_hidden": true}, "tags": ["solution"]}`` (collapsed in
   JupyterLab), ending with ``assert check_<name>(solution_answer)``. It may only define
   names starting with ``solution_`` (or ``Solution`` for a class), so that running it,
   as "Run All" does, never overwrites the learner's work.

CI runs every notebook top to bottom with the placeholders and the solutions in place: a
wrong solution fails the run.

Testing a checker
-----------------

Add a ``Case`` for every checker to ``tests/notebooks/exercise_cases/<module>.py``:
the reference answer, at least one wrong answer and one answer of the wrong type, each
with words its message must contain. The test fails, naming the checker, when a checker
has no case. It also feeds every checker the placeholder and generic wrong types (None,
a str, a list...), and makes an exception inside a checker fail the test
(:data:`~exercises.feedback.RAISE_CHECKER_ERRORS`).
"""
