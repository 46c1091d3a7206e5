# Two commands: `make run` (set up, load the demo once, serve) and `make test` (set up, run every test).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1

.PHONY: run setup test clean

run: setup
	$(BIN)/coprogramma demo
	$(BIN)/coprogramma serve --host $(HOST)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Serve Python >= 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Runs against SQLite and, when Debian's postgresql package is installed, a throw-away PostgreSQL.
test: setup
	scripts/with-postgres.sh $(BIN)/pytest -n 2 -p no:cacheprovider

clean:
	rm -rf $(VENV) instance
