package simhttp

import "testing"

func TestRequestLogKeepsTheNewest(t *testing.T) {
	tests := []struct {
		max, add   int
		after      int64
		first, len int64
	}{
		{max: 10, add: 5, after: 0, first: 1, len: 5},
		{max: 10, add: 10, after: 7, first: 8, len: 3},
		{max: 10, add: 11, after: 0, first: 6, len: 6}, // the oldest half went at the 11th
		{max: 10, add: 25, after: 20, first: 21, len: 5},
		{max: 10, add: 3, after: 3, first: 0, len: 0},
	}
	for _, tt := range tests {
		l := &RequestLog{Max: tt.max}
		for i := 0; i < tt.add; i++ {
			if seq := l.Add(Request{Path: "/p"}); seq != int64(i+1) {
				t.Fatalf("Add #%d returned seq %d", i+1, seq)
			}
		}
		got := l.Since(tt.after)
		if int64(len(got)) != tt.len || (len(got) > 0 && got[0].Seq != tt.first) {
			t.Errorf("max %d, %d added, since %d: %d entries from %v; want %d from %d", tt.max, tt.add, tt.after, len(got), got, tt.len, tt.first)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Seq != got[i-1].Seq+1 {
				t.Errorf("gap in %v", got)
			}
		}
	}
}
