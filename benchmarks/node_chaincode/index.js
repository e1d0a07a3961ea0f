'use strict';
/**
 * The gateway benchmark's tiny contract (benchmarks/bench_gateway.py: BenchContract) written
 * on fabric-contract-api: one write or one read per transaction.
 */
const { Contract } = require('fabric-contract-api');

class Bench extends Contract {
    constructor() {
        super('Bench');
    }

    async put(ctx, key, value) {
        await ctx.stub.putState(key, Buffer.from(value));
    }

    async get(ctx, key) {
        return (await ctx.stub.getState(key)).toString();
    }
}

module.exports.contracts = [Bench];
