package simhttp

import "testing"

// Faults fire in the order armed, only for their path (or any path), as
// many times as armed, then never again.
func TestFaultQueue(t *testing.T) {
	var q FaultQueue[string]
	q.Add("/payment", 2, "a")
	q.Add("", 0, "b") // count 0 means once
	q.Add("/status", 1, "c")
	steps := []struct {
		path string
		want string
		ok   bool
	}{
		{"/status", "b", true}, // "a" is for /payment only; "b" for any path comes first
		{"/status", "c", true},
		{"/status", "", false},
		{"/payment", "a", true},
		{"/payment", "a", true},
		{"/payment", "", false},
	}
	for i, s := range steps {
		got, ok := q.Take(s.path)
		if got != s.want || ok != s.ok {
			t.Fatalf("step %d Take(%s) = %q, %v; want %q, %v", i, s.path, got, ok, s.want, s.ok)
		}
	}
	q.Add("", 5, "d")
	q.Clear()
	if _, ok := q.Take("/x"); ok {
		t.Error("a cleared queue still fires")
	}
}
