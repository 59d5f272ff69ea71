package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"erpconnector/connector/fsutil"
)

// ErrTooLarge is returned by Spool.Put for content over the limit.
var ErrTooLarge = errors.New("file is larger than the configured max_file_size")

// Spool holds durable copies of claimed files, named by content hash, in a
// folder next to the store. Once Put returns, the bytes survive a crash, and
// the inbox file may be moved away.
type Spool struct{ Dir string }

// SpoolFor is the spool beside a store file.
func SpoolFor(storePath string) Spool {
	return Spool{Dir: filepath.Join(filepath.Dir(storePath), "spool")}
}

// Put copies r into the spool (at most limit bytes; 0 means no limit),
// hashing on the way, and fsyncs it.
func (s Spool) Put(r io.Reader, limit int64) (sha string, size int64, path string, err error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return "", 0, "", err
	}
	a, err := fsutil.Create(filepath.Join(s.Dir, "incoming"), 0o600)
	if err != nil {
		return "", 0, "", err
	}
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	size, err = io.Copy(io.MultiWriter(a, h), src)
	if err == nil && limit > 0 && size > limit {
		err = ErrTooLarge
	}
	if err != nil {
		a.Abort()
		return "", 0, "", err
	}
	sha = hex.EncodeToString(h.Sum(nil))
	path = s.Path(sha)
	if fi, statErr := os.Stat(path); statErr == nil && fi.Size() == size {
		a.Abort() // same content spooled before (a duplicate, or a claim redone after a crash)
		return sha, size, path, nil
	}
	if err := a.CommitAs(path); err != nil {
		return "", 0, "", fmt.Errorf("spool: %w", err)
	}
	return sha, size, path, nil
}

// Path is where content sha is kept.
func (s Spool) Path(sha string) string { return filepath.Join(s.Dir, sha) }
