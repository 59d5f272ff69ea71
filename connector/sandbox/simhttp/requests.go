package simhttp

import (
	"sync"
	"time"
)

// Request is one bank request as a simulator saw it arrive, for tests that
// assert how a client behaves over time (e.g. that it honoured a
// Retry-After). Control API calls are not logged.
type Request struct {
	Seq        int64     `json:"seq"` // 1, 2, … in arrival order
	At         time.Time `json:"at"`  // wall clock, not the simulated one: clients wait in real time
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Key        string    `json:"key,omitempty"`        // what identifies a resend (simulator-specific)
	Fault      string    `json:"fault,omitempty"`      // kind of the fault injected into this request
	Status     int       `json:"status,omitempty"`     // status of an injected status fault
	RetryAfter int       `json:"retryAfter,omitempty"` // seconds of an injected Retry-After
}

// RequestLog keeps the most recent requests; the zero value keeps
// DefaultLogSize of them.
type RequestLog struct {
	Max int // entries kept; 0: DefaultLogSize

	mu   sync.Mutex
	seq  int64
	reqs []Request
}

// DefaultLogSize bounds the log so that a load test cannot grow it without
// limit; a test reading the log polls it long before that many requests.
const DefaultLogSize = 20000

// Add records r with the next sequence number and returns it.
func (l *RequestLog) Add(r Request) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	r.Seq = l.seq
	max := l.Max
	if max <= 0 {
		max = DefaultLogSize
	}
	if len(l.reqs) >= max {
		// Drop the oldest half at once: amortised O(1) per Add.
		n := copy(l.reqs, l.reqs[len(l.reqs)-max/2:])
		l.reqs = l.reqs[:n]
	}
	l.reqs = append(l.reqs, r)
	return r.Seq
}

// Since returns the requests with Seq > after that are still kept, oldest first.
func (l *RequestLog) Since(after int64) []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Request{}
	for _, r := range l.reqs {
		if r.Seq > after {
			out = append(out, r)
		}
	}
	return out
}
