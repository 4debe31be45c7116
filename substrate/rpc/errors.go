package rpc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. They are wrapped with context; test with errors.Is.
var (
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("rpc: client closed")
	// ErrConnectionLost: the connection carrying a request or a
	// non-resubscribable subscription dropped before it completed. The
	// request may or may not have reached the node.
	ErrConnectionLost = errors.New("rpc: connection lost")
	// ErrNotFound: the node answered null where a value was required
	// (unknown block number or hash).
	ErrNotFound = errors.New("rpc: not found")
	// ErrSubscriptionsUnsupported: the transport cannot subscribe (HTTP).
	ErrSubscriptionsUnsupported = errors.New("rpc: transport does not support subscriptions; use a ws:// or wss:// URL")
	// ErrSlowConsumer: a subscription's buffer filled up because its
	// channel was not drained; the subscription was ended.
	ErrSlowConsumer = errors.New("rpc: subscription ended: channel not drained fast enough; read it from a dedicated goroutine or raise Options.SubscriptionBuffer")
	// ErrBadResponse: the node sent bytes that are not a valid JSON-RPC
	// 2.0 response for the request.
	ErrBadResponse = errors.New("rpc: malformed response")
)

// Transaction-pool error codes sent by Substrate nodes (sc-rpc-api author).
const (
	CodeInvalidTransaction     = 1010
	CodeUnknownTransaction     = 1011
	CodeTemporarilyBanned      = 1012
	CodeAlreadyImported        = 1013
	CodePriorityTooLow         = 1014
	CodeCycleDetected          = 1015
	CodeImmediatelyDropped     = 1016
	CodeUnactionable           = 1017
	CodeMethodNotFound         = -32601
	CodeInvalidParams          = -32602
	CodeInternalError          = -32603
	CodeSubscriptionOutOfLimit = -32006
)

// Error is a JSON-RPC error object returned by the node.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Error formats the node's error ("node error 1010: Invalid Transaction:
// Custom error: 6"); requests wrap it as "rpc: <method>: …". It adds a
// hint on what to do next where one is known (Substrate's own
// transaction-pool rejections; a runtime's custom codes are for a client of
// that chain to name, see CustomCode).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("node error ")
	b.WriteString(strconv.Itoa(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Detail())
	if h := e.Hint(); h != "" {
		b.WriteString(" (")
		b.WriteString(h)
		b.WriteString(")")
	}
	return b.String()
}

// Detail returns Message and, when Data is present, ": " and Data as text,
// the way polkadot-js shows it ("Invalid Transaction: Custom error: 6").
func (e *Error) Detail() string {
	d := e.dataText()
	if d == "" {
		return e.Message
	}
	return e.Message + ": " + d
}

func (e *Error) dataText() string {
	if len(e.Data) == 0 || string(e.Data) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(e.Data, &s) == nil {
		return s
	}
	const max = 256
	if len(e.Data) > max {
		return string(e.Data[:max]) + "…"
	}
	return string(e.Data)
}

// CustomCode returns N from a 1010 "Invalid Transaction" error whose text
// contains "Custom error: N".
func (e *Error) CustomCode() (uint8, bool) {
	if e.Code != CodeInvalidTransaction {
		return 0, false
	}
	d := e.Detail()
	i := strings.Index(d, "Custom error: ")
	if i < 0 {
		return 0, false
	}
	rest := d[i+len("Custom error: "):]
	j := 0
	for j < len(rest) && j < 3 && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.ParseUint(rest[:j], 10, 8)
	if err != nil {
		return 0, false
	}
	return uint8(n), true
}

// Hint says what to do about the error, or "" when nothing specific is known.
func (e *Error) Hint() string {
	if _, ok := e.CustomCode(); ok {
		// The runtime's own code: only a client of that chain can name it.
		return ""
	}
	d := strings.ToLower(e.Detail())
	switch e.Code {
	case CodeInvalidTransaction:
		switch {
		case strings.Contains(d, "bad signature"):
			return "signature rejected: sign with the account's key and build the payload from the node's current metadata (spec/tx version, genesis, era with its birth hash, CheckMetadataHash)"
		case strings.Contains(d, "outdated"), strings.Contains(d, "stale"):
			return "nonce already used: fetch a fresh nonce with system_accountNextIndex and sign again"
		case strings.Contains(d, "ancient birth block"):
			return "mortal era's birth block is too old or unknown: sign again from a recent block hash"
		case strings.Contains(d, "pay some fees"):
			return "balance too low to pay the fee: fund the signing account"
		case strings.Contains(d, "exhaust the block limits"):
			return "transaction too heavy for a block: split it"
		}
	case CodeUnknownTransaction:
		return "the node could not validate the transaction yet: retry in a block"
	case CodeTemporarilyBanned:
		return "the node banned this exact transaction for a while: change it (new nonce) or wait"
	case CodeAlreadyImported:
		return "this exact transaction is already in the pool: wait for it instead of resubmitting"
	case CodePriorityTooLow:
		return "another transaction with the same nonce is pending: wait for it or raise the tip"
	case CodeMethodNotFound:
		return "the node does not offer this method: check rpc_methods and the node version"
	}
	return ""
}

// wrapConnErr reports a request that failed because its connection ended.
func wrapConnErr(method string, cause error) error {
	if errors.Is(cause, ErrClosed) {
		return fmt.Errorf("rpc: %s: %w", method, ErrClosed)
	}
	return fmt.Errorf("rpc: %s: %w (%w); it may or may not have reached the node, retry if it is safe to", method, ErrConnectionLost, cause)
}
