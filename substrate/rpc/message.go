package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// encodeRequest writes an outgoing JSON-RPC 2.0 call.
func encodeRequest(id uint64, method string, params []any) ([]byte, error) {
	if params == nil {
		params = []any{}
	}
	p, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("rpc: %s: encode params: %w", method, err)
	}
	b := make([]byte, 0, 48+len(method)+len(p))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, `,"method":`...)
	if plainMethod(method) {
		b = append(append(append(b, '"'), method...), '"')
	} else {
		q, err := json.Marshal(method)
		if err != nil {
			return nil, fmt.Errorf("rpc: encode method name: %w", err)
		}
		b = append(b, q...)
	}
	b = append(b, `,"params":`...)
	b = append(b, p...)
	return append(b, '}'), nil
}

// plainMethod reports whether method needs no JSON escaping.
func plainMethod(method string) bool {
	for i := 0; i < len(method); i++ {
		c := method[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

type msgKind uint8

const (
	kindResponse msgKind = iota + 1
	kindNotification
)

// message is a decoded incoming JSON-RPC message: a response to one of our
// requests or a subscription notification.
type message struct {
	kind   msgKind
	id     uint64          // response
	result json.RawMessage // response result or notification result
	err    *Error          // response error or subscription-ended error
	method string          // notification
	subID  string          // notification: normalized subscription id
}

type wireMsg struct {
	Version string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *Error          `json:"error"`
	Method  string          `json:"method"`
	Params  *wireParams     `json:"params"`
}

type wireParams struct {
	Subscription json.RawMessage `json:"subscription"`
	Result       json.RawMessage `json:"result"`
	Error        *Error          `json:"error"`
}

// maxSubIDLen bounds subscription ids kept as map keys.
const maxSubIDLen = 256

// decodeMessage parses one incoming WebSocket message. It never panics;
// anything that is not a response with a numeric id or a subscription
// notification is an error wrapping ErrBadResponse.
func decodeMessage(b []byte) (message, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return message{}, fmt.Errorf("%w: not a JSON object", ErrBadResponse)
	}
	var w wireMsg
	if err := json.Unmarshal(b, &w); err != nil {
		return message{}, fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	if w.Version != "2.0" {
		return message{}, fmt.Errorf("%w: jsonrpc version %.20q, want 2.0", ErrBadResponse, w.Version)
	}
	if w.Method != "" {
		p := w.Params
		if p == nil {
			return message{}, fmt.Errorf("%w: notification %.60q without params", ErrBadResponse, w.Method)
		}
		id, err := normalizeSubID(p.Subscription)
		if err != nil {
			return message{}, err
		}
		if len(p.Result) == 0 && p.Error == nil {
			return message{}, fmt.Errorf("%w: notification %.60q has neither result nor error", ErrBadResponse, w.Method)
		}
		return message{kind: kindNotification, method: w.Method, subID: id, result: p.Result, err: p.Error}, nil
	}
	id, err := parseID(w.ID)
	if err != nil {
		if w.Error != nil {
			return message{}, fmt.Errorf("%w: error without a usable id: %w", ErrBadResponse, w.Error)
		}
		return message{}, err
	}
	if w.Error == nil && len(w.Result) == 0 {
		return message{}, fmt.Errorf("%w: response %d has neither result nor error", ErrBadResponse, id)
	}
	return message{kind: kindResponse, id: id, result: w.Result, err: w.Error}, nil
}

// parseID reads a response id: we only send unsigned integers, and accept
// them back as numbers or decimal strings.
func parseID(raw json.RawMessage) (uint64, error) {
	s := string(raw)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: response id %.40q is not one of ours", ErrBadResponse, raw)
	}
	return id, nil
}

// normalizeSubID turns a subscription id (string or number) into a map key.
func normalizeSubID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || len(raw) > maxSubIDLen {
		return "", fmt.Errorf("%w: subscription id missing or longer than %d bytes", ErrBadResponse, maxSubIDLen)
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%w: subscription id: %w", ErrBadResponse, err)
		}
		return s, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", fmt.Errorf("%w: subscription id: %w", ErrBadResponse, err)
		}
		return n.String(), nil
	}
	return "", fmt.Errorf("%w: subscription id %.40q is neither string nor number", ErrBadResponse, raw)
}
