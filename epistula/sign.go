package epistula

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// Sign returns the Epistula v2 headers of a request with this body, signed by
// key at time now for receiver (the miner's SS58 address; "" when unknown,
// which verifiers refuse by default). With a receiver it also adds the three
// Epistula-Secret-Signature headers of the Python convention.
func Sign(key keys.Signer, body []byte, receiver string, now time.Time) http.Header {
	return SignWith(key, body, receiver, now.UnixMilli(), NewUUID())
}

// SignWith is Sign with the timestamp (Unix milliseconds) and uuid given: for
// tests and debugging tools. Reusing a uuid makes the request a replay.
func SignWith(key keys.Signer, body []byte, receiver string, timestampMs int64, uuid string) http.Header {
	ts := strconv.FormatInt(timestampMs, 10)
	bodyHash := BodyHash(body)
	sig := key.Sign(AppendMessage(nil, &bodyHash, uuid, ts, receiver))
	h := http.Header{
		HeaderVersion:   {"2"},
		HeaderTimestamp: {ts},
		HeaderUUID:      {uuid},
		HeaderSignedBy:  {key.Public().Address()},
		HeaderSignature: {sig.Hex()},
	}
	if receiver != "" {
		h[HeaderSignedFor] = []string{receiver}
		names := [3]string{HeaderSecretSignature0, HeaderSecretSignature1, HeaderSecretSignature2}
		for i, m := range SecretMessages(timestampMs, receiver) {
			s := key.Sign([]byte(m))
			h[names[i]] = []string{s.Hex()}
		}
	}
	return h
}

// SignX returns the X-Epistula headers of a request with this body, signed by
// key at time now: X-Epistula-Timestamp in Unix nanoseconds,
// X-Epistula-Signature in plain hex, X-Epistula-Hotkey.
func SignX(key keys.Signer, body []byte, now time.Time) http.Header {
	return SignXWith(key, body, now.UnixNano())
}

// SignXWith is SignX with the timestamp (Unix nanoseconds) given.
func SignXWith(key keys.Signer, body []byte, timestampNs int64) http.Header {
	ts := strconv.FormatInt(timestampNs, 10)
	bodyHash := BodyHash(body)
	sig := key.Sign(AppendXMessage(nil, &bodyHash, ts))
	return http.Header{
		HeaderXTimestamp: {ts},
		HeaderXSignature: {hex.EncodeToString(sig[:])},
		HeaderXHotkey:    {key.Public().Address()},
	}
}

// NewUUID returns a random (version 4) UUID in its lowercase textual form.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
