'use strict';
/**
 * Run transactions through the official Node Gateway client and print the outcomes as JSON.
 *
 * Usage: node client.js REQUEST.json   (or the request on stdin)
 * Request: {"profile": path, "user": "User1", "channel": "mychannel", "chaincode": "name",
 *           "operations": [{"type": "submit"|"evaluate", "name": "fn", "args": ["..."],
 *                           "transient": {"k": "v"}, "endorsingOrganizations": ["Org1MSP"]}]}
 * Output:  {"results": [{"ok": true, "transactionId", "result" (UTF-8), "resultBase64",
 *           "status": {"code", "successful", "blockNumber"}} |
 *           {"ok": false, "transactionId", "error": {"name", "code", "message", "details"}}]}
 */
const fs = require('node:fs');
const { openGateway } = require('./connect');

function proposalOptions(operation) {
    const options = { arguments: (operation.args || []).map(String) };
    if (operation.transient) {
        options.transientData = operation.transient;
    }
    if (operation.endorsingOrganizations) {
        options.endorsingOrganizations = operation.endorsingOrganizations;
    }
    return options;
}

function describeError(error) {
    return {
        name: error.name || error.constructor.name,
        code: error.code === undefined ? null : error.code,
        message: error.message,
        details: (error.details || []).map((d) => ({ address: d.address, mspId: d.mspId, message: d.message })),
    };
}

function encodeResult(bytes) {
    const buffer = Buffer.from(bytes);
    return { result: buffer.toString('utf8'), resultBase64: buffer.toString('base64') };
}

async function runOperation(contract, operation) {
    const proposal = contract.newProposal(operation.name, proposalOptions(operation));
    const transactionId = proposal.getTransactionId();
    try {
        if (operation.type === 'evaluate') {
            return { ok: true, transactionId, ...encodeResult(await proposal.evaluate()) };
        }
        const transaction = await proposal.endorse();
        const commit = await transaction.submit();
        const status = await commit.getStatus();
        return {
            ok: true,
            transactionId,
            ...encodeResult(transaction.getResult()),
            status: {
                code: status.code,
                successful: status.successful,
                blockNumber: status.blockNumber.toString(),
            },
        };
    } catch (error) {
        return { ok: false, transactionId, error: describeError(error) };
    }
}

async function main() {
    const source = process.argv[2] ? fs.readFileSync(process.argv[2], 'utf8') : fs.readFileSync(0, 'utf8');
    const request = JSON.parse(source);
    const { gateway, close } = openGateway(request.profile, request.user);
    try {
        const contract = gateway.getNetwork(request.channel).getContract(request.chaincode);
        const results = [];
        for (const operation of request.operations) {
            results.push(await runOperation(contract, operation));
        }
        process.stdout.write(`${JSON.stringify({ results })}\n`);
    } finally {
        close();
    }
}

main().catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
});
