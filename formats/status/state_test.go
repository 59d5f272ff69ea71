package status

import "testing"

func TestSummarise(t *testing.T) {
	const (
		rcv = Received
		acc = Accepted
		aw  = AwaitingAuthorisation
		pen = Pending
		bk  = Booked
		rej = Rejected
		can = Cancelled
		dup = Duplicate
		unk = Unknown
	)
	tests := []struct {
		name   string
		states []State
		want   State
	}{
		{"no payments", nil, Received},
		{"one booked", []State{bk}, Booked},
		{"all booked", []State{bk, bk, bk}, Booked},
		{"all awaiting", []State{aw, aw}, AwaitingAuthorisation},
		{"all rejected", []State{rej, rej}, Rejected},
		{"all duplicate", []State{dup, dup}, Duplicate},
		{"all cancelled", []State{can}, Cancelled},
		{"all unknown", []State{unk, unk}, Unknown},
		{"unknown beats everything", []State{bk, rej, unk, aw}, Unknown},
		{"invalid state counts as unknown", []State{bk, "done"}, Unknown},
		{"empty state counts as unknown", []State{bk, ""}, Unknown},
		{"booked and rejected", []State{bk, rej, bk}, Partial},
		{"pending and cancelled", []State{pen, can}, Partial},
		{"awaiting and rejected", []State{aw, rej}, Partial},
		{"rejected and cancelled", []State{rej, can}, Rejected},
		{"rejected and duplicate", []State{dup, rej}, Rejected},
		{"booked and awaiting: someone must sign", []State{bk, aw, bk}, AwaitingAuthorisation},
		{"booked and pending", []State{bk, pen}, Pending},
		{"accepted and pending", []State{pen, acc}, Accepted},
		{"received and booked", []State{bk, rcv}, Received},
		{"order does not matter", []State{aw, pen, acc, bk}, Accepted},
	}
	for _, tt := range tests {
		ps := make([]Payment, len(tt.states))
		for i, s := range tt.states {
			ps[i].State = s
		}
		if got := Summarise(ps); got != tt.want {
			t.Errorf("%s: Summarise(%v) = %q, want %q", tt.name, tt.states, got, tt.want)
		}
		// Reversed order gives the same answer.
		rev := make([]Payment, len(ps))
		for i := range ps {
			rev[len(ps)-1-i] = ps[i]
		}
		if got := Summarise(rev); got != tt.want {
			t.Errorf("%s reversed: Summarise = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStateValidity(t *testing.T) {
	for _, s := range States {
		if !s.ValidPayment() || !s.ValidFile() {
			t.Errorf("%q should be valid", s)
		}
	}
	if Partial.ValidPayment() || !Partial.ValidFile() {
		t.Error("partial is a file state only")
	}
	for _, s := range []State{"", "Booked", "ACSC", "partially"} {
		if s.ValidPayment() || s.ValidFile() {
			t.Errorf("%q should be invalid", s)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain ASCII 123", "plain ASCII 123"},
		{"Příliš žluťoučký kůň úpěl ďábelské ódy ĚŠČŘŽÝÁÍÉŮÚ", "Příliš žluťoučký kůň úpěl ďábelské ódy ĚŠČŘŽÝÁÍÉŮÚ"},
		{"Søren Ærø Å", "Søren Ærø Å"},
		{"a&b<c>\"d'e", "a&b<c>\"d'e"}, // escaping is the writers' job
		{"tab\there", "tab here"},
		{"line\r\nbreak", "line  break"},
		{"nul\x00del\x7f", "nul del "},
		{"c1\u0085\u009f", "c1  "},
		{"bad\xffutf8\xc3", "bad\uFFFDutf8\uFFFD"},
		{"nonchar\uFFFE\uFFFF", "nonchar\uFFFD\uFFFD"},
		{"kept \uFFFD replacement", "kept \uFFFD replacement"},
		{"astral \U0001F4B6", "astral \U0001F4B6"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
