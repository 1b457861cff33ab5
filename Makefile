# The two commands of README.md, and a few more. Every target installs what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := test
# Tests run side by side, one per core (they wait on disks and sockets more than on the CPU).
JOBS ?= $(shell nproc)
# Under CI (CI=true) every tree is compiled with line tables only (-g1): sanitizer and fuzzer
# reports, backtraces and profiles keep function, file and line, and the builds take about 10 %
# (Debug with ASan) to 25 % (-O2) less time (docs/architecture.md, "Continuous integration").
# Elsewhere the presets' full debug information stays, for gdb.
PRESET_FLAGS := $(if $(CI),-DCMAKE_C_FLAGS_DEBUG=-g1 -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
  '-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG' '-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG')

.PHONY: deps web demo demo-ledger test test-tsan clang clang-build tidy tidy-ci release bench fuzz fuzz-ci format-check clean

deps:
	bash scripts/install-deps

# The web UI (web/dist), which the demo's nodes serve and the web tests drive.
web: deps
	bash scripts/build-web

# Builds the release tree and runs the three-node federation demo; the nodes keep running
# until Ctrl-C (`concord demo --once` runs the scenario and exits).
demo: deps web
	cmake --preset release $(PRESET_FLAGS)
	cmake --build --preset release --target concord concordd
	build/release/apps/concord/concord demo

# The audit-log walk-through of the foundation.
demo-ledger: deps
	cmake --preset release $(PRESET_FLAGS)
	cmake --build --preset release --target concord
	bash scripts/demo-ledger.sh build/release/apps/concord/concord

# Builds everything with ASan+UBSan and runs every test through ctest.
test: deps web
	cmake --preset dev $(PRESET_FLAGS)
	cmake --build --preset dev
	ctest --preset dev --timeout 600 --parallel $(JOBS)

# Under ThreadSanitizer, built by clang (every warning an error, -Wthread-safety included, test
# programs too), the tests of the code that runs threads (the tsan preset's CONCORD_TESTS: core,
# store, ledger, federation, app, net, server and the functional tests with real processes);
# crypto, legal, cli and the permission matrix run single-threaded code and stay with `make test`.
test-tsan: deps
	cmake --preset tsan $(PRESET_FLAGS)
	cmake --build --preset tsan
	ctest --preset tsan --timeout 600 --parallel $(JOBS)

# The whole tree with clang: every warning an error, -Wthread-safety included (the Mutex
# annotations of core/mutex.hpp), plus the clang unit tests.
clang: deps
	cmake --preset clang
	cmake --build --preset clang
	ctest --preset clang --timeout 600 -LE functional --parallel $(JOBS)

# CI's clang gate: the libraries, programs and benchmarks with clang (every warning an error,
# -Wthread-safety included), without the test programs, which the sanitizer stages build with GCC
# (warnings as errors there too) and run.
clang-build: deps
	cmake --preset clang-ci
	cmake --build --preset clang-ci

# clang-tidy with the repository's .clang-tidy over every source of the clang compile database
# (a configure is enough: clang-tidy parses the sources itself).
tidy: deps
	cmake --preset clang
	bash scripts/run-tidy build/clang

# CI's clang gate: the same over the sources of the clang-ci compile database (the libraries,
# programs and benchmarks; not the test programs). The compile database carries -Werror and
# -Wthread-safety, so every clang warning fails it too: it checks all that `make clang-build` does
# short of code generation and linking (which the GCC trees and the fuzz tree do). Without the
# static analyzer's path-sensitive checks (about 40% of the time; its findings on this tree so far
# were false positives and style), and without performance-unnecessary-value-param, which clang-tidy
# 14 runs over every function of every included header (half of the time of the cli sources;
# `make tidy` keeps it). `make tidy-ci TIDY_CHECKS=` runs both.
TIDY_CHECKS ?= -clang-analyzer-*,-performance-unnecessary-value-param
tidy-ci: deps
	cmake --preset clang-ci
	bash scripts/run-tidy build/clang-ci '$(TIDY_CHECKS)'

# The release tree as `make demo` builds it (optimised, hardened: the two programs), and the demo
# scenario run once on it. Neither the test programs (the sanitizer trees build and run them) nor the
# benchmarks (`make bench`; `make tidy-ci` compiles their sources with clang) are built here;
# `cmake --build --preset release` builds everything.
release: deps
	cmake --preset release $(PRESET_FLAGS)
	cmake --build --preset release --target concord concordd
	ctest --preset release --timeout 600 -R '^demo_once$$'

bench: deps
	cmake --preset release $(PRESET_FLAGS)
	cmake --build --preset release --target concordd benchmarks
	bash scripts/run-benchmarks build/release

# Builds the libFuzzer targets (clang) and replays their committed corpora.
fuzz: deps
	cmake --preset fuzz $(PRESET_FLAGS)
	cmake --build --preset fuzz
	bash scripts/run-fuzzers build/fuzz 0

# CI: fuzz each target for 30 seconds on top of the corpus, one target per core at a time.
fuzz-ci: deps
	cmake --preset fuzz $(PRESET_FLAGS)
	cmake --build --preset fuzz
	bash scripts/run-fuzzers build/fuzz 30

# Every C++ file must be as clang-format (STYLE §8.7) writes it.
format-check: deps
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
