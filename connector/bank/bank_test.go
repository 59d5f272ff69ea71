package bank

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		" 30 ":                          30 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"999999":                        MaxRetryAfter,
		"Sat, 21 Nov 2026 12:00:40 GMT": 40 * time.Second,
		"Sat, 21 Nov 2026 11:00:00 GMT": 0, // in the past
	} {
		if got := ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestRetryAfterFoundInTheChain(t *testing.T) {
	he := &HTTPError{Status: 429, RetryAfter: 7 * time.Second}
	err := fmt.Errorf("/payment: %w: %w", ErrNotSent, he)
	if got := RetryAfter(err); got != 7*time.Second {
		t.Errorf("RetryAfter = %s", got)
	}
	if !errors.Is(err, ErrNotSent) {
		t.Error("class lost")
	}
	if got := RetryAfter(fmt.Errorf("x: %w", ErrOutcomeUnknown)); got != 0 {
		t.Errorf("no Retry-After: %s", got)
	}
}
