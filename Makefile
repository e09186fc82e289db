# bmobemu: two commands do all the set-up on a fresh machine (Go and Node are on it):
#   make run    serves the examples on an embedded bbolt file
#   make test   vet and every Go test
GO        ?= go
BIN       := bin/bmobemu
EXAMPLES  := examples/guestbook/functions,examples/shop/functions,examples/alipay-app/functions,examples/wechat-notify/functions
# The payment examples are served from copies with their key placeholders filled from the sandbox keys.
PAY_EXAMPLES := examples/alipay-app/functions examples/wechat-notify/functions examples/alipay-membership/functions examples/wechat-pay/functions
RUN_DB    ?= .bmobemu/examples.db
ADDR      ?= 127.0.0.1:8080

.PHONY: build run test vet fmt conformance bench load ci chromium

build:
	$(GO) build -o $(BIN) ./cmd/bmobemu

run: build
	@mkdir -p $(dir $(RUN_DB))
	$(BIN) serve --functions examples/guestbook/functions,examples/shop/functions,$$($(GO) run ./examples/internal/fillkeys -db $(RUN_DB) -out $(dir $(RUN_DB))functions $(PAY_EXAMPLES)) --db $(RUN_DB) --addr $(ADDR)

test: vet
	$(GO) test ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

conformance:
	../shared/conformance/run

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

ci: test conformance

load:
	bench/load.sh

# Debian's Chromium, for the cashier test in headless Chromium (skipped without it).
chromium:
	scripts/install-chromium.sh
