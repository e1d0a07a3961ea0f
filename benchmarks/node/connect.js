'use strict';
/**
 * Connect the official Fabric Gateway Node client with a fabric-pilot connection profile
 * (DIR/profiles/<Org>.json): the Gateway peer's URL and TLS CA come from the profile, the
 * identity and private key from the MSP folder the profile's "x-fabric-pilot" block names.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const { connect, hash, signers } = require('@hyperledger/fabric-gateway');

function readProfile(profilePath) {
    const profile = JSON.parse(fs.readFileSync(profilePath, 'utf8'));
    const extension = profile['x-fabric-pilot'];
    if (!extension) {
        throw new Error(`${profilePath}: not a fabric-pilot profile (no x-fabric-pilot block)`);
    }
    return { profile, extension };
}

function onlyFile(folder, accept) {
    const names = fs.readdirSync(folder).filter(accept).sort();
    if (names.length !== 1) {
        throw new Error(`expected one file in ${folder}, found ${names.length}`);
    }
    return path.join(folder, names[0]);
}

function peerEndpoint(profile, peerName) {
    const peer = profile.peers[peerName];
    const url = new URL(peer.url);
    const pem = Array.isArray(peer.tlsCACerts.pem) ? peer.tlsCACerts.pem.join('\n') : peer.tlsCACerts.pem;
    const options = peer.grpcOptions || {};
    return {
        address: url.host,
        tls: url.protocol === 'grpcs:',
        tlsCaPem: Buffer.from(pem),
        hostOverride: options['ssl-target-name-override'] || options.hostnameOverride || peerName,
    };
}

/** A gRPC client for the profile's Gateway peer (caller closes it). */
function newGrpcClient(profilePath) {
    const { profile, extension } = readProfile(profilePath);
    const endpoint = peerEndpoint(profile, extension.gatewayPeer);
    const credentials = endpoint.tls
        ? grpc.credentials.createSsl(endpoint.tlsCaPem)
        : grpc.credentials.createInsecure();
    return new grpc.Client(endpoint.address, credentials, {
        'grpc.ssl_target_name_override': endpoint.hostOverride,
    });
}

/** The identity and signer of a profile user (default: the profile's default user). */
function loadUser(profilePath, userName) {
    const { extension } = readProfile(profilePath);
    const name = userName || extension.defaultUser;
    const user = extension.users[name];
    if (!user) {
        throw new Error(`unknown user ${name}; known: ${Object.keys(extension.users).join(', ')}`);
    }
    const mspDir = path.resolve(path.dirname(profilePath), user.mspDir);
    const certificate = fs.readFileSync(onlyFile(path.join(mspDir, 'signcerts'), (n) => n.endsWith('.pem')));
    const keyPem = fs.readFileSync(onlyFile(path.join(mspDir, 'keystore'), () => true));
    return {
        identity: { mspId: extension.mspId, credentials: certificate },
        signer: signers.newPrivateKeySigner(crypto.createPrivateKey(keyPem)),
    };
}

/**
 * Open a Gateway for `userName`; returns { gateway, close }.
 * Deadlines match the Python SDK's defaults.
 */
function openGateway(profilePath, userName, client) {
    const grpcClient = client || newGrpcClient(profilePath);
    const { identity, signer } = loadUser(profilePath, userName);
    const deadline = (seconds) => () => ({ deadline: Date.now() + seconds * 1000 });
    const gateway = connect({
        client: grpcClient,
        identity,
        signer,
        hash: hash.sha256,
        evaluateOptions: deadline(5),
        endorseOptions: deadline(15),
        submitOptions: deadline(5),
        commitStatusOptions: deadline(60),
    });
    return {
        gateway,
        close: () => {
            gateway.close();
            if (!client) {
                grpcClient.close();
            }
        },
    };
}

module.exports = { loadUser, newGrpcClient, openGateway };
