package store

import (
	"path/filepath"
	"testing"
)

// Files are listed newest first by number, not by text: F1000000 is newer
// than F999999.
func TestRecentFilesOrderPastSixDigits(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := []string{"F000010", "F999999", "F1000000", "F000002"}
	if err := st.Update(func(tx *Tx) error {
		for _, id := range ids {
			if err := tx.PutFile(&File{ID: id, State: FileDone, Moved: true}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	st.View(func(tx *Tx) error {
		return tx.RecentFiles(func(f *File) bool { got = append(got, f.ID); return true })
	})
	want := []string{"F1000000", "F999999", "F000010", "F000002"}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Fatalf("RecentFiles order %v, want %v", got, want)
		}
	}
	if err := st.View(func(tx *Tx) error { _, err := tx.File("F999999"); return err }); err != nil {
		t.Fatal(err)
	}
	if err := st.View(func(tx *Tx) error { _, err := tx.File("nonsense"); return err }); err == nil {
		t.Fatal("a malformed ID found a file")
	}
}
