# Fazhi — two commands: `make demo` and `make test`. Needs only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST   ?= 127.0.0.1
# Two workers: this machine has two cores; each worker gets its own test database.
PYTEST_ARGS ?= -n 2
PORT   ?= 8000

.PHONY: demo test test-sqlite test-postgres install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	FAZHI_ENV=demo $(BIN)/fazhi migrate --no-input -v 0
	FAZHI_ENV=demo $(BIN)/fazhi demo load
	@echo "网站地址 / Site: http://$(HOST):$(PORT)/"
	FAZHI_ENV=demo $(BIN)/fazhi runserver $(HOST):$(PORT) --noreload

test: $(STAMP)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	@echo "== 测试 / tests on SQLite"
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== 测试 / tests on PostgreSQL ($(PG_URL))"; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL 未在 127.0.0.1:5432 应答，CI 中必须运行 PostgreSQL 测试。" >&2; exit 1; \
	else \
		echo "== PostgreSQL 未应答，跳过 PostgreSQL 测试 / PostgreSQL not answering: skipped"; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/spine.py

clean:
	rm -rf $(VENV) var build *.egg-info
