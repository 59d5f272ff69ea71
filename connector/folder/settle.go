package folder

import (
	"strings"
	"sync"
	"time"
)

// Settler decides when a listed file is complete: its size and modification
// time have not changed for the settle period (a writer still appending
// changes one or both), or, with a ready marker, when "name"+marker exists.
// It keeps no state on disk: after a restart a file simply settles again.
type Settler struct {
	Settle time.Duration
	Ignore []string
	Marker string // e.g. ".ok"; empty: no marker convention

	mu   sync.Mutex
	seen map[string]seen
}

type seen struct {
	size  int64
	mod   time.Time
	since time.Time // when this size+mtime was first observed
}

// Ready returns the entries that are complete at now, in listing order.
// Marker files themselves are never returned; the daemon removes a marker
// after taking its file.
func (s *Settler) Ready(entries []Entry, now time.Time) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]seen{}
	}
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		present[e.Name] = true
	}
	var ready []Entry
	for _, e := range entries {
		if Ignored(e.Name, s.Ignore) || (s.Marker != "" && strings.HasSuffix(e.Name, s.Marker)) {
			continue
		}
		prev, ok := s.seen[e.Name]
		if !ok || prev.size != e.Size || !prev.mod.Equal(e.ModTime) {
			s.seen[e.Name] = seen{size: e.Size, mod: e.ModTime, since: now}
			prev = s.seen[e.Name]
		}
		if s.Marker != "" {
			if present[e.Name+s.Marker] {
				ready = append(ready, e)
			}
			continue
		}
		if now.Sub(prev.since) >= s.Settle {
			ready = append(ready, e)
		}
	}
	for name := range s.seen {
		if !present[name] {
			delete(s.seen, name)
		}
	}
	return ready
}

// Forget drops what is known about name (after it was taken).
func (s *Settler) Forget(name string) {
	s.mu.Lock()
	delete(s.seen, name)
	s.mu.Unlock()
}

// Pending is how many files are being watched but not ready yet.
func (s *Settler) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}
