package axon

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// Identity is what an axon writes into its own terminal object (the
// synapse's "axon") of every answer, as the SDK's axon does before it runs a
// handler: its version, its uuid (one per process), a fresh nonce (Unix
// nanoseconds), its hotkey and, when Sign is set, its signature over
// "{axon nonce}.{dendrite hotkey}.{axon hotkey}.{axon uuid}". No SDK
// dendrite checks that signature; a validator that wants to can, with
// VerifyAnswer. Signing costs one sr25519 signature per answer.
type Identity struct {
	// Hotkey is the miner's hotkey. Required.
	Hotkey keys.Signer
	// UUID is the axon's uuid; NewIdentity draws one.
	UUID string
	// Sign signs every answer.
	Sign bool

	address string
}

// NewIdentity returns the Identity of an axon with hotkey, a random uuid and
// signing as sign says.
func NewIdentity(hotkey keys.Signer, sign bool) *Identity {
	return &Identity{Hotkey: hotkey, UUID: newUUID(), Sign: sign, address: hotkey.Public().Address()}
}

// SetIdentity makes the route stamp its answers with id (nil: answers
// echo the request's axon object, with only the status fields set). Call
// it before serving.
func (rt *Route) SetIdentity(id *Identity) {
	if id != nil && id.address == "" && id.Hotkey != nil {
		id.address = id.Hotkey.Public().Address()
	}
	rt.id = id
}

// answerMessage is the message an axon signs for an answer.
func answerMessage(nonce int64, dendriteHotkey, axonHotkey, uuid string) []byte {
	b := make([]byte, 0, 20+1+48+1+48+1+36)
	b = strconv.AppendInt(b, nonce, 10)
	b = append(b, '.')
	b = append(b, dendriteHotkey...)
	b = append(b, '.')
	b = append(b, axonHotkey...)
	b = append(b, '.')
	b = append(b, uuid...)
	return b
}

// stamp fills base.Axon with the identity, now and, when signing, the
// signature for the dendrite hotkey named by the request.
func (id *Identity) stamp(base *Synapse, dendriteHotkey string, now time.Time) {
	if id == nil || id.Hotkey == nil {
		return
	}
	version := int64(SDKVersion)
	nonce := now.UnixNano()
	uuid := id.UUID
	addr := id.address
	base.Axon.Version = &version
	base.Axon.Nonce = &nonce
	base.Axon.UUID = &uuid
	base.Axon.Hotkey = &addr
	if !id.Sign {
		base.Axon.Signature = nil
		return
	}
	sig := id.Hotkey.Sign(answerMessage(nonce, dendriteHotkey, addr, uuid)).Hex()
	base.Axon.Signature = &sig
}

// Errors of VerifyAnswer.
var (
	ErrAnswerUnsigned = errors.New("axon: the answer is not signed")
	ErrAnswerBadSig   = errors.New("axon: the answer's signature does not verify")
)

// VerifyAnswer checks the axon signature of an answer: the signature in
// syn.Axon over "{axon nonce}.{dendrite hotkey}.{axon hotkey}.{axon uuid}"
// by axonHotkey (the SS58 address the validator meant to query; the
// answer's own axon.hotkey must name it). The dendrite hotkey is the one
// in syn.Dendrite, as the axon echoes it.
func VerifyAnswer(syn *Synapse, axonHotkey string) error {
	a := &syn.Axon
	if a.Signature == nil || a.Nonce == nil || a.UUID == nil || a.Hotkey == nil || syn.Dendrite.Hotkey == nil {
		return ErrAnswerUnsigned
	}
	if *a.Hotkey != axonHotkey {
		return errors.New("axon: the answer names hotkey " + *a.Hotkey + ", not " + axonHotkey)
	}
	pub, err := keys.DecodeAddress(axonHotkey)
	if err != nil {
		return err
	}
	sig, err := hex.DecodeString(strings.TrimPrefix(*a.Signature, "0x"))
	if err != nil || len(sig) != 64 {
		return ErrAnswerBadSig
	}
	msg := answerMessage(*a.Nonce, *syn.Dendrite.Hotkey, axonHotkey, *a.UUID)
	if !keys.Verify(pub, msg, sig) {
		return ErrAnswerBadSig
	}
	return nil
}
