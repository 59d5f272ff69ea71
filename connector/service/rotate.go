package service

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// RotatingFile is the service's log file. A service has no stdout, so its
// log goes here (and, for warnings and errors, to the event log). The file is
// rotated by size: name → name.1 → name.2 … and only Keep old files are kept,
// so a daemon that runs for years cannot fill the disk with its log.
//
// Files are created 0600 (on Unix; on Windows the folder's ACL applies): log
// lines name files and accounts, which is not for every local user.
type RotatingFile struct {
	path    string
	maxSize int64
	keep    int

	mu         sync.Mutex
	f          *os.File
	size       int64
	lastErr    error     // last rotation failure, see Err
	retryAfter time.Time // after a failed rotation, do not retry on every write
	now        func() time.Time
}

var _ io.WriteCloser = (*RotatingFile)(nil)

// Rotation defaults for the service log.
const (
	DefaultLogMaxSize = 10 << 20 // 10 MiB per file
	DefaultLogKeep    = 5        // old files kept besides the current one

	// rotateRetry spaces out rotation attempts after one failed (typically
	// an antivirus scanner or a log viewer holding the file on Windows).
	rotateRetry = time.Minute
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("rotating log file is closed")

// OpenRotatingFile opens (appending) or creates the log file at path and its
// folder (0700). maxSize ≤ 0 means DefaultLogMaxSize; keep < 0 means
// DefaultLogKeep; keep 0 keeps no old files (the file is started afresh).
func OpenRotatingFile(path string, maxSize int64, keep int) (*RotatingFile, error) {
	if path == "" {
		return nil, errors.New("log file: no path")
	}
	if maxSize <= 0 {
		maxSize = DefaultLogMaxSize
	}
	if keep < 0 {
		keep = DefaultLogKeep
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("log file %s: %w", abs, err)
	}
	r := &RotatingFile{path: abs, maxSize: maxSize, keep: keep, now: time.Now}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

// Path is the current log file's absolute path.
func (r *RotatingFile) Path() string { return r.path }

func (r *RotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log file: %w", err)
	}
	// A file left by an earlier version or an administrator's copy may be
	// wider open than we would create it.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return fmt.Errorf("log file: %w", err)
		}
	}
	r.f, r.size = f, fi.Size()
	return nil
}

// Write appends p, rotating first when p would take the file past the size
// limit. A record is never split across files; a single record larger than
// the limit goes whole into a fresh file. If rotation fails the record is
// still written to the current file (a log must not lose lines because a
// rename failed); the failure is kept for Err.
func (r *RotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, ErrClosed
	}
	if r.size > 0 && r.size+int64(len(p)) > r.maxSize && !r.now().Before(r.retryAfter) {
		if err := r.rotate(); err != nil {
			r.lastErr = err
			r.retryAfter = r.now().Add(rotateRetry)
			if r.f == nil { // could not even reopen
				return 0, err
			}
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("log file %s: %w", r.path, err)
	}
	return n, nil
}

// Rotate rotates now, whatever the size (for an operator's "rotate logs").
func (r *RotatingFile) Rotate() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return ErrClosed
	}
	err := r.rotate()
	if err != nil {
		r.lastErr = err
	}
	return err
}

// Err returns the last rotation failure, if any (nil once a later rotation
// succeeded).
func (r *RotatingFile) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// rotate shifts name.(k-1) → name.k down to name → name.1. The current file
// is closed first because Windows cannot rename an open file. On failure the
// current file is reopened for appending so that logging goes on.
func (r *RotatingFile) rotate() error {
	if err := r.f.Close(); err != nil {
		r.f = nil
		if oerr := r.open(); oerr != nil {
			return errors.Join(err, oerr)
		}
		return fmt.Errorf("log file %s: %w", r.path, err)
	}
	r.f = nil
	err := r.shift()
	if oerr := r.open(); oerr != nil {
		return errors.Join(err, oerr)
	}
	if err == nil {
		r.lastErr = nil
		r.retryAfter = time.Time{}
	}
	return err
}

func (r *RotatingFile) shift() error {
	if r.keep == 0 {
		if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("log file rotation: %w", err)
		}
		return nil
	}
	if err := os.Remove(r.backup(r.keep)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("log file rotation: %w", err)
	}
	for i := r.keep - 1; i >= 1; i-- {
		if err := os.Rename(r.backup(i), r.backup(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("log file rotation: %w", err)
		}
	}
	if err := os.Rename(r.path, r.backup(1)); err != nil {
		return fmt.Errorf("log file rotation: %w", err)
	}
	return nil
}

func (r *RotatingFile) backup(i int) string { return r.path + "." + strconv.Itoa(i) }

// Close flushes the file to disk and closes it; later writes fail with
// ErrClosed. Closing twice is harmless.
func (r *RotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	serr := r.f.Sync()
	cerr := r.f.Close()
	r.f = nil
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("log file %s: %w", r.path, err)
	}
	return nil
}
