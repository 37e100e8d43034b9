# RustTorch developer entry points. CI runs `make test` (see .ci/run).
#
#   make venv     create .venv and install requirements-dev.txt from PyPI
#   make develop  build the extension (release profile, shared with the Rust tests) into .venv
#   make lint     rustfmt --check, clippy -D warnings, ruff
#   make test     lint + cargo tests (release) + pytest
#   make demo     build and run examples/quickstart.py; print how to run examples/train_mlp.py
#   make clean    remove build products and .venv
#   make bench-deps  install the optional benchmark peers into .venv (numexpr, torch, jax, matplotlib)
#   make bench    Rust criterion W-suite + benchmarks/compare.py (BENCH_QUICK=1: quick mode)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
VENV_ABS := $(abspath $(VENV))
VENV_BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
PY_CRATE := rusttorch-py
# Python sources to lint; only directories that exist are passed to ruff.
RUFF_PATHS := $(wildcard rusttorch-py benchmarks examples)

export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Compiled kernels (the `jit` feature of rusttorch-exec) link LLVM 14's shared library: `make llvm`
# installs it with apt where it can, and every build turns the feature on where `llvm-config-14`
# is found (JIT=0: build without it). The same features for the tests and the extension, so that
# both share one build of the crates.
JIT ?= 1
export LLVM_SYS_140_PREFIX ?= /usr/lib/llvm-14
HAS_LLVM = [ "$(JIT)" != 0 ] && command -v llvm-config-14 >/dev/null 2>&1
CARGO_FEATURES = $$($(HAS_LLVM) && echo "--features rusttorch-exec/jit")
MATURIN_FEATURES = $$($(HAS_LLVM) && echo "--features jit")

.PHONY: venv develop lint test rust-tools rust-test py-test demo clean bench bench-deps llvm

venv: $(VENV_STAMP)

# Recreated only when missing, or reinstalled when requirements-dev.txt changes.
$(VENV_STAMP): requirements-dev.txt
	@test -x $(VENV_BIN)/python || $(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

# The extension and `cargo test --release` share the `release` profile, so `make test` compiles the
# crates once. `make bench` rebuilds with `release-lto` (fat LTO), which runs the per-call path of a
# small expression in 10% fewer instructions (docs/performance.md, "Build profiles").
PROFILE ?= release
MATURIN_DEVELOP = env -u CONDA_PREFIX VIRTUAL_ENV=$(VENV_ABS) PATH="$(VENV_ABS)/bin:$$PATH" \
	$(VENV_BIN)/maturin develop -m $(PY_CRATE)/Cargo.toml $(MATURIN_FEATURES) --profile

develop: venv llvm
	$(MATURIN_DEVELOP) $(PROFILE)

# LLVM 14 for compiled kernels, from Debian's packages (as root, or with passwordless sudo); the
# build goes on without it when it cannot be installed.
llvm:
	@if [ "$(JIT)" = 0 ] || command -v llvm-config-14 >/dev/null 2>&1; then exit 0; fi; \
	SUDO=$$([ "$$(id -u)" = 0 ] && echo "" || (sudo -n true 2>/dev/null && echo sudo) || echo none); \
	if [ "$$SUDO" = none ] || ! command -v apt-get >/dev/null; then \
		echo "llvm-config-14 not found and apt unavailable: building without compiled kernels"; exit 0; fi; \
	echo "installing llvm-14-dev (compiled kernels)"; \
	$$SUDO apt-get install -y -q llvm-14-dev >/dev/null 2>&1 || \
		{ $$SUDO apt-get update -q >/dev/null 2>&1 && $$SUDO apt-get install -y -q llvm-14-dev >/dev/null 2>&1; } || \
		echo "llvm-14-dev could not be installed: building without compiled kernels"

rust-tools:
	@cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
	@cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt

lint: rust-tools venv llvm
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets $(CARGO_FEATURES) -- -D warnings
	$(VENV_BIN)/ruff check --config $(PY_CRATE)/pyproject.toml $(RUFF_PATHS)

rust-test: llvm
	cargo test --workspace --release $(CARGO_FEATURES)

py-test: develop
	$(VENV_BIN)/python -m pytest $(PY_CRATE)/tests -q

test: lint rust-test py-test

demo: develop
	$(VENV_BIN)/python examples/quickstart.py
	@echo
	@echo "Training with autograd: an MLP on two spirals (AdamW, progress bar, loss curve, accuracy):"
	@echo "  $(VENV_BIN)/python examples/train_mlp.py [--steps 1000] [--hidden 64]"

clean:
	cargo clean
	rm -rf $(VENV) .ruff_cache .pytest_cache .hypothesis $(PY_CRATE)/.pytest_cache $(PY_CRATE)/.hypothesis
	find $(RUFF_PATHS) -name '__pycache__' -type d -prune -exec rm -rf {} +
	rm -f $(PY_CRATE)/python/rusttorch/_rusttorch*.so $(PY_CRATE)/python/rusttorch/_rusttorch*.pyd

# ---------------------------------------------------------------- benchmarks (not part of CI)
# BENCH_QUICK=1: criterion's quick mode and compare.py --quick. BENCH_THREADS: threads of every
# engine (default 2). BENCH_ARGS: extra arguments for compare.py (e.g. --only W1,W2).
BENCH_QUICK ?=
BENCH_THREADS ?= 2
BENCH_ARGS ?=
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu

bench-deps: venv
	$(VENV_BIN)/python -m pip install -q numexpr matplotlib "jax[cpu]"
	@if $(VENV_BIN)/python -c "import torch" 2>/dev/null; then \
		echo "torch already installed"; \
	elif $(VENV_BIN)/python -c "import urllib.request as u; u.urlopen('$(TORCH_CPU_INDEX)/', timeout=15)" 2>/dev/null; then \
		echo "installing torch (CPU wheel from $(TORCH_CPU_INDEX))"; \
		$(VENV_BIN)/python -m pip install -q torch --index-url $(TORCH_CPU_INDEX); \
	else \
		echo "$(TORCH_CPU_INDEX) is unreachable: installing torch from the default index (large)"; \
		$(VENV_BIN)/python -m pip install -q torch; \
	fi

bench: venv
	$(MATURIN_DEVELOP) release-lto
	./run_benchmarks.sh --rust --python --threads $(BENCH_THREADS) $(if $(filter-out 0,$(BENCH_QUICK)),--quick,) \
		$(if $(BENCH_ARGS),-- $(BENCH_ARGS),)
