'use strict';
/**
 * Serve index.js as chaincode-as-a-service with fabric-shim's own server command, from the
 * environment fabric-pilot gives every chaincode server: CHAINCODE_SERVER_ADDRESS,
 * CHAINCODE_ID and CHAINCODE_TLS_{CERT,KEY,CLIENT_CACERT}_FILE (mutual TLS with the peers).
 */
const path = require('node:path');

const env = process.env;
const required = ['CHAINCODE_SERVER_ADDRESS', 'CHAINCODE_ID'];
for (const name of required) {
    if (!env[name]) {
        process.stderr.write(`server.js: ${name} is not set\n`);
        process.exit(2);
    }
}
const args = [
    'server',
    '--chaincode-address', env.CHAINCODE_SERVER_ADDRESS,
    '--chaincode-id', env.CHAINCODE_ID,
    '--module-path', __dirname,
];
if (env.CHAINCODE_TLS_CERT_FILE) {
    args.push(
        '--chaincode-tls-cert-file', env.CHAINCODE_TLS_CERT_FILE,
        '--chaincode-tls-key-file', env.CHAINCODE_TLS_KEY_FILE,
        '--chaincode-tls-client-cacert-file', env.CHAINCODE_TLS_CLIENT_CACERT_FILE,
    );
}
process.argv = [process.argv[0], path.join(__dirname, 'node_modules', '.bin', 'fabric-chaincode-node'), ...args];
require('fabric-shim/cli');
