// Pin file read by fabric-pilot install --build: the Fabric module versions (the v2.5.16
// release commit; pseudo-versions, because the module path has no /v2 suffix) and the tools
// to build. Each module is built inside its own downloaded folder with its own go.mod and
// go.sum, and the version is stamped with -ldflags; this file is never built as a module.
module fabricpilot.local/gotools/fabric

go 1.24

tool (
	github.com/hyperledger/fabric/cmd/configtxgen
	github.com/hyperledger/fabric/cmd/configtxlator
	github.com/hyperledger/fabric/cmd/cryptogen
	github.com/hyperledger/fabric/cmd/discover
	github.com/hyperledger/fabric/cmd/orderer
	github.com/hyperledger/fabric/cmd/osnadmin
	github.com/hyperledger/fabric/cmd/peer
	github.com/hyperledger/fabric/ccaas_builder/cmd/build
	github.com/hyperledger/fabric/ccaas_builder/cmd/detect
	github.com/hyperledger/fabric/ccaas_builder/cmd/release
)

require (
	github.com/hyperledger/fabric v1.4.0-rc1.0.20260617221605-f871cf92a026
	github.com/hyperledger/fabric/ccaas_builder v0.0.0-20260617221605-f871cf92a026
)
