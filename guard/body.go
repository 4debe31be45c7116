package guard

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBodyBudget is the in-flight body budget guard.New sets: 64 MiB.
const DefaultBodyBudget = 64 << 20

// ReasonBusy is given (503 with Retry-After) when the in-flight body budget
// is spent.
const ReasonBusy = "busy"

// BodyBudget bounds the bytes of request bodies the guard holds in memory
// at once, whatever clients announce. Bodies are read into pooled buffers
// that grow as bytes arrive (a client that announces 1 MiB and sends
// nothing holds a few KiB), and each buffer's capacity is taken from the
// budget while it is held. When the budget is spent the request is refused
// with 503 and Retry-After. The zero value has no limit; set Max.
type BodyBudget struct {
	// Max is the budget in bytes; zero or less: no limit.
	Max int64
	// RetryAfter is the Retry-After of a refusal; if zero, one second.
	RetryAfter time.Duration

	used atomic.Int64
	peak atomic.Int64
}

// InUse returns the bytes held now; Peak the most held at once.
func (b *BodyBudget) InUse() int64 { return b.used.Load() }

// Peak returns the most bytes held at once since the budget was created.
func (b *BodyBudget) Peak() int64 { return b.peak.Load() }

func (b *BodyBudget) take(n int64) bool {
	if b == nil {
		return true
	}
	u := b.used.Add(n)
	if b.Max > 0 && u > b.Max {
		b.used.Add(-n)
		return false
	}
	for {
		p := b.peak.Load()
		if u <= p || b.peak.CompareAndSwap(p, u) {
			return true
		}
	}
}

func (b *BodyBudget) give(n int64) {
	if b != nil {
		b.used.Add(-n)
	}
}

func (b *BodyBudget) refusal() *Refusal {
	wait := time.Second
	if b != nil && b.RetryAfter > 0 {
		wait = b.RetryAfter
	}
	return &Refusal{Status: http.StatusServiceUnavailable, Reason: ReasonBusy, RetryAfter: wait,
		Err: fmt.Errorf("guard: the miner holds as many request bodies as it may (%d bytes): retry in %v", b.Max, wait)}
}

// Buffer classes: powers of two from 4 KiB (class 0) to 64 MiB.
const (
	minClassShift = 12
	numClasses    = 15
)

var bufPools [numClasses]sync.Pool

// class returns the smallest class holding n bytes, or numClasses when
// none does.
func class(n int64) int {
	if n <= 1<<minClassShift {
		return 0
	}
	return min(bits.Len64(uint64(n-1))-minClassShift, numClasses)
}

func getBuf(c int) *[]byte {
	if p, ok := bufPools[c].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 1<<(c+minClassShift))
	return &b
}

// body is a request body read into a pooled buffer under a budget.
type body struct {
	buf    *[]byte // nil when unpooled (larger than the largest class)
	data   []byte
	held   int64
	budget *BodyBudget
}

// release returns the buffer to its pool and its bytes to the budget. The
// handler has returned: nothing reads the body any more.
func (b *body) release() {
	if b.buf != nil {
		bufPools[class(int64(cap(*b.buf)))].Put(b.buf)
		b.buf = nil
	}
	b.budget.give(b.held)
	b.held, b.data = 0, nil
}

// grow makes room for at least n bytes, taking the new buffer's capacity
// from the budget (false when it is spent).
func (b *body) grow(n int64) bool {
	c := class(n)
	size := int64(1) << (c + minClassShift)
	if c == numClasses {
		size = n
	}
	if !b.budget.take(size) {
		return false
	}
	var nb *[]byte
	var data []byte
	if c < numClasses {
		nb = getBuf(c)
		data = (*nb)[:len(b.data)]
	} else {
		data = make([]byte, len(b.data), n)
	}
	copy(data, b.data)
	b.release()
	b.buf, b.data, b.held = nb, data, size
	return true
}

// firstChunk is the buffer a body of unknown length starts with.
const firstChunk = 16 << 10

// readBody reads r's body, at most limit bytes, into b. A Content-Length
// above limit is refused (413) before a byte is read; otherwise the buffer
// starts at min(Content-Length, 64 KiB) and doubles as bytes arrive, up to
// Content-Length (or limit). While it grows a request holds its old and new
// buffers: at most 1.5× its body.
func readBody(r *http.Request, limit int64, b *body) *Refusal {
	tooLarge := func() *Refusal {
		return &Refusal{Status: http.StatusRequestEntityTooLarge, Reason: ReasonBodyTooLarge,
			Err: fmt.Errorf("guard: request body is larger than %d bytes: send less per request", limit)}
	}
	if r.ContentLength > limit {
		return tooLarge()
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	end, first := limit, int64(firstChunk) // the most bytes the body may have
	if r.ContentLength >= 0 {
		end, first = r.ContentLength, 64<<10
	}
	if !b.grow(max(1, min(end, first))) {
		return b.budget.refusal()
	}
	for {
		if len(b.data) == cap(b.data) {
			if int64(len(b.data)) >= end {
				// All the body may hold is here: it must end now.
				var probe [1]byte
				n, err := io.ReadFull(r.Body, probe[:])
				if n > 0 {
					return tooLarge()
				}
				if errors.Is(err, io.EOF) {
					return nil
				}
				return unreadable(err, tooLarge)
			}
			if !b.grow(min(2*int64(cap(b.data)), end)) {
				return b.budget.refusal()
			}
		}
		n, err := r.Body.Read(b.data[len(b.data):cap(b.data)])
		b.data = b.data[:len(b.data)+n]
		if int64(len(b.data)) > end {
			return tooLarge()
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return unreadable(err, tooLarge)
		}
	}
}

func unreadable(err error, tooLarge func() *Refusal) *Refusal {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge()
	}
	return &Refusal{Status: http.StatusBadRequest, Reason: ReasonBodyUnreadable,
		Err: fmt.Errorf("guard: read the request body: %w", err)}
}
