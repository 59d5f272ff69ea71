package abo

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"erpconnector/formats"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// comparable strips the Batch pointer so payments of two reads compare.
func comparable(ps []*formats.Payment) []formats.Payment {
	out := make([]formats.Payment, len(ps))
	for i, p := range ps {
		out[i] = *p
		if p.Batch != nil {
			b := *p.Batch
			out[i].Batch = &b
		}
	}
	return out
}

// The same text in three encodings must give the same payments.
func TestEncodingsAgree(t *testing.T) {
	read := func(name string, enc Encoding) []formats.Payment {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		ps, probs := readAll(t, bytes.NewReader(raw), Options{Encoding: enc})
		if probs.Len() != 0 {
			t.Fatalf("%s: %v", name, probs.List())
		}
		return comparable(ps)
	}
	w := read("win1250_diacritics.kpc", Windows1250)
	u := read("utf8_bom_diacritics.kpc", UTF8)
	c := read("cp852_diacritics.kpc", CP852)
	if !reflect.DeepEqual(w, u) {
		t.Errorf("windows-1250 and utf-8 differ:\n%+v\n%+v", w, u)
	}
	// CP852 has no en dash; the file has a hyphen there.
	c[0].Remittance.Unstructured = strings.Replace(c[0].Remittance.Unstructured, "-", "–", 1)
	if !reflect.DeepEqual(w, c) {
		t.Errorf("windows-1250 and cp852 differ:\n%+v\n%+v", w, c)
	}
	if want := "Faktura č. 17 – Žluťoučký kůň úpěl"; w[0].Remittance.Unstructured != want {
		t.Errorf("message %q, want %q", w[0].Remittance.Unstructured, want)
	}
}

// Line ends, read sizes and the configured encoding of a pure-ASCII file
// must not change the result.
func TestReadingIsIndependentOfChunkingAndLineEnds(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "lf_multi_groups.kpc"))
	if err != nil {
		t.Fatal(err)
	}
	ps, probs := readAll(t, bytes.NewReader(raw), Options{})
	want := comparable(ps)
	variants := map[string]func() (io.Reader, Options){
		"one byte at a time": func() (io.Reader, Options) { return iotest.OneByteReader(bytes.NewReader(raw)), Options{} },
		"CRLF": func() (io.Reader, Options) {
			return bytes.NewReader(bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))), Options{}
		},
		"utf-8":       func() (io.Reader, Options) { return bytes.NewReader(raw), Options{Encoding: UTF8} },
		"cp852":       func() (io.Reader, Options) { return bytes.NewReader(raw), Options{Encoding: CP852} },
		"data errors": func() (io.Reader, Options) { return iotest.DataErrReader(bytes.NewReader(raw)), Options{} },
	}
	for name, mk := range variants {
		r, opts := mk()
		got, gotProbs := readAll(t, r, opts)
		if !reflect.DeepEqual(comparable(got), want) || !reflect.DeepEqual(gotProbs.List(), probs.List()) {
			t.Errorf("%s: result differs", name)
		}
	}
}

// Next must hand out a payment as soon as its line is read, before the rest
// of the file exists.
func TestStreamsLineByLine(t *testing.T) {
	pr, pw := io.Pipe()
	rd := NewReader(pr, Options{})
	go func() {
		io.WriteString(pw, kpc(uhl, acc, grp, itm1))
	}()
	p, err := rd.Next()
	if err != nil || p.Pos.Line != 4 || p.Amount.Minor != 1250000 {
		t.Fatalf("first payment: %+v, %v", p, err)
	}
	go func() {
		io.WriteString(pw, kpc(itm2, end3, end5))
		pw.Close()
	}()
	p, err = rd.Next()
	if err != nil || p.Pos.Line != 5 || p.Index != 1 {
		t.Fatalf("second payment: %+v, %v", p, err)
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("want io.EOF, got %v", err)
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Fatalf("Next after the end: want io.EOF again, got %v", err)
	}
	if rd.Problems().Len() != 0 {
		t.Fatal(rd.Problems().List())
	}
}

// An I/O error is returned as such, with the line it happened at, and
// sticks; it is not mistaken for the end of the file.
func TestIOErrorIsNotEOF(t *testing.T) {
	boom := errors.New("share disconnected")
	r := io.MultiReader(strings.NewReader(kpc(uhl, acc, grp, itm1)), iotest.ErrReader(boom))
	rd := NewReader(r, Options{})
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := rd.Next()
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line 5") {
		t.Fatalf("got %v, want the I/O error at line 5", err)
	}
	if _, err2 := rd.Next(); !errors.Is(err2, boom) {
		t.Fatalf("error does not stick: %v", err2)
	}
}

// genKPC writes a valid bulk KPC file of n items on the fly, so that a test
// can read a large file without holding it in memory.
type genKPC struct {
	n, groupSize int
	i            int
	buf          bytes.Buffer
	stage        int
}

func (g *genKPC) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && g.stage < 3 {
		switch g.stage {
		case 0:
			g.buf.WriteString(uhl + "\r\n" + acc + "\r\n")
			g.stage = 1
		case 1:
			if g.i == g.n {
				g.buf.WriteString(end5 + "\r\n")
				g.stage = 3
				continue
			}
			k := min(g.groupSize, g.n-g.i)
			// every item is 12 500,00 CZK, so the group sum is known up front
			g.buf.WriteString("2 000019-2000145399 ")
			g.buf.WriteString(padNum(int64(k)*1250000, 14))
			g.buf.WriteString(" 160626\r\n")
			for j := 0; j < k; j++ {
				g.buf.WriteString("000000-1234567899 000001250000 ")
				g.buf.WriteString(padNum(int64(g.i+1), 10))
				g.buf.WriteString(" 08000308 0000000000 AV:Faktura cislo ")
				g.buf.WriteString(padNum(int64(g.i+1), 10))
				g.buf.WriteString("\r\n")
				g.i++
			}
			g.buf.WriteString(end3 + "\r\n")
		}
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

func padNum(v int64, width int) string {
	s := []byte(strings.Repeat("0", width))
	for i := width - 1; i >= 0 && v > 0; i-- {
		s[i] = byte('0' + v%10)
		v /= 10
	}
	return string(s)
}

// The reader keeps nothing per payment: the live heap after reading 100,000
// items is the same as after 10,000, within a margin far below what 90,000
// retained payments would take (~40 MB).
func TestMemoryDoesNotGrowWithItems(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100,000 items")
	}
	rd := NewReader(&genKPC{n: 100_000, groupSize: 500}, Options{})
	var at10k, at100k uint64
	var ms runtime.MemStats
	n := 0
	for {
		p, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if p.Amount.Minor != 1250000 {
			t.Fatalf("item %d: amount %d", n, p.Amount.Minor)
		}
		if n == 10_000 || n == 100_000 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if n == 10_000 {
				at10k = ms.HeapAlloc
			} else {
				at100k = ms.HeapAlloc
			}
		}
	}
	if n != 100_000 || rd.Problems().Len() != 0 {
		t.Fatalf("%d payments, problems %v", n, rd.Problems().List())
	}
	t.Logf("live heap after 10k items: %d B, after 100k: %d B", at10k, at100k)
	if at100k > at10k+1<<20 {
		t.Errorf("live heap grew from %d B to %d B between 10k and 100k items", at10k, at100k)
	}
}
