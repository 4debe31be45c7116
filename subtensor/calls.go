package subtensor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// ExistentialDeposit is the least balance an account may keep (500 rao).
const ExistentialDeposit Rao = 500

func u16List(vs []uint16) substrate.Value {
	fs := make([]substrate.NamedValue, len(vs))
	for i, v := range vs {
		fs[i] = substrate.NamedValue{Value: substrate.U64(uint64(v))}
	}
	return substrate.Value{Kind: substrate.ValComposite, Fields: fs}
}

func account(k keys.PublicKey) substrate.Value { return substrate.Bytes(k[:]) }

// RegisterOptions tunes BurnedRegister.
type RegisterOptions struct {
	TxOptions
	// MaxBurn, if non-zero, is the most the caller will pay; a higher
	// price fails with ErrPriceAboveLimit (enforced by the chain too when
	// the runtime has register_limit).
	MaxBurn Rao
	// Confirm, if non-nil, is asked before paying, with the price and the
	// coldkey's balance; false ends with ErrDeclined and nothing sent.
	Confirm func(price Rao, balance Balance) bool
}

// RegisterResult is what BurnedRegister did.
type RegisterResult struct {
	NetUID uint16 `json:"netuid"`
	UID    uint16 `json:"uid"`
	// AlreadyRegistered: the hotkey had a UID; nothing was paid.
	AlreadyRegistered bool      `json:"already_registered"`
	Price             Rao       `json:"price"`
	Tx                *TxResult `json:"tx,omitempty"`
}

// BurnedRegister registers hotkey on netuid, paid by coldkey. It is
// idempotent: an already registered hotkey returns its UID and pays
// nothing. Before paying it checks the price against MaxBurn and the
// coldkey's balance ("not enough balance: need X τ, have Y τ") and asks
// Confirm.
func (c *Client) BurnedRegister(ctx context.Context, coldkey keys.Signer, hotkey keys.PublicKey, netuid uint16, o RegisterOptions) (*RegisterResult, error) {
	res := &RegisterResult{NetUID: netuid}
	if ok, err := c.SubnetExists(ctx, netuid); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("%w: netuid %d", ErrNoSubnet, netuid)
	}
	if uid, ok, err := c.UID(ctx, netuid, hotkey); err != nil {
		return nil, err
	} else if ok {
		res.UID, res.AlreadyRegistered = uid, true
		return res, nil
	}
	price, err := c.BurnPrice(ctx, netuid)
	if err != nil {
		return nil, err
	}
	res.Price = price
	if o.MaxBurn != 0 && price > o.MaxBurn {
		return res, &PriceAboveLimitError{Price: price, Limit: o.MaxBurn}
	}
	bal, err := c.Balance(ctx, coldkey.Public())
	if err != nil {
		return nil, err
	}
	if bal.Free < price {
		return res, &BalanceError{Need: price, Have: bal.Free, Account: coldkey.Public().Address(), Advice: "fund the coldkey and retry"}
	}
	if o.Confirm != nil && !o.Confirm(price, bal) {
		return res, ErrDeclined
	}
	var call substrate.Call
	if c.Features().RegisterLimit && o.MaxBurn != 0 {
		call, err = c.NewCall("SubtensorModule", "register_limit",
			substrate.Named("netuid", substrate.U64(uint64(netuid))),
			substrate.Named("hotkey", account(hotkey)),
			substrate.Named("limit_price", substrate.U64(uint64(o.MaxBurn))))
	} else {
		call, err = c.NewCall("SubtensorModule", "burned_register",
			substrate.Named("netuid", substrate.U64(uint64(netuid))),
			substrate.Named("hotkey", account(hotkey)))
	}
	if err != nil {
		return nil, err
	}
	tx, err := c.Submit(ctx, coldkey, call, o.TxOptions)
	res.Tx = tx
	if err != nil {
		var ce *ChainError
		if errors.As(err, &ce) && ce.Name == "HotKeyAlreadyRegisteredInSubNet" {
			// Registered by someone else meanwhile: report the UID.
			if uid, ok, err2 := c.UID(ctx, netuid, hotkey); err2 == nil && ok {
				res.UID, res.AlreadyRegistered = uid, true
				return res, nil
			}
		}
		return res, err
	}
	if ev, ok := tx.Event("SubtensorModule", "NeuronRegistered"); ok {
		if v, ok := ev.Fields.At(1); ok {
			if u, ok := v.Uint64(); ok && u <= math.MaxUint16 {
				res.UID = uint16(u)
				return res, nil
			}
		}
	}
	uid, ok, err := c.UID(ctx, netuid, hotkey)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, fmt.Errorf("subtensor: %s succeeded in block %d but the hotkey has no UID on netuid %d", call, tx.Block, netuid)
	}
	res.UID = uid
	return res, nil
}

// ServeOptions tunes ServeAxon.
type ServeOptions struct {
	TxOptions
	// Protocol is the axon protocol number (default 4, what the SDK uses).
	Protocol uint8
	// Version is the axon version (the SDK's version as an integer).
	Version uint32
	// Force sends even when the chain already holds the same axon, and
	// skips the client-side address check.
	Force bool
}

// CheckAxonAddr refuses what the chain refuses (unspecified, 127.0.0.1,
// ::1, broadcast, port 0) and other addresses no validator can reach
// (loopback, link-local, multicast) with an *AxonAddrError.
func CheckAxonAddr(ip netip.Addr, port uint16) error {
	switch {
	case !ip.IsValid():
		return &AxonAddrError{IP: ip, Port: port, Field: "ip", Reason: "no IP given; pass your public IP"}
	case port == 0:
		return &AxonAddrError{IP: ip, Port: port, Field: "port", Reason: "port 0 is refused by the chain; pass the port your miner listens on"}
	case ip.IsUnspecified():
		return &AxonAddrError{IP: ip, Port: port, Field: "ip", Reason: ip.String() + " is refused by the chain; pass your public IP"}
	case ip.IsLoopback():
		return &AxonAddrError{IP: ip, Port: port, Field: "ip", Reason: ip.String() + " is a loopback address: the chain refuses 127.0.0.1 and validators could not reach it anyway; pass your public IP"}
	case ip.Is4() && ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return &AxonAddrError{IP: ip, Port: port, Field: "ip", Reason: ip.String() + " is refused by the chain; pass your public IP"}
	case ip.IsLinkLocalUnicast(), ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return &AxonAddrError{IP: ip, Port: port, Field: "ip", Reason: ip.String() + " cannot be reached by validators; pass your public IP"}
	}
	return nil
}

// ServeAxon announces the hotkey's axon on netuid. When the chain already
// holds the same IP, port, protocol and version it sends nothing (which also
// avoids ServingRateLimitExceeded).
func (c *Client) ServeAxon(ctx context.Context, hotkey keys.Signer, netuid uint16, ip netip.Addr, port uint16, o ServeOptions) (*TxResult, error) {
	if o.Protocol == 0 {
		o.Protocol = 4
	}
	if !o.Force {
		if err := CheckAxonAddr(ip, port); err != nil {
			return nil, err
		}
	}
	ip = ip.Unmap()
	ipv, ipType := IPToU128(ip)
	if !o.Force {
		cur, err := c.Axon(ctx, netuid, hotkey.Public())
		if err != nil {
			return nil, err
		}
		if cur != nil && cur.IP == ipv && cur.Port == port && cur.IPType == ipType && cur.Protocol == o.Protocol && cur.Version == o.Version {
			return &TxResult{Call: "SubtensorModule.serve_axon", Skipped: true, Block: cur.Block,
				Note: fmt.Sprintf("the chain already holds %s (served at block %d); nothing sent", cur.Endpoint(), cur.Block)}, nil
		}
		if ok, err := c.IsHotkeyRegistered(ctx, netuid, hotkey.Public()); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%w: %s on netuid %d; register it first (minerkit register)", ErrNotRegistered, hotkey.Public().Address(), netuid)
		}
	}
	call, err := c.NewCall("SubtensorModule", "serve_axon",
		substrate.Named("netuid", substrate.U64(uint64(netuid))),
		substrate.Named("version", substrate.U64(uint64(o.Version))),
		substrate.Named("ip", substrate.U128(ipv)),
		substrate.Named("port", substrate.U64(uint64(port))),
		substrate.Named("ip_type", substrate.U64(uint64(ipType))),
		substrate.Named("protocol", substrate.U64(uint64(o.Protocol))),
		substrate.Named("placeholder1", substrate.U64(0)),
		substrate.Named("placeholder2", substrate.U64(0)))
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, hotkey, call, o.TxOptions)
}

// SetCommitment commits fields for the hotkey on netuid. When the chain
// already holds exactly these fields it sends nothing.
func (c *Client) SetCommitment(ctx context.Context, hotkey keys.Signer, netuid uint16, fields []Data, o TxOptions) (*TxResult, error) {
	f := c.Features()
	if f.CommitmentMaxFields == 0 {
		return nil, fmt.Errorf("%w: this runtime has no Commitments pallet", ErrUnsupported)
	}
	if len(fields) > f.CommitmentMaxFields {
		return nil, fmt.Errorf("subtensor: %d commitment fields, the runtime allows %d; commit less", len(fields), f.CommitmentMaxFields)
	}
	for _, d := range fields {
		if d.Kind == DataBigRaw && !f.CommitmentBigRaw {
			return nil, fmt.Errorf("%w: commitments over %d bytes (BigRaw) need a newer runtime; shorten the data", ErrUnsupported, MaxRawLen)
		}
	}
	cur, err := c.Commitment(ctx, netuid, hotkey.Public())
	if err != nil {
		return nil, err
	}
	if cur.SameFields(fields) {
		return &TxResult{Call: "Commitments.set_commitment", Skipped: true, Block: uint64(cur.Block),
			Note: fmt.Sprintf("the chain already holds this commitment (since block %d); nothing sent", cur.Block)}, nil
	}
	if ok, err := c.IsHotkeyRegistered(ctx, netuid, hotkey.Public()); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("%w: %s on netuid %d; only registered hotkeys may commit: register it first (minerkit register)", ErrNotRegistered, hotkey.Public().Address(), netuid)
	}
	args := AppendCommitmentInfo(scale.AppendU16(nil, netuid), fields)
	call, err := c.Metadata().NewCallEncoded("Commitments", "set_commitment", args)
	if err != nil {
		return nil, fmt.Errorf("subtensor: build Commitments.set_commitment: %w", err)
	}
	res, err := c.Submit(ctx, hotkey, call, o)
	var ce *ChainError
	if errors.As(err, &ce) && ce.Name == "CommitmentSetRateLimitExceeded" {
		if at, ok := c.commitmentRetryBlock(ctx, netuid, hotkey.Public()); ok {
			ce.Advice = fmt.Sprintf("this hotkey committed at block %d; the chain takes one commitment per %d blocks: retry at block %d or later",
				at.last, at.limit, at.last+at.limit)
		}
	}
	return res, err
}

type commitmentWindow struct{ last, limit uint64 }

// commitmentRetryBlock reads the hotkey's LastCommitment and the
// Commitments RateLimit (a constant, or storage on some runtimes).
func (c *Client) commitmentRetryBlock(ctx context.Context, netuid uint16, who keys.PublicKey) (commitmentWindow, bool) {
	var w commitmentWindow
	raw, ok, err := c.storage(ctx, "Commitments", "LastCommitment", u16Key(netuid), who[:])
	if err != nil || !ok {
		return w, false
	}
	d := scale.NewDecoder(raw)
	last, err := d.U32()
	if err != nil {
		return w, false
	}
	w.last = uint64(last)
	if cst, err := c.Metadata().LookupConstant("Commitments", "RateLimit"); err == nil && len(cst.Value) >= 4 {
		w.limit = uint64(le32(cst.Value))
		if len(cst.Value) == 8 {
			w.limit = le64(cst.Value)
		}
	} else if v, ok, err := c.storage(ctx, "Commitments", "RateLimit"); err == nil && ok && len(v) >= 4 {
		w.limit = uint64(le32(v))
		if len(v) == 8 {
			w.limit = le64(v)
		}
	}
	return w, w.limit > 0
}

// CommitText commits text (Raw up to 128 bytes, BigRaw up to 512), as the
// Bittensor SDK's commit does.
func (c *Client) CommitText(ctx context.Context, hotkey keys.Signer, netuid uint16, text string, o TxOptions) (*TxResult, error) {
	d, err := RawData([]byte(text))
	if err != nil {
		return nil, err
	}
	return c.SetCommitment(ctx, hotkey, netuid, []Data{d}, o)
}

// CommitURL checks that u is an absolute http(s), ws(s), tcp or grpc URL
// and commits it as text. Loopback URLs are allowed (devnets); see
// EndpointWarning.
func (c *Client) CommitURL(ctx context.Context, hotkey keys.Signer, netuid uint16, u string, o TxOptions) (*TxResult, error) {
	if err := CheckEndpointURL(u); err != nil {
		return nil, err
	}
	return c.CommitText(ctx, hotkey, netuid, u, o)
}

// CheckEndpointURL validates an endpoint URL for a commitment.
func CheckEndpointURL(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("subtensor: endpoint %q is not a URL: %w", u, err)
	}
	switch p.Scheme {
	case "http", "https", "ws", "wss", "tcp", "grpc", "grpcs":
	default:
		return fmt.Errorf("subtensor: endpoint %q: want a URL like https://203.0.113.7:8091 (scheme http, https, ws, wss, tcp or grpc)", u)
	}
	if p.Host == "" {
		return fmt.Errorf("subtensor: endpoint %q has no host", u)
	}
	if ip, err := netip.ParseAddr(p.Hostname()); err == nil && ip.IsUnspecified() {
		return fmt.Errorf("subtensor: endpoint %q points at %s, which no one can connect to; use your public address", u, ip)
	}
	return nil
}

// EndpointWarning returns a warning for an endpoint URL that only this
// machine can reach (loopback, "localhost"), fine on a devnet but not for
// validators on a public network; "" otherwise.
func EndpointWarning(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	h := p.Hostname()
	if ip, err := netip.ParseAddr(h); (err == nil && ip.IsLoopback()) || h == "localhost" {
		return fmt.Sprintf("%s is reachable from this machine only: fine on a devnet, but validators on a public network cannot call it", u)
	}
	return ""
}

// SetWeights sets the validator hotkey's weights on netuid. uids and
// weights must have the same length; see NormalizeWeights.
func (c *Client) SetWeights(ctx context.Context, hotkey keys.Signer, netuid uint16, uids, weights []uint16, versionKey uint64, o TxOptions) (*TxResult, error) {
	if len(uids) != len(weights) {
		return nil, fmt.Errorf("subtensor: %d uids but %d weights; give one weight per uid", len(uids), len(weights))
	}
	call, err := c.NewCall("SubtensorModule", "set_weights",
		substrate.Named("netuid", substrate.U64(uint64(netuid))),
		substrate.Named("dests", u16List(uids)),
		substrate.Named("weights", u16List(weights)),
		substrate.Named("version_key", substrate.U64(versionKey)))
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, hotkey, call, o)
}

// SetCommitReveal turns commit-reveal weights on or off for netuid with
// AdminUtils.sudo_set_commit_reveal_weights_enabled, signed by the subnet's
// owner coldkey (or wrapped by the caller in Sudo). Subtensor HEAD enables
// commit-reveal on every new subnet; with it on, set_weights fails with
// CommitRevealEnabled.
func (c *Client) SetCommitReveal(ctx context.Context, owner keys.Signer, netuid uint16, enabled bool, o TxOptions) (*TxResult, error) {
	call, err := c.NewCall("AdminUtils", "sudo_set_commit_reveal_weights_enabled",
		substrate.Named("netuid", substrate.U64(uint64(netuid))),
		substrate.Named("enabled", substrate.Bool(enabled)))
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, owner, call, o)
}

// NormalizeWeights scales non-negative float weights to u16 so that the
// largest is 65535 (as the SDK does), dropping zero weights.
func NormalizeWeights(uids []uint16, w []float64) ([]uint16, []uint16, error) {
	if len(uids) != len(w) {
		return nil, nil, fmt.Errorf("subtensor: %d uids but %d weights", len(uids), len(w))
	}
	maxW := 0.0
	for _, x := range w {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, nil, fmt.Errorf("subtensor: weight %v: weights must be finite and non-negative", x)
		}
		maxW = max(maxW, x)
	}
	var ou, ow []uint16
	if maxW == 0 {
		return ou, ow, nil
	}
	for i, x := range w {
		v := uint16(math.Round(x / maxW * math.MaxUint16))
		if v == 0 {
			continue
		}
		ou, ow = append(ou, uids[i]), append(ow, v)
	}
	return ou, ow, nil
}

// AddStake stakes amount from coldkey onto hotkey on netuid (the netuid is
// ignored by pre-dynamic-TAO runtimes).
func (c *Client) AddStake(ctx context.Context, coldkey keys.Signer, hotkey keys.PublicKey, netuid uint16, amount Rao, o TxOptions) (*TxResult, error) {
	if amount == 0 {
		return nil, fmt.Errorf("%w: stake", ErrZeroAmount)
	}
	bal, err := c.Balance(ctx, coldkey.Public())
	if err != nil {
		return nil, err
	}
	if bal.Free < amount {
		return nil, &BalanceError{Need: amount, Have: bal.Free, Account: coldkey.Public().Address(), Advice: "fund the coldkey or stake less"}
	}
	args := []substrate.NamedValue{substrate.Named("hotkey", account(hotkey))}
	if c.Features().AddStakeNetuid {
		args = append(args, substrate.Named("netuid", substrate.U64(uint64(netuid))))
	}
	args = append(args, substrate.Named("amount_staked", substrate.U64(uint64(amount))))
	call, err := c.NewCall("SubtensorModule", "add_stake", args...)
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, coldkey, call, o)
}

// Transfer sends amount from one account to another: transfer_keep_alive
// unless allowDeath (which may empty the sender).
func (c *Client) Transfer(ctx context.Context, from keys.Signer, to keys.PublicKey, amount Rao, allowDeath bool, o TxOptions) (*TxResult, error) {
	if amount == 0 {
		return nil, fmt.Errorf("%w: transfer", ErrZeroAmount)
	}
	f := c.Features()
	name := f.TransferKeepAlive
	if allowDeath || name == "" {
		name = f.TransferAllowDeath
	}
	if name == "" {
		return nil, fmt.Errorf("%w: no Balances transfer call found", ErrUnsupported)
	}
	bal, err := c.Balance(ctx, from.Public())
	if err != nil {
		return nil, err
	}
	need := amount
	if !allowDeath {
		need += ExistentialDeposit
	}
	if bal.Free < need {
		return nil, &BalanceError{Need: need, Have: bal.Free, Account: from.Public().Address(), Advice: "send less or fund the account"}
	}
	call, err := c.NewCall("Balances", name,
		substrate.Named("dest", substrate.Enum("Id", account(to))),
		substrate.Named("value", substrate.U64(uint64(amount))))
	if err != nil {
		return nil, err
	}
	return c.Submit(ctx, from, call, o)
}
