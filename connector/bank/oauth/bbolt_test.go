package oauth

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// boltPersist is how the daemon backs Persist: one key in a bucket, written
// in a transaction that bbolt fsyncs on commit.
type boltPersist struct {
	db  *bolt.DB
	key []byte
}

var tokenBucket = []byte("oauth")

func (p boltPersist) Load() ([]byte, error) {
	var out []byte
	err := p.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(tokenBucket); b != nil {
			out = append([]byte(nil), b.Get(p.key)...)
		}
		return nil
	})
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

func (p boltPersist) Save(v []byte) error {
	return p.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(tokenBucket)
		if err != nil {
			return err
		}
		return b.Put(p.key, v)
	})
}

func TestBoltPersistSurvivesRestart(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.rotate = true
	path := filepath.Join(t.TempDir(), "erpconnector.db")
	open := func() *bolt.DB {
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	s := newSource(b, clk, boltPersist{db, []byte("kb")})
	if err := s.Exchange(context.Background(), b.issueCode()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(150 * time.Second)
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close() // the process stops right after Token returned

	db = open()
	defer db.Close()
	s2 := newSource(b, clk, boltPersist{db, []byte("kb")})
	clk.Advance(150 * time.Second)
	if _, err := s2.Token(context.Background()); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if b.count() != 3 {
		t.Errorf("%d token calls, want 3", b.count())
	}
}
