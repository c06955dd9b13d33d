# The two commands for a fresh machine:
#   make run    build and start the app
#   make test   every check and test (installs what it needs first)
SHELL := /bin/bash
CARGO_FEATURES := --features dockwright/custom-protocol
BENCH_FEATURES := --features dockwright/custom-protocol,dockwright/bench

.PHONY: run dev test bench bindings ui deps-run deps-test lint check-rust check-ui test-rust test-ui bundle

run: deps-run ui
	cargo run $(CARGO_FEATURES) --bin dockwright

# Hot-reloading development: Vite dev server + the app in dev mode.
# The Tauri CLI runs the before-dev and before-build commands in the UI's folder.
export TAURI_FRONTEND_PATH := $(CURDIR)/ui

dev: deps-run
	ui/node_modules/.bin/tauri dev

# The installer test installs the .deb that `bundle` builds.
test: deps-test ui check-rust check-ui test-ui bundle test-rust

deps-run:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

ui:
	npm --prefix ui run build

check-rust:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets $(BENCH_FEATURES) -- -D warnings

check-ui:
	npm --prefix ui run check
	npm --prefix ui run lint

test-ui:
	npm --prefix ui test

# Nothing skips here: a missing daemon or display is a failure.
test-rust:
	DOCKWRIGHT_REQUIRE_ALL=1 cargo test --workspace $(CARGO_FEATURES)

# Benchmarks against the harness daemon; writes target/bench/results.json.
bench: deps-test ui
	DOCKWRIGHT_REQUIRE_ALL=1 cargo bench $(BENCH_FEATURES) --bench bench

# Regenerate ui/src/lib/ipc/bindings.ts from the Rust types.
bindings:
	UPDATE_BINDINGS=1 cargo test $(CARGO_FEATURES) --lib bindings_are_current

bundle: deps-run
	ui/node_modules/.bin/tauri build --bundles deb
