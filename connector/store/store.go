// Package store keeps all of erpconnector's progress in one bbolt file: files,
// bank requests, payments, the audit log and the indexes that make a file's
// content, not its name, its identity. Every state change happens in one
// transaction; bbolt fsyncs on every commit, and NoSync is never set.
package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout this code reads and writes.
const SchemaVersion = 1

var (
	bMeta      = []byte("meta")
	bFiles     = []byte("files")
	bActive    = []byte("active")   // file ID -> "" for files not yet terminal
	bHashes    = []byte("hashes")   // sha256 hex -> ID of the file that was planned with it
	bClaims    = []byte("claims")   // route \x00 name -> file ID, until the inbox file is moved
	bRequests  = []byte("requests") // request key -> Request
	bPayments  = []byte("payments") // file ID / index -> Payment
	bEvents    = []byte("events")   // seq -> Event
	bKV        = []byte("kv")       // small named values (cursors, tokens) for other features
	bEntries   = []byte("entries")  // statement block \x00 bank entry ID -> entry (de-duplication)
	bRefs      = []byte("refs")     // bank \x00 reference -> file ID/index of a submitted payment
	allBuckets = [][]byte{bMeta, bFiles, bActive, bHashes, bClaims, bRequests, bPayments, bEvents, bKV, bEntries, bRefs}
)

// initialMmapSize reserves address space for the database up front. When
// bbolt must grow its memory map during a write it first copies every key and
// value the transaction touched out of the old map (node.dereference): with a
// large file planned in one transaction that copy dominated memory use. A
// large initial map avoids the growths. It is address space, not memory; on
// Windows, where bbolt sizes the file to the map, it stays at the default.
var initialMmapSize = func() int {
	if runtime.GOOS == "windows" {
		return 0
	}
	return 1 << 30
}()

// ErrLocked means another process (a running daemon) holds the store.
var ErrLocked = errors.New("the store is in use by another erpconnector process")

// ErrNotFound is returned by getters for a missing record.
var ErrNotFound = errors.New("not found")

// Store is an open store.
type Store struct {
	db  *bolt.DB
	Now func() time.Time
}

// Open opens or creates the store at path (mode 0600, its folder 0700). A
// second process gets ErrLocked after a second instead of waiting forever.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, InitialMmapSize: initialMmapSize})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("store %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	s := &Store{db: db, Now: time.Now}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		m := tx.Bucket(bMeta)
		v := m.Get([]byte("schema"))
		if v == nil {
			return m.Put([]byte("schema"), []byte(strconv.Itoa(SchemaVersion)))
		}
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 1 {
			// Not written by any erpconnector: refuse rather than guess.
			return fmt.Errorf("schema version %q is not valid: this is not an erpconnector store, or it is damaged", v)
		}
		if n > SchemaVersion {
			return fmt.Errorf("schema version %d is newer than this erpconnector understands (%d): upgrade erpconnector", n, SchemaVersion)
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.db.Path() }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Update runs fn in a read-write transaction; everything fn does commits
// together or not at all.
func (s *Store) Update(fn func(*Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx, now: s.Now().UTC()}) })
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(*Tx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx, now: s.Now().UTC()}) })
}

// Tx is a transaction.
type Tx struct {
	tx  *bolt.Tx
	now time.Time
}

// Now is the transaction's timestamp.
func (t *Tx) Now() time.Time { return t.now }

func (t *Tx) put(bucket []byte, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bucket).Put([]byte(key), b)
}

func (t *Tx) get(bucket []byte, key string, v any) error {
	b := t.tx.Bucket(bucket).Get([]byte(key))
	if b == nil {
		return fmt.Errorf("%s %s: %w", bucket, key, ErrNotFound)
	}
	return json.Unmarshal(b, v)
}

// fileKey is the bucket key of a file ID: its number as 8 big-endian bytes,
// so that the newest file is last in key order however many digits the ID
// has ("F1000000" after "F999999"). An ID that is not ours maps to a key no
// file has.
func fileKey(id string) []byte {
	n, err := strconv.ParseUint(strings.TrimPrefix(id, "F"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "F") {
		return []byte("invalid:" + id)
	}
	return binary.BigEndian.AppendUint64(nil, n)
}

// NewFileID allocates the next file ID.
func (t *Tx) NewFileID() (string, error) {
	n, err := t.tx.Bucket(bFiles).NextSequence()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("F%06d", n), nil
}

// PutFile stores f, stamping Updated and keeping the active index in step.
func (t *Tx) PutFile(f *File) error {
	f.Updated = t.now
	if f.Received.IsZero() {
		f.Received = t.now
	}
	a := t.tx.Bucket(bActive)
	var err error
	if f.State.Terminal() && f.Moved && f.StatusDone {
		err = a.Delete([]byte(f.ID))
	} else {
		err = a.Put([]byte(f.ID), nil)
	}
	if err != nil {
		return err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bFiles).Put(fileKey(f.ID), b)
}

// File reads a file record.
func (t *Tx) File(id string) (*File, error) {
	var f File
	b := t.tx.Bucket(bFiles).Get(fileKey(id))
	if b == nil {
		return &f, fmt.Errorf("file %s: %w", id, ErrNotFound)
	}
	return &f, json.Unmarshal(b, &f)
}

// ActiveFiles lists the IDs of files with work left, oldest first.
func (t *Tx) ActiveFiles() []string {
	var ids []string
	t.tx.Bucket(bActive).ForEach(func(k, _ []byte) error {
		ids = append(ids, string(k))
		return nil
	})
	// Keys sort as bytes: past F999999 IDs grow a digit, and F1000000 would
	// sort before F999999. Shorter IDs are older.
	slices.SortStableFunc(ids, func(a, b string) int { return cmp.Or(len(a)-len(b), strings.Compare(a, b)) })
	return ids
}

// RecentFiles calls fn for files newest first until fn returns false. It
// walks the keys as bytes, so past F999999 (seven-digit IDs) the order is by
// text, not by age; ActiveFiles sorts properly.
func (t *Tx) RecentFiles(fn func(*File) bool) error {
	c := t.tx.Bucket(bFiles).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var f File
		if err := json.Unmarshal(v, &f); err != nil {
			return err
		}
		if !fn(&f) {
			return nil
		}
	}
	return nil
}

// HashOwner returns the file first planned with this content.
func (t *Tx) HashOwner(sha string) (string, bool) {
	v := t.tx.Bucket(bHashes).Get([]byte(sha))
	return string(v), v != nil
}

// SetHashOwner records that content sha was planned as file id.
func (t *Tx) SetHashOwner(sha, id string) error {
	return t.tx.Bucket(bHashes).Put([]byte(sha), []byte(id))
}

func claimKey(route, name string) []byte { return []byte(route + "\x00" + name) }

// Claim returns the file claimed from route's inbox under name whose inbox
// copy has not been moved yet.
func (t *Tx) Claim(route, name string) (string, bool) {
	v := t.tx.Bucket(bClaims).Get(claimKey(route, name))
	return string(v), v != nil
}

// SetClaim records an inbox name as claimed by file id.
func (t *Tx) SetClaim(route, name, id string) error {
	return t.tx.Bucket(bClaims).Put(claimKey(route, name), []byte(id))
}

// DeleteClaim forgets the claim once the inbox file is gone.
func (t *Tx) DeleteClaim(route, name string) error {
	return t.tx.Bucket(bClaims).Delete(claimKey(route, name))
}

// PutRequest stores r.
func (t *Tx) PutRequest(r *Request) error {
	r.Updated = t.now
	return t.put(bRequests, r.Key, r)
}

// Request reads a request.
func (t *Tx) Request(key string) (*Request, error) {
	var r Request
	return &r, t.get(bRequests, key, &r)
}

func paymentKey(fileID string, index int) string { return fmt.Sprintf("%s/%08d", fileID, index) }

// PutPayment stores p.
func (t *Tx) PutPayment(p *Payment) error {
	p.Updated = t.now
	return t.put(bPayments, paymentKey(p.FileID, p.Index), p)
}

// Payment reads one payment.
func (t *Tx) Payment(fileID string, index int) (*Payment, error) {
	var p Payment
	return &p, t.get(bPayments, paymentKey(fileID, index), &p)
}

// Payments calls fn for every payment of a file in index order.
func (t *Tx) Payments(fileID string, fn func(*Payment) error) error {
	c := t.tx.Bucket(bPayments).Cursor()
	prefix := []byte(fileID + "/")
	for k, v := c.Seek(prefix); k != nil && len(k) > len(prefix) && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
		var p Payment
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
	return nil
}

// Log appends an audit event.
func (t *Tx) Log(fileID, request, kind, format string, args ...any) error {
	b := t.tx.Bucket(bEvents)
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	e := Event{Seq: n, Time: t.now, FileID: fileID, Request: request, Kind: kind, Msg: fmt.Sprintf(format, args...)}
	return t.put(bEvents, fmt.Sprintf("%016x", n), e)
}

// Events calls fn for audit events newest first until fn returns false.
func (t *Tx) Events(fn func(*Event) bool) error {
	c := t.tx.Bucket(bEvents).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var e Event
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		if !fn(&e) {
			return nil
		}
	}
	return nil
}

// GetKV and PutKV keep small named values for other features.
func (t *Tx) GetKV(key string) []byte {
	v := t.tx.Bucket(bKV).Get([]byte(key))
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}

// PutKV stores a named value.
func (t *Tx) PutKV(key string, v []byte) error { return t.tx.Bucket(bKV).Put([]byte(key), v) }

// HasEntry reports whether a statement entry was stored for block already.
func (t *Tx) HasEntry(block, entryID string) bool {
	return t.tx.Bucket(bEntries).Get([]byte(block+"\x00"+entryID)) != nil
}

// PutEntry stores a statement entry (JSON) under its bank ID.
func (t *Tx) PutEntry(block, entryID string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.tx.Bucket(bEntries).Put([]byte(block+"\x00"+entryID), b)
}

// PutRef indexes a submitted payment by a reference the bank will show in
// statements (its end-to-end ID, payment ID or instruction ID).
func (t *Tx) PutRef(bank, ref, fileID string, index int) error {
	if ref == "" {
		return nil
	}
	return t.tx.Bucket(bRefs).Put([]byte(bank+"\x00"+ref), []byte(paymentKey(fileID, index)))
}

// Ref finds the payment a bank reference belongs to.
func (t *Tx) Ref(bank, ref string) (fileID string, index int, ok bool) {
	v := t.tx.Bucket(bRefs).Get([]byte(bank + "\x00" + ref))
	if v == nil {
		return "", 0, false
	}
	id, idx, found := strings.Cut(string(v), "/")
	n, err := strconv.Atoi(idx)
	if !found || err != nil {
		return "", 0, false
	}
	return id, n, true
}

// KVPrefix calls fn for every named value whose key starts with prefix, in
// key order.
func (t *Tx) KVPrefix(prefix string, fn func(key string, v []byte) error) error {
	c := t.tx.Bucket(bKV).Cursor()
	p := []byte(prefix)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			return err
		}
	}
	return nil
}
