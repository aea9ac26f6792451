# The two commands a newcomer needs: `make run` and `make test`.
PY := .venv/bin/python
PORT ?= 8000
export PORT

.PHONY: run test install install-test lint check-migrations check-deploy

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) scripts/run_local.py

test: install-test
	scripts/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

install:
	scripts/bootstrap

install-test:
	scripts/bootstrap test

lint: install-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: install
	scripts/check-deploy
