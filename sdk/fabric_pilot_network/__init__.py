"""Native Fabric network manager: topology, crypto, node configs, processes."""
