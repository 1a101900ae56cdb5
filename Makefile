# The dev loop: install, run, test, bench. Each target is a thin wrapper over a script in scripts/.
.PHONY: install run test bench quality lint audit

install:
	bash scripts/install.sh

run: install
	bash scripts/run.sh

test: install
	bash scripts/test.sh

bench: install
	bash scripts/bench.sh

quality: install
	.venv/bin/python -m scripts.quality

lint: install
	bash scripts/lint.sh

audit: install
	bash scripts/audit.sh
