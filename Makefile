# Graft: the two commands a newcomer needs are `make demo` and `make test`.
# Both install missing system packages first (Debian/Ubuntu, apt-get; sudo when not root).

SWIFT       ?= swift
PKG_MODULES := openblas fftw3f sndfile libpng16 samplerate libzip ompi-c
APT_PACKAGES := libopenblas-dev libfftw3-dev libsndfile1-dev libpng-dev libsamplerate0-dev libzip-dev libopenmpi-dev openmpi-bin pkg-config
IMPORT_CHECK := --explicit-target-dependency-import-check error
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTHON_VENV ?= .venv-tools

FUZZ_SECONDS ?= 60
FUZZ_WORK   ?= .build/fuzz
FUZZ_TARGETS ?=
FUZZ_FLAGS  := -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library

.PHONY: all deps build release test demo sample-data bench fixtures compare fuzz clean

all: build

## Install the C libraries when pkg-config cannot find them.
deps:
	@if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists $(PKG_MODULES); then \
	  echo "deps: $(PKG_MODULES) found"; \
	else \
	  echo "deps: installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null && \
	  pkg-config --exists $(PKG_MODULES) || { echo "deps: pkg-config still cannot find $(PKG_MODULES)" >&2; exit 1; }; \
	fi

build: deps
	$(SWIFT) build $(IMPORT_CHECK)

release: deps
	$(SWIFT) build -c release $(IMPORT_CHECK) --product graft

## Build everything with the import check (undeclared imports between targets fail), then run the tests.
test: deps
	$(SWIFT) build --build-tests $(IMPORT_CHECK)
	$(SWIFT) test --skip-build

## libFuzzer + AddressSanitizer on every parser (Fuzz/, docs/RELIABILITY.md): FUZZ_SECONDS per
## target (default 60), corpora in FUZZ_WORK (outside git), crashes in FUZZ_WORK/crashes.
## FUZZ_TARGETS="png npy" runs only those. A short deterministic run is part of `make test`.
fuzz: deps
	$(SWIFT) build --package-path Fuzz $(FUZZ_FLAGS)
	Tools/fuzz/run.sh Fuzz/.build/release/graft-fuzz $(FUZZ_WORK) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## The main job on SampleData, release build.
demo: release
	.build/release/graft demo

## Regenerate SampleData/ (datasets + bases pretrained on source tasks), deterministic by seed.
## Run by hand; commit the result with SampleData/README.md.
sample-data: release
	.build/release/graft demo make-sample-data --out SampleData --seed 42

## Core benchmarks as JSON (see docs/BENCHMARKS.md).
bench: release
	.build/release/graft bench core --json

## Regenerate the committed test fixtures (needs Python 3 and access to PyPI). Run by hand.
fixtures:
	python3 -m venv $(PYTHON_VENV)
	$(PYTHON_VENV)/bin/pip install -q 'torch==2.11.*' 'torchvision==0.26.*' 'torchaudio==2.11.*' numpy safetensors scikit-learn pillow librosa soundfile gensim
	for script in core io optim rnn metrics vision vision_bases audio efficientat_frontend text; do $(PYTHON_VENV)/bin/python Tools/fixtures/$$script.py || exit 1; done
	@# MobileNetV3 pieces and EfficientAT's MN need an EfficientAT checkout: make fixtures EFFICIENTAT=path
	if [ -n "$(EFFICIENTAT)" ]; then $(PYTHON_VENV)/bin/python Tools/fixtures/mobilenet_v3.py --efficientat "$(EFFICIENTAT)"; fi

## Side-by-side benchmarks against PyTorch (docs/BENCHMARKS.md). Needs the fixtures venv.
compare: release
	$(PYTHON_VENV)/bin/python Tools/peers/compare_core.py --graft .build/release/graft --rounds 3

clean:
	rm -rf .build
