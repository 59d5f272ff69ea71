package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func update(t *testing.T, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var", "db")
	path := filepath.Join(dir, "erpconnector.db")
	s := openStore(t, path)
	if s.Path() != path {
		t.Errorf("Path() = %q", s.Path())
	}
	if runtime.GOOS == "windows" {
		return
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %04o, want %04o", p, got, want)
		}
	}
}

// TestOpenLocked: a second opener (the CLI while the daemon runs) gets
// ErrLocked instead of waiting forever. bbolt's flock is per open file
// description, so a second handle in the same process contends like another
// process would.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	first := openStore(t, path)
	_, err := Open(path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error does not name the store: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestSchemaVersion(t *testing.T) {
	cases := []struct {
		stored string
		want   string // "" opens
	}{
		{"1", ""},
		{"2", "schema version 2 is newer than this erpconnector understands (1): upgrade erpconnector"},
		{"999", "schema version 999 is newer"},
		{"", `schema version "" is not valid`},
		{"one", `schema version "one" is not valid`},
		{"0", `schema version "0" is not valid`},
	}
	for _, tc := range cases {
		t.Run(tc.stored, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists(bMeta)
				if err != nil {
					return err
				}
				return b.Put([]byte("schema"), []byte(tc.stored))
			}); err != nil {
				t.Fatal(err)
			}
			db.Close()
			s, err := Open(path)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			// Refusing must not leave the file locked.
			if _, err := Open(path); errors.Is(err, ErrLocked) {
				t.Error("a refused store stays locked")
			}
		})
	}
	t.Run("new store records the version", func(t *testing.T) {
		s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
		var v string
		s.db.View(func(tx *bolt.Tx) error { v = string(tx.Bucket(bMeta).Get([]byte("schema"))); return nil })
		if v != fmt.Sprint(SchemaVersion) {
			t.Errorf("schema = %q", v)
		}
	})
}

func TestNewFileIDMonotonicAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	var ids []string
	for round := 0; round < 3; round++ {
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			update(t, s, func(tx *Tx) error {
				id, err := tx.NewFileID()
				ids = append(ids, id)
				return err
			})
		}
		// An ID allocated in a transaction that fails is not used up... but
		// it is never handed out twice either.
		s.Update(func(tx *Tx) error {
			tx.NewFileID()
			return errors.New("rolled back")
		})
		s.Close()
	}
	want := []string{"F000001", "F000002", "F000003", "F000004", "F000005", "F000006"}
	if !slices.Equal(ids, want) {
		t.Errorf("IDs %q, want %q", ids, want)
	}
}

func TestPutFileActiveIndex(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	now := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	cases := []struct {
		state  FileState
		moved  bool
		told   bool // StatusDone: the terminal state's status file is written
		active bool
	}{
		{FileClaimed, false, false, true},
		{FilePlanned, false, false, true},
		{FilePlanned, true, false, true}, // archived early, payments still open
		{FileDone, false, true, true},    // terminal, but the inbox file still to move
		{FileRejected, false, true, true},
		{FileDone, true, false, true}, // terminal and moved, but the ERP not yet told
		{FileDuplicate, true, false, true},
		{FileDone, true, true, false},
		{FileRejected, true, true, false},
		{FileDuplicate, true, true, false},
	}
	for _, tc := range cases {
		f := &File{ID: "F000001", Route: "r", Name: "a.xml", State: tc.state, Moved: tc.moved, StatusDone: tc.told}
		update(t, s, func(tx *Tx) error { return tx.PutFile(f) })
		var active []string
		s.View(func(tx *Tx) error { active = tx.ActiveFiles(); return nil })
		if got := slices.Contains(active, "F000001"); got != tc.active {
			t.Errorf("%s moved=%v told=%v: active=%v, want %v", tc.state, tc.moved, tc.told, got, tc.active)
		}
	}
	// A file can come back to life (retry): it is active again.
	update(t, s, func(tx *Tx) error {
		return tx.PutFile(&File{ID: "F000001", State: FilePlanned, Moved: true})
	})
	s.View(func(tx *Tx) error {
		if a := tx.ActiveFiles(); !slices.Equal(a, []string{"F000001"}) {
			t.Errorf("after retry active = %q", a)
		}
		f, err := tx.File("F000001")
		if err != nil || !f.Updated.Equal(now) || !f.Received.Equal(now) {
			t.Errorf("File: %+v, %v", f, err)
		}
		if _, err := tx.File("F999999"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing file: %v", err)
		}
		return nil
	})
}

func TestPutFileStamps(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	t1 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	s.Now = func() time.Time { return t1 }
	f := &File{ID: "F000001", State: FileClaimed}
	update(t, s, func(tx *Tx) error { return tx.PutFile(f) })
	t2 := t1.Add(time.Hour)
	s.Now = func() time.Time { return t2 }
	f.State = FilePlanned
	update(t, s, func(tx *Tx) error { return tx.PutFile(f) })
	s.View(func(tx *Tx) error {
		got, _ := tx.File("F000001")
		if !got.Received.Equal(t1) || !got.Updated.Equal(t2) || got.Updated.Location() != time.UTC {
			t.Errorf("Received %v Updated %v: want first-seen and last-change times in UTC", got.Received, got.Updated)
		}
		return nil
	})
}

func TestActiveAndRecentOrder(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	ids := []string{"F000002", "F999999", "F000010", "F1000000", "F000001"}
	update(t, s, func(tx *Tx) error {
		for _, id := range ids {
			if err := tx.PutFile(&File{ID: id, State: FileClaimed}); err != nil {
				return err
			}
		}
		return nil
	})
	s.View(func(tx *Tx) error {
		want := []string{"F000001", "F000002", "F000010", "F999999", "F1000000"}
		if got := tx.ActiveFiles(); !slices.Equal(got, want) {
			t.Errorf("ActiveFiles = %q, want oldest first %q", got, want)
		}
		// RecentFiles walks the keys as bytes: newest first holds below
		// F1000000 (see its doc comment), so it is checked without that one.
		var recent []string
		tx.RecentFiles(func(f *File) bool {
			if f.ID != "F1000000" {
				recent = append(recent, f.ID)
			}
			return len(recent) < 3
		})
		if want := []string{"F999999", "F000010", "F000002"}; !slices.Equal(recent, want) {
			t.Errorf("RecentFiles = %q, want %q (newest first, stopping when told)", recent, want)
		}
		return nil
	})
}

func TestClaimsAndHashes(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	update(t, s, func(tx *Tx) error {
		if err := tx.SetClaim("dk", "a.xml", "F000001"); err != nil {
			return err
		}
		if err := tx.SetClaim("kb", "a.xml", "F000002"); err != nil {
			return err
		}
		return tx.SetHashOwner("ab12", "F000001")
	})
	s.View(func(tx *Tx) error {
		cases := []struct {
			route, name string
			id          string
			ok          bool
		}{
			{"dk", "a.xml", "F000001", true},
			{"kb", "a.xml", "F000002", true},
			{"dk", "b.xml", "", false},
			{"d", "ka.xml", "", false}, // route and name are kept apart
			{"dk\x00a", ".xml", "", false},
		}
		for _, c := range cases {
			if id, ok := tx.Claim(c.route, c.name); id != c.id || ok != c.ok {
				t.Errorf("Claim(%q, %q) = %q, %v", c.route, c.name, id, ok)
			}
		}
		if id, ok := tx.HashOwner("ab12"); id != "F000001" || !ok {
			t.Errorf("HashOwner = %q, %v", id, ok)
		}
		if _, ok := tx.HashOwner("cd34"); ok {
			t.Error("HashOwner of unknown content")
		}
		return nil
	})
	update(t, s, func(tx *Tx) error { return tx.DeleteClaim("dk", "a.xml") })
	s.View(func(tx *Tx) error {
		if _, ok := tx.Claim("dk", "a.xml"); ok {
			t.Error("claim survives DeleteClaim")
		}
		if _, ok := tx.Claim("kb", "a.xml"); !ok {
			t.Error("DeleteClaim removed another route's claim")
		}
		return nil
	})
}

// TestPayments: a file's payments come in index order and only that file's:
// F000001 is a prefix of F0000010 as text, the key scheme must keep them apart.
func TestPayments(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	put := map[string][]int{
		"F000001":  {3, 1, 10, 2, 100000},
		"F0000010": {1, 2},
		"F000000":  {7},
		"F000002":  {0},
	}
	update(t, s, func(tx *Tx) error {
		for id, idx := range put {
			for _, i := range idx {
				p := &Payment{FileID: id, Index: i, PaymentID: fmt.Sprintf("%s-%d", id, i), Minor: int64(i) * 100, Currency: "DKK", State: PayReceived}
				if err := tx.PutPayment(p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	cases := []struct {
		id   string
		want []int
	}{
		{"F000001", []int{1, 2, 3, 10, 100000}},
		{"F0000010", []int{1, 2}},
		{"F000000", []int{7}},
		{"F000002", []int{0}},
		{"F000003", nil},
		{"F00000", nil},
	}
	s.View(func(tx *Tx) error {
		for _, c := range cases {
			var got []int
			if err := tx.Payments(c.id, func(p *Payment) error {
				if p.FileID != c.id || p.PaymentID != fmt.Sprintf("%s-%d", c.id, p.Index) {
					t.Errorf("Payments(%s) returned %+v", c.id, p)
				}
				got = append(got, p.Index)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Payments(%s) = %v, want %v", c.id, got, c.want)
			}
		}
		p, err := tx.Payment("F000001", 10)
		if err != nil || p.Minor != 1000 || p.Currency != "DKK" {
			t.Errorf("Payment: %+v, %v", p, err)
		}
		if _, err := tx.Payment("F000001", 4); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing payment: %v", err)
		}
		stop := errors.New("stop")
		n := 0
		if err := tx.Payments("F000001", func(*Payment) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("an error from fn must stop and be returned: %v after %d", err, n)
		}
		return nil
	})
}

func TestRequests(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	r := &Request{Key: "dk/R1", Bank: "dk", ID: "R1", FileID: "F000001", Body: []byte(`{"amount":"12.50"}`),
		Payments: []int{0, 1}, PaymentIDs: []string{"p0", "p1"}, State: ReqPlanned}
	update(t, s, func(tx *Tx) error { return tx.PutRequest(r) })
	r.State = ReqSubmitting
	update(t, s, func(tx *Tx) error { return tx.PutRequest(r) })
	s.View(func(tx *Tx) error {
		got, err := tx.Request("dk/R1")
		if err != nil || got.State != ReqSubmitting || string(got.Body) != `{"amount":"12.50"}` || !slices.Equal(got.PaymentIDs, r.PaymentIDs) {
			t.Errorf("Request: %+v, %v", got, err)
		}
		if _, err := tx.Request("dk/R2"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing request: %v", err)
		}
		return nil
	})
}

// TestUpdateAllOrNothing: a failing transaction leaves no trace.
func TestUpdateAllOrNothing(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		tx.PutFile(&File{ID: "F000001", State: FileClaimed})
		tx.SetClaim("r", "a.xml", "F000001")
		tx.Log("F000001", "", "claimed", "claimed %s", "a.xml")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: %v", err)
	}
	s.View(func(tx *Tx) error {
		if _, err := tx.File("F000001"); !errors.Is(err, ErrNotFound) {
			t.Error("file stored by a failed transaction")
		}
		if _, ok := tx.Claim("r", "a.xml"); ok {
			t.Error("claim stored by a failed transaction")
		}
		if len(tx.ActiveFiles()) != 0 {
			t.Error("active index changed by a failed transaction")
		}
		tx.Events(func(e *Event) bool { t.Errorf("event stored by a failed transaction: %+v", e); return true })
		return nil
	})
}

func TestEventsNewestFirst(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	base := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	for i := 1; i <= 300; i++ { // past 255, where a one-byte key would wrap
		s.Now = func() time.Time { return base.Add(time.Duration(i) * time.Second) }
		update(t, s, func(tx *Tx) error { return tx.Log("F000001", "dk/R1", "step", "step %d of %s", i, "x") })
	}
	var got []*Event
	s.View(func(tx *Tx) error {
		return tx.Events(func(e *Event) bool { got = append(got, e); return len(got) < 3 })
	})
	if len(got) != 3 {
		t.Fatalf("%d events, want 3 (fn said stop)", len(got))
	}
	for i, e := range got {
		n := 300 - i
		if e.Seq != uint64(n) || e.Msg != fmt.Sprintf("step %d of x", n) || e.FileID != "F000001" ||
			e.Request != "dk/R1" || e.Kind != "step" || !e.Time.Equal(base.Add(time.Duration(n)*time.Second)) {
			t.Errorf("event %d = %+v, want seq %d", i, e, n)
		}
	}
}

func TestKV(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "s.db"))
	update(t, s, func(tx *Tx) error { return tx.PutKV("cursor/dk", []byte("abc")) })
	var v []byte
	s.View(func(tx *Tx) error {
		v = tx.GetKV("cursor/dk")
		if tx.GetKV("missing") != nil {
			t.Error("missing key is not nil")
		}
		return nil
	})
	// The value outlives the transaction (bbolt's memory does not).
	if string(v) != "abc" {
		t.Errorf("GetKV = %q", v)
	}
}

func TestStatesClassify(t *testing.T) {
	for _, st := range []FileState{FileRejected, FileDuplicate, FileDone} {
		if !st.Terminal() {
			t.Errorf("%s must be terminal", st)
		}
	}
	for _, st := range []FileState{FileClaimed, FilePlanned} {
		if st.Terminal() {
			t.Errorf("%s must not be terminal", st)
		}
	}
	for _, st := range []PaymentState{PayBooked, PayRejected, PayCancelled} {
		if !st.Final() {
			t.Errorf("%s must be final", st)
		}
	}
	for _, st := range []PaymentState{PayReceived, PayAccepted, PayAwaitingAuthorisation, PayPending, PayUnknown} {
		if st.Final() {
			t.Errorf("%s must not be final", st)
		}
	}
}

func BenchmarkPutPayment(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	i := 0
	for b.Loop() {
		i++
		s.Update(func(tx *Tx) error {
			return tx.PutPayment(&Payment{FileID: "F000001", Index: i, State: PayReceived})
		})
	}
}
