package orchestrator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type echoReq struct {
	Text  string `json:"text"`
	Times int    `json:"times"`
}

func TestJSONHandler(t *testing.T) {
	h := JSON(func(ctx context.Context, r *echoReq) (map[string]any, error) {
		if r.Times < 0 {
			return nil, errors.New("times must not be negative")
		}
		return map[string]any{"text": r.Text, "times": r.Times}, nil
	})
	for _, tc := range []struct {
		name, payload, want, err string
	}{
		{"typed", `{"text":"hi","times":2}`, `{"text":"hi","times":2}`, ""},
		{"no payload", ``, `{"text":"","times":0}`, ""},
		{"null payload", `null`, `{"text":"","times":0}`, ""},
		{"unknown field", `{"text":"hi","tims":2}`, "", `unknown field "tims"`},
		{"wrong type", `{"times":"2"}`, "", "cannot unmarshal"},
		{"two values", `{"text":"a"} {"text":"b"}`, "", "data after the JSON value"},
		{"handler error", `{"times":-1}`, "", "times must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := h.ServeJob(context.Background(), Job{ID: "1", Type: "echo", Payload: json.RawMessage(tc.payload)})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			b, _ := json.Marshal(out)
			if err != nil || string(b) != tc.want {
				t.Fatalf("%s %v, want %s", b, err, tc.want)
			}
		})
	}
}

func ExampleJSON() {
	type sum struct {
		A, B int
	}
	h := JSON(func(ctx context.Context, r *sum) (int, error) { return r.A + r.B, nil })
	out, err := h.ServeJob(context.Background(), Job{ID: "j1", Type: "sum", Payload: json.RawMessage(`{"A":2,"B":3}`)})
	fmt.Println(out, err)
	// Output: 5 <nil>
}
