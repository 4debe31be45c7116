package subtensor

import (
	"fmt"
	"math"
	"net/netip"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
)

// AxonInfo is where a neuron serves (SubtensorModule.Axons).
type AxonInfo struct {
	Block        uint64        `json:"block"`
	Version      uint32        `json:"version"`
	IP           scale.Uint128 `json:"-"`
	Port         uint16        `json:"port"`
	IPType       uint8         `json:"ip_type"`
	Protocol     uint8         `json:"protocol"`
	Placeholder1 uint8         `json:"placeholder1"`
	Placeholder2 uint8         `json:"placeholder2"`
}

// Served reports whether the axon was ever set (a non-zero IP or port).
func (a AxonInfo) Served() bool { return a.Port != 0 || a.IP != (scale.Uint128{}) }

// Addr returns the axon's IP address: IPv4 when IPType is 4, IPv6 otherwise.
func (a AxonInfo) Addr() netip.Addr { return ipFromU128(a.IP, a.IPType) }

// Endpoint returns "ip:port" ("[v6]:port" for IPv6), or "" if not served.
func (a AxonInfo) Endpoint() string {
	if !a.Served() {
		return ""
	}
	return netip.AddrPortFrom(a.Addr(), a.Port).String()
}

func ipFromU128(ip scale.Uint128, ipType uint8) netip.Addr {
	if ipType == 4 || (ip.Hi == 0 && ip.Lo <= math.MaxUint32 && ipType != 6) {
		v := uint32(ip.Lo)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(ip.Hi >> (56 - 8*i))
		b[8+i] = byte(ip.Lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(b)
}

// IPToU128 encodes an address as the chain stores it: the big-endian
// integer value of the address, with ip_type 4 or 6.
func IPToU128(a netip.Addr) (scale.Uint128, uint8) {
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		return scale.Uint128{Lo: uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}, 4
	}
	b := a.As16()
	var u scale.Uint128
	for i := 0; i < 8; i++ {
		u.Hi = u.Hi<<8 | uint64(b[i])
		u.Lo = u.Lo<<8 | uint64(b[8+i])
	}
	return u, 6
}

// PrometheusInfo is where a neuron exposes metrics (rarely used today).
type PrometheusInfo struct {
	Block   uint64        `json:"block"`
	Version uint32        `json:"version"`
	IP      scale.Uint128 `json:"-"`
	Port    uint16        `json:"port"`
	IPType  uint8         `json:"ip_type"`
}

// StakeEntry is one (coldkey, amount) pair of a neuron's stake list.
type StakeEntry struct {
	Coldkey keys.PublicKey `json:"coldkey"`
	Amount  Rao            `json:"amount"`
}

// NeuronInfoLite is NeuronInfoRuntimeApi's per-UID record, without weights
// and bonds. Proportions (Rank … Dividends) are u16 fractions of 65535.
type NeuronInfoLite struct {
	Hotkey          keys.PublicKey `json:"hotkey"`
	Coldkey         keys.PublicKey `json:"coldkey"`
	UID             uint16         `json:"uid"`
	NetUID          uint16         `json:"netuid"`
	Active          bool           `json:"active"`
	Axon            AxonInfo       `json:"axon"`
	Prometheus      PrometheusInfo `json:"prometheus"`
	Stake           []StakeEntry   `json:"stake"`
	Rank            uint16         `json:"rank"`
	Emission        Rao            `json:"emission"`
	Incentive       uint16         `json:"incentive"`
	Consensus       uint16         `json:"consensus"`
	Trust           uint16         `json:"trust"`
	ValidatorTrust  uint16         `json:"validator_trust"`
	Dividends       uint16         `json:"dividends"`
	LastUpdate      uint64         `json:"last_update"`
	ValidatorPermit bool           `json:"validator_permit"`
	PruningScore    uint16         `json:"pruning_score"`
}

// TotalStake sums the neuron's stake list.
func (n *NeuronInfoLite) TotalStake() Rao {
	var t Rao
	for _, s := range n.Stake {
		t += s.Amount
	}
	return t
}

func decodeAccount(d *scale.Decoder, k *keys.PublicKey) error {
	b, err := d.Bytes(32)
	if err != nil {
		return err
	}
	copy(k[:], b)
	return nil
}

func compactU16(d *scale.Decoder) (uint16, error) {
	at := d.Offset()
	v, err := d.Compact()
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint16 {
		return 0, fmt.Errorf("%w: compact %d at offset %d does not fit in u16", scale.ErrInvalid, v, at)
	}
	return uint16(v), nil
}

func compactU8(d *scale.Decoder) (uint8, error) {
	at := d.Offset()
	v, err := d.Compact()
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint8 {
		return 0, fmt.Errorf("%w: compact %d at offset %d does not fit in u8", scale.ErrInvalid, v, at)
	}
	return uint8(v), nil
}

// DecodeAxonInfo reads an AxonInfo (block u64, version u32, ip u128, port
// u16, ip_type, protocol, placeholder1, placeholder2 u8).
func DecodeAxonInfo(d *scale.Decoder) (AxonInfo, error) {
	var a AxonInfo
	b, err := d.Bytes(8 + 4 + 16 + 2 + 4)
	if err != nil {
		return a, fmt.Errorf("subtensor: axon info: %w", err)
	}
	a.Block = le64(b)
	a.Version = le32(b[8:])
	a.IP = scale.Uint128{Lo: le64(b[12:]), Hi: le64(b[20:])}
	a.Port = uint16(b[28]) | uint16(b[29])<<8
	a.IPType, a.Protocol, a.Placeholder1, a.Placeholder2 = b[30], b[31], b[32], b[33]
	return a, nil
}

// AppendSCALE appends a's SCALE encoding.
func (a AxonInfo) AppendSCALE(b []byte) []byte {
	b = scale.AppendU64(b, a.Block)
	b = scale.AppendU32(b, a.Version)
	b = scale.AppendU128(b, a.IP)
	b = scale.AppendU16(b, a.Port)
	return append(b, a.IPType, a.Protocol, a.Placeholder1, a.Placeholder2)
}

func decodePrometheus(d *scale.Decoder) (PrometheusInfo, error) {
	var p PrometheusInfo
	b, err := d.Bytes(8 + 4 + 16 + 2 + 1)
	if err != nil {
		return p, fmt.Errorf("subtensor: prometheus info: %w", err)
	}
	p.Block = le64(b)
	p.Version = le32(b[8:])
	p.IP = scale.Uint128{Lo: le64(b[12:]), Hi: le64(b[20:])}
	p.Port = uint16(b[28]) | uint16(b[29])<<8
	p.IPType = b[30]
	return p, nil
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func le32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// minNeuronLiteSize is the smallest encoding of one NeuronInfoLite, used to
// bound a vector's length before allocating.
const minNeuronLiteSize = 32 + 32 + 1 + 1 + 1 + 34 + 31 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1

// DecodeNeuronInfoLite reads one NeuronInfoLite into n.
func DecodeNeuronInfoLite(d *scale.Decoder, n *NeuronInfoLite) error {
	var err error
	if err = decodeAccount(d, &n.Hotkey); err != nil {
		return err
	}
	if err = decodeAccount(d, &n.Coldkey); err != nil {
		return err
	}
	if n.UID, err = compactU16(d); err != nil {
		return err
	}
	if n.NetUID, err = compactU16(d); err != nil {
		return err
	}
	if n.Active, err = d.Bool(); err != nil {
		return err
	}
	if n.Axon, err = DecodeAxonInfo(d); err != nil {
		return err
	}
	if n.Prometheus, err = decodePrometheus(d); err != nil {
		return err
	}
	cnt, err := d.Len(33)
	if err != nil {
		return err
	}
	n.Stake = n.Stake[:0]
	if cnt > 0 {
		n.Stake = make([]StakeEntry, cnt)
		for i := range n.Stake {
			if err = decodeAccount(d, &n.Stake[i].Coldkey); err != nil {
				return err
			}
			v, err := d.Compact()
			if err != nil {
				return err
			}
			n.Stake[i].Amount = Rao(v)
		}
	}
	if n.Rank, err = compactU16(d); err != nil {
		return err
	}
	em, err := d.Compact()
	if err != nil {
		return err
	}
	n.Emission = Rao(em)
	for _, p := range []*uint16{&n.Incentive, &n.Consensus, &n.Trust, &n.ValidatorTrust, &n.Dividends} {
		if *p, err = compactU16(d); err != nil {
			return err
		}
	}
	if n.LastUpdate, err = d.Compact(); err != nil {
		return err
	}
	if n.ValidatorPermit, err = d.Bool(); err != nil {
		return err
	}
	if n.PruningScore, err = compactU16(d); err != nil {
		return err
	}
	return nil
}

// AppendSCALE appends n's SCALE encoding.
func (n *NeuronInfoLite) AppendSCALE(b []byte) []byte {
	b = append(b, n.Hotkey[:]...)
	b = append(b, n.Coldkey[:]...)
	b = scale.AppendCompact(b, uint64(n.UID))
	b = scale.AppendCompact(b, uint64(n.NetUID))
	b = scale.AppendBool(b, n.Active)
	b = n.Axon.AppendSCALE(b)
	b = scale.AppendU64(b, n.Prometheus.Block)
	b = scale.AppendU32(b, n.Prometheus.Version)
	b = scale.AppendU128(b, n.Prometheus.IP)
	b = scale.AppendU16(b, n.Prometheus.Port)
	b = append(b, n.Prometheus.IPType)
	b = scale.AppendCompact(b, uint64(len(n.Stake)))
	for _, s := range n.Stake {
		b = append(b, s.Coldkey[:]...)
		b = scale.AppendCompact(b, uint64(s.Amount))
	}
	b = scale.AppendCompact(b, uint64(n.Rank))
	b = scale.AppendCompact(b, uint64(n.Emission))
	for _, v := range []uint16{n.Incentive, n.Consensus, n.Trust, n.ValidatorTrust, n.Dividends} {
		b = scale.AppendCompact(b, uint64(v))
	}
	b = scale.AppendCompact(b, n.LastUpdate)
	b = scale.AppendBool(b, n.ValidatorPermit)
	return scale.AppendCompact(b, uint64(n.PruningScore))
}

// DecodeNeuronsLite decodes the result of
// NeuronInfoRuntimeApi_get_neurons_lite: a Vec<NeuronInfoLite>, or, on older
// runtimes, the same wrapped in one more Vec<u8>. Both forms are recognised
// by which one consumes the input exactly.
func DecodeNeuronsLite(data []byte) ([]NeuronInfoLite, error) {
	out, err := decodeNeuronVec(data)
	if err == nil {
		return out, nil
	}
	d := scale.NewDecoder(data)
	if inner, err2 := d.ByteSlice(); err2 == nil && d.Remaining() == 0 {
		if out, err2 := decodeNeuronVec(inner); err2 == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("subtensor: decode get_neurons_lite result (%d bytes): %w", len(data), err)
}

func decodeNeuronVec(data []byte) ([]NeuronInfoLite, error) {
	d := scale.NewDecoder(data)
	n, err := d.Len(minNeuronLiteSize)
	if err != nil {
		return nil, err
	}
	out := make([]NeuronInfoLite, n)
	for i := range out {
		if err := DecodeNeuronInfoLite(d, &out[i]); err != nil {
			return nil, fmt.Errorf("neuron %d: %w", i, err)
		}
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// DecodeNeuronLite decodes the result of get_neuron_lite: an
// Option<NeuronInfoLite>, or on old runtimes (spec 218) a Vec<u8> holding
// the bare NeuronInfoLite, empty when there is none. It returns nil when
// the chain has no such neuron.
func DecodeNeuronLite(data []byte) (*NeuronInfoLite, error) {
	try := func(b []byte) (*NeuronInfoLite, error) {
		d := scale.NewDecoder(b)
		some, err := d.OptionTag()
		if err != nil || !some {
			if err == nil {
				err = d.Finish()
			}
			return nil, err
		}
		var n NeuronInfoLite
		if err := DecodeNeuronInfoLite(d, &n); err != nil {
			return nil, err
		}
		return &n, d.Finish()
	}
	n, err := try(data)
	if err == nil {
		return n, nil
	}
	d := scale.NewDecoder(data)
	if inner, err2 := d.ByteSlice(); err2 == nil && d.Remaining() == 0 {
		if len(inner) == 0 {
			return nil, nil
		}
		var n NeuronInfoLite
		id := scale.NewDecoder(inner)
		if err2 := DecodeNeuronInfoLite(id, &n); err2 == nil && id.Finish() == nil {
			return &n, nil
		}
	}
	return nil, fmt.Errorf("subtensor: decode get_neuron_lite result (%d bytes): %w", len(data), err)
}
