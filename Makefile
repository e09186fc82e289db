# bmobemu: two commands do all the set-up on a fresh machine (Go and Node are on it):
#   make run    serves the examples on an embedded bbolt file
#   make test   vet and every Go test
GO        ?= go
BIN       := bin/bmobemu
EXAMPLES  := examples/guestbook/functions,examples/shop/functions,examples/alipay-app/functions,examples/wechat-notify/functions,examples/alipay-miniapp/functions
# The payment examples are served from copies with their key placeholders filled from the sandbox keys of
# RUN_DB, kept beside it in $(RUN_DB).examples/ (one set per db: a second make run on another db cannot
# change the files a running server serves).
PAY_EXAMPLES := examples/alipay-app/functions examples/wechat-notify/functions examples/alipay-membership/functions examples/wechat-pay/functions examples/alipay-miniapp/functions
RUN_DB    ?= .bmobemu/examples.db
ADDR      ?= 127.0.0.1:8080

.PHONY: build run test test-postgres vet fmt conformance bench bench-go load ci chromium postgresql

build:
	$(GO) build -o $(BIN) ./cmd/bmobemu

# make run ADDR=127.0.0.1:8090 RUN_DB=.bmobemu/other.db serves a second copy beside the first; on a taken
# ADDR, make run stops before it makes anything.
# exec: the server replaces the recipe's shell, so the signal that stops make (Ctrl-C, or a SIGTERM make
# passes on to its child) stops the server, and the port is free again.
run: build
	@mkdir -p $(dir $(RUN_DB))
	@filled=$$($(GO) run ./examples/internal/fillkeys -addr $(ADDR) -db $(RUN_DB) -out $(RUN_DB).examples $(PAY_EXAMPLES)) && \
	echo $(BIN) serve --functions examples/guestbook/functions,examples/shop/functions,$$filled --db $(RUN_DB) --addr $(ADDR) && \
	exec $(BIN) serve --functions examples/guestbook/functions,examples/shop/functions,$$filled --db $(RUN_DB) --addr $(ADDR) --try 'messages?limit=5'

test: vet
	$(GO) test ./...

# The REST API and oData module suites on PostgreSQL (needs Debian's postgresql: make postgresql).
test-postgres:
	BMOBEMU_TEST_STORE=postgres $(GO) test -count=1 ./restapi ./modules/bmob

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

conformance:
	../shared/conformance/run

# The speed table: bmobemu vs the Node reference vs bare fiber for min, insert and work, and RSS (needs a
# quiet machine, wrk, and ../shared/bench beside the repo).
bench:
	bench/table.sh

# Every Go benchmark of the project.
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

ci: test conformance

load:
	bench/load.sh

# Debian's Chromium, for the cashier test in headless Chromium (skipped without it).
chromium:
	scripts/install-chromium.sh

# Debian's PostgreSQL, for the store's PostgreSQL tests (skipped without it, except in CI).
postgresql:
	scripts/install-postgresql.sh
