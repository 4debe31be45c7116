package orchestrator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrBadPayload is wrapped by the errors of JSON handlers whose job payload
// does not decode into the request type.
var ErrBadPayload = errors.New("orchestrator: bad job payload")

// JSON adapts a typed function to a Handler: the job's payload is decoded
// into a Req (one JSON value, unknown fields refused; an absent payload is
// the zero Req) and fn's answer is sent as JSON.
func JSON[Req, Resp any](fn func(ctx context.Context, req *Req) (Resp, error)) Handler {
	return HandlerFunc(func(ctx context.Context, job Job) (any, error) {
		req := new(Req)
		if p := bytes.TrimSpace(job.Payload); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
			dec := json.NewDecoder(bytes.NewReader(p))
			dec.DisallowUnknownFields()
			if err := dec.Decode(req); err != nil {
				return nil, fmt.Errorf("%w for %q: %v", ErrBadPayload, job.Type, err)
			}
			if _, err := dec.Token(); err != io.EOF {
				return nil, fmt.Errorf("%w for %q: data after the JSON value", ErrBadPayload, job.Type)
			}
		}
		return fn(ctx, req)
	})
}
