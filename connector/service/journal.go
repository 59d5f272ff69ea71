package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
)

// NewJournalHandler is a slog text handler for stderr under systemd: each
// line starts with a syslog priority ("<3>" for errors, sd-daemon(3)), which
// journald strips and records, so `journalctl -p warning` works; the time is
// left out because journald stamps every line itself. Values with newlines
// are quoted by the text format, so one record is one journal entry.
func NewJournalHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	var o slog.HandlerOptions
	if opts != nil {
		o = *opts
	}
	user := o.ReplaceAttr
	o.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		if user != nil {
			return user(groups, a)
		}
		return a
	}
	sh := &journalShared{w: w}
	return &journalHandler{sh: sh, inner: slog.NewTextHandler(&sh.buf, &o)}
}

// journalShared is the one buffer and lock behind a handler and every
// handler derived from it (WithAttrs, WithGroup), so that the priority
// prefix and its line reach w together.
type journalShared struct {
	mu  sync.Mutex
	buf bytes.Buffer
	w   io.Writer
}

type journalHandler struct {
	sh    *journalShared
	inner slog.Handler
}

func (h *journalHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *journalHandler) Handle(ctx context.Context, r slog.Record) error {
	h.sh.mu.Lock()
	defer h.sh.mu.Unlock()
	h.sh.buf.Reset()
	h.sh.buf.WriteString("<" + strconv.Itoa(journalPriority(r.Level)) + ">")
	if err := h.inner.Handle(ctx, r); err != nil {
		return err
	}
	_, err := h.sh.w.Write(h.sh.buf.Bytes())
	return err
}

func (h *journalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &journalHandler{sh: h.sh, inner: h.inner.WithAttrs(as)}
}

func (h *journalHandler) WithGroup(name string) slog.Handler {
	return &journalHandler{sh: h.sh, inner: h.inner.WithGroup(name)}
}

// journalPriority maps slog levels to syslog priorities: error 3, warning 4,
// info 6, debug 7 (levels between round towards the more severe).
func journalPriority(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	default:
		return 7
	}
}

// UnderJournal reports whether stderr is connected to journald: systemd sets
// $JOURNAL_STREAM to "device:inode" of that stream, and it must still be our
// stderr (not inherited by a process whose stderr was redirected since).
func UnderJournal() bool {
	v := os.Getenv("JOURNAL_STREAM")
	if v == "" {
		return false
	}
	return sameStream(v, os.Stderr)
}
