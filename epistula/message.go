package epistula

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// BodyHash returns the lowercase hex SHA-256 of body, as the signed
// messages use it.
func BodyHash(body []byte) [64]byte {
	sum := sha256.Sum256(body)
	var out [64]byte
	hex.Encode(out[:], sum[:])
	return out
}

// AppendMessage appends the Epistula v2 signed message
// "{sha256hex(body)}.{uuid}.{timestamp}.{signedFor}" to dst. With no
// receiver the message ends with a trailing ".".
func AppendMessage(dst []byte, bodyHash *[64]byte, uuid, timestamp, signedFor string) []byte {
	dst = append(dst, bodyHash[:]...)
	dst = append(dst, '.')
	dst = append(dst, uuid...)
	dst = append(dst, '.')
	dst = append(dst, timestamp...)
	dst = append(dst, '.')
	return append(dst, signedFor...)
}

// AppendXMessage appends the X-Epistula signed message
// "{timestamp}.{sha256hex(body)}" to dst.
func AppendXMessage(dst []byte, bodyHash *[64]byte, timestamp string) []byte {
	dst = append(dst, timestamp...)
	dst = append(dst, '.')
	return append(dst, bodyHash[:]...)
}

// SecretMessages returns the three messages of the Epistula-Secret-Signature-0/1/2
// headers, in the Python senders' convention: interval = ceil(ts/10000)*10000
// printed as a float, and messages "{interval-1}.0.{signedFor}",
// "{interval}.0.{signedFor}", "{interval+1}.0.{signedFor}". Nobody verifies
// them; senders include them so that receivers written for them keep working.
func SecretMessages(timestampMs int64, signedFor string) [3]string {
	interval := timestampMs / 10000 * 10000
	if timestampMs%10000 != 0 {
		interval += 10000
	}
	var out [3]string
	for i := range out {
		out[i] = strconv.FormatInt(interval-1+int64(i), 10) + ".0." + signedFor
	}
	return out
}
