# The project's entry points. Needs only python3 (3.10+) and make.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed
FLOOR ?= .venv-floor
FLOOR_STAMP = $(FLOOR)/.installed

.PHONY: demo test lint unit functional docs releasenotes devcloud-up \
	devcloud-down venv clean bench bench-large mutation floor

$(STAMP): requirements.txt test-requirements.txt setup.cfg setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check \
		-r requirements.txt -r test-requirements.txt -e . \
		>$(VENV)/pip.log 2>&1 || { grep -v '^WARNING: Location' \
		$(VENV)/pip.log | tail -40; exit 1; }
	$(BIN)/openstack --version >/dev/null
	touch $@

venv: $(STAMP)

devcloud-up:
	tools/devcloud up

devcloud-down:
	tools/devcloud down

# Bring the devcloud up, plant insecure resources in `demo`, audit it all.
demo: $(STAMP) devcloud-up
	PATH=$(CURDIR)/$(BIN):$$PATH tools/plant-demo
	. .devcloud/admin-openrc.sh && \
		$(BIN)/openstack network harden audit --all-projects; rc=$$?; \
		echo "exit code $$rc (3: findings at or above --fail-on high)"; \
		echo "next, the plans of two fixes (source" \
			".devcloud/admin-openrc.sh; without --dry-run each applies" \
			"and prints its backup and the command that restores it):"; \
		echo "  openstack security group harden restrict" \
			"--all-projects --check sg-ingress-ssh-from-world" \
			"--to 10.0.0.0/8 --dry-run"; \
		echo "  openstack floating ip harden release --all-projects" \
			"--dry-run"; \
		[ $$rc -eq 0 ] || [ $$rc -eq 3 ]

lint: $(STAMP)
	$(BIN)/flake8 xloudclient tests benchmarks tools/devcloud tools/functional
	$(BIN)/reno -q lint

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

# Two streams, each against its own devcloud (tools/functional): the fault
# matrix, and everything else. Starts each devcloud that is down, and stops
# it again afterwards.
functional: $(STAMP)
	$(BIN)/python tools/functional

# Each tier in turn, with how long it took (CI shows the run's tail).
TIERS = lint unit docs functional floor
test: $(STAMP)
	@took=""; for tier in $(TIERS); do t0=$$(date +%s); \
		$(MAKE) --no-print-directory $$tier || exit 1; \
		took="$$took $$tier $$(( $$(date +%s) - t0 )) s,"; \
		echo "make test: $$tier took $$(( $$(date +%s) - t0 )) s"; \
	done; echo "make test: each tier's time:$${took%,}"

# The oldest supported client stack (tools/floor-constraints.txt, Debian
# 12's versions) in its own venv: the unit tests and a smoke of every
# command against the devcloud.
$(FLOOR_STAMP): requirements.txt tools/floor-constraints.txt \
		tools/floor-test-requirements.txt setup.cfg setup.py
	$(PYTHON) -m venv $(FLOOR)
	$(FLOOR)/bin/python -m pip install -q --disable-pip-version-check \
		-c tools/floor-constraints.txt -r requirements.txt \
		-r tools/floor-test-requirements.txt -e . \
		>$(FLOOR)/pip.log 2>&1 || { grep -v '^WARNING: Location' \
		$(FLOOR)/pip.log | tail -40; exit 1; }
	$(FLOOR)/bin/openstack --version
	touch $@

floor: $(FLOOR_STAMP) $(STAMP)
	$(FLOOR)/bin/pytest -q -p no:cacheprovider tests/unit
	$(FLOOR)/bin/pytest -q -p no:cacheprovider -rs \
		tests/functional/test_smoke.py

docs: $(STAMP)
	$(BIN)/sphinx-build -W -q -b html doc/source doc/build/html

releasenotes: $(STAMP)
	$(BIN)/sphinx-build -W -q -b html releasenotes/source \
		releasenotes/build/html

# Seeds its own devcloud (.devcloud-bench/) and measures; see benchmarks/.
bench: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check \
		-r benchmarks/requirements.txt >$(VENV)/pip-bench.log 2>&1 || \
		{ grep -v '^WARNING: Location' $(VENV)/pip-bench.log | tail; \
		exit 1; }
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/large.py $(BENCH_LARGE_ARGS)

# Only the large tier: the client against a synthetic Neutron API at
# 100,000 and 300,000 ports (a few minutes; see benchmarks/README.md).
bench-large: $(STAMP)
	$(BIN)/python benchmarks/large.py $(BENCH_LARGE_ARGS)

# Mutation testing (pyproject.toml [tool.mutmut]); not part of `make test`.
mutation: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check \
		-r tools/mutation-requirements.txt >$(VENV)/pip-mutation.log \
		2>&1 || { grep -v '^WARNING: Location' \
		$(VENV)/pip-mutation.log | tail; exit 1; }
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 >$(VENV)/mutmut.log 2>&1 || \
		{ tail -20 $(VENV)/mutmut.log; exit 1; }
	$(BIN)/python tools/mutation-report

clean:
	rm -rf $(VENV) $(FLOOR) doc/build releasenotes/build mutants
