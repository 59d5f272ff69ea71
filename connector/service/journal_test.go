package service

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestJournalHandler(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(NewJournalHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Debug("tick")
	log.Info("file claimed", "file", "pay 1.xml")
	log.With("route", "kb").WithGroup("bank").Warn("slow", "ms", 900)
	log.Error("submit failed", "err", "line one\nREADY=1")
	log.Log(t.Context(), slog.LevelWarn+2, "between warn and error")
	want := []string{
		`<7>level=DEBUG msg=tick`,
		`<6>level=INFO msg="file claimed" file="pay 1.xml"`,
		`<4>level=WARN msg=slow route=kb bank.ms=900`,
		`<3>level=ERROR msg="submit failed" err="line one\nREADY=1"`,
		`<4>level=WARN+2 msg="between warn and error"`,
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestJournalHandlerLevelAndReplace(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(NewJournalHandler(&out, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "secret" {
				return slog.String("secret", "***")
			}
			return a
		},
	}))
	log.Info("hidden")
	log.Warn("shown", "secret", "hunter2")
	if got, want := out.String(), "<4>level=WARN msg=shown secret=***\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestJournalHandlerConcurrent: each line keeps its own prefix when many
// goroutines log through derived handlers (run with -race).
func TestJournalHandlerConcurrent(t *testing.T) {
	var out bytes.Buffer
	base := slog.New(NewJournalHandler(&out, nil))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := base.With("g", g)
			for i := range 50 {
				if i%2 == 0 {
					l.Error("e", "i", i)
				} else {
					l.Info("i", "i", i)
				}
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	for _, l := range lines {
		if !(strings.HasPrefix(l, "<3>level=ERROR msg=e ") || strings.HasPrefix(l, "<6>level=INFO msg=i ")) || strings.Count(l, "level=") != 1 {
			t.Fatalf("mixed line %q", l)
		}
	}
}

func TestUnderJournal(t *testing.T) {
	t.Setenv("JOURNAL_STREAM", "")
	if UnderJournal() {
		t.Error("under journal without JOURNAL_STREAM")
	}
	t.Setenv("JOURNAL_STREAM", "1:1")
	if UnderJournal() {
		t.Error("under journal with a JOURNAL_STREAM that is not our stderr")
	}
	if id, ok := stderrID(t); ok {
		t.Setenv("JOURNAL_STREAM", id)
		if !UnderJournal() {
			t.Errorf("JOURNAL_STREAM=%s is our stderr, not detected", id)
		}
	}
}
