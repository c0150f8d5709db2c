# attend — the only place the project's commands live. A thin wrapper over CMake.
#   make run    install deps, build, transcribe samples/*.wav with the bundled model
#   make test   install deps, build, run the fast tests (ctest label 'slow' excluded)
# See README.md for the rest.

BUILD_DIR    ?= build
ASAN_DIR     ?= build-asan
TSAN_DIR     ?= build-tsan
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 60
BUILD_TYPE   ?= Release
ATTEND_WERROR ?= OFF
JOBS         ?= $(shell nproc)
ATTEND       := $(BUILD_DIR)/tools/attend

# Debian packages the build and the tests need. (ocl-icd-opencl-dev is only a
# Recommends of libdnnl-dev, but oneDNN's CMake config requires OpenCL; the
# attention explorer's pages are tested in headless chromium; `attend stream`'s microphone test
# records from a PulseAudio null sink through ALSA's pulse plugin; NIST's sctk checks the CTM.)
DEPS := cmake g++ make pkg-config libdnnl-dev ocl-icd-opencl-dev libsndfile1-dev libkissfft-dev \
        libboost-program-options-dev googletest libgtest-dev libsoxr-dev nlohmann-json3-dev \
        libpng-dev portaudio19-dev libopenmpi-dev openmpi-bin sox espeak-ng chromium \
        pulseaudio pulseaudio-utils libasound2-plugins sctk
# Extra packages only the benchmarks' peers need (PyTorch, torchaudio).
BENCH_DEPS := python3 python3-torch python3-torchaudio
# Packages the recipes/synth_en data stages need (text sources, synthesizers, sox;
# python3-matplotlib for recipes/attention_study's figures);
# `make deps` installs them too, so the recipe runs after it alone.
RECIPE_DEPS := python3 python3-matplotlib fortunes fortunes-min wamerican espeak-ng flite sox \
               festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts \
               festvox-itapc16k festvox-italp16k festvox-suopuhe-mv festvox-suopuhe-lj \
               festvox-czech-dita festvox-czech-machac
# Packages recipes/real_en imports real human speech from (two freeware talkie games,
# telephone prompts, voice packs, letter names), its LM text (WordNet) and the
# independent check recordings (pocketsphinx-testdata, alsa-utils); mpg123 decodes
# Flight of the Amazon Queen's MP3 speech.
REAL_RECIPE_DEPS := beneath-a-steel-sky flight-of-the-amazon-queen asterisk-core-sounds-en \
                    asterisk-core-sounds-en-wav hedgewars-data klettres-data mpg123 wordnet-base \
                    pocketsphinx-testdata alsa-utils
DEPS += $(RECIPE_DEPS) $(REAL_RECIPE_DEPS)
# The Python module (python/) and its tests and example.
DEPS += python3-dev pybind11-dev python3-numpy python3-pytest python3-matplotlib

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps bench-deps recipe-deps build test test-all run asan-test tsan-test fuzz bench format clean

all: build

# Installs only what is missing; silent when everything is present.
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	  grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call install_missing,$(DEPS))

bench-deps: deps
	$(call install_missing,$(BENCH_DEPS))

recipe-deps:
	$(call install_missing,$(RECIPE_DEPS) $(REAL_RECIPE_DEPS))

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DATTEND_WERROR=$(ATTEND_WERROR)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake -S . -B $(BUILD_DIR) -DATTEND_WERROR=$(ATTEND_WERROR) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest -LE slow --output-on-failure -j $(JOBS)

test-all: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

run: build
	@bash tools/run_samples.sh $(ATTEND)

asan-test: deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTEND_SANITIZE=ON \
	  -DATTEND_WERROR=$(ATTEND_WERROR)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  ctest -LE slow --output-on-failure -j $(JOBS)

# ThreadSanitizer on the tests that share one model between threads (see
# tests/tsan.supp for what is suppressed and why).
TSAN_TESTS := EightThreads|BatchRecognition|ThreadHandoff
tsan-test: deps
	cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTEND_TSAN=ON \
	  -DATTEND_BUILD_BENCH=OFF -DATTEND_WERROR=$(ATTEND_WERROR)
	cmake --build $(TSAN_DIR) -j $(JOBS) --target api_tests
	cd $(TSAN_DIR) && TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1" \
	  ctest -R '$(TSAN_TESTS)' --output-on-failure

# Builds the libFuzzer targets (tests/fuzz, clang) and runs each for FUZZ_SECONDS.
fuzz: deps
	$(call install_missing,clang-14 libclang-rt-14-dev)
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DATTEND_FUZZ=ON -DATTEND_BUILD_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz
	bash tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

bench: bench-deps build
	@bash bench/run.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR)
