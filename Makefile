# Gavel: the two commands a new machine needs are `make site` and `make test`.
SWIFT ?= swift
GAVEL = .build/debug/gavel
PREFIX ?= /usr/local

.PHONY: site test test-swift test-js check bench bench-pathological setup clean release install

## Set up, then build the example site from Content/ and Templates/ into Output/.
site:
	scripts/setup.sh build
	$(SWIFT) build --product gavel
	$(GAVEL) build

## Set up, then run every test: Swift Testing, the JavaScript engine under node --test, then the
## browser tests (headless Chromium, axe-core, the Nu HTML Checker) with pytest in .venv-browser/.
## A debug gavel linked as the release one is (static Swift runtime and libcmark-gfm, in a build
## folder of its own) is what StandaloneBinaryTests runs alone in an empty folder.
test:
	scripts/setup.sh test
	$(SWIFT) build --build-tests
	scripts/static-build.sh debug
	GAVEL_STANDALONE_BINARY=.build/standalone/debug/gavel $(SWIFT) test --skip-build
	node --test Tests/js/
	scripts/browser-setup.sh
	.venv-browser/bin/python -m pytest Tests/browser -q

## Validate the example content the way a court's CI would.
check:
	scripts/setup.sh build
	$(SWIFT) build --product gavel
	$(GAVEL) check --diagnostics github

## Benchmark against Hugo and the cmark-gfm floor (not part of the tests).
bench:
	scripts/setup.sh bench
	scripts/static-build.sh release
	python3 bench/run.py $(BENCH_ARGS)

## Pathological inputs at doubling sizes: time, memory and growth ratio of each (not part of the tests).
bench-pathological:
	$(SWIFT) build --product gavel
	python3 bench/pathological.py $(BENCH_ARGS)

## The binary a court installs: one file, theme inside, Swift runtime and libcmark-gfm linked in.
release:
	scripts/setup.sh build
	scripts/static-build.sh release

## make install PREFIX=/usr/local: the release binary, its man page and bash, zsh and fish completions.
install: release
	scripts/install.sh "$(PREFIX)"

clean:
	rm -rf .build Output bench/work
