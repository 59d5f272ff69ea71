package camt053

import (
	"io"
	"strconv"

	"erpconnector/formats"
	"erpconnector/formats/internal/xmlw"
)

// xw is the streaming XML writer plus a scratch buffer in which dates and
// amounts are formatted without allocating.
type xw struct {
	*xmlw.Writer
	num []byte
}

func newXW(w io.Writer) *xw { return &xw{Writer: xmlw.New(w)} }

// appendDecimal appends m minor units with exp decimal places, as
// money.FormatMinor writes them, without allocating.
func appendDecimal(dst []byte, m uint64, exp int) []byte {
	var digits [24]byte
	d := strconv.AppendUint(digits[:0], m, 10)
	if exp == 0 {
		return append(dst, d...)
	}
	for len(d) <= exp { // at least one digit before the point
		d = append([]byte{'0'}, d...)
	}
	dst = append(dst, d[:len(d)-exp]...)
	dst = append(dst, '.')
	return append(dst, d[len(d)-exp:]...)
}

// appendDate appends d as YYYY-MM-DD (checked to be a real date).
func appendDate(dst []byte, d formats.Date) []byte {
	dst = appendPadded(dst, d.Year, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int(d.Month), 2)
	dst = append(dst, '-')
	return appendPadded(dst, d.Day, 2)
}

func appendPadded(dst []byte, v, width int) []byte {
	var buf [8]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// dateLeaf writes <name>YYYY-MM-DD</name>.
func (x *xw) dateLeaf(name string, d formats.Date) {
	x.num = appendDate(x.num[:0], d)
	x.RawLeaf(name, x.num)
}

// decimalLeaf writes <name Ccy="CCY">decimal</name>, or <name>decimal</name>
// when ccy is "" (the DecimalNumber sums).
func (x *xw) decimalLeaf(name, ccy string, m uint64, exp int) {
	x.num = appendDecimal(x.num[:0], m, exp)
	if ccy == "" {
		x.RawLeaf(name, x.num)
		return
	}
	x.Indent()
	x.Raw("<")
	x.Raw(name)
	x.Raw(` Ccy="`)
	x.Raw(ccy)
	x.Raw(`">`)
	x.RawBytes(x.num)
	x.Raw("</")
	x.Raw(name)
	x.Raw(">\n")
}
