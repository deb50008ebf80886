#!/usr/bin/env -S node --max-semi-space-size=8 --expose-gc --no-wasm-dynamic-tiering --no-wasm-tier-up
// The Node.js flags of package.json's scripts. --max-semi-space-size=8 (MB): Node sizes the young
// generation by the machine's memory (up to 64 MB per semi-space on a large one), which made an idle
// server 150 MB larger. --expose-gc: a send to thousands collects its garbage as it goes
// (src/services/garbage.ts). --no-wasm-dynamic-tiering --no-wasm-tier-up: the embedded PostgreSQL
// (PGlite, WebAssembly) runs as compiled at start, never recompiled by the optimizing compiler, which
// took over 500 MB for a few seconds to recompile one of its functions (see docs/operations.md "Memory").
import('../dist/cli/main.js');
