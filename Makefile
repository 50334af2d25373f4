# Xpiler: `make demo` sets everything up and runs the main job on the bundled example;
# `make test` sets everything up and runs the tests. Both are idempotent and quick when
# the set-up is already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.xpiler-installed
SYSTEM_STAMP := .cache/system-deps

.PHONY: setup system-deps demo test bench clean

setup: $(STAMP) $(SYSTEM_STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

# Debian packages: HIP compiler (compile checks) and SIMDe (VNNI intrinsics on CPUs
# without AVX-512). Installed when missing and we may (root or passwordless sudo).
$(SYSTEM_STAMP): scripts/system-deps.sh
	@mkdir -p .cache
	@sh scripts/system-deps.sh
	@touch $@

system-deps:
	@sh scripts/system-deps.sh

demo: setup
	$(BIN)/xpiler parse examples/saxpy.cu
	$(BIN)/xpiler fmt examples/saxpy.cu
	$(BIN)/xpiler check --compile examples/saxpy.cu
	@mkdir -p out/demo
	@for t in hip bang vnni c; do \
	  case $$t in hip) s=hip;; bang) s=mlu;; vnni) s=cpp;; c) s=c;; esac; \
	  $(BIN)/xpiler translate examples/saxpy.cu --to $$t -o out/demo/saxpy.$$s --force || exit 1; \
	done
	@echo "translations (each checked against examples/saxpy.cu): out/demo/"

test: setup vscode-test
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/parse.py

clean:
	rm -rf $(VENV) .cache .pytest_cache .hypothesis

# The VS Code extension (vscode-extension/): npm ci, tsc, unit and smoke tests, the .vsix and its
# file list, end to end in code-server (installed once, cached in ~/.cache/xpiler/code-server).
# Without Node or code-server it prints "unverified: ..." and does not fail.
vscode-test: setup
	@sh vscode-extension/scripts/test.sh $(CURDIR)/$(BIN)/python
