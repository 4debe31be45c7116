# minerkit: make test runs every test, interop included; make bench runs the benchmarks.
GO ?= go

.PHONY: test interop-deps vet lint vulncheck unit race bench build conformance docs

build:
	$(GO) build -buildvcs=true -o bin/minerkit ./cmd/minerkit

interop/node_modules/.package-lock.json: interop/package.json interop/package-lock.json
	cd interop && npm ci --no-audit --no-fund
	touch $@

interop-deps: interop/node_modules/.package-lock.json

# go vet here and for the other systems a miner or an operator's laptop runs (build tags kept honest).
vet:
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	GOOS=windows $(GO) vet ./...

# gofmt, go vet and staticcheck (honnef.co/go/tools v0.8.2, installed on first use).
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@[ -x "$(STATICCHECK)" ] || $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2
	$(STATICCHECK) ./...

# govulncheck against an offline vulnerability database: the golang.org/x/vulndb module's OSV files, fetched
# through the Go module proxy like any module and indexed once (golang.org/x/vulndb/cmd/indexdb, about 3 minutes
# the first time) into ~/.cache/minerkit-vulndb; no other network. Not part of lint: it reports the standard
# library of the Go that runs it, which only a newer Go fixes. Bump VULNDB_VERSION for newer advisories.
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
GOVULNCHECK_VERSION ?= v1.9.0
VULNDB_DIR ?= $(HOME)/.cache/minerkit-vulndb/$(VULNDB_VERSION)
vulncheck:
	@[ -f "$(VULNDB_DIR)/index/db.json" ] || { \
	  src=$$(cd "$$(mktemp -d)" && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  [ -d "$$src/data/osv" ] || { echo "vulncheck: golang.org/x/vulndb@$(VULNDB_VERSION) has no data/osv"; exit 1; }; \
	  mkdir -p "$(VULNDB_DIR)" && cd "$$(mktemp -d)" && \
	  $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out "$(VULNDB_DIR)"; }
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db "file://$(VULNDB_DIR)" ./...

# The chain, gate and status tests run twice: against the devnet as subtensor HEAD and as spec 218
# (the runtime ../shared/realchain serves: no get_metagraph, TaoWeight per subnet).
SHAPE_PKGS = ./subtensor/... ./miner/... ./onchain/... ./metagraph/... ./activity/... ./cmd/minerkit/...
unit:
	$(GO) test -count=1 -timeout 30m ./...
	MINERKIT_DEVNET_RUNTIME=spec218 $(GO) test -count=1 -timeout 30m $(SHAPE_PKGS)

test: interop-deps lint unit

# The chain client against a real subtensor runtime (shared/realchain, spec 218 under chopsticks): every figure
# held against polkadot-js. The first run installs chopsticks (~3 min); later runs take about a minute.
conformance: interop-deps
	MINERKIT_CONFORMANCE=1 $(GO) test -p 1 -count=1 -v -timeout 15m -run Realchain ./conformance/ ./cmd/minerkit/

# docs/config.md from the commands' flag sets.
docs:
	MINERKIT_UPDATE_DOCS=1 $(GO) test -count=1 -run '^TestConfigDoc$$' ./cmd/minerkit

# The whole suite under the race detector (about 3 minutes on 2 cores).
race: interop-deps
	$(GO) test -race -count=1 -timeout 30m ./...

bench: interop-deps
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/cmd/loadtest
	$(GO) build -buildvcs=true -o bin/minerkit ./cmd/minerkit
	$(GO) run ./bench/cmd/serveload -bin bin/minerkit
	$(GO) run ./bench/cmd/replicaload -bin bin/minerkit
	$(GO) run ./bench/cmd/flood -bin bin/minerkit
