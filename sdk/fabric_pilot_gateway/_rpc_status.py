"""``google.rpc.Status`` message class, defined at runtime.

``googleapis-common-protos`` is not a dependency, so the three-field Status
message is registered from a hand-built descriptor.
"""

from __future__ import annotations

from typing import Any

from ._protos import any_pb2, descriptor_pb2, descriptor_pool, message_factory

__all__ = ["STATUS_DETAILS_KEY", "Status"]

STATUS_DETAILS_KEY = "grpc-status-details-bin"


def _status_class() -> Any:
    pool = descriptor_pool.Default()  # type: ignore[no-untyped-call]
    try:
        descriptor = pool.FindMessageTypeByName("google.rpc.Status")
    except KeyError:
        file_proto = descriptor_pb2.FileDescriptorProto(
            name="fabric_pilot_gateway/google_rpc_status.proto",
            package="google.rpc",
            syntax="proto3",
            dependency=[any_pb2.DESCRIPTOR.name],
        )
        message = file_proto.message_type.add(name="Status")
        label = descriptor_pb2.FieldDescriptorProto
        message.field.add(name="code", number=1, type=label.TYPE_INT32, label=label.LABEL_OPTIONAL)
        message.field.add(
            name="message", number=2, type=label.TYPE_STRING, label=label.LABEL_OPTIONAL
        )
        message.field.add(
            name="details",
            number=3,
            type=label.TYPE_MESSAGE,
            label=label.LABEL_REPEATED,
            type_name=".google.protobuf.Any",
        )
        pool.Add(file_proto)
        descriptor = pool.FindMessageTypeByName("google.rpc.Status")
    return message_factory.GetMessageClass(descriptor)


Status: Any = _status_class()
"""The ``google.rpc.Status`` message class (fields: code, message, details)."""
