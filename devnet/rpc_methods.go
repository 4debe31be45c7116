package devnet

import (
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/minerkit/minerkit/keys"
	"golang.org/x/crypto/blake2b"
)

// params unmarshals a positional params array into dst; missing trailing
// params keep their zero values.
func params(raw json.RawMessage, dst ...any) *rpcError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return errParams("params must be an array")
	}
	if len(arr) > len(dst) {
		return errParams("too many params: want at most " + strconv.Itoa(len(dst)))
	}
	for i, a := range arr {
		if string(a) == "null" {
			continue
		}
		if err := json.Unmarshal(a, dst[i]); err != nil {
			return errParams("param " + strconv.Itoa(i) + ": " + err.Error())
		}
	}
	return nil
}

func parseHex(s string) ([]byte, *rpcError) {
	if !strings.HasPrefix(s, "0x") {
		return nil, errParams("hex string without 0x prefix")
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, errParams("bad hex: " + err.Error())
	}
	return b, nil
}

// codeClientError is the code a Substrate node gives client-side failures of
// its chain and state methods: an unknown or pruned block, a failed runtime
// call.
const codeClientError = 4003

// blockAt resolves an optional block hash param ("" = best block).
func (s *server) blockAt(h string) (*block, *rpcError) {
	if h == "" {
		return s.node.chain.head(), nil
	}
	b, rerr := parseHex(h)
	if rerr != nil {
		return nil, rerr
	}
	if len(b) != 32 {
		return nil, errParams("block hash must be 32 bytes")
	}
	blk, ok := s.node.chain.blockByHash([32]byte(b))
	if !ok {
		return nil, &rpcError{Code: codeClientError, Message: "Client error: UnknownBlock: State already discarded for " + h}
	}
	return blk, nil
}

// stateAt is blockAt for reads of state: blocks whose state was pruned
// (more than the store keeps behind the head, or before a restart)
// answer as a pruned Substrate node does.
func (s *server) stateAt(h string) (*block, *rpcError) {
	b, e := s.blockAt(h)
	if e != nil {
		return nil, e
	}
	if b.header.number < s.node.chain.st.oldest() {
		return nil, &rpcError{Code: codeClientError, Message: "Client error: UnknownBlock: State already discarded for " + hexHash(b.hash)}
	}
	return b, nil
}

func rpcMethods() map[string]rpcMethod {
	m := map[string]rpcMethod{
		"rpc_methods":                     mRPCMethods,
		"system_chain":                    func(s *server, _ *wsConn, _ json.RawMessage) (any, *rpcError) { return s.node.genesis.Chain, nil },
		"system_name":                     func(*server, *wsConn, json.RawMessage) (any, *rpcError) { return "minerkit-devnet", nil },
		"system_version":                  func(*server, *wsConn, json.RawMessage) (any, *rpcError) { return Version, nil },
		"system_chainType":                func(*server, *wsConn, json.RawMessage) (any, *rpcError) { return "Development", nil },
		"system_properties":               mProperties,
		"system_health":                   mHealth,
		"system_accountNextIndex":         mAccountNextIndex,
		"system_peers":                    func(*server, *wsConn, json.RawMessage) (any, *rpcError) { return []any{}, nil },
		"chain_getBlockHash":              mGetBlockHash,
		"chain_getHeader":                 mGetHeader,
		"chain_getBlock":                  mGetBlock,
		"chain_getFinalizedHead":          mFinalizedHead,
		"state_getMetadata":               mMetadata,
		"state_getRuntimeVersion":         mRuntimeVersion,
		"state_getStorage":                mGetStorage,
		"state_getStorageHash":            mGetStorageHash,
		"state_getStorageSize":            mGetStorageSize,
		"state_queryStorageAt":            mQueryStorageAt,
		"state_getKeysPaged":              mKeysPaged,
		"state_call":                      mStateCall,
		"author_submitExtrinsic":          mSubmit,
		"author_submitAndWatchExtrinsic":  mSubmitAndWatch,
		"author_unwatchExtrinsic":         unsub(subExtrinsic),
		"author_pendingExtrinsics":        mPending,
		"chain_subscribeNewHeads":         subscribeHeads(subNewHeads, "chain_newHead"),
		"chain_unsubscribeNewHeads":       unsub(subNewHeads),
		"chain_subscribeFinalizedHeads":   subscribeHeads(subFinalized, "chain_finalizedHead"),
		"chain_unsubscribeFinalizedHeads": unsub(subFinalized),
		"chain_subscribeAllHeads":         subscribeHeads(subAllHeads, "chain_allHead"),
		"chain_unsubscribeAllHeads":       unsub(subAllHeads),
		"state_subscribeRuntimeVersion":   mSubscribeRuntimeVersion,
		"state_unsubscribeRuntimeVersion": unsub(subRuntime),
		"state_subscribeStorage":          mSubscribeStorage,
		"state_unsubscribeStorage":        unsub(subStorage),
		"payment_queryInfo":               mPaymentQueryInfo,
	}
	// Aliases Substrate serves under older names.
	m["chain_getHead"] = mGetBlockHash
	m["chain_getFinalisedHead"] = mFinalizedHead
	m["chain_getRuntimeVersion"] = mRuntimeVersion
	m["state_getStorageAt"] = mGetStorage
	m["state_callAt"] = mStateCall
	m["chain_subscribeNewHead"] = m["chain_subscribeNewHeads"]
	m["chain_unsubscribeNewHead"] = m["chain_unsubscribeNewHeads"]
	m["chain_subscribeFinalisedHeads"] = m["chain_subscribeFinalizedHeads"]
	m["chain_unsubscribeFinalisedHeads"] = m["chain_unsubscribeFinalizedHeads"]
	m["chain_subscribeRuntimeVersion"] = mSubscribeRuntimeVersion
	m["chain_unsubscribeRuntimeVersion"] = m["state_unsubscribeRuntimeVersion"]
	return m
}

func mRPCMethods(s *server, _ *wsConn, _ json.RawMessage) (any, *rpcError) {
	names := make([]string, 0, len(s.methods))
	for k := range s.methods {
		names = append(names, k)
	}
	sort.Strings(names)
	return map[string]any{"version": 1, "methods": names}, nil
}

func mProperties(*server, *wsConn, json.RawMessage) (any, *rpcError) {
	return map[string]any{"ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"}, nil
}

func mHealth(*server, *wsConn, json.RawMessage) (any, *rpcError) {
	return map[string]any{"peers": 0, "isSyncing": false, "shouldHavePeers": false}, nil
}

func mAccountNextIndex(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var addr string
	if e := params(raw, &addr); e != nil {
		return nil, e
	}
	pub, err := keys.ParsePublicKey(addr)
	if err != nil {
		return nil, errParams("account: " + err.Error())
	}
	return s.node.chain.nextNonce(pub), nil
}

// nextNonce is the account's nonce after the transactions pending in the pool.
func (c *chain) nextNonce(who accountID) uint32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	head := c.blocks[len(c.blocks)-1]
	n := state{o: newOverlay(storeAt{c.st, head.header.number})}.account(who).nonce
	return n + uint32(c.pool.readyFrom(who, n))
}

func mGetBlockHash(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var p json.RawMessage
	if e := params(raw, &p); e != nil {
		return nil, e
	}
	if len(p) == 0 || string(p) == "null" {
		return hexHash(s.node.chain.head().hash), nil
	}
	var n uint64
	var str string
	if err := json.Unmarshal(p, &n); err != nil {
		if err := json.Unmarshal(p, &str); err != nil {
			return nil, errParams("block number must be a number or hex string")
		}
		v, err := strconv.ParseUint(strings.TrimPrefix(str, "0x"), 16, 32)
		if !strings.HasPrefix(str, "0x") {
			v, err = strconv.ParseUint(str, 10, 32)
		}
		if err != nil {
			return nil, errParams("block number: " + err.Error())
		}
		n = v
	}
	b, ok := s.node.chain.blockByNumber(n)
	if !ok {
		return nil, nil
	}
	return hexHash(b.hash), nil
}

// blockParam resolves chain_getHeader's and chain_getBlock's optional block
// hash. An unknown block is not an error there: the node answers null, so
// b is nil with no error.
func (s *server) blockParam(raw json.RawMessage) (b *block, e *rpcError) {
	var h string
	if e := params(raw, &h); e != nil {
		return nil, e
	}
	if b, e = s.blockAt(h); e != nil && e.Code == codeClientError {
		return nil, nil
	}
	return b, e
}

func mGetHeader(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	b, e := s.blockParam(raw)
	if b == nil {
		return nil, e
	}
	return b.header.json(), nil
}

func mGetBlock(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	b, e := s.blockParam(raw)
	if b == nil {
		return nil, e
	}
	exts := make([]string, len(b.extrinsics))
	for i, x := range b.extrinsics {
		exts[i] = hexBytes(x)
	}
	return map[string]any{"block": map[string]any{"header": b.header.json(), "extrinsics": exts}, "justifications": nil}, nil
}

func mFinalizedHead(s *server, _ *wsConn, _ json.RawMessage) (any, *rpcError) {
	return hexHash(s.node.chain.finalized().hash), nil
}

func mMetadata(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var h string
	if e := params(raw, &h); e != nil {
		return nil, e
	}
	if _, e := s.blockAt(h); e != nil {
		return nil, e
	}
	return hexBytes(s.node.rt.metaBytes), nil
}

func mRuntimeVersion(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	// One runtime for the chain's whole life: any block (or none) has it.
	return s.node.rt.runtimeVersionJSON(), nil
}

func (s *server) storageParams(raw json.RawMessage) ([]byte, *block, *rpcError) {
	var k, h string
	if e := params(raw, &k, &h); e != nil {
		return nil, nil, e
	}
	key, e := parseHex(k)
	if e != nil {
		return nil, nil, e
	}
	b, e := s.stateAt(h)
	return key, b, e
}

func mGetStorage(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	key, b, e := s.storageParams(raw)
	if e != nil {
		return nil, e
	}
	v, ok := s.node.chain.st.get(string(key), b.header.number)
	if !ok {
		return nil, nil
	}
	return hexBytes(v), nil
}

func mGetStorageHash(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	key, b, e := s.storageParams(raw)
	if e != nil {
		return nil, e
	}
	v, ok := s.node.chain.st.get(string(key), b.header.number)
	if !ok {
		return nil, nil
	}
	return hexHash(blake2b.Sum256(v)), nil
}

func mGetStorageSize(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	key, b, e := s.storageParams(raw)
	if e != nil {
		return nil, e
	}
	v, ok := s.node.chain.st.get(string(key), b.header.number)
	if !ok {
		return nil, nil
	}
	return len(v), nil
}

// maxQueryKeys bounds state_queryStorageAt and state_subscribeStorage.
const maxQueryKeys = 1000

func mQueryStorageAt(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var ks []string
	var h string
	if e := params(raw, &ks, &h); e != nil {
		return nil, e
	}
	if len(ks) > maxQueryKeys {
		return nil, errParams("at most " + strconv.Itoa(maxQueryKeys) + " keys")
	}
	b, e := s.stateAt(h)
	if e != nil {
		return nil, e
	}
	changes := make([][2]any, 0, len(ks))
	for _, k := range ks {
		key, e := parseHex(k)
		if e != nil {
			return nil, e
		}
		var val any
		if v, ok := s.node.chain.st.get(string(key), b.header.number); ok {
			val = hexBytes(v)
		}
		changes = append(changes, [2]any{k, val})
	}
	return []any{map[string]any{"block": hexHash(b.hash), "changes": changes}}, nil
}

func mKeysPaged(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var prefix, start, h string
	var count int
	if e := params(raw, &prefix, &count, &start, &h); e != nil {
		return nil, e
	}
	if count <= 0 || count > 1000 {
		return nil, errParams("count must be 1 to 1000")
	}
	p, e := parseHex(prefix)
	if e != nil {
		return nil, e
	}
	var sk []byte
	if start != "" {
		if sk, e = parseHex(start); e != nil {
			return nil, e
		}
	}
	b, e := s.stateAt(h)
	if e != nil {
		return nil, e
	}
	ks := s.node.chain.st.keysPaged(string(p), count, string(sk), b.header.number)
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = hexBytes([]byte(k))
	}
	return out, nil
}

func mStateCall(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var method, data, h string
	if e := params(raw, &method, &data, &h); e != nil {
		return nil, e
	}
	in, e := parseHex(data)
	if e != nil {
		return nil, e
	}
	b, e := s.stateAt(h)
	if e != nil {
		return nil, e
	}
	out, err := s.node.runtimeCall(method, in, b)
	if err != nil {
		return nil, &rpcError{Code: codeClientError, Message: "Client error: Execution failed: " + err.Error()}
	}
	return hexBytes(out), nil
}

func txRPCError(err error) *rpcError {
	if te, ok := err.(*TxError); ok {
		return &rpcError{Code: te.Code, Message: te.Message, Data: te.Data}
	}
	return &rpcError{Code: codeInternal, Message: err.Error()}
}

func mSubmit(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var x string
	if e := params(raw, &x); e != nil {
		return nil, e
	}
	b, e := parseHex(x)
	if e != nil {
		return nil, &rpcError{Code: 1001, Message: "Extrinsic has invalid format", Data: e.Message}
	}
	h, err := s.node.chain.submit(b, nil)
	if err != nil {
		return nil, txRPCError(err)
	}
	return hexHash(h), nil
}

func mSubmitAndWatch(s *server, c *wsConn, raw json.RawMessage) (any, *rpcError) {
	if c == nil {
		return nil, &rpcError{Code: codeNoMethod, Message: "Subscriptions need a WebSocket connection"}
	}
	var x string
	if e := params(raw, &x); e != nil {
		return nil, e
	}
	b, e := parseHex(x)
	if e != nil {
		return nil, &rpcError{Code: 1001, Message: "Extrinsic has invalid format", Data: e.Message}
	}
	sub, e := c.addSub(subExtrinsic, "author_extrinsicUpdate")
	if e != nil {
		return nil, e
	}
	// Statuses must follow the subscription id: queue them until the
	// response has been sent.
	// A transaction has at most four statuses (ready/future, inBlock,
	// finalized or invalid); one goroutine sends them in order.
	statuses := make(chan txStatus, 8)
	replied := make(chan struct{})
	_, err := s.node.chain.submit(b, func(st txStatus) {
		select {
		case statuses <- st:
		default:
		}
	})
	if err != nil {
		c.removeSub(sub.id, subExtrinsic)
		return nil, txRPCError(err)
	}
	go func() {
		select {
		case <-replied:
		case <-c.ctx.Done():
			return
		}
		for {
			select {
			case st := <-statuses:
				c.mu.Lock()
				_, live := c.subs[sub.id]
				c.mu.Unlock()
				if !live {
					return
				}
				c.notify(sub.method, sub.id, st.json())
				if st.kind == "finalized" || st.kind == "invalid" || st.kind == "dropped" || st.kind == "usurped" {
					c.removeSub(sub.id, subExtrinsic)
					return
				}
			case <-c.ctx.Done():
				return
			}
		}
	}()
	c.afterReply(func() { close(replied) })
	return sub.id, nil
}

func mPending(s *server, _ *wsConn, _ json.RawMessage) (any, *rpcError) {
	c := s.node.chain
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.pool.arrival))
	for _, tx := range c.pool.arrival {
		out = append(out, hexBytes(tx.raw))
	}
	return out, nil
}

func subscribeHeads(kind int, method string) rpcMethod {
	return func(s *server, c *wsConn, _ json.RawMessage) (any, *rpcError) {
		if c == nil {
			return nil, &rpcError{Code: codeNoMethod, Message: "Subscriptions need a WebSocket connection"}
		}
		sub, e := c.addSub(kind, method)
		if e != nil {
			return nil, e
		}
		head := s.node.chain.head()
		if kind == subFinalized {
			head = s.node.chain.finalized()
		}
		c.afterReply(func() { c.notify(method, sub.id, head.header.json()) })
		return sub.id, nil
	}
}

func unsub(kind int) rpcMethod {
	return func(s *server, c *wsConn, raw json.RawMessage) (any, *rpcError) {
		if c == nil {
			return false, nil
		}
		var id json.RawMessage
		if e := params(raw, &id); e != nil {
			return nil, e
		}
		var sid string
		if err := json.Unmarshal(id, &sid); err != nil {
			sid = string(id)
		}
		return c.removeSub(sid, kind), nil
	}
}

func mSubscribeRuntimeVersion(s *server, c *wsConn, _ json.RawMessage) (any, *rpcError) {
	if c == nil {
		return nil, &rpcError{Code: codeNoMethod, Message: "Subscriptions need a WebSocket connection"}
	}
	sub, e := c.addSub(subRuntime, "state_runtimeVersion")
	if e != nil {
		return nil, e
	}
	c.afterReply(func() { c.notify(sub.method, sub.id, s.node.rt.runtimeVersionJSON()) })
	return sub.id, nil
}

func mSubscribeStorage(s *server, c *wsConn, raw json.RawMessage) (any, *rpcError) {
	if c == nil {
		return nil, &rpcError{Code: codeNoMethod, Message: "Subscriptions need a WebSocket connection"}
	}
	var ks []string
	if e := params(raw, &ks); e != nil {
		return nil, e
	}
	if len(ks) == 0 || len(ks) > maxQueryKeys {
		return nil, errParams("subscribe to 1 to " + strconv.Itoa(maxQueryKeys) + " keys")
	}
	keysRaw := make([]string, len(ks))
	for i, k := range ks {
		b, e := parseHex(k)
		if e != nil {
			return nil, e
		}
		keysRaw[i] = string(b)
	}
	sub, e := c.addSub(subStorage, "state_storage", keysRaw...)
	if e != nil {
		return nil, e
	}
	head := s.node.chain.head()
	initial := s.storageChangesAll(sub, head)
	c.afterReply(func() { c.notify(sub.method, sub.id, initial) })
	return sub.id, nil
}

// storageChangesAll reports every subscribed key's value at b.
func (s *server) storageChangesAll(sub *subscription, b *block) map[string]any {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	changes := make([][2]any, 0, len(sub.keys))
	for _, k := range sub.keys {
		var val any
		if v, ok := s.node.chain.st.get(k, b.header.number); ok {
			val = hexBytes(v)
			sub.last[k] = val.(string)
		}
		changes = append(changes, [2]any{hexBytes([]byte(k)), val})
	}
	return map[string]any{"block": hexHash(b.hash), "changes": changes}
}

// storageChanges reports the subscribed keys whose value changed in b.
func (s *server) storageChanges(sub *subscription, b *block) map[string]any {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	var changes [][2]any
	for _, k := range sub.keys {
		var val any
		cur := ""
		if v, ok := s.node.chain.st.get(k, b.header.number); ok {
			cur = hexBytes(v)
			val = cur
		}
		if sub.last[k] == cur {
			continue
		}
		sub.last[k] = cur
		changes = append(changes, [2]any{hexBytes([]byte(k)), val})
	}
	if changes == nil {
		return nil
	}
	return map[string]any{"block": hexHash(b.hash), "changes": changes}
}

func mPaymentQueryInfo(s *server, _ *wsConn, raw json.RawMessage) (any, *rpcError) {
	var x, h string
	if e := params(raw, &x, &h); e != nil {
		return nil, e
	}
	b, e := parseHex(x)
	if e != nil {
		return nil, e
	}
	fee, err := s.node.queryFee(b)
	if err != nil {
		return nil, &rpcError{Code: 1001, Message: "Extrinsic has invalid format", Data: err.Error()}
	}
	return map[string]any{"weight": map[string]any{"ref_time": baseRefTime, "proof_size": baseProofSize}, "class": "normal", "partialFee": strconv.FormatUint(fee, 10)}, nil
}
