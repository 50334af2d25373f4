"""Every corpus kernel runs in its own dialect on this CPU and matches its NumPy reference,
with no finding (issue 3's main acceptance test)."""
from __future__ import annotations

import numpy as np
import pytest

import corpus
import reference
from xpiler import oracle
from xpiler.runtime import execute, inputs

ENTRIES = corpus.entries()


def values_for(entry, seed: int = 0) -> dict:
    return inputs.values(entry.args, seed, entry.inputs)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_kernel_matches_reference(entry):
    values = values_for(entry)
    ex = execute(entry.file.read_text(), path=str(entry.file), kernel=entry.kernel,
                 args={k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in values.items()},
                 launch=entry.launch, timeout=120)
    assert ex.ok, ex.message
    errors = [f for f in ex.findings if f.severity == "error"]  # warnings (a deprecated intrinsic) are fine
    assert not errors, "\n".join(map(str, errors))
    expected = getattr(reference, entry.family)(**{**entry.params, **values})
    red = oracle.reduction_length(values, list(entry.outputs))
    for name in entry.outputs:
        got = ex.outputs[name]
        want = np.asarray(expected[name]).reshape(got.shape)
        rtol, atol = (entry.rtol, entry.atol) if entry.rtol is not None or entry.atol is not None else \
            oracle.tolerance(got.dtype, 1.0)
        r = oracle.compare(want.astype(got.dtype), got, name, rtol if rtol is not None else 1e-4,
                           atol if atol is not None else 1e-5)
        assert r.ok, r.describe() + f" (reduction length ~{red:.0f})"
        # every element the reference defines was written, except rows a scatter leaves alone
        if entry.family != "scatter":
            assert ex.written[name].all(), f"{name}: {int((~ex.written[name]).sum())} elements never written"
