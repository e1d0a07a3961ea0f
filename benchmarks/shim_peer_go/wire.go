package main

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

// ChaincodeMessage.Type values used by the fake peer (checked against fabric_protos).
const (
	typeRegister   = 1
	typeRegistered = 2
	typeReady      = 4
	typeCompleted  = 6
	typeError      = 7
	typeResponse   = 13
)

// ChaincodeMessage field numbers.
const (
	fieldType      protowire.Number = 1
	fieldPayload   protowire.Number = 3
	fieldTxID      protowire.Number = 4
	fieldChannelID protowire.Number = 7
)

// peer.Response field numbers.
const (
	fieldStatus  protowire.Number = 1
	fieldMessage protowire.Number = 2
)

// message holds the ChaincodeMessage fields the peer reads; the slices alias the
// receive buffer and are valid until the next receive.
type message struct {
	typ       int32
	payload   []byte
	txID      []byte
	channelID []byte
}

// rawCodec passes serialized messages through unchanged as []byte or *[]byte.
// It is named "proto" so the stream carries the usual gRPC content type.
type rawCodec struct{}

// Marshal wraps the bytes without copying them.
func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch b := v.(type) {
	case []byte:
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	case *[]byte:
		return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
	}
	return nil, fmt.Errorf("rawCodec cannot marshal %T", v)
}

// Unmarshal copies the received bytes into *v, reusing its capacity.
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	dst, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec cannot unmarshal into %T", v)
	}
	n := data.Len()
	if cap(*dst) < n {
		*dst = make([]byte, n)
	}
	*dst = (*dst)[:n]
	data.CopyTo(*dst)
	return nil
}

// Name returns the codec's content subtype.
func (rawCodec) Name() string { return "proto" }

var errMalformed = errors.New("malformed protobuf")

// decodeMessage reads type, payload, txid and channel_id from a ChaincodeMessage.
func decodeMessage(b []byte) (message, error) {
	var m message
	for len(b) > 0 {
		num, wtype, n := protowire.ConsumeTag(b)
		if n < 0 {
			return m, errMalformed
		}
		b = b[n:]
		switch {
		case num == fieldType && wtype == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return m, errMalformed
			}
			m.typ, b = int32(v), b[n:]
			continue
		case wtype == protowire.BytesType && isKept(num):
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return m, errMalformed
			}
			m.setBytes(num, v)
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, wtype, b)
		if n < 0 {
			return m, errMalformed
		}
		b = b[n:]
	}
	return m, nil
}

// isKept reports whether decodeMessage keeps the length-delimited field num.
func isKept(num protowire.Number) bool {
	return num == fieldPayload || num == fieldTxID || num == fieldChannelID
}

// setBytes stores the value of one kept length-delimited field.
func (m *message) setBytes(num protowire.Number, v []byte) {
	switch num {
	case fieldPayload:
		m.payload = v
	case fieldTxID:
		m.txID = v
	case fieldChannelID:
		m.channelID = v
	}
}

// decodeResponse reads status and message from a peer.Response.
func decodeResponse(b []byte) (status int32, text string, err error) {
	for len(b) > 0 {
		num, wtype, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, "", errMalformed
		}
		b = b[n:]
		switch {
		case num == fieldStatus && wtype == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, "", errMalformed
			}
			status, b = int32(v), b[n:]
			continue
		case num == fieldMessage && wtype == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return 0, "", errMalformed
			}
			text, b = string(v), b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, wtype, b)
		if n < 0 {
			return 0, "", errMalformed
		}
		b = b[n:]
	}
	return status, text, nil
}

// encodeMessage serializes a ChaincodeMessage with type, txid and channel_id in
// field order, omitting empty fields as proto3 does.
func encodeMessage(typ int32, txID, channelID []byte) []byte {
	b := make([]byte, 0, 6+len(txID)+len(channelID))
	if typ != 0 {
		b = protowire.AppendTag(b, fieldType, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(typ))
	}
	if len(txID) > 0 {
		b = protowire.AppendTag(b, fieldTxID, protowire.BytesType)
		b = protowire.AppendBytes(b, txID)
	}
	if len(channelID) > 0 {
		b = protowire.AppendTag(b, fieldChannelID, protowire.BytesType)
		b = protowire.AppendBytes(b, channelID)
	}
	return b
}

// splitDelimited splits a file of uvarint-length-prefixed messages; the parts alias data.
func splitDelimited(data []byte) ([][]byte, error) {
	var parts [][]byte
	for len(data) > 0 {
		size, n := protowire.ConsumeVarint(data)
		if n < 0 || uint64(len(data)-n) < size {
			return nil, fmt.Errorf("truncated message %d", len(parts))
		}
		parts = append(parts, data[n:n+int(size)])
		data = data[n+int(size):]
	}
	return parts, nil
}
