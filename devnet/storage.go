package devnet

import (
	"encoding/binary"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// accountID is a 32-byte account (an sr25519 public key).
type accountID = keys.PublicKey

// Storage key builders. Every key is twox128(pallet) ++ twox128(item) ++ the
// hashed map keys, exactly as FRAME lays them out.

func prefixKey(pallet, item string) []byte { return substrate.StoragePrefix(pallet, item) }

func appendB2C(b, data []byte) []byte {
	h := substrate.HashBlake2_128(data)
	return append(append(b, h[:]...), data...)
}

func appendT64C(b, data []byte) []byte {
	h := substrate.HashTwox64(data)
	return append(append(b, h[:]...), data...)
}

func keyAccount(id accountID) string {
	return string(appendB2C(prefixKey("System", "Account"), id[:]))
}

// keyBlockHash is System.BlockHash(n) (Twox64Concat).
func keyBlockHash(n uint32) string {
	return string(appendT64C(prefixKey("System", "BlockHash"), scale.AppendU32(nil, n)))
}

func keyPlain(pallet, item string) string { return string(prefixKey(pallet, item)) }

// keyNet is SubtensorModule.item(netuid) (Identity).
func keyNet(item string, netuid uint16) string {
	return string(scale.AppendU16(prefixKey("SubtensorModule", item), netuid))
}

// keyNetHot is SubtensorModule.item(netuid Identity, hotkey Blake2_128Concat).
func keyNetHot(item string, netuid uint16, hot accountID) string {
	return string(appendB2C(scale.AppendU16(prefixKey("SubtensorModule", item), netuid), hot[:]))
}

// keyNetUID is SubtensorModule.item(netuid Identity, uid Identity).
func keyNetUID(item string, netuid, uid uint16) string {
	return string(scale.AppendU16(scale.AppendU16(prefixKey("SubtensorModule", item), netuid), uid))
}

// keyHot is SubtensorModule.item(account Blake2_128Concat).
func keyHot(item string, a accountID) string {
	return string(appendB2C(prefixKey("SubtensorModule", item), a[:]))
}

// keyHotNet is SubtensorModule.item(hotkey Blake2_128Concat, netuid Identity).
func keyHotNet(item string, hot accountID, netuid uint16) string {
	return string(scale.AppendU16(appendB2C(prefixKey("SubtensorModule", item), hot[:]), netuid))
}

// keyAlpha is SubtensorModule.Alpha(hotkey, coldkey Blake2_128Concat, netuid Identity).
func keyAlpha(hot, cold accountID, netuid uint16) string {
	return string(scale.AppendU16(appendB2C(appendB2C(prefixKey("SubtensorModule", "Alpha"), hot[:]), cold[:]), netuid))
}

// keyCommit is Commitments.item(netuid Identity, account Twox64Concat).
func keyCommit(item string, netuid uint16, who accountID) string {
	return string(appendT64C(scale.AppendU16(prefixKey("Commitments", item), netuid), who[:]))
}

// accountInfo is frame_system::AccountInfo with pallet_balances::AccountData.
type accountInfo struct {
	nonce, consumers, providers, sufficients uint32
	free, reserved, frozen                   uint64
}

// extraFlagsNewLogic is the ExtraFlags bit every current account carries.
var extraFlagsNewLogic = scale.Uint128{Hi: 1 << 63}

func (a accountInfo) appendSCALE(b []byte) []byte {
	b = scale.AppendU32(b, a.nonce)
	b = scale.AppendU32(b, a.consumers)
	b = scale.AppendU32(b, a.providers)
	b = scale.AppendU32(b, a.sufficients)
	b = scale.AppendU64(b, a.free)
	b = scale.AppendU64(b, a.reserved)
	b = scale.AppendU64(b, a.frozen)
	return scale.AppendU128(b, extraFlagsNewLogic)
}

func decodeAccountInfo(v []byte) accountInfo {
	if len(v) < 56 {
		return accountInfo{}
	}
	le := binary.LittleEndian
	return accountInfo{
		nonce: le.Uint32(v), consumers: le.Uint32(v[4:]), providers: le.Uint32(v[8:]), sufficients: le.Uint32(v[12:]),
		free: le.Uint64(v[16:]), reserved: le.Uint64(v[24:]), frozen: le.Uint64(v[32:]),
	}
}

// state is typed access to one reader/writer of chain state.
type state struct{ o *overlay }

func (s state) account(id accountID) accountInfo {
	v, _ := s.o.get(keyAccount(id))
	return decodeAccountInfo(v)
}

func (s state) putAccount(id accountID, a accountInfo) {
	if a == (accountInfo{}) {
		s.o.del(keyAccount(id))
		return
	}
	s.o.set(keyAccount(id), a.appendSCALE(nil))
}

func (s state) u16(key string, def uint16) uint16 {
	if v, ok := s.o.get(key); ok && len(v) >= 2 {
		return binary.LittleEndian.Uint16(v)
	}
	return def
}

func (s state) u32(key string, def uint32) uint32 {
	if v, ok := s.o.get(key); ok && len(v) >= 4 {
		return binary.LittleEndian.Uint32(v)
	}
	return def
}

func (s state) u64(key string, def uint64) uint64 {
	if v, ok := s.o.get(key); ok && len(v) >= 8 {
		return binary.LittleEndian.Uint64(v)
	}
	return def
}

func (s state) boolean(key string, def bool) bool {
	if v, ok := s.o.get(key); ok && len(v) >= 1 {
		return v[0] == 1
	}
	return def
}

func (s state) account32(key string) (accountID, bool) {
	var a accountID
	v, ok := s.o.get(key)
	if !ok || len(v) < 32 {
		return a, false
	}
	copy(a[:], v)
	return a, true
}

func (s state) putU16(key string, v uint16)    { s.o.set(key, scale.AppendU16(nil, v)) }
func (s state) putU32(key string, v uint32)    { s.o.set(key, scale.AppendU32(nil, v)) }
func (s state) putU64(key string, v uint64)    { s.o.set(key, scale.AppendU64(nil, v)) }
func (s state) putBool(key string, v bool)     { s.o.set(key, scale.AppendBool(nil, v)) }
func (s state) putAcc(key string, a accountID) { s.o.set(key, append([]byte(nil), a[:]...)) }

func (s state) vecU16(key string) []uint16 {
	v, _ := s.o.get(key)
	out, err := scale.DecodeVec(scale.NewDecoder(v), (*scale.Decoder).U16)
	if err != nil {
		return nil
	}
	return out
}

func (s state) vecU64(key string) []uint64 {
	v, _ := s.o.get(key)
	out, err := scale.DecodeVec(scale.NewDecoder(v), (*scale.Decoder).U64)
	if err != nil {
		return nil
	}
	return out
}

func (s state) vecBool(key string) []bool {
	v, _ := s.o.get(key)
	out, err := scale.DecodeVec(scale.NewDecoder(v), (*scale.Decoder).Bool)
	if err != nil {
		return nil
	}
	return out
}

func (s state) vecAcc(key string) []accountID {
	v, _ := s.o.get(key)
	out, err := scale.DecodeVec(scale.NewDecoder(v), decodeAccount)
	if err != nil {
		return nil
	}
	return out
}

func (s state) putVecU16(key string, v []uint16) {
	s.o.set(key, scale.AppendVec(nil, v, scale.AppendU16))
}
func (s state) putVecU64(key string, v []uint64) {
	s.o.set(key, scale.AppendVec(nil, v, scale.AppendU64))
}
func (s state) putVecBool(key string, v []bool) {
	s.o.set(key, scale.AppendVec(nil, v, scale.AppendBool))
}
func (s state) putVecAcc(key string, v []accountID) {
	s.o.set(key, scale.AppendVec(nil, v, func(b []byte, a accountID) []byte { return append(b, a[:]...) }))
}

// pairs reads a Vec<(u16, u16)> (Weights, Bonds).
func (s state) pairs(key string) [][2]uint16 {
	v, _ := s.o.get(key)
	out, err := scale.DecodeVec(scale.NewDecoder(v), func(d *scale.Decoder) ([2]uint16, error) {
		a, err := d.U16()
		if err != nil {
			return [2]uint16{}, err
		}
		b, err := d.U16()
		return [2]uint16{a, b}, err
	})
	if err != nil {
		return nil
	}
	return out
}

func (s state) putPairs(key string, v [][2]uint16) {
	s.o.set(key, scale.AppendVec(nil, v, func(b []byte, p [2]uint16) []byte {
		return scale.AppendU16(scale.AppendU16(b, p[0]), p[1])
	}))
}

// axonInfo is pallet_subtensor::AxonInfo.
type axonInfo struct {
	block                    uint64
	version                  uint32
	ip                       scale.Uint128
	port                     uint16
	ipType, protocol, p1, p2 uint8
}

func (a axonInfo) appendSCALE(b []byte) []byte {
	b = scale.AppendU64(b, a.block)
	b = scale.AppendU32(b, a.version)
	b = scale.AppendU128(b, a.ip)
	b = scale.AppendU16(b, a.port)
	return append(b, a.ipType, a.protocol, a.p1, a.p2)
}

func (s state) axon(netuid uint16, hot accountID) (axonInfo, bool) {
	v, ok := s.o.get(keyNetHot("Axons", netuid, hot))
	if !ok {
		return axonInfo{}, false
	}
	d := scale.NewDecoder(v)
	var a axonInfo
	var err error
	if a.block, err = d.U64(); err != nil {
		return axonInfo{}, false
	}
	a.version, _ = d.U32()
	a.ip, _ = d.U128()
	a.port, _ = d.U16()
	a.ipType, _ = d.U8()
	a.protocol, _ = d.U8()
	a.p1, _ = d.U8()
	a.p2, _ = d.U8()
	return a, true
}
