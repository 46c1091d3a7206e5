# Two commands: `make run` (set up, load the demo once, serve) and `make test` (set up, run every test).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1

.PHONY: run setup test clean

run: setup
	$(BIN)/coprogramma demo
	$(BIN)/coprogramma serve --host $(HOST)

setup: $(VENV)/.installed web/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Serve Python >= 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Front-end libraries from npm (socket.io-client; axe-core for the browser tests), served by
# Flask from web/node_modules: no CDN. Skipped (with a notice) where node/npm is not installed.
web/node_modules/.installed: web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd web && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm non trovato: niente librerie del browser (aggiornamenti in tempo reale); apt-get install npm"; \
	fi

# Runs against SQLite and, when Debian's postgresql package is installed, a throw-away PostgreSQL.
test: setup
	scripts/with-postgres.sh $(BIN)/pytest -n 2 -p no:cacheprovider

clean:
	rm -rf $(VENV) instance web/node_modules
