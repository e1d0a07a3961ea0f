// Pin file read by fabric-pilot install --build: the Fabric CA module version and the tools
// to build. The build runs inside the downloaded module's own folder, so Fabric CA's own
// go.mod and go.sum choose every dependency; this file is never built as a module itself.
module fabricpilot.local/gotools/fabricca

go 1.24

tool (
	github.com/hyperledger/fabric-ca/cmd/fabric-ca-client
	github.com/hyperledger/fabric-ca/cmd/fabric-ca-server
)

require github.com/hyperledger/fabric-ca v1.5.21
