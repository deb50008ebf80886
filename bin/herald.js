#!/usr/bin/env -S node --max-semi-space-size=8
// --max-semi-space-size=8 (MB), as in package.json's scripts: Node sizes the young generation by the
// machine's memory (up to 64 MB per semi-space on a large one), which made an idle server 150 MB
// larger; 8 MB keeps it small at no measurable cost in throughput (npm run bench:api).
import('../dist/cli/main.js');
