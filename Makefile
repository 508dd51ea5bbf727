# One task runner for people, CI and the README.
UV := python3 -m uv
RUN := $(UV) run --frozen

.PHONY: setup run test lint format typecheck pytest infra-up infra-down infra-status schemas asyncapi token bench browser

setup:  ## install the toolchain and the locked Python environment
	@bash deploy/local/ensure-tools.sh
	@$(UV) sync --all-packages --frozen --quiet

run: setup  ## start Kafka, MongoDB, the services and demo data; prints the URLs
	@$(RUN) ocop run

test: setup lint typecheck pytest  ## the whole suite, as CI runs it

lint:  ## ruff, and the import contracts of the root pyproject ([tool.importlinter])
	$(RUN) ruff format --check --no-cache .
	$(RUN) ruff check --no-cache .
	$(RUN) lint-imports --no-cache

format:
	$(RUN) ruff format --no-cache .
	$(RUN) ruff check --fix --no-cache .

typecheck:
	$(RUN) mypy shared/src platform/src services/certification/src services/catalog/src services/orders/src services/events/src

COVERAGE := --cov=ocop_shared --cov=ocop_platform --cov=ocop_certification --cov=ocop_catalog --cov=ocop_orders \
	--cov=ocop_events --cov-report=term:skip-covered --cov-fail-under=70

pytest:
	$(RUN) pytest $(COVERAGE)

infra-up: setup
	@$(RUN) ocop infra up

infra-down:
	@$(RUN) ocop infra down

infra-status:
	@$(RUN) ocop infra status

schemas:  ## re-export contract JSON Schemas after a deliberate contract change
	$(RUN) ocop schemas export

asyncapi:  ## regenerate docs/asyncapi.yaml and docs/asyncapi.html after a contract change
	$(RUN) ocop asyncapi export

bench: setup  ## benchmarks on private servers; prints a table and writes docs/BENCHMARKS.md (QUICK=1, ONLY="sales relay")
	$(RUN) python -m benchmarks.run $(if $(QUICK),--quick) $(foreach b,$(ONLY),--only $(b))

browser: setup  ## only the browser journeys (screenshots in test-artifacts/screenshots/)
	$(RUN) pytest tests/browser -q

token:  ## a development admin token: make token ROLE=province_officer
	@$(RUN) ocop token --role $(or $(ROLE),admin)
