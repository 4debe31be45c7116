# minerkit: make test runs every test, interop included; make bench runs the benchmarks.
GO ?= go

.PHONY: test interop-deps vet unit race bench build

build:
	$(GO) build -o bin/minerkit ./cmd/minerkit

interop/node_modules/.package-lock.json: interop/package.json interop/package-lock.json
	cd interop && npm ci --no-audit --no-fund
	touch $@

interop-deps: interop/node_modules/.package-lock.json

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 -timeout 30m ./...

test: interop-deps vet unit

# The whole suite under the race detector (about 3 minutes on 2 cores).
race: interop-deps
	$(GO) test -race -count=1 -timeout 30m ./...

bench: interop-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/cmd/loadtest
	$(GO) build -o bin/minerkit ./cmd/minerkit
	$(GO) run ./bench/cmd/serveload -bin bin/minerkit
