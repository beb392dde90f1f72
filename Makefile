# 工会小助手 — `make run` starts everything, `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.10 (Rasa 3.6 does not run on 3.11+): python3.10 on PATH, else pyenv's.
PYTHON310 ?= $(shell for p in python3.10 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL ?= models/union.tar.gz
TRAINING_INPUTS := config/config.yml $(shell find bot/domain bot/data nlu rasa_components/tfidf_intent_classifier.py -type f -not -path "*/__pycache__/*" 2>/dev/null)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_WARN_20 := 0

.PHONY: help run test train install browser unit eval-nlu eval-faq eval-safety safety-model clean

help:
	@echo "make run    - install, train if needed, start Redis + Rasa + gateway on PORT (default 8000)"
	@echo "make test   - install, train if needed, run every test"
	@echo "make train  - train the Rasa model (only when training data or config changed)"
	@echo "make bench  - benchmarks: web, WeChat and mixed traffic beside bare Rasa, a 300-turn history beside a new chat"
	@echo "make soak   - 10 minutes at a moderate load: no error, memory +<10%, WeChat answers <= 4.5 s"

# --no-compile: Python compiles what is imported on first use; compiling all 14,000 files of the venv
# up front cost about 25 s of CPU here (`python -m compileall -f`), most of it never imported.
$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is needed (Rasa 3.6 does not run on 3.11+)"; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --no-compile -r requirements.txt
	$(VENV)/bin/pip check
	touch $@

install: $(VENV)/.installed

# Rasa's validation, told that actions and the gateway say most responses (scripts/validate_training.py:
# no "utterance not used" warning for each of those), then the training without validating again.
# Retrains only when an input is newer than the model; flock keeps parallel runs from training twice.
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	@mkdir -p models var
	$(PY) -m scripts.validate_training --config config/config.yml --domain bot/domain --data nlu bot/data
	flock var/train.lock $(RASA) train --config config/config.yml --domain bot/domain --skip-validation \
		--data nlu bot/data --out $(dir $(MODEL)) --fixed-model-name $(notdir $(MODEL:.tar.gz=)) --num-threads 2
	@touch $@

train: $(MODEL)

# A second `make run` in this folder stops before any other step (scripts/stack.py checks the lock again).
run: not-running $(MODEL) safety-model
	@$(PY) -m scripts.stack run

.PHONY: not-running
not-running:
	@mkdir -p var; flock -n var/run.lock true 2>/dev/null || { \
		echo "* make run is already running in this folder (lock var/run.lock): stop that one first (Ctrl-C in its terminal)"; exit 2; }

# Debian's chromium for the browser tests (Playwright drives it; no browser download), and CJK
# fonts so screenshots show Chinese instead of empty boxes.
BROWSER_PACKAGES := chromium fonts-noto-cjk
browser:
	@if ! command -v chromium >/dev/null || ! fc-list :lang=zh | grep -q .; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; fi

# What the tests need, in parallel where it can be: chromium's apt install beside pip's, the safety
# model beside Rasa's training, the stories as soon as the model is there (a minute off a clean run).
test:
	@$(MAKE) --no-print-directory -j3 test-ready
	$(PY) -m pytest -p no:cacheprovider tests

.PHONY: test-ready
test-ready: $(MODEL) safety-model browser test-stories

# The test stories: `rasa test core` on the trained model, and every labelled turn's intent
# (scripts/test_stories.py); any failed story fails, with what went wrong. In `make test`, before pytest.
.PHONY: test-stories eval-conversations
test-stories: $(MODEL)
	$(PY) -m scripts.test_stories --model $(MODEL) --stories tests/test_conversations.yml

# Plays the separately written conversations (tests/conversations_unseen/) over the web chat against
# the real stack and rewrites docs/conversation_report.md. A measurement only: never tune on it.
# Redis: EVAL_REDIS_URL, else database LIVE_REDIS_DB (12) of REDIS_TEST_URL's server (flushed).
eval-conversations: $(MODEL) safety-model
	$(PY) -m scripts.eval_conversations --report docs/conversation_report.md

# FAQ retrieval top-1 accuracy on held-out questions; rewrites docs/faq_report.md.
eval-faq: $(VENV)/.installed
	$(PY) -m scripts.eval_faq --report docs/faq_report.md

# Intent accuracy, macro-F1 and confusion matrix on the held-out split (tests/nlu/heldout*.yml) and
# `rasa test core` on tests/test_conversations.yml; rewrites docs/nlu_report.md.
eval-nlu: $(MODEL)
	$(PY) -m scripts.eval_nlu --model $(MODEL) --report docs/nlu_report.md

# The safety screen's classifier, trained once per change of its training files (models/safety-*.skops);
# a gateway that finds none trains it itself, this only spares the first start the wait.
safety-model: $(VENV)/.installed
	$(PY) -c "from bot.safety.model import SafetyModel; SafetyModel.from_files()"

# Safety screen recall and false alarms on the separately written sets (tests/safety/), with the
# threshold's cross-validation on the training data and every miss; rewrites docs/safety_report.md.
eval-safety: $(VENV)/.installed
	$(PY) -m scripts.eval_safety --report docs/safety_report.md

# Benchmarks (loopback, the whole stack as `make run` starts it; figures in docs/performance.md).
# bench: the web chat, WeChat and mixed traffic (20% in forms) each beside bare Rasa in one run, then a
# 300-turn history beside a new chat (before/after the bounded store).
# soak: 10 minutes at a moderate load: no error, memory growth under 10%, no WeChat answer over 4.5 s
# (SOAK_MINUTES=2 for a short run).
.PHONY: bench soak
SOAK_MINUTES ?= 10
bench: $(MODEL) safety-model
	$(PY) -m bench.traffic --model $(MODEL)
	$(PY) -m bench.long_history --model $(MODEL)

soak: $(MODEL) safety-model
	$(PY) -m bench.soak --model $(MODEL) --minutes $(SOAK_MINUTES)

clean:
	rm -rf models .rasa var
