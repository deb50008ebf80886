#!/usr/bin/env -S node --max-semi-space-size=8 --expose-gc
// The Node.js flags of package.json's scripts. --max-semi-space-size=8 (MB): Node sizes the young
// generation by the machine's memory (up to 64 MB per semi-space on a large one), which made an idle
// server 150 MB larger. --expose-gc: a send to thousands collects its garbage as it goes
// (src/services/garbage.ts).
import('../dist/cli/main.js');
