# Two commands: `make run` brings the whole system up locally, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
NX_VENV := .venv-nx
REQUIREMENTS := $(filter-out requirements/mongo-standin.txt,$(wildcard requirements/*.txt))

.PHONY: run test deps bench clean

run: deps
	$(VENV)/bin/python -m scripts.devstack run

test: deps
	$(VENV)/bin/python -m pytest

# Every bench module, its figures beside their ceilings and targets in var/bench.md.
bench: deps
	$(VENV)/bin/python -m bench

deps: $(VENV)/.installed $(NX_VENV)/.installed

$(VENV)/.installed: $(REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(addprefix -r ,$(REQUIREMENTS))
	touch $@

# The MongoDB stand-in needs a newer pymongo than the services may use: its own venv.
$(NX_VENV)/.installed: requirements/mongo-standin.txt
	$(PYTHON) -m venv $(NX_VENV)
	$(NX_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

clean:
	rm -rf $(VENV) $(NX_VENV) var .pytest_cache
