'use strict';
/**
 * Gateway load generator on the official Node client: one run = one mode at one concurrency.
 *
 * Usage: node bench.js REQUEST.json
 * Request: {"profile", "user", "channel", "chaincode", "mode": "submit"|"evaluate",
 *           "concurrency": 32, "count": 300, "keyPrefix": "node-32", "readKey": "k",
 *           "warmup": 5}
 * Submit mode calls put(keyPrefix-i, "v"); evaluate mode calls get(readKey).
 * After connecting and warming up it prints "READY" and waits for a line on stdin, so the
 * caller can sample the network's CPU time right before the measured part starts.
 * Output (one JSON line): {"count", "errors", "firstError", "seconds", "latenciesMs": [...],
 *   "cpuMicros": {"user", "system"}} for the measured part only (after connect and warm-up).
 */
const fs = require('node:fs');
const readline = require('node:readline');
const { performance } = require('node:perf_hooks');
const { openGateway } = require('./connect');

function callFor(contract, request) {
    if (request.mode === 'evaluate') {
        return () => contract.evaluate('get', { arguments: [request.readKey] });
    }
    if (request.mode === 'submit') {
        return (index) => contract.submit('put', { arguments: [`${request.keyPrefix}-${index}`, 'v'] });
    }
    throw new Error(`unknown mode ${request.mode}`);
}

/** Run `count` calls with at most `concurrency` in flight (a promise pool). */
async function runPool(call, count, concurrency) {
    const latencies = [];
    const failures = [];
    let next = 0;
    async function worker() {
        while (next < count) {
            const index = next++;
            const started = performance.now();
            try {
                await call(index);
                latencies.push(performance.now() - started);
            } catch (error) {
                failures.push(String(error && error.message ? error.message : error));
            }
        }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return { latencies, failures };
}

function waitForGo() {
    process.stdout.write('READY\n');
    const lines = readline.createInterface({ input: process.stdin });
    return new Promise((resolve) => {
        lines.once('line', () => {
            lines.close();
            resolve();
        });
    });
}

async function main() {
    const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const { gateway, close } = openGateway(request.profile, request.user);
    try {
        const contract = gateway.getNetwork(request.channel).getContract(request.chaincode);
        const call = callFor(contract, request);
        const warmup = request.warmup || 0;
        await runPool((i) => call(`warmup-${i}`), warmup, Math.min(warmup, request.concurrency));
        await waitForGo();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const { latencies, failures } = await runPool(call, request.count, request.concurrency);
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const output = {
            count: latencies.length,
            errors: failures.length,
            firstError: failures[0] || null,
            seconds,
            latenciesMs: latencies,
            cpuMicros: { user: cpu.user, system: cpu.system },
        };
        process.stdout.write(`${JSON.stringify(output)}\n`);
    } finally {
        close();
    }
}

main().catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
});
