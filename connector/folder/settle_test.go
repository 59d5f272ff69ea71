package folder

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func names(es []Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func entry(name string, size int64, mod time.Time) Entry {
	return Entry{Name: name, Size: size, ModTime: mod}
}

// step is one listing at an offset from t0 and the names it must make ready.
type step struct {
	at      time.Duration
	entries []Entry
	ready   []string
	forget  string // Forget this name after the step
}

func TestSettler(t *testing.T) {
	mod := t0.Add(-time.Minute)
	cases := []struct {
		name  string
		s     *Settler
		steps []step
	}{
		{"stable after the settle period, not before", &Settler{Settle: 2 * time.Second}, []step{
			{0, []Entry{entry("a.xml", 10, mod)}, nil, ""},
			{1999 * time.Millisecond, []Entry{entry("a.xml", 10, mod)}, nil, ""},
			{2 * time.Second, []Entry{entry("a.xml", 10, mod)}, []string{"a.xml"}, ""},
			{3 * time.Second, []Entry{entry("a.xml", 10, mod)}, []string{"a.xml"}, ""},
		}},
		{"growing file is never ready", &Settler{Settle: 2 * time.Second}, []step{
			{0, []Entry{entry("a.xml", 10, mod)}, nil, ""},
			{2 * time.Second, []Entry{entry("a.xml", 20, mod)}, nil, ""},
			{4 * time.Second, []Entry{entry("a.xml", 30, mod)}, nil, ""},
			{6 * time.Second, []Entry{entry("a.xml", 40, mod)}, nil, ""},
			{7 * time.Second, []Entry{entry("a.xml", 40, mod)}, nil, ""},
			{8 * time.Second, []Entry{entry("a.xml", 40, mod)}, []string{"a.xml"}, ""},
		}},
		{"rewritten in place (same size, new mtime) is never ready", &Settler{Settle: 2 * time.Second}, []step{
			{0, []Entry{entry("a.xml", 10, mod)}, nil, ""},
			{2 * time.Second, []Entry{entry("a.xml", 10, mod.Add(time.Second))}, nil, ""},
			{4 * time.Second, []Entry{entry("a.xml", 10, mod.Add(2*time.Second))}, nil, ""},
			{6 * time.Second, []Entry{entry("a.xml", 10, mod.Add(2*time.Second))}, []string{"a.xml"}, ""},
		}},
		{"settle 0 is ready at first sight", &Settler{Settle: 0}, []step{
			{0, []Entry{entry("a.xml", 10, mod), entry("b.xml", 0, mod)}, []string{"a.xml", "b.xml"}, ""},
		}},
		{"listing order kept, ignored names never", &Settler{Settle: 0, Ignore: []string{"*.tmp", ".*"}}, []step{
			{0, []Entry{entry("z.xml", 1, mod), entry("x.TMP", 1, mod), entry(".hidden", 1, mod), entry("a.xml", 1, mod)},
				[]string{"z.xml", "a.xml"}, ""},
		}},
		{"each file settles on its own clock", &Settler{Settle: 2 * time.Second}, []step{
			{0, []Entry{entry("a.xml", 1, mod)}, nil, ""},
			{time.Second, []Entry{entry("a.xml", 1, mod), entry("b.xml", 1, mod)}, nil, ""},
			{2 * time.Second, []Entry{entry("a.xml", 1, mod), entry("b.xml", 1, mod)}, []string{"a.xml"}, ""},
			{3 * time.Second, []Entry{entry("a.xml", 1, mod), entry("b.xml", 1, mod)}, []string{"a.xml", "b.xml"}, ""},
		}},
		{"a vanished file is forgotten and settles anew", &Settler{Settle: 2 * time.Second}, []step{
			{0, []Entry{entry("a.xml", 1, mod)}, nil, ""},
			{time.Second, nil, nil, ""},
			{2 * time.Second, []Entry{entry("a.xml", 1, mod)}, nil, ""},
			{3 * time.Second, []Entry{entry("a.xml", 1, mod)}, nil, ""},
			{4 * time.Second, []Entry{entry("a.xml", 1, mod)}, []string{"a.xml"}, ""},
		}},
		{"Forget restarts the clock", &Settler{Settle: 2 * time.Second}, []step{
			{0, []Entry{entry("a.xml", 1, mod)}, nil, ""},
			{2 * time.Second, []Entry{entry("a.xml", 1, mod)}, []string{"a.xml"}, "a.xml"},
			{3 * time.Second, []Entry{entry("a.xml", 1, mod)}, nil, ""},
			{5 * time.Second, []Entry{entry("a.xml", 1, mod)}, []string{"a.xml"}, ""},
		}},
		{"marker: only once name.ok exists, never the marker", &Settler{Settle: time.Hour, Marker: ".ok"}, []step{
			{0, []Entry{entry("a.xml", 10, mod), entry("b.xml", 5, mod)}, nil, ""},
			{time.Second, []Entry{entry("a.xml", 10, mod), entry("b.xml", 5, mod), entry("a.xml.ok", 0, mod)}, []string{"a.xml"}, ""},
			{2 * time.Second, []Entry{entry("a.xml.ok", 0, mod)}, nil, ""}, // a marker without its file
			{3 * time.Second, []Entry{entry("b.xml.ok", 0, mod), entry("b.xml", 5, mod)}, []string{"b.xml"}, ""},
		}},
		{"marker with ignore patterns", &Settler{Marker: ".ok", Ignore: []string{"*.tmp"}}, []step{
			{0, []Entry{entry("a.tmp", 1, mod), entry("a.tmp.ok", 0, mod), entry("c.xml", 1, mod)}, nil, ""},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			for i, st := range tc.steps {
				got := names(s.Ready(st.entries, t0.Add(st.at)))
				want := st.ready
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("step %d (%v): ready %q, want %q", i, st.at, got, want)
				}
				if st.forget != "" {
					s.Forget(st.forget)
				}
			}
		})
	}
}

func TestSettlerPending(t *testing.T) {
	s := &Settler{Settle: time.Second, Ignore: []string{"*.tmp"}}
	s.Ready([]Entry{entry("a", 1, t0), entry("b", 1, t0), entry("c.tmp", 1, t0)}, t0)
	if n := s.Pending(); n != 2 {
		t.Errorf("Pending = %d, want 2 (ignored names are not watched)", n)
	}
	s.Forget("a")
	s.Ready([]Entry{entry("b", 1, t0)}, t0)
	if n := s.Pending(); n != 1 {
		t.Errorf("Pending = %d after Forget and a vanished file, want 1", n)
	}
	var zero Settler
	zero.Forget("x") // usable as a zero value
	if zero.Pending() != 0 {
		t.Error("zero Settler has pending files")
	}
}

func BenchmarkSettlerReady(b *testing.B) {
	s := &Settler{Settle: time.Second, Ignore: []string{"*.tmp", "*.part", "~*", ".*"}}
	es := make([]Entry, 1000)
	for i := range es {
		es[i] = entry(time.Duration(i).String()+".xml", int64(i), t0)
	}
	now := t0
	for b.Loop() {
		now = now.Add(time.Millisecond)
		s.Ready(es, now)
	}
}
