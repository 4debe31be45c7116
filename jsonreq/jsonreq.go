// Package jsonreq decodes JSON request bodies strictly, checks their
// `validate` tags, and writes JSON answers and refusals.
//
// [Decode] and [DecodeBytes] accept exactly one JSON value of the expected
// shape (no unknown fields, no key given twice, case-exact names, right
// types, a size limit), then check the `validate` struct tags ([CheckTags])
// and a [Validator]'s Validate method. Every failure is a *[RequestError]
// carrying the status to answer (400 or 413) and the JSON path of the field
// at fault. [Func] adapts a typed function to an http.Handler that does all
// of that; [WriteRequestError] answers a refusal as {"error", "reason",
// "field"}, the shape the guard package writes.
package jsonreq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/minerkit/minerkit/guard"
)

// DefaultMaxBody is the request body limit Decode uses when given 0.
const DefaultMaxBody = 1 << 20

// Reasons carried in the "reason" field of error bodies written by this
// package. The guard package writes its own (unauthenticated, not_validator,
// rate_limited, ...); these cover what happens after it.
const (
	ReasonBadJSON      = "bad_json"
	ReasonUnknownField = "unknown_field"
	ReasonWrongType    = "wrong_type"
	ReasonInvalidField = "invalid_field"
	ReasonEmptyBody    = "empty_body"
	ReasonTooLarge     = "body_too_large"
	ReasonInternal     = "internal_error"
)

// RequestError is a request refused before its handler runs: a
// body that is not one JSON value of the expected shape, or a field that
// breaks a constraint. Status is 400 or 413. (The Content-Type header is not
// checked: validators in the wild send none, or curl's form type, with JSON
// bodies; the body itself must be JSON.)
type RequestError struct {
	Status int
	Reason string
	// Field is the JSON path of the offending field ("gpu.count",
	// "items[2].name"), or "" when the problem is not one field's.
	Field string
	Msg   string
}

func (e *RequestError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("jsonreq: field %q: %s", e.Field, e.Msg)
	}
	return "jsonreq: " + e.Msg
}

// FieldError is what a request type's Validate method returns to name the
// field at fault; Decode turns it into a 400 naming Field.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Msg) }

// Validator is implemented by request types with constraints that tags cannot
// say. Validate runs after decoding and after the `validate` tags pass.
type Validator interface {
	Validate() error
}

// Decode reads r's body, at most limit bytes (0: DefaultMaxBody), into
// dst, a pointer to a struct, strictly: exactly one JSON value, no unknown
// fields, right types; then it checks the `validate` struct tags (see
// [CheckTags]) and, when dst implements [Validator], calls Validate. Every
// failure is a *RequestError with the status to answer.
func Decode(r *http.Request, dst any, limit int64) error {
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	// The guard has usually read the body already: its reader hands the
	// bytes over without a copy (BodyBytes). The limit still applies to
	// direct callers.
	if bb, ok := r.Body.(bodyBytes); ok {
		body := bb.BodyBytes()
		if int64(len(body)) > limit {
			return tooLarge(limit)
		}
		return DecodeBytes(body, dst)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonBadJSON, Msg: "reading the body: " + err.Error()}
	}
	if int64(len(body)) > limit {
		return tooLarge(limit)
	}
	return DecodeBytes(body, dst)
}

// bodyBytes is implemented by request bodies held in memory (the guard's):
// BodyBytes returns the unread rest of the body and consumes it; the bytes
// stay valid until the handler returns.
type bodyBytes interface {
	BodyBytes() []byte
}

func tooLarge(limit int64) error {
	return &RequestError{Status: http.StatusRequestEntityTooLarge, Reason: ReasonTooLarge,
		Msg: fmt.Sprintf("body larger than %d bytes", limit)}
}

// DecodeBytes is Decode for a body already in memory.
func DecodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonEmptyBody, Msg: "empty body; send a JSON object"}
	}
	if err := checkStrictJSON(body, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonBadJSON,
			Msg: fmt.Sprintf("data after the JSON value at offset %d; send exactly one object", dec.InputOffset())}
	}
	if err := CheckTags(dst); err != nil {
		return err
	}
	if v, ok := dst.(Validator); ok {
		return validateErr(v.Validate())
	}
	return nil
}

// validateErr turns a Validate error into a *RequestError (nil stays nil).
func validateErr(err error) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonInvalidField, Field: fe.Field, Msg: fe.Msg}
	}
	var re *RequestError
	if errors.As(err, &re) {
		return re
	}
	return &RequestError{Status: http.StatusBadRequest, Reason: ReasonInvalidField, Msg: err.Error()}
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonBadJSON,
			Msg: fmt.Sprintf("malformed JSON at offset %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))}
	case errors.As(err, &te):
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonWrongType, Field: te.Field,
			Msg: fmt.Sprintf("expected %s, got JSON %s", goKind(te.Type.Kind().String()), te.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonBadJSON, Msg: "truncated JSON"}
	}
	msg := err.Error()
	// encoding/json reports unknown fields only in its message:
	// `json: unknown field "x"`.
	if i := strings.Index(msg, "unknown field "); i >= 0 {
		name := strings.Trim(msg[i+len("unknown field "):], `"`)
		return &RequestError{Status: http.StatusBadRequest, Reason: ReasonUnknownField, Field: name,
			Msg: "unknown field; remove it or check its spelling"}
	}
	return &RequestError{Status: http.StatusBadRequest, Reason: ReasonBadJSON, Msg: strings.TrimPrefix(msg, "json: ")}
}

func goKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "an integer (" + k + ")"
	case strings.HasPrefix(k, "float"):
		return "a number"
	case k == "slice" || k == "array":
		return "an array"
	case k == "struct" || k == "map":
		return "an object"
	}
	return "a " + k
}

// Error bodies are {"error": "...", "reason": "..."}, plus "field" when one
// field is at fault: the same shape the guard writes.
type errorBody struct {
	Error  string `json:"error"`
	Reason string `json:"reason"`
	Field  string `json:"field,omitempty"`
}

// WriteError writes a JSON error body with the given status.
func WriteError(w http.ResponseWriter, status int, reason, msg string) {
	writeJSON(w, status, errorBody{Error: msg, Reason: reason})
}

// WriteRequestError writes err: a *RequestError with its status and field, and
// anything else as a 500 that hides the details from the caller.
func WriteRequestError(w http.ResponseWriter, err error) {
	var re *RequestError
	if errors.As(err, &re) {
		writeJSON(w, re.Status, errorBody{Error: re.Msg, Reason: re.Reason, Field: re.Field})
		return
	}
	WriteError(w, http.StatusInternalServerError, ReasonInternal, "internal error")
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// Answers are encoded into pooled buffers: json.Encoder writes what
// json.Marshal returns, and the newline.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 64<<10 {
			buffers.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal error","reason":"internal_error"}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Handler adapts a typed function to an http.Handler: the body is
// decoded with Decode into a new Req, Fn runs, and its Resp is written as
// 200 JSON. An error from Fn that is a *RequestError (or wraps one) is
// answered with its status; any other error is a 500 whose body says only
// "internal error" (log it in Fn). Build one with [Func].
type Handler[Req, Resp any] struct {
	Fn func(ctx context.Context, req *Req) (Resp, error)
	// MaxBody is the body limit; 0 means DefaultMaxBody.
	MaxBody int64
	// AllowEmpty accepts an empty body as the zero Req (tags and Validate
	// still run), for endpoints whose parameters are all optional.
	AllowEmpty bool
}

// BodyLimit is MaxBody (DefaultMaxBody when 0): the guard refuses larger
// bodies with 413 from Content-Length, before reading them
// (guard.BodyLimiter).
func (h *Handler[Req, Resp]) BodyLimit() int64 {
	if h.MaxBody <= 0 {
		return DefaultMaxBody
	}
	return h.MaxBody
}

// Func returns a Handler for fn with the default settings.
func Func[Req, Resp any](fn func(ctx context.Context, req *Req) (Resp, error)) *Handler[Req, Resp] {
	return &Handler[Req, Resp]{Fn: fn}
}

func (h *Handler[Req, Resp]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := new(Req)
	err := Decode(r, req, h.MaxBody)
	var re *RequestError
	if h.AllowEmpty && errors.As(err, &re) && re.Reason == ReasonEmptyBody {
		err = CheckTags(req)
		if v, ok := any(req).(Validator); ok && err == nil {
			err = validateErr(v.Validate())
		}
	}
	if err != nil {
		refuse(w, r, err)
		return
	}
	resp, err := h.Fn(r.Context(), req)
	if err != nil {
		refuse(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// refuse writes err and hands its reason to the guard (when the request came
// through one), so that the access log and metrics say why, not just "400".
func refuse(w http.ResponseWriter, r *http.Request, err error) {
	if info := guard.FromContext(r.Context()); info != nil {
		var re *RequestError
		if errors.As(err, &re) {
			info.Reason = re.Reason
		} else {
			info.Reason = ReasonInternal
		}
	}
	WriteRequestError(w, err)
}
